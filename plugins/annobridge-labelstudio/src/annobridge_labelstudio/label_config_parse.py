"""Label Studio label config XML -> LabelSchema: any config (annobridge's layout or anyone's) read with the SDK's
label_interface, with what it skipped and how the config built back from the schema would differ.

A class drawn by several kinds of tool is `any`; a generic <Labels> beside Rectangle/Polygon/...
tools takes their shapes; controls annobridge has no neutral form for (text spans, ellipses,
ratings, ...) are listed in `ParsedConfig.skipped`, and what the config built back from the schema
would show differently (a class drawn with only some tools, a <Labels> beside tools, a second image,
a multi-page image, a control on a Text, several labels a region) in `ParsedConfig.differences`; the
report counts both. The annobridge comment (label_config.read_extras) is read back when present.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from annobridge.errors import ValidationError
from annobridge.fidelity import NEUTRAL, FidelityReport
from annobridge.schema import KeypointNode, LabelSchema, ObjectClass, ShapeKind, TagSpec, TagTarget, TagValueType

from .label_colors import HEX, label_color
from .label_config import GEOMETRY, PER_REGION_SUFFIX, read_extras
from .label_config_video import parse_video_schema

__all__ = ["Difference", "ParsedConfig", "parse_label_config"]

_SHAPE_OF = {
    "rectanglelabels": ShapeKind.RECTANGLE, "rectangle": ShapeKind.RECTANGLE,
    "polygonlabels": ShapeKind.POLYGON, "polygon": ShapeKind.POLYGON,
    "vectorlabels": ShapeKind.POLYLINE, "vector": ShapeKind.POLYLINE,
    "keypointlabels": ShapeKind.POINT, "keypoint": ShapeKind.POINT,
    "brushlabels": ShapeKind.MASK, "brush": ShapeKind.MASK,
}
_TAG_CONTROLS = {"choices": None, "textarea": TagValueType.ANY_STRING, "number": TagValueType.ANY_NUMBER}


@dataclass(frozen=True)
class Difference:
    """One way the config built back from the schema differs: what, how it comes out, the name it concerns."""

    outcome: str  # "approximated" or "dropped"
    kind: str
    how: str
    subject: str


@dataclass
class ParsedConfig:
    """A label config read back: its schema, what had no neutral form, the annobridge extras, and how the
    config built back from the schema would differ."""

    schema: LabelSchema
    skipped: list[str] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)
    differences: list[Difference] = field(default_factory=list)

    @property
    def report(self) -> FidelityReport:
        """The classes and tags carried, by kind, and one dropped entry per skipped control.

        >>> cfg = '<View><Image name="i" value="$i"/><Rating name="stars" toName="i"/></View>'
        >>> parse_label_config(cfg).report.losses()
        ['Rating control -> dropped (annobridge, no neutral tag type for it): 1  [stars]']
        """
        report = FidelityReport()
        for cls in self.schema.classes:
            report.carried(f"{cls.shape.value} class", NEUTRAL)
        for tag in self.schema.tags:
            report.carried(f"{tag.value_type.value} tag", NEUTRAL)
        for entry in self.skipped:
            head, _, why = entry.partition(": ")
            kind, _, name = head.partition(" ")
            report.dropped(f"{kind} control", NEUTRAL, why, item=name.strip("'\""))
        for diff in self.differences:
            report.record(diff.kind, diff.outcome, NEUTRAL, how=diff.how, item=diff.subject)
        return report


def parse_label_config(config: str) -> ParsedConfig:
    """The LabelSchema a label config holds (annobridge's or anyone's), with what had to be skipped.

    >>> cfg = '<View><Image name="img" value="$url"/><PolygonLabels name="p" toName="img">'
    >>> cfg += '<Label value="leaf" background="#00ff00"/></PolygonLabels></View>'
    >>> parse_label_config(cfg).schema.classes[0]
    ObjectClass(name='leaf', shape=<ShapeKind.POLYGON: 'polygon'>, color='#00FF00', nodes=(), edges=())
    """
    from label_studio_sdk.label_interface import LabelInterface

    from .xml_guard import refuse_dtd

    refuse_dtd(config)
    try:
        interface = LabelInterface(config)
    except Exception as exc:
        raise ValidationError(f"label config does not parse: {exc}") from None
    extras = read_extras(config)
    if any(o.tag.lower() == "video" for o in interface.objects):
        schema, skipped = parse_video_schema(interface)
        return ParsedConfig(schema, skipped, extras)
    controls = list(interface.controls)
    graphs = set(extras.get("graphs") or ())
    skipped: list[str] = []
    shapes: dict[str, set[ShapeKind]] = {}
    colors: dict[str, str | None] = {}
    graph_classes: list[ObjectClass] = []
    tools_on = _tools_by_object(controls)
    drawn = _Drawn()
    for control in controls:
        kind = control.tag.lower()
        if kind == "keypointlabels" and control.name in graphs:
            graph_classes.append(_graph_class(control, extras))
            continue
        if kind.endswith("labels") and kind in _SHAPE_OF:
            kinds = {_SHAPE_OF[kind]}
        elif kind == "labels" and any(tools_on.get(o) for o in control.to_name or ()):
            kinds = set().union(*(tools_on.get(o, set()) for o in control.to_name or ()))
        elif kind.endswith("labels") or kind == "labels":
            skipped.append(f"{control.tag} {control.name!r}: no neutral shape for its labels")
            continue
        else:
            continue
        _note_dynamic(control, skipped)
        for label in control.labels or ():
            shapes.setdefault(label, set()).update(kinds)
            colors.setdefault(label, label_color((control.labels_attrs or {}).get(label)))
            drawn.note(label, control, kinds)
    classes = [
        ObjectClass(name=name, shape=next(iter(kinds)) if len(kinds) == 1 else ShapeKind.ANY, color=colors[name])
        for name, kinds in shapes.items()
        if name not in {g.name for g in graph_classes}
    ]
    order = {name: n for n, name in enumerate(extras.get("class_order") or ())}
    everything = sorted(classes + graph_classes, key=lambda c: order.get(c.name, len(order)))
    tags, tag_skipped = _parse_tags(controls, extras, {c.name for c in classes + graph_classes})
    skipped += tag_skipped
    try:
        schema = LabelSchema(classes=everything, tags=tags)
    except ValueError as exc:
        raise ValidationError(f"label config holds no valid schema: {exc}") from None
    differences = drawn.differences(shapes, {c.name for c in graph_classes})
    differences += _object_differences(interface, controls, {t.name for t in tags})
    return ParsedConfig(schema, skipped, extras, differences)


class _Drawn:
    """How each class is drawn in a parsed config: by which controls, through a <Labels> beside tools or not, and
    whether a region takes several labels; what of that a config built from the schema would show differently."""

    def __init__(self) -> None:
        self.controls: dict[tuple[str, ShapeKind], int] = {}
        self.split: set[str] = set()
        self.several: set[str] = set()

    def note(self, label: str, control: Any, kinds: set[ShapeKind]) -> None:
        for kind in kinds:
            self.controls[(label, kind)] = self.controls.get((label, kind), 0) + 1
        if control.tag.lower() == "labels":
            self.split.add(label)
        if control.attr.get("choice") == "multiple":
            self.several.add(label)

    def differences(self, shapes: dict[str, set[ShapeKind]], graphs: set[str]) -> list[Difference]:
        tools = set(GEOMETRY)
        found = []
        for label, kinds in shapes.items():
            if label in graphs:
                continue
            if 1 < len(kinds) < len(tools):
                only = ", ".join(sorted(k.value for k in kinds))
                found.append(Difference("approximated", "class drawn with some of the tools",
                                        f"as a class of any shape (every tool), not only {only}", label))
            if label in self.split:
                found.append(Difference("approximated", "class of a <Labels> beside tools",
                                        "as a class of <Tool>Labels controls", label))
            if any(self.controls.get((label, kind), 0) > 1 for kind in kinds):
                found.append(Difference("approximated", "class in several controls of one tool",
                                        "as a class of one control per tool", label))
            if label in self.several:
                found.append(Difference("approximated", "class of a control taking several labels a region",
                                        "as one label a region", label))
        return found


def _object_differences(interface: Any, controls: list[Any], tags: set[str]) -> list[Difference]:
    """Images a built config would not have (a second image, the pages of a multi-page one), and tag controls on
    other objects (a Text) that it would put on the image."""
    images = [o for o in interface.objects if o.tag.lower() == "image"]
    found = [Difference("dropped", "Image object", "an item holds one image", o.name) for o in images[1:]]
    found += [
        Difference("approximated", "multi-page Image", "as a single image", o.name)
        for o in images
        if "valueList" in (o.attr or {})
    ]
    kinds = {o.name: o.tag.lower() for o in interface.objects}
    for control in controls:
        name = control.name.removesuffix(PER_REGION_SUFFIX) if control.name not in tags else control.name
        if control.tag.lower() in _TAG_CONTROLS and name in tags:
            others = sorted({kinds.get(o, "?") for o in control.to_name or ()} - {"image"})
            if others:
                found.append(Difference("approximated", "tag control on a non-image object",
                                        f"as a control on the image, not on a {', '.join(others)}", control.name))
    return found


def _note_dynamic(control: Any, skipped: list[str]) -> None:
    """List a control whose labels or choices come from each task's data (value="$field"): no schema holds them."""
    source = (control.attr or {}).get("value")
    if isinstance(source, str) and source.startswith("$"):
        skipped.append(f"{control.tag} {control.name!r}: its labels come from each task's {source}, not the config")


