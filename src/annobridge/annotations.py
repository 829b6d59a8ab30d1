"""The neutral annotation model: shapes, objects and item annotations, with coordinates kept exact.

Coordinates are pixels of the original image, x to the right and y down, with (0, 0) the
top-left corner of the top-left pixel. They are held as exact rationals
(`fractions.Fraction`): an int or a float converts without rounding, so a Label Studio
percentage turned into pixels and back is the same float, bit for bit, and a Supervisely
integer survives any trip. `float(x)` gives a float whenever one is wanted; the JSON form
writes a number where a float is exact and "n/d" where it is not.

Bad input raises annobridge.errors.ValidationError naming the item and the object. The shapes
live in shapes.py and are importable from here.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from functools import lru_cache
from typing import Any, Union

from pydantic import Field, PositiveInt, StrictFloat, StrictInt, StrictStr, model_validator

from ._neutral import Neutral, object_name
from .errors import ValidationError
from .models import Id, ReviewStatus
from .schema import LabelSchema, ObjectClass, ShapeKind, TagSpec, TagTarget, TagValueType
from .shapes import (
    Coordinate,
    Keypoint,
    Keypoints,
    Mask,
    Point,
    Polygon,
    Polyline,
    Rectangle,
    Shape,
    shape_kind,
)

__all__ = [
    "Coordinate",
    "ItemAnnotation",
    "Keypoint",
    "Keypoints",
    "Mask",
    "ObjectAnnotation",
    "ObjectOrigin",
    "Point",
    "Prediction",
    "Polygon",
    "Polyline",
    "Rectangle",
    "Shape",
    "Tag",
    "TagValue",
    "shape_kind",
]


TagValue = Union[StrictInt, StrictFloat, StrictStr, None]


class Tag(Neutral):
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


class ObjectAnnotation(Neutral):
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


class ItemAnnotation(Neutral):
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
    kept: dict[str, Any] = Field(default_factory=dict)
    """What a backend's own JSON for the item held that annobridge has no field for, by backend (see keep.py)."""

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
        return object_name(self.objects, index)

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
        for tag in self.tags:
            problem = tag_problem(tag, schema, None)
            if problem:
                raise self.fail(problem)
        for index, obj in enumerate(self.objects):
            problem = shape_problem(obj.class_name, obj.shape, schema) or next(
                filter(None, (tag_problem(tag, schema, obj.class_name) for tag in obj.tags)), None
            )
            if problem:
                raise self.fail(problem, index)


class Prediction(Neutral):
    """A model's output for one item: its labels as an ItemAnnotation, the model version, and a score.

    >>> Prediction(annotation=ItemAnnotation(item=7, width=640, height=480), model_version="v1", score=0.9).score
    0.9
    """

    annotation: ItemAnnotation
    model_version: str = ""
    score: StrictFloat | StrictInt | None = None
    id: Id | None = None


@lru_cache(maxsize=16)
def _by_name(schema: LabelSchema) -> tuple[dict[str, ObjectClass], dict[str, TagSpec]]:
    return {cls.name: cls for cls in schema.classes}, {spec.name: spec for spec in schema.tags}


def shape_problem(class_name: str, shape: Shape, schema: LabelSchema) -> str | None:
    """What is wrong with a `class_name` object drawn as `shape` under `schema`, or None."""
    classes = _by_name(schema)[0]
    cls = classes.get(class_name)
    if cls is None:
        return f"unknown class {class_name!r}; the schema has {sorted(classes)}"
    kind = shape_kind(shape)
    if cls.shape not in (kind, ShapeKind.ANY):
        return f"a {kind.value} cannot belong to {cls.shape.value} class {cls.name!r}"
    if isinstance(shape, Keypoints):
        unknown = sorted({p.name for p in shape.points} - {n.name for n in cls.nodes})
        if unknown:
            return f"keypoints {unknown} are not nodes of class {cls.name!r}"
    return None


def tag_problem(tag: Tag, schema: LabelSchema, class_name: str | None) -> str | None:
    """What is wrong with `tag` on an item (class_name None) or on a `class_name` object under `schema`, or None."""
    specs = _by_name(schema)[1]
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
