"""One item's neutral annotations on two backends compared: the view compared, objects paired, differences classified.

An item's annotations are compared as one *view*, whatever the number of annotations each backend
splits them into (Label Studio keeps one per author, Supervisely one per image): its image size, its
descriptions, its review statuses, its item tags, and its objects, each object as the JSON of
`ObjectAnnotation.model_dump(mode="json")` with the author it has (its own, else its annotation's).
What the rules in annobridge.verify leave out is left out here (`IGNORED`, `SERVER_STAMPED`).

Objects are paired within their class: equal ones first, then the closest (fewest differing
fields, then nearest bounds). A difference between source S and target T is explained when the
target's own conversion of S (E) holds what T holds there.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable

if TYPE_CHECKING:
    from .annotations import ItemAnnotation, ObjectAnnotation

__all__ = ["Found", "IGNORED", "MISSING", "SERVER_STAMPED", "View", "compare", "pair", "view"]

IGNORED = ("id", "updated_at")
"""Never compared: ids (each server numbers its objects its own way) and times of the last change (each write)."""
SERVER_STAMPED = ("author", "created_at")
"""Compared only where the source has a value: one the target has and the source lacks was set by its server."""
MISSING = "(none)"
"""How a value one side does not have at all reads in a difference."""
PAIRING_LIMIT = 64  # objects of one class past which unpaired ones are paired in order, not by closeness


@dataclass
class Entry:
    """One object as compared: its JSON, its class, and its shape (bounds worked out when pairing needs them)."""

    data: dict[str, Any]
    class_name: str
    shape: Any = None
    box: tuple[float, float, float, float] | None = None

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(left, top, right, bottom) in pixels, as floats."""
        if self.box is None:
            self.box = _bounds(self.shape)
        return self.box


@dataclass
class View:
    """An item's annotations as compared (see the module docstring)."""

    size: list[list[int]] = field(default_factory=list)
    description: str = ""
    review: list[str] = field(default_factory=list)
    tags: dict[str, Any] = field(default_factory=dict)
    objects: list[Entry] = field(default_factory=list)
    annotations: int = 0


@dataclass
class Found:
    """One difference: where it is, the values in S, T and E (JSON text), and whether E explains it."""

    where: str
    source: str
    target: str
    expected: str | None = None
    explained: bool = False


def view(annotations: Iterable[ItemAnnotation]) -> View:
    """The view of one item's annotations (any number, from any backend).

    >>> from annobridge.annotations import ItemAnnotation, ObjectAnnotation, Point
    >>> v = view([ItemAnnotation(width=4, height=3, author="anna",
    ...                          objects=[ObjectAnnotation(class_name="kiwi", shape=Point(x=1, y=2))])])
    >>> v.size, v.objects[0].data["author"], v.objects[0].data["shape"]
    ([[4, 3]], 'anna', {'kind': 'point', 'x': 1, 'y': 2})
    """
    out = View()
    descriptions, reviews = [], []
    for ann in annotations:
        out.annotations += 1
        if [ann.width, ann.height] not in out.size:
            out.size.append([ann.width, ann.height])
        if ann.description:
            descriptions.append(ann.description)
        if ann.review_status.value != "none" and ann.review_status.value not in reviews:
            reviews.append(ann.review_status.value)
        data = ann.model_dump(mode="json", include={"tags", "objects"})  # one call: the costly part of a view
        _merge_tags(out.tags, data["tags"], ann.author)
        out.objects.extend(_entry(dumped, obj, ann.author) for dumped, obj in zip(data["objects"], ann.objects))
    out.description = "\n".join(descriptions)
    out.review = sorted(reviews)
    return out


def _entry(data: dict[str, Any], obj: ObjectAnnotation, owner: Any) -> Entry:
    for key in IGNORED:
        data.pop(key, None)
    if data.get("author") is None:
        data["author"] = owner
    data["shape"].pop("rle", None)  # a cache of the brush RLE it was read from: equality ignores it too
    if data["shape"]["kind"] == "keypoints":
        data["shape"]["points"] = {p.pop("name"): p for p in data["shape"]["points"]}
    tags: dict[str, Any] = {}
    _merge_tags(tags, data["tags"], data["author"])
    data["tags"] = tags
    return Entry(data, obj.class_name, obj.shape)


def _merge_tags(into: dict[str, Any], tags: list[dict[str, Any]], owner: Any) -> None:
    """Tags keyed by name ("name #2" for a second one), each with its owner's author where it has none."""
    for tag in sorted(tags, key=lambda t: t["name"]):
        tag = {k: v for k, v in tag.items() if k not in IGNORED}
        name = tag.pop("name")
        if tag.get("author") is None:
            tag["author"] = owner
        key, n = name, 2
        while key in into:
            key, n = f"{name} #{n}", n + 1
        into[key] = tag