def _tools_by_object(controls: list[Any]) -> dict[str, set[ShapeKind]]:
    tools: dict[str, set[ShapeKind]] = {}
    for control in controls:
        kind = control.tag.lower()
        if kind in _SHAPE_OF and not kind.endswith("labels"):
            for obj in control.to_name or ():
                tools.setdefault(obj, set()).add(_SHAPE_OF[kind])
    return tools


def _graph_class(control: Any, extras: dict[str, Any]) -> ObjectClass:
    nodes = [KeypointNode(name=n, color=label_color((control.labels_attrs or {}).get(n))) for n in control.labels or ()]
    names = {n.name for n in nodes}
    edges = [tuple(e) for e in (extras.get("edges") or {}).get(control.name, ()) if set(e) <= names and len(e) == 2]
    color = (extras.get("class_colors") or {}).get(control.name)
    return ObjectClass(
        name=control.name, shape=ShapeKind.KEYPOINTS, nodes=nodes, edges=edges,
        color=color if isinstance(color, str) and HEX.match(color) else None,
    )


def _parse_tags(controls: list[Any], extras: dict[str, Any], classes: set[str]) -> tuple[list[TagSpec], list[str]]:
    found: dict[str, dict[str, Any]] = {}  # tag name -> {"type", "values", "item", "object"}
    skipped: list[str] = []
    item_names = {
        c.name for c in controls if c.tag.lower() in _TAG_CONTROLS and c.attr.get("perRegion") != "true"
    }
    for control in controls:
        kind = control.tag.lower()
        if kind not in _TAG_CONTROLS:
            if not kind.endswith("labels") and kind not in _SHAPE_OF and kind not in ("labels", "relations"):
                skipped.append(f"{control.tag} {control.name!r}: no neutral tag type for it")
            continue
        _note_dynamic(control, skipped)
        per_region = control.attr.get("perRegion") == "true"
        name = control.name
        if per_region and name.endswith(PER_REGION_SUFFIX) and name.removesuffix(PER_REGION_SUFFIX) in item_names:
            name = name.removesuffix(PER_REGION_SUFFIX)
        value_type, values = _TAG_CONTROLS[kind], tuple(control.labels or ())
        several = False
        if value_type is None:
            several = control.attr.get("choice") == "multiple"
            flag = values == (name,) and several and name not in (extras.get("multi_choice") or ())
            value_type = TagValueType.NONE if flag else TagValueType.ONEOF_STRING
            values = () if value_type is TagValueType.NONE else values
            several = several and value_type is TagValueType.ONEOF_STRING
        entry = found.setdefault(
            name, {"type": value_type, "values": values, "multiple": several, "item": False, "object": False}
        )
        if (entry["type"], entry["values"], entry["multiple"]) != (value_type, values, several):
            skipped.append(f"{control.tag} {control.name!r}: differs from the other control of tag {name!r}")
            continue
        entry["object" if per_region else "item"] = True
    tags = []
    for name, entry in found.items():
        target = TagTarget.ALL if entry["item"] and entry["object"] else (
            TagTarget.ITEMS_ONLY if entry["item"] else TagTarget.OBJECTS_ONLY
        )
        on = [c for c in (extras.get("tag_classes") or {}).get(name, ()) if c in classes]
        color = (extras.get("tag_colors") or {}).get(name)
        try:
            tags.append(TagSpec(
                name=name, value_type=entry["type"], values=entry["values"], applies_to=target, classes=on,
                color=color if isinstance(color, str) else None, multiple=entry["multiple"],
            ))
        except ValueError as exc:
            skipped.append(f"tag {name!r}: {exc}")
    return tags, skipped
