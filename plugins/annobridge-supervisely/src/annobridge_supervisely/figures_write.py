"""Neutral ItemAnnotation -> Supervisely annotation JSON, built with the SDK's own classes (figures.py has the rules).

This is the conversion alone; figures.to_supervisely adds what annobridge keeps for the way back and checks
the result with sly.Annotation.from_json against the meta (`check_parses`).
"""

from __future__ import annotations

import math
from datetime import datetime
from fractions import Fraction
from typing import Any

import numpy as np

from annobridge.annotations import (
    ItemAnnotation,
    Keypoints,
    ObjectAnnotation,
    Point,
    Polygon,
    Polyline,
    Rectangle,
)
from annobridge.errors import ValidationError
from annobridge.fidelity import SUPERVISELY, FidelityReport
from annobridge.models import ReviewStatus

from .figures_read import _PI, _STATUSES, _SUBPIXEL, _project_meta
from .meta import sly

__all__ = ["check_parses", "convert_to_supervisely"]


def convert_to_supervisely(annotation: ItemAnnotation, meta) -> tuple[dict[str, Any], FidelityReport]:
    """A Supervisely annotation JSON for a neutral ItemAnnotation, built with the SDK against `meta`.

    Classes, tags, keypoint names and tag values that the meta does not have raise ValidationError
    naming the item and the object.

    >>> meta = {"classes": [{"title": "box", "shape": "rectangle", "color": "#FF0000"}]}
    >>> ann = ItemAnnotation(width=10, height=10, objects=[ObjectAnnotation(class_name="box",
    ...     shape=Rectangle(x=1, y=2, width=3.5, height=4, rotation=0))])
    >>> data, report = convert_to_supervisely(ann, meta)
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
    named = {label.geometry.labeler_login for label in labels} | {
        t.labeler_login for t in [*img_tags, *(t for label in labels for t in label.tags)]
    }
    if annotation.author is not None and named != {annotation.author}:  # Supervisely has no author per annotation
        report.approximated("annotation author", SUPERVISELY, "as the author of what has none", item=item)
    if annotation.review_status is not ReviewStatus.NONE:
        report.dropped("review status", SUPERVISELY, "not in annotation JSON; set it on the job entity", item=item)
    result = s.Annotation(
        img_size=(annotation.height, annotation.width),
        labels=labels,
        img_tags=img_tags,
        img_description=annotation.description,
    ).to_json()
    return result, report


def check_parses(data: dict[str, Any], meta, annotation: ItemAnnotation) -> None:
    """ValidationError naming the item unless Supervisely would parse `data` (the SDK's own reading, against `meta`)."""
    try:
        sly().Annotation.from_json(data, _project_meta(meta))
    except Exception as exc:
        raise annotation.fail(f"Supervisely would refuse the annotation: {exc}") from None


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
