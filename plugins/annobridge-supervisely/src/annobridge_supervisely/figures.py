"""Supervisely annotation JSON (sly.Annotation.to_json) <-> the neutral ItemAnnotation, via the SDK's own classes.

Supervisely coordinates are whole pixels; a rectangle's right and bottom are x + width and
y + height, as the SDK's COCO and Label Studio importers write them. Subpixel coordinates
are rounded to the nearest pixel and counted. A plain Supervisely rectangle cannot turn: a
rotated rectangle becomes its bounding rectangle, unless its class is oriented_bbox (or
any), which keeps the angle. Bitmaps are read and written by sly.Bitmap (base64 zlib PNG).
What to_supervisely returns has been read back with sly.Annotation.from_json against the meta.
"""

from __future__ import annotations

import math
from datetime import datetime
from fractions import Fraction
from typing import Any

import numpy as np

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
from annobridge.fidelity import NEUTRAL, SUPERVISELY, FidelityReport
from annobridge.models import Id, ReviewStatus

from .meta import parse_meta, sly

__all__ = ["from_supervisely", "to_supervisely"]

_SUBPIXEL = Fraction(1, 10**6)  # closer to a whole pixel than this is that pixel (float noise)
_PI = Fraction(math.pi)
_ORIGINS = {"manual": ObjectOrigin.MANUAL, "auto": ObjectOrigin.MODEL, "corrected": ObjectOrigin.MODEL_CORRECTED}
_STATUSES = {origin: status for status, origin in _ORIGINS.items()}


def _project_meta(meta):
    return meta if hasattr(meta, "obj_classes") else parse_meta(meta)


