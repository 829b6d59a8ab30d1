"""LabelSchema -> Label Studio label config XML, built with the SDK's label_interface (label_config_parse.py reads).

The layout written (regions.py and label_config_parse.py read it, and any other config by the same rules):

- one <Image name="image" value="$image"/>; items carry their picture under data["image"];
- one geometry control per shape holding that shape's classes as <Label value=... background=...>:
  RectangleLabels "bbox", PolygonLabels "polygon", VectorLabels "polyline", KeyPointLabels "point",
  BrushLabels "mask"; a class of shape `any` is in all five;
- a keypoints class is a KeyPointLabels control named after the class, its Labels the nodes;
- an item tag is a Choices (none: one Choice named like the tag, choice="multiple"; oneof_string: its
  values, choice="multiple" when the tag takes several), TextArea (any_string) or Number (any_number) named
  after the tag; an object tag is the same with perRegion="true", named after the tag, or "<tag>_object"
  when the tag is also an item tag.

Names (of controls, objects, the task data key), layout and styling are annobridge's own in a built
config. What XML cannot say (keypoint edges, which classes an object tag applies to, tag colours)
rides in one comment, ``<!-- annobridge {...} -->``, read back when present and ignored by Label Studio.
"""

from __future__ import annotations

import json
import re
from typing import Any, Iterable

from annobridge.errors import ValidationError
from annobridge.schema import LabelSchema, MediaKind, ShapeKind, TagSpec, TagTarget, TagValueType

from .label_config_video import build_video_label_config

__all__ = [
    "GEOMETRY",
    "IMAGE_KEY",
    "PER_REGION_SUFFIX",
    "build_label_config",
    "looks_scalar",
    "read_extras",
    "restrict_schema",
    "write_extras",
]

IMAGE_KEY = "image"
PER_REGION_SUFFIX = "_object"
GEOMETRY = {  # shape -> (control tag, control name)
    ShapeKind.RECTANGLE: ("RectangleLabels", "bbox"),
    ShapeKind.POLYGON: ("PolygonLabels", "polygon"),
    ShapeKind.POLYLINE: ("VectorLabels", "polyline"),
    ShapeKind.POINT: ("KeyPointLabels", "point"),
    ShapeKind.MASK: ("BrushLabels", "mask"),
}
_EXTRAS = re.compile(r"<!--\s*annobridge\s+(\{.*?\})\s*-->", re.DOTALL)

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
    # text, not a parsed tree: the user's config must come back byte for byte apart from this one comment
    head = re.search(r"<View[^>]*>", config)
    if head is None:
        raise ValidationError("label config has no <View> root")
    cut = head.end()
    rest = config[cut:]
    return config[:cut] + f"\n  <!-- annobridge {text} -->" + ("" if rest.startswith("\n") else "\n") + rest


# ---------------------------------------------------------------- schema -> config


def build_label_config(schema: LabelSchema, extras: dict[str, Any] | None = None) -> str:
    """The label config holding `schema` (checked with LabelInterface), plus `extras` in its comment.

    >>> from annobridge.schema import ObjectClass
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
    for shape, (tag, name) in GEOMETRY.items():
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
    natural = [c.name for shape in GEOMETRY for c in schema.classes if c.shape in (shape, ShapeKind.ANY)]
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

    >>> from annobridge.schema import ObjectClass
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
