"""Neutral annotations drawn with Pillow on an item's image (or a blank canvas of its size), as PNG bytes.

Every shape kind is drawn: rectangles (turned by their rotation), polygons with their holes left
clear, polylines, points, keypoint graphs (a hollow node where it is marked not visible) and masks;
each object in its class's colour, translucent, with its class name.
"""

from __future__ import annotations

import hashlib
import io
from typing import TYPE_CHECKING, Iterable

import numpy as np
from PIL import Image, ImageDraw, UnidentifiedImageError

if TYPE_CHECKING:
    from .annotations import ItemAnnotation, ObjectAnnotation

__all__ = ["picture"]

LONGEST = 480  # pixels on the longer side of a picture
BLANK = (236, 236, 236)
FILL, LINE = 70, 255  # alpha of an object's inside and of its outline
PALETTE = ["#E6194B", "#3CB44B", "#4363D8", "#F58231", "#911EB4", "#42D4F4", "#F032E6", "#BFEF45", "#9A6324"]


def picture(
    annotations: Iterable[ItemAnnotation],
    width: int,
    height: int,
    *,
    media: bytes | None = None,
    colors: dict[str, str] | None = None,
    longest: int = LONGEST,
) -> bytes:
    """A PNG of the annotations over the image `media` (a blank `width` x `height` canvas when it cannot be read),
    scaled (smooth down, pixel by pixel up) so its longer side is `longest` pixels.

    >>> from annobridge.annotations import ItemAnnotation, ObjectAnnotation, Point
    >>> png = picture([ItemAnnotation(width=40, height=30, objects=[ObjectAnnotation(class_name="kiwi",
    ...                shape=Point(x=10, y=10))])], 40, 30)
    >>> Image.open(io.BytesIO(png)).size
    (480, 360)
    """
    base = _base(media, width, height)
    factor = longest / max(base.size)
    if factor != 1.0:
        size = (max(1, round(base.width * factor)), max(1, round(base.height * factor)))
        base = base.resize(size, Image.LANCZOS if factor < 1 else Image.NEAREST)
    scale = (base.width / max(width, 1), base.height / max(height, 1))
    overlay = Image.new("RGBA", base.size, (0, 0, 0, 0))
    for ann in annotations:
        for obj in ann.objects:
            _draw(overlay, obj, scale, _rgb((colors or {}).get(obj.class_name) or _fallback(obj.class_name)))
    out = io.BytesIO()
    Image.alpha_composite(base.convert("RGBA"), overlay).convert("RGB").save(out, format="PNG", optimize=True)
    return out.getvalue()


def _base(media: bytes | None, width: int, height: int) -> Image.Image:
    if media:
        try:
            image = Image.open(io.BytesIO(media))
            image.load()
            return image.convert("RGB")
        except (UnidentifiedImageError, OSError, ValueError):
            pass
    return Image.new("RGB", (max(width, 1), max(height, 1)), BLANK)


def _rgb(color: str) -> tuple[int, int, int]:
    color = color.lstrip("#")
    return int(color[0:2], 16), int(color[2:4], 16), int(color[4:6], 16)


def _fallback(name: str) -> str:
    return PALETTE[int(hashlib.sha1(name.encode()).hexdigest(), 16) % len(PALETTE)]


def _draw(overlay: Image.Image, obj: ObjectAnnotation, scale: tuple[float, float], rgb: tuple[int, int, int]) -> None:
    sx, sy = scale
    shape = obj.shape
    draw = ImageDraw.Draw(overlay)
    fill, line = (*rgb, FILL), (*rgb, LINE)

    def xy(points) -> list[tuple[float, float]]:
        return [(float(x) * sx, float(y) * sy) for x, y in points]

    if shape.kind == "rectangle":
        corners = xy(shape.corners())
        draw.polygon(corners, fill=fill, outline=line, width=2)
        anchor = corners[0]
    elif shape.kind == "polygon":
        outside = xy(shape.exterior)
        draw.polygon(outside, fill=fill)
        for hole in shape.interiors:  # a hole is left clear, then outlined
            draw.polygon(xy(hole), fill=(0, 0, 0, 0))
        draw.polygon(outside, outline=line, width=2)
        for hole in shape.interiors:
            draw.polygon(xy(hole), outline=line, width=1)
        anchor = min(outside, key=lambda p: (p[1], p[0]))
    elif shape.kind == "polyline":
        points = xy(shape.points)
        draw.line(points, fill=line, width=3, joint="curve")
        anchor = points[0]
    elif shape.kind == "point":
        ((x, y),) = xy([(shape.x, shape.y)])
        draw.ellipse([x - 4, y - 4, x + 4, y + 4], fill=line, outline=(255, 255, 255, 255))
        anchor = (x + 5, y - 5)
    elif shape.kind == "keypoints":
        points = xy([(p.x, p.y) for p in shape.points])
        for node, (x, y) in zip(shape.points, points):
            box = [x - 3, y - 3, x + 3, y + 3]
            draw.ellipse(box, fill=line if node.visible else None, outline=line, width=1)
            draw.text((x + 4, y - 4), node.name, fill=line)
        anchor = min(points, key=lambda p: (p[1], p[0]))
    else:  # a mask: its pixels, scaled without smoothing, pasted at its origin
        left, top, _, _ = shape.bounds()
        rows, cols = shape.data.shape
        size = (max(1, round(cols * sx)), max(1, round(rows * sy)))
        alpha = Image.fromarray(np.where(shape.data, FILL + 60, 0).astype(np.uint8)).resize(
            size, Image.NEAREST)
        overlay.paste(Image.new("RGBA", size, line), (round(left * sx), round(top * sy)), alpha)
        draw = ImageDraw.Draw(overlay)
        anchor = (left * sx, top * sy)
    draw.text((anchor[0] + 2, anchor[1] + 1), obj.class_name, fill=(*rgb, 255), stroke_width=1,
              stroke_fill=(0, 0, 0, 255))