def from_supervisely(
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
    >>> neutral, report = from_supervisely(ann, meta, item="a.jpg")
    >>> neutral.objects[0].shape.x, report.lossless
    (Fraction(2, 1), True)
    """
    s = sly()
    project = _project_meta(meta)
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
            label = _parse_label(s, data, project)
            obj = _object_from_sly(label, data, report, item)
        except ValidationError as exc:
            raise ValidationError(f"{name}: {exc}") from None
        except Exception as exc:  # the SDK raises whatever it likes on bad geometry
            raise ValidationError(f"{name}: {exc}") from None
        if obj is not None:
            objects.append(obj)
    try:
        tags = _tags_from_sly(s.TagCollection.from_json(annotation.get("tags", []), project.tag_metas), report, item)
    except Exception as exc:
        raise ValidationError(
            f"{where}: item tags: {_unknown_tag(annotation.get('tags', []), project) or exc}"
        ) from None
    report.carried("item tag", NEUTRAL, len(tags))
    if annotation.get("customBigData") or annotation.get("customData"):
        report.dropped("annotation custom data", NEUTRAL, item=item)
    result = ItemAnnotation(
        item=item,
        width=width,
        height=height,
        objects=objects,
        tags=tags,
        description=annotation.get("description") or "",
    )
    return result, report


def _unknown_tag(tags: list, project) -> str | None:
    for tag in tags:
        name = tag if isinstance(tag, str) else tag.get("name")
        if project.get_tag_meta(name) is None:
            return f"unknown tag {name!r}; the meta has {sorted(t.name for t in project.tag_metas)}"
    return None


def _parse_label(s, data: dict[str, Any], project):
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
    return s.Label.from_json(data, project)


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
    for key, what in (("instance_key", "object binding (group)"), ("smartToolInput", "smart tool input")):
        if data.get(key):
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
        origin=_ORIGINS[str(label.status)],
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
    if name == "graph":
        labels = {key: node.get("label", key) for key, node in obj_class.geometry_config["nodes"].items()}
        return Keypoints(
            points=[
                Keypoint(name=labels[key], x=node.location.col, y=node.location.row, visible=not node.disabled)
                for key, node in geometry.nodes.items()
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
        rotation=Fraction(box.angle) * 180 / _PI,
    )


def _tags_from_sly(tags, report: FidelityReport, item) -> list[Tag]:
    report.dropped("tag custom data", NEUTRAL, count=sum(bool(t.custom_data) for t in tags), item=item)
    return [
        Tag(name=t.name, value=t.value, author=t.labeler_login, created_at=t.created_at, updated_at=t.updated_at)
        for t in tags
    ]


def _check_containers(annotation: Any, item: Id | None) -> None:
    """ValidationError unless the annotation JSON is an object whose objects/tags are lists of objects, size an object."""
    where = f"item {item!r}" if item is not None else "item"
    if not isinstance(annotation, dict):
        raise ValidationError(f"{where}: an annotation must be a JSON object, not {type(annotation).__name__}")
    for key, kind in (("objects", list), ("tags", list), ("size", dict)):
        value = annotation.get(key)
        if (key in annotation if kind is list else value is not None) and not isinstance(value, kind):
            raise ValidationError(f"{where}: {key} must be a JSON {'array' if kind is list else 'object'}")
        if kind is list and value and not all(isinstance(entry, dict) for entry in value):
            raise ValidationError(f"{where}: every entry of {key} must be a JSON object")


def to_supervisely(annotation: ItemAnnotation, meta) -> tuple[dict[str, Any], FidelityReport]:
    """A Supervisely annotation JSON for a neutral ItemAnnotation, built with the SDK against `meta`.

    The result parses with sly.Annotation.from_json(result, meta). Classes, tags, keypoint
    names and tag values that the meta does not have raise ValidationError naming the item
    and the object.

    >>> meta = {"classes": [{"title": "box", "shape": "rectangle", "color": "#FF0000"}]}
    >>> ann = ItemAnnotation(width=10, height=10, objects=[ObjectAnnotation(class_name="box",
    ...     shape=Rectangle(x=1, y=2, width=3.5, height=4, rotation=0))])
    >>> data, report = to_supervisely(ann, meta)
    >>> data["objects"][0]["points"]["exterior"], str(report).splitlines()[-1]
    ([[1, 2], [4, 6]], 'subpixel coordinates -> approximated rounded to whole pixels (supervisely): 1')
    """
    s = sly()
    project = _project_meta(meta)
    report = FidelityReport()
    item = annotation.item
    labels = []
    for index, obj in enumerate(annotation.objects):
        try:
            labels.append(_label_to_sly(s, obj, annotation, project, report))
        except ValidationError as exc:
            raise annotation.fail(str(exc), index) from None
        except Exception as exc:  # the SDK's own checks (geometry, tag values)
            raise annotation.fail(str(exc), index) from None
    try:
        img_tags = _tags_to_sly(
            s, annotation.tags, project, annotation.author if isinstance(annotation.author, str) else None
        )
    except Exception as exc:
        raise annotation.fail(f"item tags: {exc}") from None
    report.carried("item tag", SUPERVISELY, len(img_tags))
    if annotation.review_status is not ReviewStatus.NONE:
        report.dropped("review status", SUPERVISELY, "not in annotation JSON; set it on the job entity", item=item)
    result = s.Annotation(
        img_size=(annotation.height, annotation.width),
        labels=labels,
        img_tags=img_tags,
        img_description=annotation.description,
    ).to_json()
    try:  # what Supervisely would parse: the SDK's own reading against the meta
        s.Annotation.from_json(result, project)
    except Exception as exc:
        raise annotation.fail(f"Supervisely would refuse the annotation: {exc}") from None
    return result, report


def _label_to_sly(s, obj: ObjectAnnotation, item: ItemAnnotation, project, report: FidelityReport):
    obj_class = project.get_obj_class(obj.class_name)
    if obj_class is None:
        raise ValidationError(
            f"unknown class {obj.class_name!r}; the meta has {sorted(c.name for c in project.obj_classes)}"
        )
    target = obj_class.geometry_type.geometry_name()
    pixels = _Pixels()
    author = obj.author if obj.author is not None else item.author
    if author is not None and not isinstance(author, str):
        report.dropped("author given as a user id", SUPERVISELY, "map users to logins first", item=item.item)
        author = None
    info = {
        "labeler_login": author,
        "created_at": _time(obj.created_at),
        "updated_at": _time(obj.updated_at),
        "sly_id": obj.id if isinstance(obj.id, int) else None,
    }
    geometry = _geometry_to_sly(s, obj, target, obj_class, pixels, report, item.item, info)
    if pixels.subpixel:
        report.approximated("subpixel coordinates", SUPERVISELY, "rounded to whole pixels", item=item.item)
    report.carried(f"{geometry.geometry_name()} object", SUPERVISELY)
    tags = _tags_to_sly(s, obj.tags, project, author)
    report.carried("object tag", SUPERVISELY, len(tags))
    from supervisely.annotation.label import LabelingStatus

    status = LabelingStatus(_STATUSES[obj.origin])
    return s.Label(geometry, obj_class, tags=tags, description=obj.description, status=status)


def _geometry_to_sly(s, obj, target: str, obj_class, px: _Pixels, report, item, info):
    shape, kind = obj.shape, obj.shape.kind
    accepts = {
        "rectangle": ("rectangle",),
        "oriented_bbox": ("rectangle",),
        "polygon": ("polygon",),
        "line": ("polyline",),
        "point": ("point",),
        "graph": ("keypoints",),
        "bitmap": ("mask",),
    }
    if target != "any" and kind not in accepts.get(target, ()):
        raise ValidationError(f"a {kind} cannot go into {target} class {obj_class.name!r}")
    if isinstance(shape, Rectangle):
        turned = shape.rotation % 360 != 0
        if target == "oriented_bbox" or (target == "any" and turned):
            return _oriented_to_sly(s, shape, px, info)
        if turned:
            report.approximated("rotation", SUPERVISELY, "as bounding rectangle", item=item)
            left, top, right, bottom = shape.bounds()
            return s.Rectangle(math.floor(top), math.floor(left), math.ceil(bottom), math.ceil(right), **info)
        return s.Rectangle(px(shape.y), px(shape.x), px(shape.y + shape.height), px(shape.x + shape.width), **info)
    if isinstance(shape, Polygon):
        report.carried("polygon hole", SUPERVISELY, len(shape.interiors))
        return s.Polygon(
            exterior=[s.PointLocation(px(y), px(x)) for x, y in shape.exterior],
            interior=[[s.PointLocation(px(y), px(x)) for x, y in hole] for hole in shape.interiors],
            **info,
        )
    if isinstance(shape, Polyline):
        return s.Polyline(exterior=[s.PointLocation(px(y), px(x)) for x, y in shape.points], **info)
    if isinstance(shape, Point):
        return s.Point(px(shape.y), px(shape.x), **info)
    if isinstance(shape, Keypoints):
        if target == "any":
            raise ValidationError(f"keypoints need a graph class with nodes, not any-shape class {obj_class.name!r}")
        ids = {node.get("label", key): key for key, node in obj_class.geometry_config["nodes"].items()}
        unknown = sorted(p.name for p in shape.points if p.name not in ids)
        if unknown:
            raise ValidationError(f"keypoints {unknown} are not nodes of class {obj_class.name!r}")
        nodes = {ids[p.name]: s.Node(s.PointLocation(px(p.y), px(p.x)), disabled=not p.visible) for p in shape.points}
        return s.GraphNodes(nodes, **info)
    return s.Bitmap(np.asarray(shape.data), origin=s.PointLocation(shape.origin[1], shape.origin[0]), **info)


def _oriented_to_sly(s, box: Rectangle, px: _Pixels, info):
    from supervisely.geometry.oriented_bbox import OrientedBBox

    angle = float(box.rotation * _PI / 180)
    cos, sin = Fraction(math.cos(angle)), Fraction(math.sin(angle))
    cx = box.x + box.width / 2 * cos - box.height / 2 * sin
    cy = box.y + box.width / 2 * sin + box.height / 2 * cos
    left, top = px(cx - box.width / 2), px(cy - box.height / 2)
    return OrientedBBox(top, left, top + px(box.height), left + px(box.width), angle=angle, **info)


def _tags_to_sly(s, tags, project, default_author: str | None) -> list:
    """sly.Tags; a tag without an author gets the object's (or annotation's), as Label Studio implies."""
    result = []
    for tag in tags:
        tag_meta = project.get_tag_meta(tag.name)
        if tag_meta is None:
            raise ValidationError(f"unknown tag {tag.name!r}; the meta has {sorted(t.name for t in project.tag_metas)}")
        author = tag.author if isinstance(tag.author, str) else default_author
        result.append(
            s.Tag(
                tag_meta,
                tag.value,
                labeler_login=author,
                created_at=_time(tag.created_at),
                updated_at=_time(tag.updated_at),
            )
        )
    return result


class _Pixels:
    """Rounds exact coordinates to whole pixels, remembering whether anything was really rounded."""

    def __init__(self) -> None:
        self.subpixel = False

    def __call__(self, value: Fraction) -> int:
        whole = round(value)
        if abs(value - whole) > _SUBPIXEL:
            self.subpixel = True
        return int(whole)


def _time(value: datetime | None) -> str | None:
    """Supervisely's timestamp form: 2021-01-22T19:37:50.158Z."""
    if value is None:
        return None
    text = value.isoformat(timespec="milliseconds" if value.microsecond % 1000 == 0 else "microseconds")
    return text.replace("+00:00", "Z")
