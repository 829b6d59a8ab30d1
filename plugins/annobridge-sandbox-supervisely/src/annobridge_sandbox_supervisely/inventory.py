"""Which public SDK `Api` methods the sandbox answers, refuses or lacks, read from the SDK's source and the routes.

Each public method of the APIs in `GROUPS` is traced through the SDK's own source (its body,
the methods it calls or hands on, on itself, its base classes, its sub-APIs, the other APIs and
local names bound to them, and only the side of an `if type(self) is SomeApi:` that it takes) to
the API methods it sends. It is then:

- answered: every API method it sends is one the sandbox serves;
- refused: it sends one the sandbox declines on purpose (`REFUSED` in a sandbox module, with why; for the video
  groups also `REFUSED_ON_VIDEOS`, methods served for images only), or sends served ones in a shape the sandbox
  declines (`_REFUSED_USES`); one sent only on a branch callers choose is not counted (`_SENT_ONLY_WHEN`);
- missing: it sends one the sandbox does not serve (answered 404 with the method's name);
- client-side: it sends nothing (it builds a URL, converts a tuple, or is a generic pager);
- sdk-fails: the installed SDK cannot carry it out whatever the server answers (`_SDK_FAILS` says why).

`python -m annobridge_sandbox_supervisely.inventory` prints the Markdown kept in the distribution's
README.md; with `--write` (from a source checkout) it rewrites the README's inventory section.
"""

from __future__ import annotations

import ast
import inspect
import re
import sys
import textwrap
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Iterator

# (label, attribute path on sly.Api): the APIs the inventory covers, in the README's order
GROUPS = (
    ("image", "image"),
    ("figure", "image.figure"),
    ("tag", "image.tag"),
    ("annotation", "annotation"),
    ("advanced", "advanced"),
    ("project", "project"),
    ("dataset", "dataset"),
    ("user", "user"),
    ("team", "team"),
    ("workspace", "workspace"),
    ("labeling_job", "labeling_job"),
    ("task", "task"),
    ("video", "video"),
    ("video_annotation", "video.annotation"),
    ("video_object", "video.object"),
    ("video_figure", "video.figure"),
    ("video_frame", "video.frame"),
    ("video_tag", "video.tag"),
)
_ENDPOINT = re.compile(r"^[a-z][a-zA-Z-]*(\.[a-zA-Z][a-zA-Z0-9_-]*)+$")
_SENDERS = {"post", "get", "post_async", "get_async", "stream", "stream_async", "post_httpx", "get_httpx"}
_NOT_ENDPOINTS = {"sly.Api", "os.path", "ApiField.ID"}
ANSWERED, REFUSED, MISSING, CLIENT_SIDE = "answered", "refused", "missing", "client-side"
SDK_FAILS = "sdk-fails"
# methods the installed SDK cannot carry out whatever the server answers, and why
_SDK_FAILS = {
    ("image", "upload_medical_images"): "SDK 6.74.51 calls pydicom.read_file, gone in pydicom 3, and skips every file",
}

# methods whose API methods the sandbox serves, but not in the shape these send them, and why
_REFUSED_USES = {
    ("video", "upload_link"): "the sandbox adds videos by the hash of uploaded bytes; links are not served",
    ("video", "upload_links"): "the sandbox adds videos by the hash of uploaded bytes; links are not served",
    ("video", "download_frames"): "the SDK sends a GET with a form body, and the sandbox reads a GET's query only; "
                                  "video.frame.download_paths serves the same frames",
    ("video_annotation", "upload_anns_multiview"): "multi-view objects (shared by a dataset's videos, no entityId) "
                                                   "are not served",
    ("video_annotation", "upload_paths_multiview"): "multi-view objects (shared by a dataset's videos, no entityId) "
                                                    "are not served",
    ("video_object", "get_info_by_name"): "video objects have no name; the sandbox answers a filter by name with 400",
    ("video_object", "exists"): "video objects have no name; the sandbox answers a filter by name with 400",
    ("video_object", "get_free_name"): "video objects have no name; the sandbox answers a filter by name with 400",
}
# declined API methods a method sends only on a branch its callers choose, and when: the method is answered without it
_UPSERT_META = "`videos.bulk.upsert_file_meta` is sent only with `infos` (declined)"
_SENT_ONLY_WHEN = {
    ("video", "upload_paths"): {"videos.bulk.upsert_file_meta": _UPSERT_META},
    # these call upload_paths without infos, so never send it
    ("video", "upload_path"): {"videos.bulk.upsert_file_meta": "upload_paths without `infos`: no file meta upsert"},
    ("video", "upload_dir"): {"videos.bulk.upsert_file_meta": "upload_paths without `infos`: no file meta upsert"},
    ("video", "upload_dirs"): {"videos.bulk.upsert_file_meta": "upload_paths without `infos`: no file meta upsert"},
}


