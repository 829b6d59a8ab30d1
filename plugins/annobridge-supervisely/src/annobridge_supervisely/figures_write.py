"""Neutral ItemAnnotation -> Supervisely annotation JSON, built with the SDK's own classes (figures.py has the rules).

This is the conversion alone; figures.to_supervisely adds what annobridge keeps for the way back and checks
the result with sly.Annotation.from_json against the meta (`check_parses`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
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
from annobridge.models import Id, ReviewStatus

from .figures_read import PI, STATUSES
from .meta import project_meta

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
    import supervisely as sly

    project = project_meta(meta)
    report = FidelityReport()
    item = annotation.item
    labels = []
    for index, obj in enumerate(annotation.objects):
        try:
            labels.append(_label_to_sly(obj, annotation, project, report))
        except ValidationError as exc:
            raise annotation.fail(str(exc), index) from None
        except Exception as exc:  # the SDK's own checks (geometry, tag values)
            raise annotation.fail(str(exc), index) from None
    own = annotation.author if isinstance(annotation.author, str) else None  # what a tag without an author gets
    try:
        img_tags = _tags_to_sly(annotation.tags, project, own)
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
    result = sly.Annotation(
        img_size=(annotation.height, annotation.width),
        labels=labels,
        img_tags=img_tags,
        img_description=annotation.description,
    ).to_json()
    return result, report


def check_parses(data: dict[str, Any], meta, annotation: ItemAnnotation) -> None:
    """ValidationError naming the item unless Supervisely would parse `data` (the SDK's own reading, against `meta`)."""
    import supervisely as sly

    try:
        sly.Annotation.from_json(data, project_meta(meta))
    except Exception as exc:
        raise annotation.fail(f"Supervisely would refuse the annotation: {exc}") from None


def _label_to_sly(obj: ObjectAnnotation, item: ItemAnnotation, project, report: FidelityReport):
    import supervisely as sly
    from supervisely.annotation.label import LabelingStatus

    obj_class = project.get_obj_class(obj.class_name)
    if obj_class is None:
        raise ValidationError(
            f"unknown class {obj.class_name!r}; the meta has {sorted(c.name for c in project.obj_classes)}"
        )
    author = obj.author if obj.author is not None else item.author
    if author is not None and not isinstance(author, str):
        report.dropped("author given as a user id", SUPERVISELY, "map users to logins first", item=item.item)
        author = None
    fields = {
        "labeler_login": author,
        "created_at": _time(obj.created_at),
        "updated_at": _time(obj.updated_at),
        "sly_id": obj.id if isinstance(obj.id, int) else None,
    }
    target = _Target(obj_class=obj_class, pixels=_Pixels(), report=report, item=item.item, fields=fields)
    geometry = _geometry_to_sly(obj.shape, target)
    if target.pixels.subpixel:
        report.approximated("subpixel coordinates", SUPERVISELY, "rounded to whole pixels", item=item.item)
    report.carried(f"{geometry.geometry_name()} object", SUPERVISELY)
    tags = _tags_to_sly(obj.tags, project, author)
    report.carried("object tag", SUPERVISELY, len(tags))
    status = LabelingStatus(STATUSES[obj.origin])
    return sly.Label(geometry, obj_class, tags=tags, description=obj.description, status=status)


# the neutral shape kinds each Supervisely geometry takes ("any" takes every kind but keypoints)
_ACCEPTS = {
    "rectangle": ("rectangle",),
    "oriented_bbox": ("rectangle",),
    "polygon": ("polygon",),
    "line": ("polyline",),
    "point": ("point",),
    "graph": ("keypoints",),
    "bitmap": ("mask",),
}


def _geometry_to_sly(shape, target: _Target):
    """The sly geometry of a neutral shape going into `target`'s class."""
    import supervisely as sly

    px, fields, obj_class, geometry = target.pixels, target.fields, target.obj_class, target.geometry
    if geometry != "any" and shape.kind not in _ACCEPTS.get(geometry, ()):
        raise ValidationError(f"a {shape.kind} cannot go into {geometry} class {obj_class.name!r}")
    if isinstance(shape, Rectangle):
        # Supervisely keeps the angle as a float of radians: a turn too small to show in one is no turn
        turned = float(shape.rotation % 360 * PI / 180) != 0
        if geometry == "oriented_bbox" or (geometry == "any" and turned):
            return _oriented_to_sly(shape, target)
        if turned:
            target.report.approximated("rotation", SUPERVISELY, "as bounding rectangle", item=target.item)
            left, top, right, bottom = shape.bounds()
            return sly.Rectangle(math.floor(top), math.floor(left), math.ceil(bottom), math.ceil(right), **fields)
        return sly.Rectangle(px(shape.y), px(shape.x), px(shape.y + shape.height), px(shape.x + shape.width), **fields)
    if isinstance(shape, Polygon):
        target.report.carried("polygon hole", SUPERVISELY, len(shape.interiors))
        return sly.Polygon(
            exterior=[sly.PointLocation(px(y), px(x)) for x, y in shape.exterior],
            interior=[[sly.PointLocation(px(y), px(x)) for x, y in hole] for hole in shape.interiors],
            **fields,
        )
    if isinstance(shape, Polyline):
        return sly.Polyline(exterior=[sly.PointLocation(px(y), px(x)) for x, y in shape.points], **fields)
    if isinstance(shape, Point):
        return sly.Point(px(shape.y), px(shape.x), **fields)
    if isinstance(shape, Keypoints):
        if geometry == "any":
            raise ValidationError(f"keypoints need a graph class with nodes, not any-shape class {obj_class.name!r}")
        ids = {node.get("label", key): key for key, node in obj_class.geometry_config["nodes"].items()}
        unknown = sorted(p.name for p in shape.points if p.name not in ids)
        if unknown:
            raise ValidationError(f"keypoints {unknown} are not nodes of class {obj_class.name!r}")
        nodes = {
            ids[p.name]: sly.Node(sly.PointLocation(px(p.y), px(p.x)), disabled=not p.visible) for p in shape.points
        }
        return sly.GraphNodes(nodes, **fields)
    return sly.Bitmap(np.asarray(shape.data), origin=sly.PointLocation(shape.origin[1], shape.origin[0]), **fields)


def _oriented_to_sly(box: Rectangle, target: _Target):
    from supervisely.geometry.oriented_bbox import OrientedBBox

    px = target.pixels
    angle = float(box.rotation * PI / 180)
    cos, sin = Fraction(math.cos(angle)), Fraction(math.sin(angle))
    cx = box.x + box.width / 2 * cos - box.height / 2 * sin
    cy = box.y + box.width / 2 * sin + box.height / 2 * cos
    left, top = px(cx - box.width / 2), px(cy - box.height / 2)
    return OrientedBBox(top, left, top + px(box.height), left + px(box.width), angle=angle, **target.fields)


def _tags_to_sly(tags, project, default_author: str | None) -> list:
    """sly.Tags; a tag without an author gets the object's (or annotation's), as Label Studio implies."""
    import supervisely as sly

    result = []
    for tag in tags:
        tag_meta = project.get_tag_meta(tag.name)
        if tag_meta is None:
            raise ValidationError(f"unknown tag {tag.name!r}; the meta has {sorted(t.name for t in project.tag_metas)}")
        author = tag.author if isinstance(tag.author, str) else default_author
        result.append(
            sly.Tag(
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

    SUBPIXEL = Fraction(1, 10**6)  # closer to a whole pixel than this is that pixel (float noise)

    def __init__(self) -> None:
        self.subpixel = False

    def __call__(self, value: Fraction) -> int:
        whole = round(value)
        if abs(value - whole) > self.SUBPIXEL:
            self.subpixel = True
        return int(whole)


@dataclass(frozen=True)
class _Target:
    """Where an object's shape goes: its sly.ObjClass, the rounding to whole pixels, the report of what changed, the
    item (named in the report) and the geometry's own fields (labeler_login, created_at, updated_at, sly_id)."""

    obj_class: Any
    pixels: _Pixels
    report: FidelityReport
    item: Id | None
    fields: dict[str, Any]

    @property
    def geometry(self) -> str:
        """The class's geometry name: "rectangle", "graph", "any"..."""
        return self.obj_class.geometry_type.geometry_name()


def _time(value: datetime | None) -> str | None:
    """Supervisely's timestamp form: 2021-01-22T19:37:50.158Z."""
    if value is None:
        return None
    text = value.isoformat(timespec="milliseconds" if value.microsecond % 1000 == 0 else "microseconds")
    return text.replace("+00:00", "Z")
