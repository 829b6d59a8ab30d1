"""The neutral shapes (rectangle, polygon, polyline, point, keypoints, mask) with exact rational pixel coordinates.

Coordinates are pixels of the original image, x to the right and y down, with (0, 0) the
top-left corner of the top-left pixel, held as `fractions.Fraction` (see annotations.py).
"""

from __future__ import annotations

import base64
import math
from fractions import Fraction
from typing import Annotated, Any, Literal, Union

import numpy as np
from pydantic import Field, PlainSerializer, PlainValidator, field_validator, model_validator

from ._neutral import Neutral
from .schema import ShapeKind

__all__ = [
    "Coordinate",
    "Keypoint",
    "Keypoints",
    "Mask",
    "Point",
    "Polygon",
    "Polyline",
    "Rectangle",
    "Shape",
    "XY",
    "shape_kind",
]


def _exact(value: Any) -> Fraction:
    if isinstance(value, Fraction):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float, str, np.integer, np.floating)):
        raise ValueError(f"a coordinate must be a number, got {value!r}")
    try:
        return Fraction(value.item() if isinstance(value, np.generic) else value)
    except (ValueError, OverflowError, ZeroDivisionError):
        raise ValueError(f"a coordinate must be a finite number, got {value!r}") from None


def _dump_exact(value: Fraction) -> int | float | str:
    if value.denominator == 1:
        return int(value)
    as_float = float(value)
    return as_float if Fraction(as_float) == value else f"{value.numerator}/{value.denominator}"


Coordinate = Annotated[Fraction, PlainValidator(_exact), PlainSerializer(_dump_exact, when_used="json")]
"""An exact number: ints, floats and "n/d" strings convert without rounding."""

XY = tuple[Coordinate, Coordinate]


class Rectangle(Neutral):
    """A box, turned clockwise by `rotation` degrees about its top-left corner (x, y), as Label Studio does.

    >>> Rectangle(x=10, y=20, width=30, height=40).bounds()
    (Fraction(10, 1), Fraction(20, 1), Fraction(40, 1), Fraction(60, 1))
    """

    kind: Literal["rectangle"] = "rectangle"
    x: Coordinate
    y: Coordinate
    width: Coordinate
    height: Coordinate
    rotation: Coordinate = Fraction(0)

    @field_validator("width", "height")
    @classmethod
    def _not_negative(cls, value: Fraction) -> Fraction:
        if value < 0:
            raise ValueError(f"must not be negative, got {float(value)}")
        return value

    def corners(self) -> list[tuple[Fraction, Fraction]]:
        """The four corners, clockwise from (x, y); exact for multiples of 90 degrees."""
        cos, sin = _cos_sin(self.rotation)
        return [
            (self.x + dx * cos - dy * sin, self.y + dx * sin + dy * cos)
            for dx, dy in ((0, 0), (self.width, 0), (self.width, self.height), (0, self.height))
        ]

    def bounds(self) -> tuple[Fraction, Fraction, Fraction, Fraction]:
        """(left, top, right, bottom) of the smallest upright box holding the rectangle."""
        xs, ys = zip(*self.corners())
        return min(xs), min(ys), max(xs), max(ys)


def _cos_sin(degrees: Fraction) -> tuple[Fraction, Fraction]:
    quarter = degrees % 360
    exact = {0: (1, 0), 90: (0, 1), 180: (-1, 0), 270: (0, -1)}
    if quarter in exact:
        cos, sin = exact[int(quarter)]
        return Fraction(cos), Fraction(sin)
    radians = math.radians(float(degrees))
    return Fraction(math.cos(radians)), Fraction(math.sin(radians))


def _ring(points: tuple[XY, ...], what: str, least: int) -> tuple[XY, ...]:
    if len(points) < least:
        raise ValueError(f"{what} needs at least {least} points, got {len(points)}")
    return points


class Polygon(Neutral):
    """A closed outline with optional holes.

    >>> len(Polygon(exterior=[(0, 0), (4, 0), (0, 3)]).exterior)
    3
    """

    kind: Literal["polygon"] = "polygon"
    exterior: tuple[XY, ...]
    interiors: tuple[tuple[XY, ...], ...] = ()

    @field_validator("exterior")
    @classmethod
    def _three(cls, value: tuple[XY, ...]) -> tuple[XY, ...]:
        return _ring(value, "a polygon", 3)

    @field_validator("interiors")
    @classmethod
    def _holes(cls, value: tuple[tuple[XY, ...], ...]) -> tuple[tuple[XY, ...], ...]:
        return tuple(_ring(hole, f"hole #{i}", 3) for i, hole in enumerate(value))


class Polyline(Neutral):
    """An open line through two or more points.

    >>> Polyline(points=[(0, 0), (5, 5)]).points[1]
    (Fraction(5, 1), Fraction(5, 1))
    """

    kind: Literal["polyline"] = "polyline"
    points: tuple[XY, ...]

    @field_validator("points")
    @classmethod
    def _two(cls, value: tuple[XY, ...]) -> tuple[XY, ...]:
        return _ring(value, "a polyline", 2)


