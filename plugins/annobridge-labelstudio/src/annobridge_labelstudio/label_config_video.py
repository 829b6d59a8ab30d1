"""A video LabelSchema <-> Label Studio's video label config: boxes tracked on a <Video>, tags on its timeline.

The layout written (video_regions.py reads the same; other video configs are parsed by the same rules):

- one <Video name="video" value="$video"/>; items carry their video under data["video"];
- one <VideoRectangle name="box"> and one <Labels name="videoLabels"> holding the box classes;
- an item tag is a <TimelineLabels> named after it: a none tag with one label, its own name; a one-of tag
  with its values. A tag on whole videos or on objects, a text or number tag, and classes drawn with other
  shapes than boxes have no place in it: `parse` of the built config shows them missing, and the
  migration's schema report counts them.
"""

from __future__ import annotations

from typing import Any

from annobridge.errors import ValidationError
from annobridge.schema import LabelSchema, MediaKind, ObjectClass, ShapeKind, TagSpec, TagTarget, TagValueType

from .label_colors import label_color

__all__ = ["VIDEO_KEY", "build_video_label_config", "parse_video_schema"]

VIDEO_KEY = "video"
_TIMELINE_TYPES = (TagValueType.NONE, TagValueType.ONEOF_STRING)


def build_video_label_config(schema: LabelSchema) -> str:
    """The video label config holding what of `schema` Label Studio can track, checked with LabelInterface.

    >>> s = LabelSchema(media="video", classes=[ObjectClass(name="car", shape="rectangle")],
    ...                 tags=[TagSpec(name="weather", value_type="oneof_string", values=["rain", "sun"])])
    >>> print(build_video_label_config(s))
    <View>
      <Video name="video" value="$video"/>
      <VideoRectangle toName="video" name="box"/>
      <Labels toName="video" name="videoLabels">
        <Label value="car"/>
      </Labels>
      <TimelineLabels toName="video" name="weather">
        <Label value="rain"/>
        <Label value="sun"/>
      </TimelineLabels>
    </View>
    """
    from label_studio_sdk.label_interface import LabelInterface

    boxes = [c for c in schema.classes if c.shape in (ShapeKind.RECTANGLE, ShapeKind.ANY)]
    tags: dict[str, Any] = {
        VIDEO_KEY: ("Video", {"name": VIDEO_KEY, "value": f"${VIDEO_KEY}"}),
        "box": ("VideoRectangle", {"toName": VIDEO_KEY}, ()),
        "videoLabels": ("Labels", {"toName": VIDEO_KEY},
                        tuple(("Label", {"value": c.name, **({"background": c.color} if c.color else {})}, ())
                              for c in boxes)),
    }
    for spec in schema.tags:
        if spec.value_type in _TIMELINE_TYPES and spec.applies_to is not TagTarget.OBJECTS_ONLY:
            if spec.name in tags:
                raise ValidationError(f"tag {spec.name!r}: Label Studio needs it named apart from the video's "
                                      "own controls (video, box, videoLabels)")
            values = (spec.name,) if spec.value_type is TagValueType.NONE else spec.values
            tags[spec.name] = ("TimelineLabels", {"toName": VIDEO_KEY},
                               tuple(("Label", {"value": v}, ()) for v in values))
    config = LabelInterface.create(tags, pretty=True).strip()
    try:
        LabelInterface(config).validate()
    except Exception as exc:  # the SDK raises plain exceptions for invalid configs
        raise ValidationError(f"the video label config built from the schema is invalid: {exc}") from None
    return config


def parse_video_schema(interface: Any) -> tuple[LabelSchema, list[str]]:
    """The video LabelSchema of a parsed config (LabelInterface), and the controls it has no neutral form for."""
    videos = [o.name for o in interface.objects if o.tag.lower() == "video"]
    classes: dict[str, ObjectClass] = {}
    tags: list[TagSpec] = []
    skipped: list[str] = []
    for control in interface.controls:
        kind = control.tag.lower()
        on_video = bool(set(control.to_name or ()) & set(videos))
        if kind == "labels" and on_video:
            for label in control.labels or ():
                color = label_color((control.labels_attrs or {}).get(label))
                classes.setdefault(label, ObjectClass(name=label, shape=ShapeKind.RECTANGLE, color=color))
        elif kind == "timelinelabels" and on_video:
            labels = tuple(control.labels or ())
            if labels == (control.name,):
                tags.append(TagSpec(name=control.name, applies_to=TagTarget.ITEMS_ONLY))
            else:
                tags.append(TagSpec(name=control.name, value_type=TagValueType.ONEOF_STRING, values=labels,
                                    applies_to=TagTarget.ITEMS_ONLY))
        elif kind != "videorectangle":
            skipped.append(f"{control.tag} {control.name!r}: no neutral form for it on a video")
    try:
        schema = LabelSchema(classes=list(classes.values()), tags=tags, media=MediaKind.VIDEO)
    except ValueError as exc:
        raise ValidationError(f"label config holds no valid video schema: {exc}") from None
    return schema, skipped
