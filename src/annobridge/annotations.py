"""The neutral annotation model: shapes, objects and item annotations, with coordinates kept exact.

Coordinates are pixels of the original image, x to the right and y down, with (0, 0) the
top-left corner of the top-left pixel. They are held as exact rationals
(`fractions.Fraction`): an int or a float converts without rounding, so a Label Studio
percentage turned into pixels and back is the same float, bit for bit, and a Supervisely
integer survives any trip. `float(x)` gives a float whenever one is wanted; the JSON form
writes a number where a float is exact and "n/d" where it is not.

Bad input raises annobridge.errors.ValidationError naming the item and the object.
"""

from __future__ import annotations

import base64
import math
import re
from datetime import datetime
from enum import Enum
from fractions import Fraction
from typing import Annotated, Any, Literal, Union

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    PositiveInt,
    StrictFloat,
    StrictInt,
    StrictStr,
    field_validator,
    model_validator,
)
from pydantic import ValidationError as PydanticValidationError

from .errors import ValidationError
from .models import Id, ReviewStatus
from .schema import LabelSchema, ShapeKind, TagSpec, TagTarget, TagValueType

__all__ = [
    "Coordinate",
    "ItemAnnotation",
    "Keypoint",
    "Keypoints",
    "Mask",
    "ObjectAnnotation",
    "ObjectOrigin",
    "Point",
    "Polygon",
    "Polyline",
    "Rectangle",
    "Shape",
    "Tag",
    "TagValue",
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
_KINDS = {"rectangle", "polygon", "polyline", "point", "keypoints", "mask"}  # pydantic puts these in error paths
# A nested model's own ValidationError already says "Polygon: exterior: ..."; the path above says where.
_NESTED = re.compile(r"\b(?:ObjectAnnotation|Rectangle|Polygon|Polyline|Point|Keypoints?|Mask|Tag): ")


class _Neutral(BaseModel):
    """Frozen, strict, and raising annobridge's ValidationError instead of pydantic's."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except PydanticValidationError as exc:
            raise ValidationError(_describe(type(self).__name__, data, exc)) from None


def _describe(model: str, data: dict[str, Any], exc: PydanticValidationError) -> str:
    """One readable sentence per problem, naming the item and the object it is in."""
    where = model
    if data.get("item") is not None:
        where = f"item {data['item']!r}"
    problems = []
    for error in exc.errors():
        loc = list(error["loc"])
        subject = where
        if len(loc) >= 2 and loc[0] == "objects" and isinstance(loc[1], int):
            subject = f"{where}, {_object_name(data.get('objects'), loc[1])}"
            loc = loc[2:]
        field = ".".join(str(part) for part in loc if part not in _KINDS)
        message = _NESTED.sub("", error["msg"].removeprefix("Value error, "))
        problems.append(f"{subject}: {field}: {message}" if field else f"{subject}: {message}")
    return "; ".join(problems)


def _object_name(objects: Any, index: int) -> str:
    try:
        obj = objects[index]
        name = obj.get("class_name") if isinstance(obj, dict) else obj.class_name
        ident = obj.get("id") if isinstance(obj, dict) else obj.id
    except (IndexError, KeyError, TypeError, AttributeError):
        return f"object #{index}"
    return f"object #{index} (class {name!r}" + (f", id {ident!r})" if ident is not None else ")")


class Rectangle(_Neutral):
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


class Polygon(_Neutral):
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


class Polyline(_Neutral):
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


class Point(_Neutral):
    """A single point.

    >>> float(Point(x=1.5, y=2).x)
    1.5
    """

    kind: Literal["point"] = "point"
    x: Coordinate
    y: Coordinate


class Keypoint(_Neutral):
    """One named node of a keypoint graph; `visible` is False for a node marked as not visible."""

    name: str = Field(min_length=1)
    x: Coordinate
    y: Coordinate
    visible: bool = True


class Keypoints(_Neutral):
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


class Mask(_Neutral):
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


TagValue = Union[StrictInt, StrictFloat, StrictStr, None]


class Tag(_Neutral):
    """A tag on an item, or an attribute of an object: a name and a value fitting its TagSpec.

    >>> Tag(name="size", value="small").value
    'small'
    """

    name: str = Field(min_length=1)
    value: TagValue = None
    author: Id | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


class ObjectOrigin(str, Enum):
    """Who drew an object: a person, a model, or a model and then a person."""

    MANUAL = "manual"
    MODEL = "model"
    MODEL_CORRECTED = "model_corrected"


class ObjectAnnotation(_Neutral):
    """One labeled object: its class, shape, attributes (tags) and provenance.

    >>> ObjectAnnotation(class_name="kiwi", shape=Point(x=1, y=2)).shape.kind
    'point'
    """

    class_name: str = Field(min_length=1)
    shape: Shape
    tags: tuple[Tag, ...] = ()
    id: Id | None = None
    author: Id | None = None
    description: str = ""
    origin: ObjectOrigin = ObjectOrigin.MANUAL
    created_at: datetime | None = None
    updated_at: datetime | None = None


class ItemAnnotation(_Neutral):
    """All labels of one item: its size, objects, item tags, author and review status.

    >>> a = ItemAnnotation(item="img.jpg", width=640, height=480)
    >>> a.width, a.objects
    (640, ())
    """

    item: Id | None = None
    width: PositiveInt
    height: PositiveInt
    objects: tuple[ObjectAnnotation, ...] = ()
    tags: tuple[Tag, ...] = ()
    author: Id | None = None
    description: str = ""
    review_status: ReviewStatus = ReviewStatus.NONE

    @model_validator(mode="after")
    def _masks_inside(self) -> ItemAnnotation:
        for index, obj in enumerate(self.objects):
            if isinstance(obj.shape, Mask):
                left, top, right, bottom = obj.shape.bounds()
                if left < 0 or top < 0 or right > self.width or bottom > self.height:
                    raise ValueError(
                        f"{self.object_name(index)}: mask spans x {left}..{right}, y {top}..{bottom},"
                        f" outside the {self.width}x{self.height} image"
                    )
        return self

    def object_name(self, index: int) -> str:
        """How errors and reports name object `index`: "object #3 (class 'kiwi', id 17)"."""
        return _object_name(self.objects, index)

    def fail(self, message: str, index: int | None = None) -> ValidationError:
        """A ValidationError naming this item (and object `index`), for converters to raise."""
        where = f"item {self.item!r}" if self.item is not None else "item"
        if index is not None:
            where += f", {self.object_name(index)}"
        return ValidationError(f"{where}: {message}")

    def validate_against(self, schema: LabelSchema) -> None:
        """Raise ValidationError if a class, shape, keypoint or tag does not fit `schema`.

        >>> from annobridge.schema import ObjectClass
        >>> s = LabelSchema(classes=[ObjectClass(name="kiwi", shape="point")])
        >>> ItemAnnotation(width=2, height=2, objects=[ObjectAnnotation(class_name="kiwi", shape=Point(x=1, y=1))]).validate_against(s)
        """
        classes = {cls.name: cls for cls in schema.classes}
        tags = {tag.name: tag for tag in schema.tags}
        for tag in self.tags:
            problem = _tag_problem(tag, tags, None)
            if problem:
                raise self.fail(problem)
        for index, obj in enumerate(self.objects):
            cls = classes.get(obj.class_name)
            if cls is None:
                raise self.fail(f"unknown class {obj.class_name!r}; the schema has {sorted(classes)}", index)
            kind = shape_kind(obj.shape)
            if cls.shape not in (kind, ShapeKind.ANY):
                raise self.fail(f"a {kind.value} cannot belong to {cls.shape.value} class {cls.name!r}", index)
            if isinstance(obj.shape, Keypoints):
                unknown = sorted({p.name for p in obj.shape.points} - {n.name for n in cls.nodes})
                if unknown:
                    raise self.fail(f"keypoints {unknown} are not nodes of class {cls.name!r}", index)
            for tag in obj.tags:
                problem = _tag_problem(tag, tags, obj.class_name)
                if problem:
                    raise self.fail(problem, index)


def _tag_problem(tag: Tag, specs: dict[str, TagSpec], class_name: str | None) -> str | None:
    spec = specs.get(tag.name)
    if spec is None:
        return f"unknown tag {tag.name!r}; the schema has {sorted(specs)}"
    if class_name is None and spec.applies_to is TagTarget.OBJECTS_ONLY:
        return f"tag {tag.name!r} is for objects only, not items"
    if class_name is not None:
        if spec.applies_to is TagTarget.ITEMS_ONLY:
            return f"tag {tag.name!r} is for items only, not objects"
        if spec.classes and class_name not in spec.classes:
            return f"tag {tag.name!r} applies to classes {list(spec.classes)}, not {class_name!r}"
    value, kind = tag.value, spec.value_type
    if kind is TagValueType.NONE and value is not None:
        return f"tag {tag.name!r} takes no value, got {value!r}"
    if kind is TagValueType.ANY_STRING and not isinstance(value, str):
        return f"tag {tag.name!r} takes text, got {value!r}"
    if kind is TagValueType.ANY_NUMBER and not isinstance(value, (int, float)):
        return f"tag {tag.name!r} takes a number, got {value!r}"
    if kind is TagValueType.ONEOF_STRING and value not in spec.values:
        return f"tag {tag.name!r} takes one of {list(spec.values)}, got {value!r}"
    return None