class Point(Neutral):
    """A single point.

    >>> float(Point(x=1.5, y=2).x)
    1.5
    """

    kind: Literal["point"] = "point"
    x: Coordinate
    y: Coordinate


class Keypoint(Neutral):
    """One named node of a keypoint graph; `visible` is False for a node marked as not visible."""

    name: str = Field(min_length=1)
    x: Coordinate
    y: Coordinate
    visible: bool = True


class Keypoints(Neutral):
    """A keypoint graph: named nodes; the edges between them come from the object's class.

    >>> Keypoints(points=[Keypoint(name="nose", x=3, y=4)]).point("nose").y
    Fraction(4, 1)
    """

    kind: Literal["keypoints"] = "keypoints"
    points: tuple[Keypoint, ...]

    @field_validator("points")
    @classmethod
    def _named_once(cls, value: tuple[Keypoint, ...]) -> tuple[Keypoint, ...]:
        if not value:
            raise ValueError("a keypoint graph needs at least one point")
        names = [p.name for p in value]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"keypoint names must be unique, repeated: {dupes}")
        return value

    def point(self, name: str) -> Keypoint:
        """The node called `name`; KeyError if there is none."""
        for point in self.points:
            if point.name == name:
                return point
        raise KeyError(f"no keypoint {name!r}")


def _as_mask(value: Any) -> np.ndarray:
    if isinstance(value, dict) and {"width", "height", "bits"} <= value.keys():
        bits = np.frombuffer(base64.b64decode(value["bits"]), dtype=np.uint8)
        count = int(value["width"]) * int(value["height"])
        value = np.unpackbits(bits, count=count).reshape(int(value["height"]), int(value["width"]))
    array = np.asarray(value)
    if array.ndim != 2:
        raise ValueError(f"mask data must be 2-D, got shape {array.shape}")
    if array.dtype != bool:
        if array.size and not np.isin(array, (0, 1)).all():
            raise ValueError("mask data must be boolean (or 0 and 1)")
        array = array.astype(bool)
    array = array.copy()
    array.flags.writeable = False
    return array


def _mask_json(array: np.ndarray) -> dict[str, Any]:
    height, width = array.shape
    return {"width": width, "height": height, "bits": base64.b64encode(np.packbits(array)).decode()}


MaskArray = Annotated[np.ndarray, PlainValidator(_as_mask), PlainSerializer(_mask_json, when_used="json")]


class Mask(Neutral):
    """A bitmap mask: `data[row, col]` covers pixel (origin x + col, origin y + row).

    It is cropped to its set pixels on creation. `rle` keeps the Label Studio brush RLE
    the mask was read from (soft edges and all), so it can be written back byte for byte;
    equality compares pixels only.

    >>> m = Mask(data=[[0, 0], [0, 1]])
    >>> m.origin, m.data.shape
    ((1, 1), (1, 1))
    """

    kind: Literal["mask"] = "mask"
    data: MaskArray
    origin: tuple[int, int] = (0, 0)
    rle: tuple[int, ...] | None = None

    @model_validator(mode="after")
    def _crop(self) -> Mask:
        rows = np.flatnonzero(self.data.any(axis=1))
        if not rows.size:
            raise ValueError("a mask needs at least one set pixel")
        cols = np.flatnonzero(self.data.any(axis=0))
        top, left = int(rows[0]), int(cols[0])
        if (top, left) != (0, 0) or self.data.shape != (rows[-1] + 1, cols[-1] + 1):
            data = self.data[top : rows[-1] + 1, left : cols[-1] + 1].copy()
            data.flags.writeable = False
            object.__setattr__(self, "data", data)
            object.__setattr__(self, "origin", (self.origin[0] + left, self.origin[1] + top))
        return self

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Mask):
            return NotImplemented
        return self.origin == other.origin and np.array_equal(self.data, other.data)

    __hash__ = None  # type: ignore[assignment]

    def bounds(self) -> tuple[int, int, int, int]:
        """(left, top, right, bottom) in pixels, right and bottom exclusive."""
        x, y = self.origin
        return x, y, x + self.data.shape[1], y + self.data.shape[0]

    def to_image(self, width: int, height: int) -> np.ndarray:
        """The mask pasted into an empty (height, width) boolean image."""
        left, top, right, bottom = self.bounds()
        if left < 0 or top < 0 or right > width or bottom > height:
            raise ValueError(f"mask spans x {left}..{right}, y {top}..{bottom}: outside a {width}x{height} image")
        image = np.zeros((height, width), dtype=bool)
        image[top:bottom, left:right] = self.data
        return image


Shape = Annotated[Union[Rectangle, Polygon, Polyline, Point, Keypoints, Mask], Field(discriminator="kind")]
"""Any shape; its `kind` field says which."""


def shape_kind(shape: Shape) -> ShapeKind:
    """The schema ShapeKind a shape is drawn with.

    >>> shape_kind(Point(x=0, y=0)).value
    'point'
    """
    return ShapeKind(shape.kind)
