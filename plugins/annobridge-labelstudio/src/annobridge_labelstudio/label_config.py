"""LabelSchema <-> Label Studio label config XML, built and parsed with the SDK's label_interface.

The layout written (regions.py reads the same; any other config is parsed by the same rules):

- one <Image name="image" value="$image"/>; items carry their picture under data["image"];
- one geometry control per shape holding that shape's classes as <Label value=... background=...>:
  RectangleLabels "bbox", PolygonLabels "polygon", VectorLabels "polyline", KeyPointLabels "point",
  BrushLabels "mask"; a class of shape `any` is in all five;
- a keypoints class is a KeyPointLabels control named after the class, its Labels the nodes;
- an item tag is a Choices (none: one Choice named like the tag, choice="multiple"; oneof_string: its
  values, choice="multiple" when the tag takes several), TextArea (any_string) or Number (any_number) named
  after the tag; an object tag is the same with perRegion="true", named after the tag, or "<tag>_object"
  when the tag is also an item tag.

Parsing any config: a class drawn by several kinds of tool is `any`; a generic <Labels> beside
Rectangle/Polygon/... tools takes their shapes; controls annobridge has no neutral form for (text
spans, ellipses, ratings, ...) are listed in `ParsedConfig.skipped`, and what the config built back from
the schema would show differently (a class drawn with only some tools, a <Labels> beside tools, a second
image, a multi-page image, a control on a Text, several labels a region) in `ParsedConfig.differences`;
the report counts both. Names (of controls, objects, the task data key), layout and styling are
annobridge's own in a built config and are not counted. What XML cannot say (keypoint edges, which
classes an object tag applies to, tag colours) rides in one comment, ``<!-- annobridge {...} -->``,
read back when present and ignored by Label Studio.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from annobridge.errors import ValidationError
from annobridge.fidelity import NEUTRAL, FidelityReport
from annobridge.schema import (
    KeypointNode,
    LabelSchema,
    MediaKind,
    ObjectClass,
    ShapeKind,
    TagSpec,
    TagTarget,
    TagValueType,
)

from .label_colors import HEX, label_color
from .label_config_video import build_video_label_config, parse_video_schema

__all__ = [
    "IMAGE_KEY",
    "Difference",
    "PER_REGION_SUFFIX",
    "ParsedConfig",
    "build_label_config",
    "parse_label_config",
    "read_extras",
    "restrict_schema",
    "write_extras",
]

IMAGE_KEY = "image"
PER_REGION_SUFFIX = "_object"
_GEOMETRY = {  # shape -> (control tag, control name)
    ShapeKind.RECTANGLE: ("RectangleLabels", "bbox"),
    ShapeKind.POLYGON: ("PolygonLabels", "polygon"),
    ShapeKind.POLYLINE: ("VectorLabels", "polyline"),
    ShapeKind.POINT: ("KeyPointLabels", "point"),
    ShapeKind.MASK: ("BrushLabels", "mask"),
}
_SHAPE_OF = {
    "rectanglelabels": ShapeKind.RECTANGLE, "rectangle": ShapeKind.RECTANGLE,
    "polygonlabels": ShapeKind.POLYGON, "polygon": ShapeKind.POLYGON,
    "vectorlabels": ShapeKind.POLYLINE, "vector": ShapeKind.POLYLINE,
    "keypointlabels": ShapeKind.POINT, "keypoint": ShapeKind.POINT,
    "brushlabels": ShapeKind.MASK, "brush": ShapeKind.MASK,
}
_TAG_CONTROLS = {"choices": None, "textarea": TagValueType.ANY_STRING, "number": TagValueType.ANY_NUMBER}
_EXTRAS = re.compile(r"<!--\s*annobridge\s+(\{.*?\})\s*-->", re.DOTALL)


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


# ---------------------------------------------------------------- extras comment


def read_extras(config: str) -> dict[str, Any]:
    """The JSON in the config's ``<!-- annobridge {...} -->`` comment, or {}.

    >>> read_extras('<View><!-- annobridge {"a": 1} --></View>')
    {'a': 1}
    """
    match = _EXTRAS.search(config or "")
    if not match:
        return {}
    try:
        value = json.loads(match.group(1))
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def write_extras(config: str, extras: dict[str, Any]) -> str:
    """`config` with its annobridge comment replaced by `extras` (removed when empty).

    >>> write_extras("<View></View>", {"source_project": 3})
    '<View>\\n  <!-- annobridge {"source_project": 3} -->\\n</View>'
    """
    config = _EXTRAS.sub("", config).replace("<View>\n  \n", "<View>\n")
    if not extras:
        return config
    text = json.dumps(extras, sort_keys=True, ensure_ascii=False).replace("-", "\\u002d")  # no "--" in a comment
    head = re.search(r"<View[^>]*>", config)
    if head is None:
        raise ValidationError("label config has no <View> root")
    cut = head.end()
    rest = config[cut:]
    return config[:cut] + f"\n  <!-- annobridge {text} -->" + ("" if rest.startswith("\n") else "\n") + rest


# ---------------------------------------------------------------- schema -> config


def build_label_config(schema: LabelSchema, extras: dict[str, Any] | None = None) -> str:
    """The label config holding `schema` (checked with LabelInterface), plus `extras` in its comment.

    >>> s = LabelSchema(classes=[ObjectClass(name="lemon", shape="rectangle", color="#FFD700")])
    >>> print(build_label_config(s))
    <View>
      <Image name="image" value="$image"/>
      <RectangleLabels toName="image" name="bbox">
        <Label value="lemon" background="#FFD700"/>
      </RectangleLabels>
    </View>
    """
    from label_studio_sdk.label_interface import LabelInterface

    if schema.media is MediaKind.VIDEO:
        return write_extras(build_video_label_config(schema), extras or {})
    reserved = _control_names_of_tags(schema)
    for name in sorted(reserved | {c.name for c in schema.classes if c.shape is ShapeKind.KEYPOINTS}):
        if looks_scalar(name):
            raise ValidationError(
                f"{name!r}: Label Studio cannot name a control like a number or boolean "
                "(its config validator reads it as one); rename this tag or keypoints class"
            )
    graphs = [c for c in schema.classes if c.shape is ShapeKind.KEYPOINTS]
    for cls in graphs:
        if cls.name in reserved:
            raise ValidationError(f"class {cls.name!r}: Label Studio needs it to differ from every tag name")
        if not cls.nodes:
            raise ValidationError(f"class {cls.name!r}: a keypoints class needs at least one node")
        reserved.add(cls.name)
    image = _unique(IMAGE_KEY, reserved)
    tags: dict[str, Any] = {image: ("Image", {"name": image, "value": f"${IMAGE_KEY}"})}
    for shape, (tag, name) in _GEOMETRY.items():
        members = [c for c in schema.classes if c.shape in (shape, ShapeKind.ANY)]
        if members:
            labels = tuple(("Label", _label_attrs(c.name, c.color), ()) for c in members)
            tags[_unique(name, reserved)] = (tag, {"toName": image}, labels)
    for cls in graphs:
        nodes = tuple(("Label", _label_attrs(n.name, n.color), ()) for n in cls.nodes)
        tags[cls.name] = ("KeyPointLabels", {"toName": image}, nodes)
    for spec in schema.tags:
        for per_region in (False, True):
            if spec.applies_to is (TagTarget.ITEMS_ONLY if per_region else TagTarget.OBJECTS_ONLY):
                continue
            name = spec.name + (PER_REGION_SUFFIX if per_region and spec.applies_to is TagTarget.ALL else "")
            attrs = {"toName": image}
            if per_region:
                attrs.update({"perRegion": "true", "visibleWhen": "region-selected"})
            tags[name] = _tag_control(spec, attrs)
    config = LabelInterface.create(tags, pretty=True).strip()
    try:
        LabelInterface(config).validate()
    except Exception as exc:  # the SDK raises plain exceptions for invalid configs
        raise ValidationError(f"the label config built from the schema is invalid: {exc}") from None
    return write_extras(config, {**_schema_extras(schema), **(extras or {})})


def looks_scalar(name: str) -> bool:
    """Whether Label Studio's config validator would read `name` as a number or boolean.

    >>> looks_scalar("0"), looks_scalar("1e3"), looks_scalar("True"), looks_scalar("size")
    (True, True, True, False)
    """
    if name.strip().lower() in ("true", "false", "null", "none"):
        return True
    try:
        float(name)
    except ValueError:
        return False
    return True


def _control_names_of_tags(schema: LabelSchema) -> set[str]:
    names = {spec.name for spec in schema.tags}
    names |= {spec.name + PER_REGION_SUFFIX for spec in schema.tags if spec.applies_to is TagTarget.ALL}
    return names


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name}_{n}"
    taken.add(candidate)
    return candidate


def _label_attrs(value: str, color: str | None) -> dict[str, str]:
    return {"value": value, **({"background": color} if color else {})}


def _tag_control(spec: TagSpec, attrs: dict[str, str]) -> tuple:
    if spec.value_type is TagValueType.ANY_STRING:
        return ("TextArea", attrs, ())
    if spec.value_type is TagValueType.ANY_NUMBER:
        return ("Number", attrs, ())
    if spec.value_type is TagValueType.NONE:
        return ("Choices", {**attrs, "choice": "multiple"}, (("Choice", {"value": spec.name}, ()),))
    attrs = {**attrs, "choice": "multiple"} if spec.multiple else attrs
    return ("Choices", attrs, tuple(("Choice", {"value": v}, ()) for v in spec.values))


def _schema_extras(schema: LabelSchema) -> dict[str, Any]:
    extras: dict[str, Any] = {}
    graphs = [c for c in schema.classes if c.shape is ShapeKind.KEYPOINTS]
    if graphs:
        extras["graphs"] = [c.name for c in graphs]
    edges = {c.name: [list(e) for e in c.edges] for c in graphs if c.edges}
    if edges:
        extras["edges"] = edges
    colors = {c.name: c.color for c in graphs if c.color}
    if colors:
        extras["class_colors"] = colors
    natural = [c.name for shape in _GEOMETRY for c in schema.classes if c.shape in (shape, ShapeKind.ANY)]
    natural = list(dict.fromkeys(natural)) + [c.name for c in graphs]
    if natural != [c.name for c in schema.classes]:
        extras["class_order"] = [c.name for c in schema.classes]
    tag_classes = {t.name: list(t.classes) for t in schema.tags if t.classes}
    if tag_classes:
        extras["tag_classes"] = tag_classes
    tag_colors = {t.name: t.color for t in schema.tags if t.color}
    if tag_colors:
        extras["tag_colors"] = tag_colors
    # a multi-choice tag whose one value is its own name is written as a none tag is: say which it is
    several = [t.name for t in schema.tags if t.multiple and t.values == (t.name,)]
    if several:
        extras["multi_choice"] = several
    return extras


def restrict_schema(schema: LabelSchema, classes: Iterable[str] = (), tags: Iterable[str] = ()) -> LabelSchema:
    """`schema` cut down to `classes` and `tags` (all of a kind when none are named); unknown names refused.

    >>> s = LabelSchema(classes=[ObjectClass(name="a", shape="point"), ObjectClass(name="b", shape="point")])
    >>> [c.name for c in restrict_schema(s, classes=["b"]).classes]
    ['b']
    """
    classes, tags = list(classes), list(tags)
    for kind, wanted, known in (("classes_to_label", classes, schema.classes), ("tags_to_label", tags, schema.tags)):
        unknown = sorted(set(wanted) - {x.name for x in known})
        if unknown:
            raise ValidationError(f"{kind}: {unknown} not in the project's schema ({[x.name for x in known]})")
    kept = [c for c in schema.classes if not classes or c.name in classes]
    names = {c.name for c in kept}
    kept_tags = [
        t.model_copy(update={"classes": tuple(c for c in t.classes if c in names)})
        for t in schema.tags
        if not tags or t.name in tags
    ]
    return LabelSchema(classes=kept, tags=kept_tags, media=schema.media)


# ---------------------------------------------------------------- config -> schema


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
        every = set(_GEOMETRY)
        found = []
        for label, kinds in shapes.items():
            if label in graphs:
                continue
            if 1 < len(kinds) < len(every):
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
