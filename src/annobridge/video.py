"""The neutral video annotation: objects tracked across frames, frame-range tags, and exact frame times.

Frames are numbered from 0, as Supervisely numbers them (Label Studio counts from 1; its
converter adds the one). A frame's time is `frame / fps` seconds, held as an exact rational
like the coordinates in annotations.py, so 29.97 fps (30000/1001) loses nothing. An object
lives on the frames it has a shape on; each shape says whether a person set it (a keyframe)
or it was filled in between keyframes (interpolated). Tags carry an optional frame range;
without one they hold for the whole video.
"""

from __future__ import annotations

from datetime import datetime
from fractions import Fraction
from typing import Any

from pydantic import Field, NonNegativeInt, PositiveInt, field_validator, model_validator

from ._neutral import Neutral, object_name
from .annotations import Mask, ObjectOrigin, Rectangle, Shape, Tag, shape_problem, tag_problem
from .errors import ValidationError
from .models import Id, ReviewStatus
from .schema import LabelSchema
from .shapes import Coordinate

__all__ = [
    "FrameRange",
    "FrameShape",
    "VideoAnnotation",
    "VideoObject",
    "VideoTag",
    "between",
]


class FrameRange(Neutral):
    """Frames `start` to `end`, both included.

    >>> 4 in FrameRange(start=2, end=5), len(FrameRange(start=2, end=5))
    (True, 4)
    """

    start: NonNegativeInt
    end: NonNegativeInt

    @model_validator(mode="after")
    def _ordered(self) -> FrameRange:
        if self.end < self.start:
            raise ValueError(f"a frame range ends at {self.end}, before its start {self.start}")
        return self

    def __contains__(self, frame: object) -> bool:
        return isinstance(frame, int) and self.start <= frame <= self.end

    def __len__(self) -> int:
        return self.end - self.start + 1


class VideoTag(Tag):
    """A tag on a video or on a tracked object, over `frames` (None: the whole video or the object's whole life)."""

    frames: FrameRange | None = None


class FrameShape(Neutral):
    """An object's shape on one frame; `keyframe` False when it was interpolated rather than set."""

    frame: NonNegativeInt
    shape: Shape
    keyframe: bool = True


class VideoObject(Neutral):
    """One object tracked through the video: its class, its shape on each frame it is on, its tags.

    >>> box = Rectangle(x=0, y=0, width=2, height=2)
    >>> car = VideoObject(class_name="car", frames=[FrameShape(frame=3, shape=box), FrameShape(frame=4, shape=box)])
    >>> [(r.start, r.end) for r in car.runs()]
    [(3, 4)]
    """

    class_name: str = Field(min_length=1)
    frames: tuple[FrameShape, ...] = Field(min_length=1)
    tags: tuple[VideoTag, ...] = ()
    id: Id | None = None
    author: Id | None = None
    description: str = ""
    origin: ObjectOrigin = ObjectOrigin.MANUAL
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @field_validator("frames")
    @classmethod
    def _in_order(cls, value: tuple[FrameShape, ...]) -> tuple[FrameShape, ...]:
        numbers = [shape.frame for shape in value]
        if numbers != sorted(set(numbers)):
            raise ValueError(f"frames must be in order, each once; got {numbers[:20]}")
        return value

    def at(self, frame: int) -> FrameShape | None:
        """The object's shape on `frame`, or None when it is not on it."""
        for shape in self.frames:
            if shape.frame == frame:
                return shape
        return None

    def runs(self) -> list[FrameRange]:
        """The spans of consecutive frames the object is on."""
        runs: list[FrameRange] = []
        start = previous = self.frames[0].frame
        for shape in self.frames[1:]:
            if shape.frame != previous + 1:
                runs.append(FrameRange(start=start, end=previous))
                start = shape.frame
            previous = shape.frame
        runs.append(FrameRange(start=start, end=previous))
        return runs