def _bounds(shape: Any) -> tuple[float, float, float, float]:
    """A shape's bounds in floats: close enough to pair objects by, and fast."""
    kind = shape.kind
    if kind == "mask":
        return tuple(float(v) for v in shape.bounds())  # type: ignore[return-value]
    if kind == "point":
        return float(shape.x), float(shape.y), float(shape.x), float(shape.y)
    if kind == "rectangle":
        turn = math.radians(float(shape.rotation))
        cos, sin = math.cos(turn), math.sin(turn)
        x, y, w, h = float(shape.x), float(shape.y), float(shape.width), float(shape.height)
        points = [(x + dx * cos - dy * sin, y + dx * sin + dy * cos) for dx, dy in ((0, 0), (w, 0), (w, h), (0, h))]
    elif kind == "polygon":
        points = shape.exterior
    elif kind == "keypoints":
        points = [(p.x, p.y) for p in shape.points]
    else:
        points = shape.points
    xs, ys = [float(x) for x, _ in points], [float(y) for _, y in points]
    return min(xs), min(ys), max(xs), max(ys)


# ---------------------------------------------------------------------------------------------- differences


def leaves(source: Any, target: Any, path: tuple = ()) -> list[tuple[tuple, Any, Any]]:
    """(path, source value, target value) for each place two JSON values differ; a list counts as one place.

    Under "tags" and "points" keys are names; elsewhere a SERVER_STAMPED field the source has no value for is
    left out (the target's server set it).

    >>> leaves({"x": 1, "author": None, "tags": {"a": {"value": 1}}}, {"x": 2, "author": "bob", "tags": {}})
    [(('x',), 1, 2), (('tags', 'a'), {'value': 1}, '(none)')]
    """
    if isinstance(source, dict) and isinstance(target, dict):
        named = bool(path) and path[-1] in _NAMED
        found = []
        for key in list(source) + [k for k in target if k not in source]:
            mine, theirs = source.get(key, MISSING), target.get(key, MISSING)
            if not named and key in SERVER_STAMPED and mine in (None, MISSING):
                continue
            found += leaves(mine, theirs, (*path, key))
        return found
    return [] if source == target else [(path, source, target)]


_NAMED = ("tags", "points")  # dicts keyed by a tag's or a keypoint's name


def at(data: Any, path: tuple) -> Any:
    """The value at `path` in nested dicts; MISSING where there is none.

    >>> at({"shape": {"x": 1}}, ("shape", "x")), at({}, ("shape", "x"))
    (1, '(none)')
    """
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return MISSING
        data = data[key]
    return data


def pair(source: list[Entry], target: list[Entry]) -> list[tuple[int | None, int | None]]:
    """Pairs (source index, target index) of objects: equal ones, then the closest of one class, then ones of
    different classes with the same shape; None for an object the other side lacks.

    >>> a = [Entry({"x": 1}, "kiwi", box=(1, 1, 1, 1)), Entry({"x": 9}, "kiwi", box=(9, 9, 9, 9))]
    >>> pair(a, [a[1], Entry({"x": 2}, "kiwi", box=(2, 2, 2, 2))])
    [(0, 1), (1, 0)]
    """
    pairs: list[tuple[int | None, int | None]] = []
    free_source, free_target = list(range(len(source))), list(range(len(target)))
    for whole in (True, False):  # equal objects first, then equal but for what a server may set
        by_text: dict[str, list[int]] = {}
        for j in free_target:
            by_text.setdefault(_text(target[j], whole), []).append(j)
        for i in list(free_source):
            same = by_text.get(_text(source[i], whole))
            if same:
                j = same.pop(0)
                pairs.append((i, j))
                free_source.remove(i)
                free_target.remove(j)
    for name in dict.fromkeys(source[i].class_name for i in free_source):
        mine = [i for i in free_source if source[i].class_name == name]
        theirs = [j for j in free_target if target[j].class_name == name]
        if len(mine) > PAIRING_LIMIT or len(theirs) > PAIRING_LIMIT:
            chosen = list(zip(mine, theirs))
        else:
            chosen, used_i, used_j = [], set(), set()
            for _, i, j in sorted((_cost(source[i], target[j], i, j), i, j) for i in mine for j in theirs):
                if i not in used_i and j not in used_j:
                    chosen.append((i, j))
                    used_i.add(i)
                    used_j.add(j)
        for i, j in chosen:
            pairs.append((i, j))
            free_source.remove(i)
            free_target.remove(j)
    for i in list(free_source):  # an object given another class keeps its shape: one object, its class changed
        j = next((j for j in free_target if target[j].data["shape"] == source[i].data["shape"]), None)
        if j is not None:
            pairs.append((i, j))
            free_source.remove(i)
            free_target.remove(j)
    pairs += [(i, None) for i in free_source] + [(None, j) for j in free_target]
    return sorted(pairs, key=lambda p: (p[0] is None, p[0] if p[0] is not None else p[1]))


def _text(entry: Entry, whole: bool) -> str:
    """The object as text (without what its server may set, unless `whole`), so equal objects meet first."""
    data = entry.data if whole else {k: v for k, v in entry.data.items() if k not in SERVER_STAMPED}
    return entry.class_name + json.dumps(data, sort_keys=True, default=str)


