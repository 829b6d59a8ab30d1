"""LabelSchema: the object classes and tags a project is labeled with, neutral to both tools."""

from __future__ import annotations

import re
from enum import Enum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

_COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")


class ShapeKind(str, Enum):
    """The geometry an object class is drawn with."""

    RECTANGLE = "rectangle"
    POLYGON = "polygon"
    POLYLINE = "polyline"
    POINT = "point"
    KEYPOINTS = "keypoints"
    MASK = "mask"
    ANY = "any"


class TagValueType(str, Enum):
    """What a tag holds: nothing (a flag), free text, a number, or one of fixed values."""

    NONE = "none"
    ANY_STRING = "any_string"
    ANY_NUMBER = "any_number"
    ONEOF_STRING = "oneof_string"


class TagTarget(str, Enum):
    """Whether a tag is put on whole items, on objects, or on both."""

    ALL = "all"
    ITEMS_ONLY = "items_only"
    OBJECTS_ONLY = "objects_only"


class MediaKind(str, Enum):
    """What a project's items are: still images, or videos labeled frame by frame."""

    IMAGE = "image"
    VIDEO = "video"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)


class KeypointNode(_Strict):
    """One named node of a keypoint graph template."""

    name: str = Field(min_length=1)
    color: str | None = None


class ObjectClass(_Strict):
    """A class of objects: its name, geometry and display colour.

    >>> ObjectClass(name="lemon", shape="mask", color="#FFD700").shape
    <ShapeKind.MASK: 'mask'>
    """

    name: str = Field(min_length=1)
    shape: ShapeKind
    color: str | None = None
    nodes: tuple[KeypointNode, ...] = ()
    edges: tuple[tuple[str, str], ...] = ()

    @field_validator("name")
    @classmethod
    def _strip(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("name must not be blank")
        return value

    @field_validator("color")
    @classmethod
    def _hex_color(cls, value: str | None) -> str | None:
        if value is not None and not _COLOR.match(value):
            raise ValueError(f"color must look like #RRGGBB, got {value!r}")
        return value.upper() if value else value


class TagSpec(_Strict):
    """A tag: its value type, allowed values, and what it may be put on.

    >>> TagSpec(name="size", value_type="oneof_string", values=("small", "large")).values
    ('small', 'large')
    """

    name: str = Field(min_length=1)
    value_type: TagValueType = TagValueType.NONE
    values: tuple[str, ...] = ()
    applies_to: TagTarget = TagTarget.ALL
    classes: tuple[str, ...] = ()
    color: str | None = None
    multiple: bool = False
    """A oneof_string tag that takes several of its values at once (Label Studio's choice="multiple")."""

    @model_validator(mode="after")
    def _values_match_type(self) -> TagSpec:
        if self.multiple and self.value_type is not TagValueType.ONEOF_STRING:
            raise ValueError(f"tag {self.name!r}: only a oneof_string tag can take several values")
        if self.value_type is TagValueType.ONEOF_STRING and not self.values:
            raise ValueError(f"tag {self.name!r}: oneof_string needs at least one value")
        if self.value_type is not TagValueType.ONEOF_STRING and self.values:
            raise ValueError(f"tag {self.name!r}: values are only allowed for oneof_string")
        if len(set(self.values)) != len(self.values):
            raise ValueError(f"tag {self.name!r}: duplicate values {list(self.values)}")
        return self


class LabelSchema(_Strict):
    """Everything a labeler may draw and tag in a project.

    >>> s = LabelSchema(classes=[ObjectClass(name="kiwi", shape="mask")])
    >>> s.object_class("kiwi").shape.value
    'mask'
    """

    classes: tuple[ObjectClass, ...] = ()
    tags: tuple[TagSpec, ...] = ()
    media: MediaKind = MediaKind.IMAGE

    @model_validator(mode="after")
    def _unique_and_consistent(self) -> LabelSchema:
        for kind, names in (("class", [c.name for c in self.classes]), ("tag", [t.name for t in self.tags])):
            dupes = sorted({n for n in names if names.count(n) > 1})
            if dupes:
                raise ValueError(f"duplicate {kind} names: {dupes}")
        known = {c.name for c in self.classes}
        for tag in self.tags:
            unknown = sorted(set(tag.classes) - known)
            if unknown:
                raise ValueError(f"tag {tag.name!r} applies to unknown classes {unknown}")
        return self

    def object_class(self, name: str) -> ObjectClass:
        """The class called `name`; KeyError naming it if there is none."""
        for cls in self.classes:
            if cls.name == name:
                return cls
        raise KeyError(f"no object class {name!r} in schema")

    def tag(self, name: str) -> TagSpec:
        """The tag called `name`; KeyError naming it if there is none."""
        for tag in self.tags:
            if tag.name == name:
                return tag
        raise KeyError(f"no tag {name!r} in schema")
