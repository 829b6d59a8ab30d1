"""Label Studio annotation results <-> the neutral ItemAnnotation, checked with the SDK's LabelInterface.

How a label config holds a LabelSchema (what label_config.py writes; any config is read the same way):

- an object class is a <Label value="class"> of a RectangleLabels, PolygonLabels, VectorLabels,
  KeyPointLabels or BrushLabels control (or of a Labels control beside Rectangle, Polygon... tools,
  whose regions are two results with one id, as the editor writes them: "rectangle" from the tool
  and "labels" from the Labels control);
- a keypoints class is a KeyPointLabels control named after the class, its Labels the node names.
  One graph is one region per visible node; the nodes after the first point to it with parentID;
- a polyline is an open VectorLabels region; where the class only has PolygonLabels it is
  approximated as a polygon;
- an item tag is a Choices (none: a single Choice; oneof_string), TextArea (any_string) or Number
  (any_number) control named after the tag; an object tag is the same with perRegion="true",
  named after the tag, or "<tag>_object" when the tag also has an item control.

Coordinates are percentages of original_width / original_height, turned into exact pixels, so
percent -> pixels -> percent gives back the same float. A rotation no float degree holds exactly
(a Supervisely angle in radians) is counted as approximated on the way out. Region ids are kept; ids annobridge has
to make up are derived: "<control>-item" for item-tag results, "<region>-<node>" for the second
and later nodes of a graph, "<region>-<n>" for vector vertices.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any

from annobridge import rle
from annobridge.annotations import (
    ItemAnnotation,
    Keypoint,
    Keypoints,
    Mask,
    ObjectAnnotation,
    ObjectOrigin,
    Point,
    Polygon,
    Polyline,
    Rectangle,
    Tag,
    shape_kind,
)
from annobridge.errors import ValidationError
from annobridge.fidelity import LABEL_STUDIO, NEUTRAL, FidelityReport
from annobridge.models import Id, ReviewStatus
from annobridge.schema import LabelSchema, ShapeKind, TagSpec, TagValueType

__all__ = ["PER_REGION_SUFFIX", "from_labelstudio", "to_labelstudio"]

PER_REGION_SUFFIX = "_object"
_GEOMETRY = {"rectangle", "polygon", "vector", "keypoint", "brush"}  # tools whose <name>labels draw classes
_TAG_TYPES = {"choices": "choices", "textarea": "text", "number": "number"}  # control -> value key
_ORIGINS = {
    "manual": ObjectOrigin.MANUAL,
    "prediction": ObjectOrigin.MODEL,
    "prediction-changed": ObjectOrigin.MODEL_CORRECTED,
}
_LS_ORIGIN = {origin: name for name, origin in _ORIGINS.items()}
# Which region types hold which shape, best first.
_HOLDS = {
    ShapeKind.RECTANGLE: ("rectanglelabels",),
    ShapeKind.POLYGON: ("polygonlabels", "vectorlabels"),
    ShapeKind.POLYLINE: ("vectorlabels", "polygonlabels"),
    ShapeKind.POINT: ("keypointlabels",),
    ShapeKind.MASK: ("brushlabels",),
}


@dataclass(frozen=True)
class _Tool:
    """One way to write a class's regions: the result type, its control and image; `split` names the tool
    control (Rectangle, Polygon...) when the labels come from a generic <Labels> beside it."""

    type: str
    from_name: str
    to_name: str
    split: str | None = None


class _Config:
    """A label config read once with LabelInterface: which control carries which class and tag."""

    def __init__(self, label_config: str, schema: LabelSchema) -> None:
        from label_studio_sdk.label_interface import LabelInterface

        try:
            self.interface = LabelInterface(label_config)
        except Exception as exc:
            raise ValidationError(f"label config does not parse: {exc}") from None
        self.schema = schema
        self.controls = {c.name: c for c in self.interface.controls}
        self.graphs = {
            c.name: c.name for c in schema.classes if c.shape is ShapeKind.KEYPOINTS and c.name in self.controls
        }
        self.tools: dict[str, list[_Tool]] = defaultdict(list)  # class name -> tools holding it
        for control in self.controls.values():
            tag = control.tag.lower()
            types = [(tag, None)] if tag.removesuffix("labels") in _GEOMETRY and tag.endswith("labels") else []
            if tag == "labels":  # generic Labels beside geometry tools on the same image
                types = [
                    (f"{t.tag.lower()}labels", t.name)
                    for t in self.controls.values()
                    if t.tag.lower() in _GEOMETRY and set(t.to_name) & set(control.to_name)
                ]
            for label in control.labels or ():
                for kind, split in types:
                    self.tools[label].append(_Tool(kind, control.name, control.to_name[0], split))
        self.tag_of: dict[str, str] = {}  # control name -> tag name
        self.control_of: dict[tuple[str, bool], Any] = {}  # (tag name, per region) -> control
        tags = {t.name for t in schema.tags}
        for control in self.controls.values():
            if control.tag.lower() not in _TAG_TYPES:
                continue
            per_region = control.attr.get("perRegion") == "true"
            name = control.name
            if name not in tags and per_region and name.endswith(PER_REGION_SUFFIX):
                name = name.removesuffix(PER_REGION_SUFFIX)
            if name in tags:
                self.tag_of[control.name] = name
                self.control_of.setdefault((name, per_region), control)

    def tool(self, obj: ObjectAnnotation) -> _Tool | None:
        """Where an object of this class and shape goes: its graph control, or the best labels tool."""
        kind = shape_kind(obj.shape)
        if kind is ShapeKind.KEYPOINTS:
            control = self.controls.get(self.graphs.get(obj.class_name, ""))
            return _Tool("keypointlabels", control.name, control.to_name[0]) if control else None
        tools = [t for t in self.tools.get(obj.class_name, ()) if t.from_name not in self.graphs]
        for wanted in _HOLDS[kind]:
            for tool in tools:
                if tool.type == wanted:
                    return tool
        return None


_config = lru_cache(maxsize=16)(_Config)


def _px(value: Any, size: int, what: str) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValidationError(f"{what} must be a number, got {value!r}")
    return Fraction(value) * size / 100


def _pct(value: Fraction, size: int) -> float:
    return float(value * 100 / size)


# ---------------------------------------------------------------- Label Studio -> neutral


def from_labelstudio(
    annotation: dict[str, Any] | list[dict[str, Any]],
    *,
    label_config: str,
    schema: LabelSchema,
    item: Id | None = None,
    width: int | None = None,
    height: int | None = None,
) -> tuple[ItemAnnotation, FidelityReport]:
    """The neutral ItemAnnotation of a Label Studio annotation (or its bare result list).

    The image size comes from the regions' original_width / original_height, else from
    `width` / `height` (the item's). Unknown controls, classes and tags raise ValidationError
    naming the item and the region.

    >>> config = '<View><Image name="img" value="$image"/><KeyPointLabels name="kp" toName="img"><Label value="kiwi"/></KeyPointLabels></View>'
    >>> from annobridge.schema import ObjectClass
    >>> schema = LabelSchema(classes=[ObjectClass(name="kiwi", shape="point")])
    >>> result = [{"id": "a1", "type": "keypointlabels", "from_name": "kp", "to_name": "img", "original_width": 200,
    ...            "original_height": 100, "value": {"x": 25.0, "y": 50.0, "keypointlabels": ["kiwi"]}}]
    >>> neutral, report = from_labelstudio(result, label_config=config, schema=schema, item=7)
    >>> neutral.objects[0].shape.x, neutral.objects[0].id
    (Fraction(50, 1), 'a1')
    """
    data = annotation if isinstance(annotation, dict) else {"result": annotation}
    config = _config(label_config, schema)
    where = f"item {item!r}" if item is not None else "item"
    results = data.get("result") or []
    if not isinstance(results, list) or not all(
        isinstance(r, dict) and isinstance(r.get("value", {}), dict) for r in results
    ):
        raise ValidationError(f"{where}: result must be a list of regions (JSON objects, each value an object)")
    width, height = _size(results, width, height, where)
    report = FidelityReport()
    results = _join_split_regions(config, results)
    _annotation_flags(data, report, item)
    objects: dict[str, dict[str, Any]] = {}  # region (or graph) id -> what is known of its object
    owner: dict[str, str] = {}  # region id -> object key (graph nodes share their root's)
    item_tags: list[Tag] = []
    attributes: list[tuple[int, dict[str, Any]]] = []
    for index, result in enumerate(results):
        name = f"{where}, region #{index} (id {result.get('id')!r})"
        try:
            kind = result.get("type", "")
            if kind == "relation":
                report.dropped("relation", NEUTRAL, "annobridge has no relations between objects", item=item)
                continue
            control = config.controls.get(result.get("from_name"))
            if control is None:
                raise ValidationError(
                    f"unknown control {result.get('from_name')!r}; the config has {sorted(config.controls)}"
                )
            if control.tag.lower() in _TAG_TYPES:
                if control.attr.get("perRegion") == "true":
                    attributes.append((index, result))
                else:
                    item_tags.extend(_tags_from_result(config, control, result))
                continue
            if kind in _GEOMETRY:
                report.dropped("unlabeled region", NEUTRAL, f"a {kind} without a label", item=item)
                continue
            if kind.removesuffix("labels") not in _GEOMETRY or not kind.endswith("labels"):
                report.dropped(f"{kind or 'untyped'} region", NEUTRAL, "no such shape in annobridge", item=item)
                continue
            _read_region(config, control, result, width, height, objects, owner, report, item)
        except ValidationError as exc:
            raise ValidationError(f"{name}: {exc}") from None
    for index, result in attributes:
        key = owner.get(result.get("id"))
        if key is None:
            report.dropped("attribute of an unlabeled region", NEUTRAL, item=item)
            continue
        try:
            tags = _tags_from_result(config, config.controls[result["from_name"]], result)
        except ValidationError as exc:
            raise ValidationError(f"{where}, region #{index} (id {result.get('id')!r}): {exc}") from None
        objects[key]["tags"].extend(tags)
    built = []
    for key, parts in objects.items():
        if parts.pop("nodes", None) is not None:
            parts["shape"] = Keypoints(points=parts.pop("points"))
        report.carried("object tag", NEUTRAL, len(parts["tags"]))
        built.append(parts)
    report.carried("item tag", NEUTRAL, len(item_tags))
    neutral = ItemAnnotation(
        item=item, width=width, height=height, objects=built, tags=item_tags, author=_author(data.get("completed_by"))
    )
    neutral.validate_against(schema)
    return neutral, report


def _join_split_regions(config: _Config, results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Join a tool result (type "rectangle", from a <Rectangle>) and the "labels" result of the same region id,
    as the editor writes regions drawn with a generic <Labels>, into one "rectanglelabels" result."""
    labels = {r.get("id"): r for r in results if r.get("type") == "labels" and r.get("id") is not None}
    tools = {r.get("id") for r in results if r.get("type") in _GEOMETRY and r.get("id") in labels}
    joined = []
    for result in results:
        kind, rid = result.get("type"), result.get("id")
        if kind == "labels" and rid in tools:
            continue  # folded into its tool result
        if kind in _GEOMETRY and rid in tools:
            value = {**(result.get("value") or {}), f"{kind}labels": labels[rid]["value"].get("labels") or []}
            result = {**result, "type": f"{kind}labels", "from_name": labels[rid]["from_name"], "value": value}
        joined.append(result)
    return joined


def _size(results: list[dict[str, Any]], width: int | None, height: int | None, where: str) -> tuple[int, int]:
    sizes = {
        (_dimension(r["original_width"], where), _dimension(r["original_height"], where))
        for r in results
        if r.get("original_width") is not None and r.get("original_height") is not None
    }
    if len(sizes) > 1:
        raise ValidationError(f"{where}: regions disagree on the image size: {sorted(sizes)}")
    if sizes:
        found = sizes.pop()
        if (width, height) != (None, None) and (width, height) != found:
            raise ValidationError(
                f"{where}: regions say the image is {found[0]}x{found[1]}, the item says {width}x{height}"
            )
        return found
    if not width or not height:
        raise ValidationError(f"{where}: no region gives the image size; pass width and height from the item")
    return width, height


def _dimension(value: Any, where: str) -> int | float:
    """A region's original_width/original_height, which must be a positive finite number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < float("inf"):
        raise ValidationError(f"{where}: original_width/original_height must be positive numbers, not {value!r}")
    return value


def _annotation_flags(data: dict[str, Any], report: FidelityReport, item) -> None:
    for key, what in (("was_cancelled", "skipped (cancelled) annotation flag"), ("ground_truth", "ground truth flag")):
        if data.get(key):
            report.dropped(what, NEUTRAL, item=item)
    if data.get("lead_time"):
        report.dropped("lead time", NEUTRAL, item=item)


def _author(completed_by: Any) -> Id | None:
    if isinstance(completed_by, dict):
        return completed_by.get("email") or completed_by.get("id")
    return completed_by


def _read_region(config, control, result, width, height, objects, owner, report, item) -> None:
    value = result.get("value") or {}
    kind = result["type"]
    labels = value.get(kind) or value.get("labels") or []
    if not labels:
        report.dropped("unlabeled region", NEUTRAL, item=item)
        return
    if len(labels) > 1:
        report.dropped("extra label on a region", NEUTRAL, f"kept {labels[0]!r}", len(labels) - 1, item=item)
    region_id = result.get("id")
    graph = config.graphs.get(control.name)
    if graph is not None:  # one node of a keypoint graph
        key = result.get("parentID") or region_id
        common = _common(result, graph, report, item, key)
        parts = objects.setdefault(key, {**common, "nodes": True, "points": []})
        if common["description"] != parts["description"] or common["origin"] != parts["origin"]:
            report.dropped("keypoint node note or origin", NEUTRAL, "a graph keeps its first node's", item=item)
        parts["points"].append(
            Keypoint(name=labels[0], x=_px(value.get("x"), width, "x"), y=_px(value.get("y"), height, "y"))
        )
        owner[region_id] = key
        if "width" in value:
            report.dropped("keypoint marker size", NEUTRAL, item=item)
        if key == region_id:
            report.carried("keypoints", NEUTRAL)
        return
    class_name = labels[0]
    cls = next((c for c in config.schema.classes if c.name == class_name), None)
    if cls is None:
        raise ValidationError(
            f"unknown class {class_name!r}; the schema has {sorted(c.name for c in config.schema.classes)}"
        )
    if result.get("parentID"):
        report.dropped("region parent link", NEUTRAL, item=item)
    shape = _shape_from_value(kind, value, cls.shape, width, height, report, item, region_id)
    objects[region_id] = {**_common(result, class_name, report, item, region_id), "shape": shape}
    owner[region_id] = region_id
    report.carried(shape.kind, NEUTRAL)


def _common(result, class_name, report, item, key) -> dict[str, Any]:
    origin = result.get("origin", "manual")
    if origin not in _ORIGINS:
        report.approximated("region origin", NEUTRAL, f"{origin!r} as manual", item=item)
    meta = result.get("meta") or {}
    texts = meta.get("text") or []
    if isinstance(texts, str):
        texts = [texts]
    if len(texts) > 1:
        report.approximated("region note", NEUTRAL, "lines joined into one description", item=item)
    if set(meta) - {"text"}:
        report.dropped("region meta", NEUTRAL, ", ".join(sorted(set(meta) - {"text"})), item=item)
    for flag, what in (
        ("score", "region score"),
        ("readonly", "read-only flag"),
        ("hidden", "hidden flag"),
        ("item_index", "image index"),
    ):
        if result.get(flag):
            report.dropped(what, NEUTRAL, item=item)
    if result.get("image_rotation"):
        report.approximated("image rotation", NEUTRAL, "as if the image were upright", item=item)
    return {
        "id": key,
        "class_name": class_name,
        "tags": [],
        "description": "\n".join(texts),
        "origin": _ORIGINS.get(origin, ObjectOrigin.MANUAL),
    }


def _shape_from_value(kind, value, class_shape, width, height, report, item, region_id=None):
    if kind == "rectanglelabels":
        return Rectangle(
            x=_px(value.get("x"), width, "x"),
            y=_px(value.get("y"), height, "y"),
            width=_px(value.get("width"), width, "width"),
            height=_px(value.get("height"), height, "height"),
            rotation=value.get("rotation") or 0,
        )
    if kind == "keypointlabels":
        if "width" in value:
            report.dropped("keypoint marker size", NEUTRAL, item=item)
        return Point(x=_px(value.get("x"), width, "x"), y=_px(value.get("y"), height, "y"))
    if kind == "brushlabels":
        alpha = rle.rle_to_alpha(value.get("rle"), width, height)
        if not alpha.any():
            raise ValidationError("brush region has no pixels")
        if ((alpha != 0) & (alpha != 255)).any():
            report.approximated("brush soft edge", NEUTRAL, "as binary mask (alpha > 0)", item=item)
        return Mask(data=alpha > 0, rle=tuple(int(v) for v in value["rle"]))
    if kind == "polygonlabels":
        points = [(_px(x, width, "x"), _px(y, height, "y")) for x, y in value.get("points") or []]
        if value.get("closed") is False:
            report.approximated("unclosed polygon", NEUTRAL, "as closed polygon", item=item)
        if class_shape is ShapeKind.POLYLINE:
            report.approximated("polygon", NEUTRAL, "as polyline (closing edge dropped)", item=item)
            return Polyline(points=points)
        return Polygon(exterior=points)
    vertices = value.get("vertices") or []
    points, previous = [], None
    if any(isinstance(v, dict) and v.get("id") != f"{region_id}-{n}" for n, v in enumerate(vertices)):
        report.approximated("vector vertex ids", NEUTRAL, "renumbered <region>-<n> on the way back", item=item)
    for vertex in vertices:
        if isinstance(vertex, dict):
            if vertex.get("isBezier"):
                report.approximated("bezier curve", NEUTRAL, "as straight segments", item=item)
            if previous is not None and vertex.get("prevPointId") not in (None, previous):
                report.approximated("branching vector", NEUTRAL, "as one line in vertex order", item=item)
            previous = vertex.get("id")
            x, y = vertex.get("x"), vertex.get("y")
        else:
            x, y = vertex
        points.append((_px(x, width, "x"), _px(y, height, "y")))
    if value.get("closed"):
        if class_shape is ShapeKind.POLYLINE:
            report.approximated("closed vector", NEUTRAL, "as polyline (closing edge dropped)", item=item)
            return Polyline(points=points)
        return Polygon(exterior=points)
    return Polyline(points=points)


def _tags_from_result(config: _Config, control, result: dict[str, Any]) -> list[Tag]:
    tag_name = config.tag_of.get(control.name)
    if tag_name is None:
        raise ValidationError(f"unknown tag {control.name!r}: control {control.name!r} holds no tag of the schema")
    spec = config.schema.tag(tag_name)
    value = (result.get("value") or {}).get(_TAG_TYPES[control.tag.lower()])
    values = value if isinstance(value, list) else [] if value is None else [value]
    if spec.value_type is TagValueType.NONE:
        return [Tag(name=tag_name)] if values else []
    if spec.value_type is TagValueType.ANY_NUMBER and control.tag.lower() != "number":
        raise ValidationError(f"control {control.name!r} ({control.tag}) cannot hold number tag {tag_name!r}")
    return [Tag(name=tag_name, value=v) for v in values]


# ---------------------------------------------------------------- neutral -> Label Studio


def to_labelstudio(
    annotation: ItemAnnotation, *, label_config: str, schema: LabelSchema
) -> tuple[dict[str, Any], FidelityReport]:
    """A Label Studio annotation {"result": [...]} for a neutral ItemAnnotation, valid for `label_config`.

    The result passes LabelInterface.validate_prediction; anything that does not fit the schema
    or the config raises ValidationError naming the item and the object.

    >>> config = '<View><Image name="img" value="$image"/><PolygonLabels name="p" toName="img"><Label value="leaf"/></PolygonLabels></View>'
    >>> from annobridge.schema import ObjectClass
    >>> schema = LabelSchema(classes=[ObjectClass(name="leaf", shape="polygon")])
    >>> leaf = Polygon(exterior=[(0, 0), (50, 0), (0, 50)], interiors=[[(1, 1), (9, 1), (1, 9)]])
    >>> ann = ItemAnnotation(width=100, height=200, objects=[ObjectAnnotation(class_name="leaf", shape=leaf)])
    >>> data, report = to_labelstudio(ann, label_config=config, schema=schema)
    >>> data["result"][0]["value"]["points"], report.losses()
    ([[0.0, 0.0], [50.0, 0.0], [0.0, 25.0]], ['polygon hole -> dropped (label studio): 1'])
    """
    annotation.validate_against(schema)
    config = _config(label_config, schema)
    report = FidelityReport()
    item = annotation.item
    author = _annotation_author(annotation)
    used = {str(obj.id) for obj in annotation.objects if obj.id is not None}
    results: list[dict[str, Any]] = []
    for index, obj in enumerate(annotation.objects):
        region_id = str(obj.id) if obj.id is not None else _fresh(f"obj-{index}", used)
        tool = config.tool(obj)
        if tool is None:
            raise annotation.fail(
                f"the label config has no control for {obj.shape.kind} class {obj.class_name!r}", index
            )
        regions = _regions_of(obj, tool, region_id, annotation, report)
        if not regions:
            continue
        for region in regions:
            region["origin"] = _LS_ORIGIN[obj.origin]
            if obj.description:
                region["meta"] = {"text": [obj.description]}
        results.extend(regions)
        results.extend(_tag_results(config, obj.tags, regions[0], True, annotation, report, index, author))
        if obj.author is not None and obj.author != author:
            report.dropped("object author", LABEL_STUDIO, "Label Studio keeps one author per annotation", item=item)
        if obj.created_at or obj.updated_at:
            report.dropped("object timestamps", LABEL_STUDIO, item=item)
    results.extend(_tag_results(config, annotation.tags, None, False, annotation, report, None, author))
    if annotation.description:
        report.dropped("item description", LABEL_STUDIO, item=item)
    if annotation.review_status is not ReviewStatus.NONE:
        report.dropped("review status", LABEL_STUDIO, "not in annotation JSON; set it with the reviews API", item=item)
    errors = config.interface.validate_prediction({"result": results}, return_errors=True)
    if errors:
        raise annotation.fail("Label Studio would refuse the result: " + "; ".join(errors))
    data: dict[str, Any] = {"result": results}
    if author is not None:
        data["completed_by"] = author
    return data, report


def _annotation_author(annotation: ItemAnnotation) -> Id | None:
    """The annotation's author, else the one its objects and tags name most (Supervisely keeps them there)."""
    if annotation.author is not None:
        return annotation.author
    named = [o.author for o in annotation.objects] + [t.author for o in annotation.objects for t in o.tags]
    named = Counter(a for a in named + [t.author for t in annotation.tags] if a is not None)
    return named.most_common(1)[0][0] if named else None


def _fresh(base: str, used: set[str]) -> str:
    candidate, n = base, 1
    while candidate in used:
        candidate, n = f"{base}-{n}", n + 1
    used.add(candidate)
    return candidate


def _regions_of(obj, tool: _Tool, region_id, item: ItemAnnotation, report: FidelityReport) -> list[dict[str, Any]]:
    w, h, shape = item.width, item.height, obj.shape
    clamp = _Clamp(w, h)

    def region(rid: str, value: dict[str, Any], label: str) -> dict[str, Any]:
        return {
            "id": rid,
            "type": tool.type,
            "from_name": tool.from_name,
            "to_name": tool.to_name,
            "original_width": w,
            "original_height": h,
            "image_rotation": 0,
            "value": {**value, tool.type: [label]},
        }

    out: list[dict[str, Any]] = []
    if isinstance(shape, Keypoints):
        shown = [p for p in shape.points if p.visible]
        report.dropped(
            "hidden keypoint",
            LABEL_STUDIO,
            "Label Studio has no invisible nodes",
            len(shape.points) - len(shown),
            item=item.item,
        )
        for n, point in enumerate(shown):
            node = region(region_id if n == 0 else f"{region_id}-{point.name}", clamp.xy(point.x, point.y), point.name)
            if n:
                node["parentID"] = region_id
            out.append(node)
        if shown:
            report.carried("keypoints", LABEL_STUDIO)
        else:
            report.dropped("keypoints", LABEL_STUDIO, "no visible node", item=item.item)
    elif isinstance(shape, Rectangle):
        rotation = shape.rotation % 360 if not 0 <= shape.rotation <= 360 else shape.rotation
        value = {**clamp.xy(shape.x, shape.y), "width": clamp.pct(shape.width, w), "height": clamp.pct(shape.height, h)}
        value["rotation"] = float(rotation)
        if Fraction(value["rotation"]) != rotation:  # e.g. Supervisely radians: no float degree holds them
            report.approximated("rotation", LABEL_STUDIO, "to the nearest float degree", item=item.item)
        out.append(region(region_id, value, obj.class_name))
    elif isinstance(shape, Point):
        out.append(region(region_id, clamp.xy(shape.x, shape.y), obj.class_name))
    elif isinstance(shape, Mask):
        out.append(region(region_id, {"format": "rle", "rle": _mask_rle(shape, w, h)}, obj.class_name))
    else:
        points = shape.exterior if isinstance(shape, Polygon) else shape.points
        if isinstance(shape, Polygon) and shape.interiors:
            report.dropped("polygon hole", LABEL_STUDIO, count=len(shape.interiors), item=item.item)
        closed = isinstance(shape, Polygon)
        if tool.type == "polygonlabels":
            if not closed:
                if len(points) < 3:
                    report.dropped("polyline", LABEL_STUDIO, "two points make no polygon", item=item.item)
                    return []
                report.approximated("polyline", LABEL_STUDIO, "as polygon", item=item.item)
            value = {"points": [[v["x"], v["y"]] for v in (clamp.xy(x, y) for x, y in points)], "closed": True}
        else:
            vertices = []
            for n, (x, y) in enumerate(points):
                vertex = {"id": f"{region_id}-{n}", **clamp.xy(x, y), "isBezier": False}
                if n:
                    vertex["prevPointId"] = f"{region_id}-{n - 1}"
                vertices.append(vertex)
            value = {"vertices": vertices, "closed": closed}
        out.append(region(region_id, value, obj.class_name))
    if out and not isinstance(shape, Keypoints):
        report.carried(shape.kind, LABEL_STUDIO)
    if tool.split:
        out = [part for region in out for part in _split(region, tool.split)]
    if clamp.moved:
        report.approximated("coordinates past the image edge", LABEL_STUDIO, "pulled back to 100%", item=item.item)
    return out


def _split(region: dict[str, Any], tool_control: str) -> list[dict[str, Any]]:
    """A "rectanglelabels" region of a generic <Labels> as the editor writes it: a "rectangle" result from
    the tool control, then a "labels" result of the same id holding the label."""
    kind = region["type"].removesuffix("labels")
    geometry = {k: v for k, v in region["value"].items() if k != region["type"]}
    shape = {**region, "type": kind, "from_name": tool_control, "value": geometry}
    return [shape, {**region, "type": "labels", "value": {**geometry, "labels": region["value"][region["type"]]}}]


def _mask_rle(mask: Mask, width: int, height: int) -> list[int]:
    if mask.rle is not None:
        try:
            rle.decode(mask.rle, expected=width * height * 4)
            return list(mask.rle)
        except rle.RLEError:
            pass  # read for another image size: encode the pixels afresh
    return rle.mask_to_rle(mask.to_image(width, height))


class _Clamp:
    """Turns exact pixels into percentages, pulling down any Label Studio would refuse (above 100)."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height, self.moved = width, height, False

    def pct(self, value: Fraction, size: int) -> float:
        percent = _pct(value, size)
        if percent > 100:
            self.moved = True
            return 100.0
        return percent

    def xy(self, x: Fraction, y: Fraction) -> dict[str, float]:
        return {"x": self.pct(x, self.width), "y": self.pct(y, self.height)}


def _tag_results(config, tags, region, per_region, item: ItemAnnotation, report, index, author) -> list[dict[str, Any]]:
    grouped: dict[str, list[Tag]] = {}
    for tag in tags:
        grouped.setdefault(tag.name, []).append(tag)
    out = []
    for name, group in grouped.items():
        control = config.control_of.get((name, per_region))
        if control is None:
            what = "object" if per_region else "item"
            raise item.fail(f"the label config has no {what} control for tag {name!r}", index)
        spec: TagSpec = config.schema.tag(name)
        kind = control.tag.lower()
        key = _TAG_TYPES[kind]
        values = [t.value for t in group]
        if spec.value_type is TagValueType.NONE:
            payload: Any = list(control.labels[:1])
            values = values[:1]
        elif kind == "number" or (kind == "choices" and control.attr.get("choice") not in ("multiple",)):
            payload = values[0] if kind == "number" else values[:1]
            values = values[:1]
        else:
            payload = values
        what = "object tag" if per_region else "item tag"
        report.carried(what, LABEL_STUDIO, len(values))
        report.dropped(
            f"repeated {what}",
            LABEL_STUDIO,
            f"control {control.name!r} holds one value",
            len(group) - len(values),
            item=item.item,
        )
        for tag in group:
            if tag.author not in (None, author):
                report.dropped(
                    "tag author", LABEL_STUDIO, "Label Studio keeps one author per annotation", item=item.item
                )
            if tag.created_at or tag.updated_at:
                report.dropped("tag timestamps", LABEL_STUDIO, item=item.item)
        result = {"type": kind, "from_name": control.name, "to_name": control.to_name[0], "origin": "manual"}
        if region is not None:
            geometry = {k: v for k, v in region["value"].items() if k != region["type"]}
            extra = {
                k: region[k]
                for k in ("original_width", "original_height", "image_rotation", "origin", "meta")
                if k in region
            }
            result = {"id": region["id"], **result, **extra, "value": {**geometry, key: payload}}
        else:
            result = {"id": f"{control.name}-item", **result, "value": {key: payload}}
        out.append(result)
    return out
