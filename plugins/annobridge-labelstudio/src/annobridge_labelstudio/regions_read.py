"""Label Studio annotation results -> the neutral ItemAnnotation (the reading half of regions.py).

Percentages become exact pixels; whatever annobridge cannot hold (relations, scores, flags,
unlabeled regions) is counted as dropped, and anything that names an unknown control, class or
tag is a ValidationError naming the item and the region.
"""

from __future__ import annotations

from typing import Any

from annobridge import rle
from annobridge.annotations import (
    ItemAnnotation,
    Keypoint,
    Keypoints,
    Mask,
    ObjectOrigin,
    Point,
    Polygon,
    Polyline,
    Rectangle,
    Tag,
)
from annobridge.errors import ValidationError
from annobridge.fidelity import NEUTRAL, FidelityReport
from annobridge.models import Id
from annobridge.schema import LabelSchema, ShapeKind, TagValueType

from .region_config import GEOMETRY, ORIGINS, TAG_TYPES, RegionConfig, px, region_config

__all__ = ["from_labelstudio"]


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
    config = region_config(label_config, schema)
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
            if control.tag.lower() in TAG_TYPES:
                if control.attr.get("perRegion") == "true":
                    attributes.append((index, result))
                else:
                    item_tags.extend(_tags_from_result(config, control, result))
                continue
            if kind in GEOMETRY:
                report.dropped("unlabeled region", NEUTRAL, f"a {kind} without a label", item=item)
                continue
            if kind.removesuffix("labels") not in GEOMETRY or not kind.endswith("labels"):
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


def _join_split_regions(config: RegionConfig, results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Join a tool result (type "rectangle", from a <Rectangle>) and the "labels" result of the same region id,
    as the editor writes regions drawn with a generic <Labels>, into one "rectanglelabels" result."""
    labels = {r.get("id"): r for r in results if r.get("type") == "labels" and r.get("id") is not None}
    tools = {r.get("id") for r in results if r.get("type") in GEOMETRY and r.get("id") in labels}
    joined = []
    for result in results:
        kind, rid = result.get("type"), result.get("id")
        if kind == "labels" and rid in tools:
            continue  # folded into its tool result
        if kind in GEOMETRY and rid in tools:
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
            Keypoint(name=labels[0], x=px(value.get("x"), width, "x"), y=px(value.get("y"), height, "y"))
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
    if origin not in ORIGINS:
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
        "origin": ORIGINS.get(origin, ObjectOrigin.MANUAL),
    }


def _shape_from_value(kind, value, class_shape, width, height, report, item, region_id=None):
    if kind == "rectanglelabels":
        return Rectangle(
            x=px(value.get("x"), width, "x"),
            y=px(value.get("y"), height, "y"),
            width=px(value.get("width"), width, "width"),
            height=px(value.get("height"), height, "height"),
            rotation=value.get("rotation") or 0,
        )
    if kind == "keypointlabels":
        if "width" in value:
            report.dropped("keypoint marker size", NEUTRAL, item=item)
        return Point(x=px(value.get("x"), width, "x"), y=px(value.get("y"), height, "y"))
    if kind == "brushlabels":
        alpha = rle.rle_to_alpha(value.get("rle"), width, height)
        if not alpha.any():
            raise ValidationError("brush region has no pixels")
        if ((alpha != 0) & (alpha != 255)).any():
            report.approximated("brush soft edge", NEUTRAL, "as binary mask (alpha > 0)", item=item)
        return Mask(data=alpha > 0, rle=tuple(int(v) for v in value["rle"]))
    if kind == "polygonlabels":
        points = [(px(x, width, "x"), px(y, height, "y")) for x, y in value.get("points") or []]
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
        points.append((px(x, width, "x"), px(y, height, "y")))
    if value.get("closed"):
        if class_shape is ShapeKind.POLYLINE:
            report.approximated("closed vector", NEUTRAL, "as polyline (closing edge dropped)", item=item)
            return Polyline(points=points)
        return Polygon(exterior=points)
    return Polyline(points=points)


def _tags_from_result(config: RegionConfig, control, result: dict[str, Any]) -> list[Tag]:
    tag_name = config.tag_of.get(control.name)
    if tag_name is None:
        raise ValidationError(f"unknown tag {control.name!r}: control {control.name!r} holds no tag of the schema")
    spec = config.schema.tag(tag_name)
    value = (result.get("value") or {}).get(TAG_TYPES[control.tag.lower()])
    values = value if isinstance(value, list) else [] if value is None else [value]
    if spec.value_type is TagValueType.NONE:
        return [Tag(name=tag_name)] if values else []
    if spec.value_type is TagValueType.ANY_NUMBER and control.tag.lower() != "number":
        raise ValidationError(f"control {control.name!r} ({control.tag}) cannot hold number tag {tag_name!r}")
    return [Tag(name=tag_name, value=v) for v in values]