def _cost(source: Entry, target: Entry, i: int, j: int) -> tuple:
    distance = sum(abs(a - b) for a, b in zip(source.bounds, target.bounds))
    return len(leaves(source.data, target.data)), distance, abs(i - j)


def compare(source: View, target: View, expected: View | None = None) -> list[Found]:
    """Every difference between S (`source`) and T (`target`); with E (`expected`), each marked explained when E
    holds what T holds there (an object S has and T lacks: when E lacks it too; one T has and S lacks: when E has
    one like it that S lacks).

    >>> from annobridge.annotations import ItemAnnotation, Tag
    >>> s = view([ItemAnnotation(width=4, height=3, description="ripe", tags=[Tag(name="size", value="big")])])
    >>> t = view([ItemAnnotation(width=4, height=3, tags=[Tag(name="size", value="small")])])
    >>> [(f.where, f.explained) for f in compare(s, t, expected=view([ItemAnnotation(width=4, height=3)]))]
    [('item description', True), ("item tag 'size'.value", False)]
    """
    if _same(source, target):
        return []
    found: list[Found] = []
    judged = expected is not None

    def note(where: str, mine: str, theirs: str, wanted: str | None = None, explained: bool = False) -> None:
        found.append(Found(where, mine, theirs, wanted if judged else None, judged and explained))

    for label, name in (("image size", "size"), ("item description", "description"), ("review status", "review")):
        mine, theirs = getattr(source, name), getattr(target, name)
        if mine != theirs and (name != "size" or (mine and theirs)):
            wanted = getattr(expected, name) if judged else None
            note(label, show(mine), show(theirs), show(wanted), wanted == theirs)
    for path, mine, theirs in leaves(source.tags, target.tags, ("tags",)):
        wanted = at(expected.tags, path[1:]) if judged else None
        note(f"item tag {path[1]!r}{_path(path[2:], True)}", show(mine), show(theirs), show(wanted), wanted == theirs)
    to_expected: dict[int, int | None] = {}
    unclaimed: list[Entry] = []
    if judged:
        for i, e in pair(source.objects, expected.objects):
            if i is not None:
                to_expected[i] = e
            elif e is not None:
                unclaimed.append(expected.objects[e])
    for i, j in pair(source.objects, target.objects):
        e = to_expected.get(i) if i is not None else None
        wanted_entry = expected.objects[e] if judged and e is not None else None
        if i is not None and j is not None:
            mine, theirs = source.objects[i], target.objects[j]
            for path, a, b in leaves(mine.data, theirs.data):
                wanted = at(wanted_entry.data, path) if wanted_entry is not None else MISSING
                note(f"{_object(i, mine)} {_path(path)}", show(a), show(b), show(wanted),
                     wanted_entry is not None and wanted == b)
        elif i is not None:
            mine = source.objects[i]
            note(_object(i, mine), _summary(mine), MISSING, _summary(wanted_entry), judged and wanted_entry is None)
        else:
            theirs = target.objects[j]
            match = next((u for u in unclaimed if not leaves(u.data, theirs.data)), None)
            if match is not None:
                unclaimed.remove(match)
            note(f"target object #{j} (class {theirs.class_name!r})", MISSING, _summary(theirs), _summary(match),
                 match is not None)
    return found


def _same(source: View, target: View) -> bool:
    """Whether two views are equal as they stand, objects in the same order (the common case, checked fast)."""
    return (source.size == target.size and source.description == target.description
            and source.review == target.review and source.tags == target.tags
            and len(source.objects) == len(target.objects)
            and all(a.class_name == b.class_name and a.data == b.data for a, b in zip(source.objects, target.objects)))


def _object(index: int, entry: Entry) -> str:
    return f"object #{index} (class {entry.class_name!r})"


def _path(path: tuple, inner: bool = False) -> str:
    """("shape", "exterior") as shape.exterior; a tag's or keypoint's name quoted: tags['quality'].value."""
    out = ""
    for n, part in enumerate(path):
        if n > 0 and path[n - 1] in _NAMED:
            out += f"[{part!r}]"
        else:
            out += f".{part}" if out or inner else str(part)
    return out


def _summary(entry: Entry | None) -> str:
    """An object in a few words: its shape kind and bounds."""
    if entry is None:
        return MISSING
    left, top, right, bottom = (round(v, 1) for v in entry.bounds)
    return f"{entry.data['shape']['kind']} at x {left}..{right}, y {top}..{bottom}"


def show(value: Any, limit: int = 160) -> str:
    """A JSON value as short text; a long one cut, with a digest so two long values that differ read differently.

    >>> show([1, 2]), show("(none)")
    ('[1, 2]', '(none)')
    """
    if value is MISSING or value == MISSING:
        return MISSING
    text = json.dumps(value, default=str, ensure_ascii=False)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... (sha1 {hashlib.sha1(text.encode()).hexdigest()[:8]})"
