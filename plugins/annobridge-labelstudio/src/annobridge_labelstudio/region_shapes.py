"""One Label Studio region value -> the neutral shape, percentages made pixels (the reading half of regions.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from annobridge.annotations import Mask, Point, Polygon, Polyline, Rectangle
from annobridge.errors import ValidationError
from annobridge.fidelity import NEUTRAL, FidelityReport
from annobridge.models import Id
from annobridge.schema import ShapeKind

from . import rle
from .region_config import px

__all__ = ["RegionContext", "shape_from_value"]


@dataclass(frozen=True)
class RegionContext:
    """Where regions are read: the image's size in pixels, the report counting losses, the item they concern."""

    width: int
    height: int
    report: FidelityReport
    item: Id | None


def shape_from_value(
    kind: str, value: dict[str, Any], class_shape: ShapeKind, at: RegionContext, region_id: Any = None
) -> Any:
    """The neutral shape of a region's `value` (its result type `kind`), in pixels of `at`'s image; what the shape
    cannot hold is counted in `at.report`. A <PolygonLabels> or closed vector of a polyline class is a Polyline.

    >>> at = RegionContext(width=200, height=100, report=FidelityReport(), item=7)
    >>> value = {"x": 10, "y": 20, "width": 50, "height": 25}
    >>> box = shape_from_value("rectanglelabels", value, ShapeKind.RECTANGLE, at)
    >>> [int(v) for v in (box.x, box.y, box.width, box.height)]
    [20, 20, 100, 25]
    """
    width, height, report, item = at.width, at.height, at.report, at.item
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
