"""A label config read once for the region converters (which control holds which class and tag), and percent <-> pixels.

Shared by regions_read.py (Label Studio -> neutral) and regions_write.py (neutral -> Label Studio);
regions.py describes how a config holds a LabelSchema.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any

from annobridge.annotations import ObjectAnnotation, ObjectOrigin, shape_kind
from annobridge.errors import ValidationError
from annobridge.schema import LabelSchema, ShapeKind

__all__ = [
    "GEOMETRY",
    "LS_ORIGIN",
    "ORIGINS",
    "PER_REGION_SUFFIX",
    "TAG_TYPES",
    "RegionConfig",
    "Tool",
    "pct",
    "px",
    "region_config",
]

PER_REGION_SUFFIX = "_object"
GEOMETRY = {"rectangle", "polygon", "vector", "keypoint", "brush"}  # tools whose <name>labels draw classes
TAG_TYPES = {"choices": "choices", "textarea": "text", "number": "number"}  # control -> value key
ORIGINS = {
    "manual": ObjectOrigin.MANUAL,
    "prediction": ObjectOrigin.MODEL,
    "prediction-changed": ObjectOrigin.MODEL_CORRECTED,
}
LS_ORIGIN = {origin: name for name, origin in ORIGINS.items()}
# Which region types hold which shape, best first.
_HOLDS = {
    ShapeKind.RECTANGLE: ("rectanglelabels",),
    ShapeKind.POLYGON: ("polygonlabels", "vectorlabels"),
    ShapeKind.POLYLINE: ("vectorlabels", "polygonlabels"),
    ShapeKind.POINT: ("keypointlabels",),
    ShapeKind.MASK: ("brushlabels",),
}


@dataclass(frozen=True)
class Tool:
    """One way to write a class's regions: the result type, its control and image; `split` names the tool
    control (Rectangle, Polygon...) when the labels come from a generic <Labels> beside it."""

    type: str
    from_name: str
    to_name: str
    split: str | None = None


class RegionConfig:
    """A label config read once with LabelInterface: which control carries which class and tag."""

    def __init__(self, label_config: str, schema: LabelSchema) -> None:
        from label_studio_sdk.label_interface import LabelInterface

        try:
            self.interface = LabelInterface(label_config)
        except Exception as exc:
            raise ValidationError(f"label config does not parse: {exc}") from None
        self.schema = schema
        self.controls = {c.name: c for c in self.interface.controls}
        self.graphs = {
            c.name: c.name for c in schema.classes if c.shape is ShapeKind.KEYPOINTS and c.name in self.controls
        }
        self.tools: dict[str, list[Tool]] = defaultdict(list)  # class name -> tools holding it
        for control in self.controls.values():
            tag = control.tag.lower()
            types = [(tag, None)] if tag.removesuffix("labels") in GEOMETRY and tag.endswith("labels") else []
            if tag == "labels":  # generic Labels beside geometry tools on the same image
                types = [
                    (f"{t.tag.lower()}labels", t.name)
                    for t in self.controls.values()
                    if t.tag.lower() in GEOMETRY and set(t.to_name) & set(control.to_name)
                ]
            for label in control.labels or ():
                for kind, split in types:
                    self.tools[label].append(Tool(kind, control.name, control.to_name[0], split))
        self.tag_of: dict[str, str] = {}  # control name -> tag name
        self.control_of: dict[tuple[str, bool], Any] = {}  # (tag name, per region) -> control
        tags = {t.name for t in schema.tags}
        for control in self.controls.values():
            if control.tag.lower() not in TAG_TYPES:
                continue
            per_region = control.attr.get("perRegion") == "true"
            name = control.name
            if name not in tags and per_region and name.endswith(PER_REGION_SUFFIX):
                name = name.removesuffix(PER_REGION_SUFFIX)
            if name in tags:
                self.tag_of[control.name] = name
                self.control_of.setdefault((name, per_region), control)

    def tool(self, obj: ObjectAnnotation) -> Tool | None:
        """Where an object of this class and shape goes: its graph control, or the best labels tool."""
        return self.tool_for(obj.class_name, shape_kind(obj.shape))

    def tool_for(self, class_name: str, kind: ShapeKind) -> Tool | None:
        """Where a `kind` object of `class_name` is written: the first control in the config's order of the
        best-fitting region type, so the choice is the same on every run (the reader counts a region it read
        from another control of the same type)."""
        if kind is ShapeKind.KEYPOINTS:
            control = self.controls.get(self.graphs.get(class_name, ""))
            return Tool("keypointlabels", control.name, control.to_name[0]) if control else None
        tools = [t for t in self.tools.get(class_name, ()) if t.from_name not in self.graphs]
        for wanted in _HOLDS[kind]:
            for tool in tools:
                if tool.type == wanted:
                    return tool
        return None

    def dynamic(self, control: Any) -> bool:
        """Whether the control's labels or choices come from each task's data (value="$field"), not the config."""
        source = (control.attr or {}).get("value")
        return isinstance(source, str) and source.startswith("$")


@lru_cache(maxsize=16)
def region_config(label_config: str, schema: LabelSchema) -> RegionConfig:
    """The config read once per (config, schema): converters call this for every annotation.

    >>> from annobridge.schema import ObjectClass
    >>> config = ('<View><Image name="img" value="$image"/>'
    ...           '<PolygonLabels name="p" toName="img"><Label value="leaf"/></PolygonLabels></View>')
    >>> schema = LabelSchema(classes=[ObjectClass(name="leaf", shape="polygon")])
    >>> region_config(config, schema).tools["leaf"][0].type
    'polygonlabels'
    """
    return RegionConfig(label_config, schema)


def px(value: Any, size: int, what: str) -> Fraction:
    """Exact pixels of a Label Studio percentage of `size`; `what` names the field in the error for a non-number.

    The whole pixel the percentage was written from, when there is one: the float percentage of an integer
    (float(100 * 1 / 3)) is not exactly that integer's share, but it is the percentage that integer gives, so
    pixels -> percent -> pixels gives the integer back, and percent -> pixels -> percent the same float.

    >>> px(12.5, 640, "x"), px(100 / 3, 3, "x"), px(0.1, 480, "y") == Fraction(0.1) * 480 / 100
    (Fraction(80, 1), Fraction(1, 1), True)
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValidationError(f"{what} must be a number, got {value!r}")
    exact = Fraction(value) * size / 100
    whole = Fraction(round(exact))
    return whole if whole != exact and pct(whole, size) == value else exact


def pct(value: Fraction, size: int) -> float:
    """The Label Studio percentage of exact pixels `value` of `size`.

    >>> pct(Fraction(80), 640)
    12.5
    """
    return float(value * 100 / size)