class VideoAnnotation(Neutral):
    """All labels of one video: its size, frame count and rate, tracked objects, and tags.

    >>> v = VideoAnnotation(width=640, height=480, frames_count=300, fps="30000/1001")
    >>> v.time_of(30), v.frame_at(v.time_of(30))
    (Fraction(1001, 1000), 30)
    """

    item: Id | None = None
    width: PositiveInt
    height: PositiveInt
    frames_count: PositiveInt
    fps: Coordinate
    objects: tuple[VideoObject, ...] = ()
    tags: tuple[VideoTag, ...] = ()
    author: Id | None = None
    description: str = ""
    review_status: ReviewStatus = ReviewStatus.NONE
    kept: dict[str, Any] = Field(default_factory=dict)
    """What a backend's own JSON for the video held that annobridge has no field for, by backend (see keep.py)."""

    @model_validator(mode="after")
    def _inside(self) -> VideoAnnotation:
        if self.fps <= 0:
            raise ValueError(f"fps must be positive, got {self.fps}")
        last = self.frames_count - 1
        for tag in self.tags:
            if tag.frames is not None and tag.frames.end > last:
                raise ValueError(f"tag {tag.name!r} runs to frame {tag.frames.end}, past the last frame {last}")
        for index, obj in enumerate(self.objects):
            where = object_name(self.objects, index)
            if obj.frames[-1].frame > last:
                raise ValueError(f"{where}: on frame {obj.frames[-1].frame}, past the last frame {last}")
            for tag in obj.tags:
                if tag.frames is not None and tag.frames.end > last:
                    raise ValueError(f"{where}: tag {tag.name!r} runs to frame {tag.frames.end}, past {last}")
            for shape in obj.frames:
                if isinstance(shape.shape, Mask):
                    left, top, right, bottom = shape.shape.bounds()
                    if left < 0 or top < 0 or right > self.width or bottom > self.height:
                        raise ValueError(f"{where}: frame {shape.frame}: mask outside the {self.width}x{self.height}"
                                         " frame")
        return self

    def time_of(self, frame: int) -> Fraction:
        """When `frame` starts, in seconds from the start of the video."""
        return Fraction(frame) / self.fps

    def frame_at(self, seconds: Fraction | float) -> int:
        """The frame showing at `seconds`."""
        return int(Fraction(seconds) * self.fps)

    def fail(self, message: str, index: int | None = None) -> ValidationError:
        """A ValidationError naming this video (and object `index`), for converters to raise."""
        where = f"video {self.item!r}" if self.item is not None else "video"
        if index is not None:
            where += f", {object_name(self.objects, index)}"
        return ValidationError(f"{where}: {message}")

    def validate_against(self, schema: LabelSchema) -> None:
        """Raise ValidationError if a class, shape or tag does not fit `schema`."""
        for tag in self.tags:
            problem = tag_problem(tag, schema, None)
            if problem:
                raise self.fail(problem)
        for index, obj in enumerate(self.objects):
            for shape in obj.frames:
                problem = shape_problem(obj.class_name, shape.shape, schema)
                if problem:
                    raise self.fail(f"frame {shape.frame}: {problem}", index)
            for tag in obj.tags:
                problem = tag_problem(tag, schema, obj.class_name)
                if problem:
                    raise self.fail(problem, index)


def between(before: FrameShape, after: FrameShape, frame: int) -> Shape | None:
    """The shape on `frame` when it moves in a straight line from `before` to `after`, exactly; None if it cannot.

    Rectangles move corner, size and angle together, as Label Studio interpolates boxes.

    >>> a = FrameShape(frame=0, shape=Rectangle(x=0, y=0, width=4, height=4))
    >>> b = FrameShape(frame=3, shape=Rectangle(x=3, y=0, width=4, height=4))
    >>> between(a, b, 1).x
    Fraction(1, 1)
    """
    if not isinstance(before.shape, Rectangle) or not isinstance(after.shape, Rectangle):
        return None
    step = Fraction(frame - before.frame, after.frame - before.frame)
    start, end = before.shape, after.shape
    return Rectangle(**{name: getattr(start, name) + (getattr(end, name) - getattr(start, name)) * step
                        for name in ("x", "y", "width", "height", "rotation")})