@dataclass(frozen=True)
class Entry:
    """One SDK method: where it lives, what it sends, and how the sandbox meets it."""

    group: str
    method: str
    status: str
    endpoints: tuple[str, ...]
    why: str = ""

    @property
    def name(self) -> str:
        return f"{self.group}.{self.method}"


def _function(cls: type, name: str, start: int = 0):
    """The function `name` as defined on the first class of cls.__mro__[start:] that has it, and that class."""
    for owner in cls.__mro__[start:]:
        if name in vars(owner):
            value = vars(owner)[name]
            value = value.fget if isinstance(value, property) else getattr(value, "__func__", value)
            return (value, owner) if inspect.isfunction(value) else (None, None)
    return None, None


@cache
def _body(function) -> ast.AST | None:
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError, SyntaxError):
        return None
    node = tree.body[0]
    if node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant):
        node.body = node.body[1:]  # the docstring's usage examples are not calls
    return node


@cache
def _sub_api_classes() -> dict[str, type]:
    """sly.Api's attribute name -> class, e.g. "team" -> TeamApi, read from Api.__init__."""
    import importlib

    module = importlib.import_module("supervisely.api.api")
    classes = {}
    for node in ast.walk(ast.parse(textwrap.dedent(inspect.getsource(module.Api.__init__)))):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            target, func = node.targets[0], node.value.func
            if isinstance(target, ast.Attribute) and isinstance(func, ast.Attribute) \
                    and isinstance(func.value, ast.Name):
                holder = getattr(module, func.value.id, None)
                cls = getattr(holder, func.attr, None)
                if isinstance(cls, type):
                    classes[target.attr] = cls
    return classes


def _trace(cls: type, name: str, seen: set, start: int = 0, bound: dict | None = None) -> set[str]:
    """The API methods `cls.name` sends, following calls on self, super(), self's sub-APIs and self._api.<sub>;
    `bound` names the APIs handed in as arguments (e.g. tag_api=VideoTagApi)."""
    function, owner = _function(cls, name, start)
    if function is None or (owner, name) in seen:
        return set()
    seen.add((owner, name))
    node = _body(function)
    if node is None:
        return set()
    found: set[str] = set()
    module = inspect.getmodule(owner)
    # local names bound to an API, e.g. items_api = self._api.image; where the SDK branches on the project
    # type it binds the image API first, and image projects are what this inventory is about
    aliases: dict[str, Any] = dict(bound or {})
    for child in _walk(node, cls, module):
        if isinstance(child, ast.Assign) and len(child.targets) == 1 and isinstance(child.targets[0], ast.Name):
            bound = _resolve(cls, child.value, aliases)
            if bound is not None:
                aliases.setdefault(child.targets[0].id, bound)
    for child in _walk(node, cls, module):
        if isinstance(child, ast.Constant) and isinstance(child.value, str):
            method = child.value.split("?")[0]  # "file-storage.bulk.upload?teamId={}" sends that method
            if _ENDPOINT.match(method) and method not in _NOT_ENDPOINTS \
                    and not method.endswith((".py", ".json", ".env")):
                found.add(method)
        if isinstance(child, ast.Call) and isinstance(child.func, ast.Attribute) and child.func.attr in _SENDERS \
                and isinstance(child.func.value, ast.Attribute) and child.func.value.attr == "_api" and child.args \
                and isinstance(child.args[0], ast.Constant) and isinstance(child.args[0].value, str):
            found.add(child.args[0].value)  # a method named without a dot, e.g. "GetTaskContext"
        if isinstance(child, ast.Call) and isinstance(child.func, ast.Attribute):
            callee_class = _resolve(cls, child.func.value, aliases)
            passed = _passed_apis(cls, callee_class, child, aliases) if isinstance(callee_class, type) else {}
            if passed:  # traced here, with the APIs it is handed, before the attribute below finds it seen
                found |= _trace(callee_class, child.func.attr, seen, bound=passed)
        if not isinstance(child, ast.Attribute):
            continue
        target = child.value
        if isinstance(target, ast.Call) and isinstance(target.func, ast.Name) and target.func.id == "super":
            found |= _trace(cls, child.attr, seen, cls.__mro__.index(owner) + 1)
            continue
        # a method called or handed on (in a dict of methods, as a callback) is a method that may run
        callee_class = _resolve(cls, target, aliases)
        if isinstance(callee_class, type):
            named = inspect.getattr_static(callee_class, child.attr, None)
            if isinstance(named, str) and _ENDPOINT.match(named):
                found.add(named)  # a method named in a class attribute, e.g. self._method_download_bulk
            found |= _trace(callee_class, child.attr, seen)
    return found


