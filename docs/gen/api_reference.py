"""MkDocs hook: the public API reference, one mkdocstrings block per name `annobridge` exports (its imports are lazy)."""

from __future__ import annotations

MARKER = "<!-- generated: api -->"
SECTIONS = (  # module of annobridge -> its section title; a module left out gets its own name
    ("connection", "Connecting"), ("models", "Models"), ("schema", "Label schema"),
    ("annotations", "Annotations and shapes"), ("video", "Video"), ("capabilities", "Capabilities"),
    ("provider", "Provider"), ("errors", "Errors"), ("migration", "Migration"), ("verification", "Verification"),
)


def on_page_markdown(markdown: str, page, **kwargs) -> str:
    """Put the blocks where the page has the marker; mkdocstrings renders them afterwards."""
    return markdown.replace(MARKER, render()) if MARKER in markdown else markdown


def exported() -> dict[str, list[str]]:
    """annobridge's module -> the public names it holds, as `annobridge.__all__` lists them."""
    import annobridge

    by_module: dict[str, list[str]] = {}
    for name in sorted(annobridge.__all__):
        module = annobridge._WHERE.get(name)
        if module is not None:
            by_module.setdefault(module, []).append(name)
    return by_module


def render() -> str:
    """A section per module, a mkdocstrings block per name."""
    by_module = exported()
    titles = dict(SECTIONS)
    order = [m for m, _ in SECTIONS if m in by_module] + sorted(m for m in by_module if m not in titles)
    lines = []
    for module in order:
        lines.append(f"## {titles.get(module, module)}\n")
        lines.extend(f"::: annobridge.{module}.{name}\n" for name in by_module[module])
    return "\n".join(lines)
