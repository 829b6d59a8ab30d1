"""Supervisely ProjectMeta JSON <-> the neutral LabelSchema, through the supervisely SDK's own classes.

| Supervisely geometry | ShapeKind | | Supervisely tag | TagSpec |
|---|---|---|---|---|
| bitmap | mask | | none / any_string / any_number / oneof_string | the same value type |
| rectangle | rectangle | | date | any_string (approximated) |
| oriented_bbox | rectangle (approximated) | | applicable_type all / imagesOnly / objectsOnly | applies_to all / items_only / objects_only |
| polygon, line, point | polygon, polyline, point | | classes | classes |
| graph | keypoints (nodes, edges) | | | |
| any | any | | | |

Everything else in a meta (other geometries, hotkeys, descriptions, template layouts, default
tags) is counted in the report, never dropped silently. The SDK is imported on first use.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

from annobridge.errors import ValidationError
from annobridge.fidelity import NEUTRAL, SUPERVISELY, FidelityReport
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

__all__ = ["meta_to_schema", "parse_meta", "project_meta", "schema_to_meta"]

GEOMETRY_TO_SHAPE = {
    "bitmap": ShapeKind.MASK,
    "rectangle": ShapeKind.RECTANGLE,
    "oriented_bbox": ShapeKind.RECTANGLE,
    "polygon": ShapeKind.POLYGON,
    "line": ShapeKind.POLYLINE,
    "point": ShapeKind.POINT,
    "graph": ShapeKind.KEYPOINTS,
    "any": ShapeKind.ANY,
}
SHAPE_TO_GEOMETRY = {shape: name for name, shape in GEOMETRY_TO_SHAPE.items() if name != "oriented_bbox"}
_APPLIES = {"all": TagTarget.ALL, "imagesOnly": TagTarget.ITEMS_ONLY, "objectsOnly": TagTarget.OBJECTS_ONLY}
_APPLICABLE = {target: name for name, target in _APPLIES.items()}


def parse_meta(meta: dict[str, Any]):
    """A sly.ProjectMeta from its JSON; ValidationError saying why if the SDK refuses it."""
    import supervisely as sly

    try:
        return sly.ProjectMeta.from_json(meta)
    except Exception as exc:  # the SDK raises bare Exception/KeyError/ValueError here
        raise ValidationError(f"Supervisely project meta does not parse: {exc}") from None


def project_meta(meta):
    """A sly.ProjectMeta: `meta` itself when it is one, else parsed from its JSON (parse_meta)."""
    return meta if hasattr(meta, "obj_classes") else parse_meta(meta)


def meta_to_schema(meta: dict[str, Any]) -> tuple[LabelSchema, FidelityReport]:
    """The LabelSchema of a Supervisely ProjectMeta JSON, and what it could not hold.

    >>> schema, report = meta_to_schema({"classes": [{"title": "kiwi", "shape": "bitmap", "color": "#00FF00"}]})
    >>> schema.object_class("kiwi").shape.value, report.lossless
    ('mask', True)
    """
    project = parse_meta(meta)
    report = FidelityReport()
    classes = [c for c in (_class_from_sly(c, report) for c in project.obj_classes) if c is not None]
    known = {c.name for c in classes}
    tags = [_tag_from_sly(t, known, report) for t in project.tag_metas]
    from supervisely.project.project_settings import ProjectSettings

    if project.project_settings.to_json() != ProjectSettings().to_json():
        report.dropped("project settings (multi-view, labeling interface)", NEUTRAL)
    media = MediaKind.VIDEO if str(project.project_type) == "videos" else MediaKind.IMAGE
    return LabelSchema(classes=classes, tags=tags, media=media), report


def _class_from_sly(obj_class, report: FidelityReport) -> ObjectClass | None:
    import supervisely as sly

    geometry = obj_class.geometry_type.geometry_name()
    if geometry == "any":
        geometry = obj_class.to_json()["shape"]  # AnyGeometry keeps the raw name
    shape = GEOMETRY_TO_SHAPE.get(geometry)
    if shape is None:
        report.dropped(f"{geometry} class", NEUTRAL, "no such shape in annobridge", item=obj_class.name)
        return None
    if geometry == "oriented_bbox":
        report.approximated("oriented_bbox class", NEUTRAL, "as rectangle class", item=obj_class.name)
    else:
        report.carried(f"{geometry} class", NEUTRAL)
    if obj_class.description:
        report.dropped("class description", NEUTRAL, item=obj_class.name)
    if obj_class.hotkey:
        report.dropped("class hotkey", NEUTRAL, item=obj_class.name)
    nodes, edges = (), ()
    if shape is ShapeKind.KEYPOINTS:
        nodes, edges = _graph_from_sly(obj_class, report)
    return ObjectClass(
        name=obj_class.name, shape=shape, color=sly.color.rgb2hex(obj_class.color), nodes=nodes, edges=edges
    )


def _graph_from_sly(obj_class, report: FidelityReport):
    config = obj_class.to_json()["geometry_config"]
    labels = {node_id: node.get("label", node_id) for node_id, node in config.get("nodes", {}).items()}
    repeated = sorted({label for label in labels.values() if list(labels.values()).count(label) > 1})
    if repeated:
        raise ValidationError(f"class {obj_class.name!r}: keypoint labels {repeated} name more than one node")
    nodes = tuple(
        KeypointNode(name=labels[node_id], color=node.get("color")) for node_id, node in config.get("nodes", {}).items()
    )
    edges = tuple((labels[e["src"]], labels[e["dst"]]) for e in config.get("edges", []))
    report.dropped("keypoint template layout", NEUTRAL, "node positions in the template drawing", item=obj_class.name)
    if any(node_id != label for node_id, label in labels.items()):
        report.approximated("keypoint node id", NEUTRAL, "as its label", item=obj_class.name)
    if any(e.get("color") for e in config.get("edges", [])):
        report.dropped("keypoint edge colour", NEUTRAL, item=obj_class.name)
    return nodes, edges


def _tag_from_sly(meta, known_classes: set[str], report: FidelityReport) -> TagSpec:
    data = meta.to_json()
    value_type = data["value_type"]
    if value_type == "date":
        report.approximated("date tag", NEUTRAL, "as any_string (ISO 8601 text)", item=meta.name)
        value_type = TagValueType.ANY_STRING
    else:
        report.carried(f"{value_type} tag", NEUTRAL)
    classes = [c for c in data.get("classes", []) if c in known_classes]
    if len(classes) != len(data.get("classes", [])):
        report.dropped("tag class restriction", NEUTRAL, "its class was dropped", item=meta.name)
    for key, what in (
        ("hotkey", "tag hotkey"),
        ("default", "default tag"),
        ("default_value", "tag default value"),
        ("frame_range_min_length", "tag frame range"),
        ("frame_range_max_length", "tag frame range"),
    ):
        if data.get(key):
            report.dropped(what, NEUTRAL, item=meta.name)
    if data.get("target_type", "all") != "all":
        report.dropped("tag target type (frames/entities)", NEUTRAL, item=meta.name)
    return TagSpec(
        name=meta.name,
        value_type=value_type,
        values=tuple(data.get("values") or ()),
        applies_to=_APPLIES[data.get("applicable_type", "all")],
        classes=tuple(classes),
        color=data.get("color"),
    )


def schema_to_meta(schema: LabelSchema) -> tuple[dict[str, Any], FidelityReport]:
    """A Supervisely ProjectMeta JSON for a LabelSchema (built with the SDK's classes), and a report.

    A class without a colour gets one from the SDK's fixed palette; keypoint templates are
    laid out on a circle, since the schema has no drawing of them.

    >>> meta, report = schema_to_meta(LabelSchema(classes=[ObjectClass(name="kiwi", shape="polyline")]))
    >>> meta["classes"][0]["shape"], report.count(outcome="carried")
    ('line', 1)
    """
    import supervisely as sly
    from supervisely.annotation.json_geometries_map import GET_GEOMETRY_FROM_STR

    report = FidelityReport()
    classes = []
    for index, cls in enumerate(schema.classes):
        geometry = SHAPE_TO_GEOMETRY[cls.shape]
        color = sly.color.hex2rgb(cls.color) if cls.color else _palette(len(schema.classes))[index]
        config = _graph_to_sly(cls) if cls.shape is ShapeKind.KEYPOINTS else None
        geometry_type = GET_GEOMETRY_FROM_STR(geometry)
        classes.append(sly.ObjClass(cls.name, geometry_type, color=color, geometry_config=config))
        report.carried(f"{geometry} class", SUPERVISELY)
    tags = []
    for tag in schema.tags:
        tags.append(
            sly.TagMeta(
                tag.name,
                tag.value_type.value,
                possible_values=list(tag.values) if tag.value_type is TagValueType.ONEOF_STRING else None,
                color=sly.color.hex2rgb(tag.color) if tag.color else None,
                applicable_to=_APPLICABLE[tag.applies_to],
                applicable_classes=list(tag.classes),
            )
        )
        report.carried(f"{tag.value_type.value} tag", SUPERVISELY)
    kind = "videos" if schema.media is MediaKind.VIDEO else None  # image metas stay as they were, with no type
    return sly.ProjectMeta(obj_classes=classes, tag_metas=tags, project_type=kind).to_json(), report


@lru_cache(maxsize=8)
def _palette(count: int) -> tuple[list[int], ...]:
    """The SDK's fixed palette for `count` classes (it reads a file each time, so keep it)."""
    import supervisely as sly

    return tuple(list(c) for c in sly.color.get_predefined_colors(count))


def _graph_to_sly(cls: ObjectClass):
    import supervisely as sly
    from supervisely.geometry.graph import KeypointsTemplate

    template = KeypointsTemplate()
    count = max(len(cls.nodes), 1)
    for index, node in enumerate(cls.nodes):
        angle = 2 * math.pi * index / count
        row, col = round(50 - 40 * math.cos(angle)), round(50 + 40 * math.sin(angle))
        color = sly.color.hex2rgb(node.color) if node.color else [0, 0, 255]
        template.add_point(node.name, row=row, col=col, color=color)
    for src, dst in cls.edges:
        template.add_edge(src, dst)
    return template