def _passed_apis(cls: type, callee_class: type, call: ast.Call, aliases: dict) -> dict[str, type]:
    """Parameter name -> API class, for the arguments of `call` that are APIs (self._api.video.tag and the like)."""
    function, _ = _function(callee_class, call.func.attr)
    if function is None:
        return {}
    params = list(inspect.signature(function).parameters)[1:]
    given = list(zip(params, call.args)) + [(k.arg, k.value) for k in call.keywords if k.arg]
    passed = {param: _resolve(cls, arg, aliases) for param, arg in given}
    return {param: api for param, api in passed.items() if isinstance(api, type)}


def _walk(node: ast.AST, cls: type, module) -> Iterator[ast.AST]:
    """ast.walk, but past `if type(self) is SomeApi:` only into the branch `cls` takes (the SDK shares code
    between the image API and those of videos or volumes this way)."""
    yield node
    if isinstance(node, ast.If):
        taken = _type_test(node.test, cls, module)
        if taken is not None:
            for child in node.body if taken else node.orelse:
                yield from _walk(child, cls, module)
            return
    for child in ast.iter_child_nodes(node):
        yield from _walk(child, cls, module)


def _type_test(test: ast.AST, cls: type, module) -> bool | None:
    """The value of `type(self) is X` / `is not X` for an instance of `cls`, or None for any other test."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], (ast.Is, ast.IsNot))
            and isinstance(test.left, ast.Call) and isinstance(test.left.func, ast.Name)
            and test.left.func.id == "type" and isinstance(test.comparators[0], ast.Name)):
        return None
    other = getattr(module, test.comparators[0].id, None)
    if not isinstance(other, type):
        return None
    return (cls is other) == isinstance(test.ops[0], ast.Is)


_ROOT = object()  # stands for self._api, the sly.Api


def _resolve(cls: type, expr: ast.AST, aliases: dict[str, Any] | None = None):
    """The API class an expression such as self, self.figure, self._api.image.tag stands for, or None."""
    if isinstance(expr, ast.Name):
        return cls if expr.id in ("self", "cls") else (aliases or {}).get(expr.id)
    if not isinstance(expr, ast.Attribute):
        return None
    base = _resolve(cls, expr.value, aliases)
    if base is None:
        return None
    if base is _ROOT:
        return _sub_api_classes().get(expr.attr)
    if expr.attr == "_api":
        return _ROOT
    return _sub_api_of(base, expr.attr)


@cache
def _sub_api_of(cls: type, attr: str) -> type | None:
    """The class of the sub-API `attr` that cls.__init__ (or a base's) makes, e.g. ImageApi.figure -> FigureApi."""
    for owner in cls.__mro__:
        init = vars(owner).get("__init__")
        node = _body(init) if init is not None else None
        for child in ast.walk(node) if node is not None else ():
            if isinstance(child, ast.Assign) and isinstance(child.targets[0], ast.Attribute) \
                    and child.targets[0].attr == attr and isinstance(child.value, ast.Call):
                func, module = child.value.func, inspect.getmodule(owner)
                if isinstance(func, ast.Name):
                    found = getattr(module, func.id, None)
                elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                    found = getattr(getattr(module, func.value.id, None), func.attr, None)
                else:
                    found = None
                return found if isinstance(found, type) else None
    return None


def _group_class(path: str) -> type:
    classes = _sub_api_classes()
    head, _, rest = path.partition(".")
    cls = classes[head]
    if rest:  # a sub-API such as image.figure, made in the parent's __init__
        found = _sub_api_of(cls, rest)
        if found is None:
            raise LookupError(f"{path} is not a sub-API the SDK makes")
        return found
    return cls


def public_methods(path: str) -> list[str]:
    """The public methods of the API at `path` (e.g. "image.figure"), as the SDK's users call them."""
    cls = _group_class(path)
    return sorted(name for name in dir(cls) if not name.startswith("_") and callable(getattr(cls, name))
                  and not inspect.isclass(getattr(cls, name)))


def refusals() -> dict[str, str]:
    """API method -> why the sandbox declines it, gathered from the sandbox modules' REFUSED tables."""
    from .app import refused

    return refused()


def refusals_on_videos() -> dict[str, str]:
    """API methods served for images that the sandbox declines for videos, and why (video_annotations)."""
    from .video_annotations import REFUSED_ON_VIDEOS

    return dict(REFUSED_ON_VIDEOS)


@cache
def entries() -> tuple[Entry, ...]:
    """Every public method of every API in GROUPS, with its status against this sandbox."""
    from .app import routes

    served, declined_anywhere, on_videos = set(routes()), refusals(), refusals_on_videos()
    rows = []
    for label, path in GROUPS:
        cls = _group_class(path)
        declined = {**declined_anywhere, **on_videos} if path.startswith("video") else declined_anywhere
        declined_here = set(on_videos) if path.startswith("video") else set()
        for method in public_methods(path):
            sent = tuple(sorted(_trace(cls, method, set())))
            lacking = [e for e in sent if e not in served and e not in declined]
            optional = _SENT_ONLY_WHEN.get((label, method), {})
            # a method served for one kind of entity (annotation objects of videos) is not refused for the rest,
            # but one served for images only is refused in the video groups (REFUSED_ON_VIDEOS)
            refused_here = [e for e in sent if e in declined and (e not in served or e in declined_here)
                            and e not in optional]
            if (label, method) in _SDK_FAILS:
                rows.append(Entry(label, method, SDK_FAILS, sent, _SDK_FAILS[label, method]))
            elif (label, method) in _REFUSED_USES:
                rows.append(Entry(label, method, REFUSED, sent, _REFUSED_USES[label, method]))
            elif not sent:
                rows.append(Entry(label, method, CLIENT_SIDE, sent))
            elif lacking:
                rows.append(Entry(label, method, MISSING, sent, "not served: " + ", ".join(lacking)))
            elif refused_here:
                why = dict.fromkeys(declined[e] for e in refused_here)  # each reason once, in order
                rows.append(Entry(label, method, REFUSED, sent, "; ".join(why)))
            else:
                rows.append(Entry(label, method, ANSWERED, sent, "; ".join(dict.fromkeys(optional.values()))))
    return tuple(rows)


def markdown() -> str:
    """The inventory as the README's Markdown: a count per status, then one table per API."""
    rows = entries()
    statuses = (ANSWERED, REFUSED, MISSING, CLIENT_SIDE, SDK_FAILS)
    lines = ["| API | " + " | ".join(statuses) + " |", "|---" * (len(statuses) + 1) + "|"]
    for label, path in GROUPS:
        mine = [r for r in rows if r.group == label]
        counts = [str(sum(r.status == s for r in mine)) for s in statuses]
        lines.append(f"| `api.{path}` | " + " | ".join(counts) + " |")
    for label, path in GROUPS:
        lines += ["", f"### `api.{path}`", "", "| method | status | API methods sent | note |", "|---|---|---|---|"]
        for row in (r for r in rows if r.group == label):
            sent = ", ".join(f"`{e}`" for e in row.endpoints)
            lines.append(f"| `{row.method}` | {row.status} | {sent} | {row.why} |")
    return "\n".join(lines) + "\n"


def answered() -> Iterator[Entry]:
    """The entries a test must call."""
    return (r for r in entries() if r.status == ANSWERED)


# The distribution's README (plugins/annobridge-sandbox-supervisely/README.md): kept from a source checkout.
README = Path(__file__).resolve().parents[2] / "README.md"
BEGIN, END = "<!-- inventory:begin -->", "<!-- inventory:end -->"


def readme_section() -> str:
    """The inventory as the README holds it now."""
    text = README.read_text()
    return text[text.index(BEGIN) + len(BEGIN):text.index(END)].strip() + "\n"


def write_readme() -> None:
    """Replace the README's inventory section with the current inventory."""
    text = README.read_text()
    README.write_text(text[:text.index(BEGIN) + len(BEGIN)] + "\n" + markdown() + text[text.index(END):])


if __name__ == "__main__":
    write_readme() if sys.argv[1:] == ["--write"] else print(markdown(), end="")
