"""MkDocs hook: every setting and environment variable, from the pydantic-settings models and the code that reads one."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

MARKER = "<!-- generated: settings -->"
ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("src/annobridge", "plugins/*/src/*")  # the packages; their testing/ helpers are left out
PASSED_ON = {"PATH", "HOME"}  # handed to a child process, not settings
BOUNDS = (("gt", ">"), ("ge", ">="), ("lt", "<"), ("le", "<="))


def on_page_markdown(markdown: str, page, **kwargs) -> str:
    """Put the tables where the page has the marker."""
    return markdown.replace(MARKER, render()) if MARKER in markdown else markdown


def render() -> str:
    """One section per settings model, then the other variables the code reads."""
    parts = [_model(module, name) for module, name in settings_models()]
    parts.append("## Other environment variables\n")
    parts.append("| variable | read by | what it does |\n|---|---|---|")
    parts.extend(f"| `{var}` | `{where}` | {text} |" for var, where, text in environment_reads())
    return "\n".join(parts) + "\n"


def source_files() -> list[tuple[str, Path]]:
    """(dotted module name, path) of every module of the installed packages, testing helpers left out."""
    found = []
    for pattern in SOURCES:
        for package in sorted(ROOT.glob(pattern)):
            if not (package / "__init__.py").exists():
                continue
            for path in sorted(package.rglob("*.py")):
                relative = path.relative_to(package.parent).with_suffix("")
                if "testing" not in relative.parts:
                    found.append((".".join(relative.parts).removesuffix(".__init__"), path))
    return found


def settings_models() -> list[tuple[str, str]]:
    """(module, class name) of every class deriving from pydantic-settings' BaseSettings."""
    found = []
    for module, path in source_files():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef) and any(ast.unparse(b).endswith("BaseSettings") for b in node.bases):
                found.append((module, node.name))
    return found


def environment_reads() -> list[tuple[str, str, str]]:
    """(variable, where, what) for each variable named in os.environ / os.getenv / a typer envvar= in the code."""
    found: dict[str, tuple[str, str, str]] = {}
    for module, path in source_files():
        tree = ast.parse(path.read_text())
        constants = {  # NAME = "VALUE" at module level: a variable named through a constant
            target.id: node.value.value
            for node in tree.body if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
            for target in node.targets if isinstance(target, ast.Name)
        }
        functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        for scope in [*reversed(functions), tree]:  # innermost first: its docstring says the most
            for node in ast.walk(scope):
                var, text = _read_of(node, constants)
                if var and var not in found and var not in PASSED_ON:
                    where = module if scope is tree else f"{module}.{scope.name}"
                    doc = text or ast.get_docstring(scope) or ""
                    found[var] = (var, where, _first_paragraph(doc))
    return sorted(found.values())


def _read_of(node, constants: dict) -> tuple[str | None, str]:
    """The variable a node reads (and the help text a typer option gives it), if it names one by a literal or
    a module-level constant."""

    def literal(value) -> str | None:
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            return value.value
        found = constants.get(value.id) if isinstance(value, ast.Name) else None
        return found if isinstance(found, str) else None

    if isinstance(node, ast.Call):
        if ast.unparse(node.func) in ("os.environ.get", "os.getenv") and node.args and literal(node.args[0]):
            return literal(node.args[0]), ""
        keywords = {k.arg: k.value for k in node.keywords}
        if "envvar" in keywords and literal(keywords["envvar"]):
            return literal(keywords["envvar"]), _text_of(keywords.get("help"), constants)
    if isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ" and literal(node.slice):
        return literal(node.slice), ""
    return None, ""


def _text_of(node, constants: dict) -> str:
    """A help string, an f-string's names filled in from the module's constants; "" for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if not isinstance(node, ast.JoinedStr):
        return ""
    parts = []
    for part in node.values:
        if isinstance(part, ast.Constant):
            parts.append(str(part.value))
        elif isinstance(part.value, ast.Name) and part.value.id in constants:
            parts.append(str(constants[part.value.id]))
        else:
            return ""
    return "".join(parts)


def _first_paragraph(text: str) -> str:
    return " ".join(inspect.cleandoc(text).split("\n\n")[0].split()).replace("|", "\\|")


def _model(module: str, name: str) -> str:
    model = getattr(importlib.import_module(module), name)
    config = model.model_config
    prefix = config.get("env_prefix", "")
    lines = [f"## `{name}`\n", f"From `{module}`. {_first_paragraph(model.__doc__ or '')}\n"]
    if config.get("env_file"):
        lines.append(f"Read from the environment first, then from the file `{config['env_file']}`.\n")
    described = any(field.description for field in model.model_fields.values())
    header = ["variable", "type", "default", "allowed"] + (["description"] if described else [])
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for field_name, field in model.model_fields.items():
        variable = (prefix + field_name).upper()
        default = "unset" if field.default is None else f"`{field.default!r}`"
        bounds = ", ".join(f"{sign} {getattr(m, key)}" for m in field.metadata for key, sign in BOUNDS if hasattr(m, key))
        cells = [f"`{variable}`", _type_name(field.annotation), default, bounds or "any"]
        lines.append("| " + " | ".join(cells + ([field.description or ""] if described else [])) + " |")
    return "\n".join(lines) + "\n"


def _type_name(annotation) -> str:
    """`float`, `str` or `None` ...: a table cell (a `|` inside a code span would show its escape)."""
    text = annotation.__name__ if isinstance(annotation, type) else str(annotation)
    names = [name.strip().replace("typing.", "").replace("pydantic.types.", "") for name in text.split("|")]
    return " or ".join(f"`{name}`" for name in names)
