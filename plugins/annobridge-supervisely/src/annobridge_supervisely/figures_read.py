"""Supervisely annotation JSON -> the neutral ItemAnnotation, read with the SDK's own classes (figures.py: the rules).

This is the conversion alone; figures.from_supervisely adds what annobridge keeps for the way back.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

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
)
from annobridge.errors import ValidationError
from annobridge.fidelity import NEUTRAL, FidelityReport
from annobridge.models import Id

from .meta import project_meta

__all__ = ["ORIGINS", "PI", "STATUSES", "convert_from_supervisely", "sole_author"]

PI = Fraction(math.pi)  # π as an exact Fraction (of the float), for radians <-> degrees
# a label's labeling status (sly LabelingStatus) <-> the object's origin
ORIGINS = {"manual": ObjectOrigin.MANUAL, "auto": ObjectOrigin.MODEL, "corrected": ObjectOrigin.MODEL_CORRECTED}
STATUSES = {origin: status for status, origin in ORIGINS.items()}
# what the reader looks at, and what the server sets on its own
_KNOWN = {"description", "size", "tags", "objects", "customBigData", "customData", "imageId"}
_OBJECT_EXTRAS = (
    (("instance", "instance_key"), "object binding (group)"),
    (("smartToolInput",), "smart tool input"),
    (("customData", "meta", "priority"), "object custom data"),
)


def convert_from_supervisely(
    annotation: dict[str, Any],
    meta,
    *,
    item: Id | None = None,
    width: int | None = None,
    height: int | None = None,
) -> tuple[ItemAnnotation, FidelityReport]:
    """The neutral ItemAnnotation of a Supervisely annotation JSON, checked against its ProjectMeta.

    `meta` is the ProjectMeta JSON (or a sly.ProjectMeta); `width`/`height` stand in when the
    annotation has no size. Unknown classes or tags, and shapes the SDK would silently mend
    (a polygon of two points), raise ValidationError naming the item and the object.

    >>> meta = {"classes": [{"title": "kiwi", "shape": "point", "color": "#00FF00"}]}
    >>> ann = {"size": {"height": 4, "width": 6}, "tags": [], "objects": [
    ...     {"classTitle": "kiwi", "tags": [], "points": {"exterior": [[2, 3]], "interior": []}}]}
    >>> neutral, report = convert_from_supervisely(ann, meta, item="a.jpg")
    >>> neutral.objects[0].shape.x, report.lossless
    (Fraction(2, 1), True)
    """
    import supervisely as sly

    project = project_meta(meta)
    report = FidelityReport()
    _check_containers(annotation, item)
    size = annotation.get("size") or {}
    height, width = size.get("height") or height, size.get("width") or width
    where = f"item {item!r}" if item is not None else "item"
    if not width or not height:
        raise ValidationError(f"{where}: the annotation has no size; pass width and height from the item")
    objects = []
    for index, data in enumerate(annotation.get("objects", [])):
        name = f"{where}, object #{index} (class {data.get('classTitle')!r}"
        name += f", id {data['id']!r})" if data.get("id") is not None else ")"
        try:
            label = _parse_label(data, project)
            obj = _object_from_sly(label, data, report, item)
        except ValidationError as exc:
            raise ValidationError(f"{name}: {exc}") from None
        except Exception as exc:  # the SDK raises whatever it likes on bad geometry
            raise ValidationError(f"{name}: {exc}") from None
        if obj is not None:
            objects.append(obj)
    try:
        tags = _tags_from_sly(sly.TagCollection.from_json(annotation.get("tags", []), project.tag_metas), report, item)
    except Exception as exc:
        raise ValidationError(
            f"{where}: item tags: {_unknown_tag(annotation.get('tags', []), project) or exc}"
        ) from None
    report.carried("item tag", NEUTRAL, len(tags))
    if annotation.get("customBigData") or annotation.get("customData"):
        report.dropped("annotation custom data", NEUTRAL, item=item)
    others = len(set(annotation) - _KNOWN)
    report.dropped("annotation field annobridge has no place for", NEUTRAL, count=others, item=item)
    result = ItemAnnotation(
        item=item,
        width=width,
        height=height,
        objects=objects,
        tags=tags,
        author=sole_author(objects, tags),
        description=annotation.get("description") or "",
    )
    return result, report


def sole_author(objects, tags) -> str | None:
    """The login every object and tag of an annotation names, if they all name the same one: the annotation's
    author, as Label Studio has one (Supervisely records authors per object and tag only).

    >>> from annobridge.annotations import Tag
    >>> sole_author([], [Tag(name="a", author="anna"), Tag(name="b", author="anna")]), sole_author([], [])
    ('anna', None)
    """
    named = {o.author for o in objects} | {t.author for o in objects for t in o.tags} | {t.author for t in tags}
    return next(iter(named)) if len(named) == 1 else None


def _unknown_tag(tags: list, project) -> str | None:
    for tag in tags:
        name = tag if isinstance(tag, str) else tag.get("name")
        if project.get_tag_meta(name) is None:
            return f"unknown tag {name!r}; the meta has {sorted(t.name for t in project.tag_metas)}"
    return None


def _parse_label(data: dict[str, Any], project):
    import supervisely as sly

    obj_class = project.get_obj_class(data.get("classTitle"))
    if obj_class is None:
        known = sorted(c.name for c in project.obj_classes)
        raise ValidationError(f"unknown class {data.get('classTitle')!r}; the meta has {known}")
    problem = _unknown_tag(data.get("tags", []), project)
    if problem:
        raise ValidationError(problem)
    geometry = obj_class.geometry_type.geometry_name()
    if geometry == "any":
        geometry = data.get("geometryType") or data.get("shape")
    points = data.get("points") or {}
    if geometry == "polygon":  # the SDK pads short polygons with a warning; refuse them instead
        for ring, what in [(points.get("exterior", []), "a polygon")] + [
            (hole, f"hole #{i}") for i, hole in enumerate(points.get("interior", []))
        ]:
            if len(ring) < 3:
                raise ValidationError(f"{what} needs at least 3 points, got {len(ring)}")
    return sly.Label.from_json(data, project)


def _object_from_sly(label, data: dict[str, Any], report: FidelityReport, item) -> ObjectAnnotation | None:
    geometry = label.geometry
    name = geometry.geometry_name()
    shape = _shape_from_sly(geometry, label.obj_class)
    if shape is None:
        report.dropped(f"{name} object", NEUTRAL, "no such shape in annobridge", item=item)
        return None
    report.carried(f"{name} object", NEUTRAL)
    if isinstance(shape, Polygon):
        report.carried("polygon hole", NEUTRAL, len(shape.interiors))
    for keys, what in _OBJECT_EXTRAS:
        if any(data.get(key) for key in keys):
            report.dropped(what, NEUTRAL, item=item)
    tags = _tags_from_sly(label.tags, report, item)
    report.carried("object tag", NEUTRAL, len(tags))
    return ObjectAnnotation(
        class_name=label.obj_class.name,
        shape=shape,
        tags=tags,
        id=label.sly_id,
        author=geometry.labeler_login,
        description=label.description or "",
        origin=ORIGINS[str(label.status)],
        created_at=geometry.created_at,
        updated_at=geometry.updated_at,
    )


def _shape_from_sly(geometry, obj_class):
    name = geometry.geometry_name()
    if name == "oriented_bbox":
        return _oriented_from_sly(geometry)
    if name == "rectangle":
        return Rectangle(
            x=geometry.left, y=geometry.top, width=geometry.right - geometry.left, height=geometry.bottom - geometry.top
        )
    if name in ("polygon", "line"):
        exterior = [(p.col, p.row) for p in geometry.exterior]
        if name == "line":
            return Polyline(points=exterior)
        return Polygon(exterior=exterior, interiors=[[(p.col, p.row) for p in hole] for hole in geometry.interior])
    if name == "point":
        return Point(x=geometry.col, y=geometry.row)
    if name == "graph":  # in the template's order: JSON gives the nodes in no order of their own
        template = obj_class.geometry_config["nodes"]
        labels = {key: node.get("label", key) for key, node in template.items()}
        order = {key: index for index, key in enumerate(template)}
        nodes = sorted(geometry.nodes.items(), key=lambda entry: order.get(entry[0], len(order)))
        return Keypoints(
            points=[
                Keypoint(name=labels[key], x=node.location.col, y=node.location.row, visible=not node.disabled)
                for key, node in nodes
            ]
        )
    if name == "bitmap":
        return Mask(data=geometry.data, origin=(geometry.origin.col, geometry.origin.row))
    return None


def _oriented_from_sly(box) -> Rectangle:
    """Supervisely turns about the centre, in radians; annobridge about the top-left corner, in degrees."""
    width, height = Fraction(box.right - box.left), Fraction(box.bottom - box.top)
    cos, sin = Fraction(math.cos(box.angle)), Fraction(math.sin(box.angle))
    cx, cy = box.left + width / 2, box.top + height / 2
    return Rectangle(
        x=cx - width / 2 * cos + height / 2 * sin,
        y=cy - width / 2 * sin - height / 2 * cos,
        width=width,
        height=height,
        rotation=Fraction(box.angle) * 180 / PI,
    )


def _tags_from_sly(tags, report: FidelityReport, item) -> list[Tag]:
    report.dropped("tag custom data", NEUTRAL, count=sum(bool(t.custom_data) for t in tags), item=item)
    return [
        Tag(name=t.name, value=t.value, author=t.labeler_login, created_at=t.created_at, updated_at=t.updated_at)
        for t in tags
    ]


def _check_containers(annotation: Any, item: Id | None) -> None:
    """ValidationError unless the annotation JSON is an object whose objects and tags are lists of objects, whose
    size is an object."""
    where = f"item {item!r}" if item is not None else "item"
    if not isinstance(annotation, dict):
        raise ValidationError(f"{where}: an annotation must be a JSON object, not {type(annotation).__name__}")
    for key, kind in (("objects", list), ("tags", list), ("size", dict)):
        value = annotation.get(key)
        if (key in annotation if kind is list else value is not None) and not isinstance(value, kind):
            raise ValidationError(f"{where}: {key} must be a JSON {'array' if kind is list else 'object'}")
        if kind is list and value and not all(isinstance(entry, dict) for entry in value):
            raise ValidationError(f"{where}: every entry of {key} must be a JSON object")
