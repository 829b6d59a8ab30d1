"""Supervisely video annotation JSON <-> the neutral VideoAnnotation, each frame's figures through the image rules.

Supervisely keeps a video's objects once (class, tags with frame ranges) and a figure per frame
an object is on. Each figure is read and written as a one-object image annotation by
figures_read / figures_write, so shapes, rounding and their counts follow the image rules.
Supervisely stores no keyframes: every figure reads as set by hand, and a neutral frame that
was interpolated is written as a figure and counted as approximated.
"""

from __future__ import annotations

from collections import defaultdict
from fractions import Fraction
from typing import Any
from uuid import uuid4

from annobridge.annotations import ItemAnnotation, ObjectAnnotation, ObjectOrigin
from annobridge.errors import ValidationError
from annobridge.fidelity import NEUTRAL, SUPERVISELY, FidelityReport
from annobridge.models import Id
from annobridge.schema import LabelSchema
from annobridge.video import FrameRange, FrameShape, VideoAnnotation, VideoObject, VideoTag

from .figures_read import convert_from_supervisely
from .figures_write import convert_to_supervisely
from .meta import meta_to_schema, project_meta

__all__ = ["video_from_supervisely", "video_to_supervisely"]

# a figure's own fields; what is left is its geometry (points, bitmap, nodes...)
_FIGURE_FIELDS = {
    "id", "key", "objectId", "objectKey", "classId", "classTitle", "description", "tags", "labelerLogin", "createdAt",
    "updatedAt", "nnCreated", "nnUpdated", "geometryType", "shape", "meta", "priority", "status", "trackId",
    "smartToolInput", "instance", "customData",
}


def video_from_supervisely(
    annotation: dict[str, Any], meta, *, fps: Fraction | float | str, item: Id | None = None,
    schema: LabelSchema | None = None,
) -> tuple[VideoAnnotation, FidelityReport]:
    """The neutral VideoAnnotation of a Supervisely video annotation JSON (meta: the ProjectMeta JSON); `schema`, the
    meta's, when the caller has it already (reading many videos of one project: the SDK validates a meta slowly)."""
    project = project_meta(meta)
    where = f"video {item!r}" if item is not None else "video"
    report = FidelityReport()
    size = annotation.get("size") or {}
    width, height, frames_count = size.get("width"), size.get("height"), annotation.get("framesCount")
    if not (width and height and frames_count):
        raise ValidationError(f"{where}: the annotation needs size and framesCount")
    objects = {obj["key"]: obj for obj in annotation.get("objects", [])}
    shapes: dict[str, list[FrameShape]] = defaultdict(list)
    firsts: dict[str, dict[str, Any]] = {}  # each object's first figure: its author and origin
    for frame in annotation.get("frames", []):
        index = frame["index"]
        for figure in frame.get("figures", []):
            obj = objects.get(figure.get("objectKey"))
            if obj is None:
                raise ValidationError(f"{where}, frame {index}: a figure of unknown object {figure.get('objectKey')!r}")
            firsts.setdefault(obj["key"], figure)
            label = {"classTitle": obj["classTitle"], "tags": [], **_geometry_of(figure)}
            for name in ("geometryType", "labelerLogin", "createdAt", "updatedAt", "nnCreated", "nnUpdated"):
                if name in figure:
                    label[name] = figure[name]
            image = {"size": size, "tags": [], "objects": [label]}
            try:
                neutral, frame_report = convert_from_supervisely(image, project, item=item)
            except ValidationError as exc:
                raise ValidationError(f"{where}, frame {index}: {exc}") from None
            report.merge(frame_report)
            if neutral.objects:
                shapes[obj["key"]].append(FrameShape(frame=index, shape=neutral.objects[0].shape))
    tracked = []
    for key, obj in objects.items():
        if not shapes[key]:
            report.dropped("object on no frame", NEUTRAL, item=item)
            continue
        first = firsts[key]
        try:
            tracked.append(VideoObject(
                class_name=obj["classTitle"], frames=sorted(shapes[key], key=lambda f: f.frame),
                tags=[_tag(t) for t in obj.get("tags", [])], id=obj.get("id"), author=first.get("labelerLogin"),
                origin=_origin(first), created_at=obj.get("createdAt"), updated_at=obj.get("updatedAt"),
            ))
        except ValidationError as exc:  # e.g. two figures of one object on one frame
            raise ValidationError(f"{where}, object {key!r} ({obj['classTitle']}): {exc}") from None
        report.carried("track", NEUTRAL)
        report.carried("track tag", NEUTRAL, len(obj.get("tags", [])))
    tags = [_tag(t) for t in annotation.get("tags", [])]
    report.carried("video tag", NEUTRAL, len(tags))
    video = VideoAnnotation(item=item, width=width, height=height, frames_count=frames_count, fps=fps,
                            objects=tracked, tags=tags, description=annotation.get("description") or "")
    video.validate_against(schema or _schema(project))
    return video, report


def video_to_supervisely(annotation: VideoAnnotation, meta) -> tuple[dict[str, Any], FidelityReport]:
    """A Supervisely video annotation JSON for a neutral VideoAnnotation under `meta` (the ProjectMeta JSON)."""
    project = project_meta(meta)
    annotation.validate_against(_schema(project))
    report = FidelityReport()
    objects, frames = [], defaultdict(list)
    for index, obj in enumerate(annotation.objects):
        key = uuid4().hex
        objects.append({"key": key, "classTitle": obj.class_name, "tags": [_tag_json(t) for t in obj.tags]})
        trimmed = 0  # frames whose shape the SDK cut at the far edges (it keeps shapes inside the last pixel)
        for shape in obj.frames:
            image = ItemAnnotation(item=annotation.item, width=annotation.width, height=annotation.height,
                                   objects=[ObjectAnnotation(class_name=obj.class_name, shape=shape.shape,
                                                             author=obj.author, origin=obj.origin)])
            try:
                data, frame_report = convert_to_supervisely(image, project)
            except ValidationError as exc:
                raise annotation.fail(f"frame {shape.frame}: {exc}", index) from None
            report.merge(frame_report)
            label = data["objects"][0]
            if frame_report.lossless and _read_back(data, project, annotation.item) != shape.shape:
                trimmed += 1
            figure = {"key": uuid4().hex, "objectKey": key, "geometryType": label["geometryType"],
                      "geometry": _geometry_of(label)}
            figure.update({k: label[k] for k in ("nnCreated", "nnUpdated", "labelerLogin") if k in label})
            frames[shape.frame].append(figure)
        if trimmed:
            report.approximated("frame shape", SUPERVISELY, "trimmed to the frame's last pixel row and column",
                                trimmed, item=annotation.item)
        interpolated = sum(not f.keyframe for f in obj.frames)
        if interpolated:
            report.approximated("interpolated frame", SUPERVISELY, "as a figure set on its frame", interpolated,
                                item=annotation.item)
        report.carried("track", SUPERVISELY)
        report.carried("track tag", SUPERVISELY, len(obj.tags))
    report.carried("video tag", SUPERVISELY, len(annotation.tags))
    data = {
        "size": {"height": annotation.height, "width": annotation.width},
        "description": annotation.description,
        "key": uuid4().hex,
        "tags": [_tag_json(t) for t in annotation.tags],
        "objects": objects,
        "frames": [{"index": index, "figures": frames[index]} for index in sorted(frames)],
        "framesCount": annotation.frames_count,
    }
    _check_parses(data, project, annotation)
    return data, report


def _read_back(data: dict[str, Any], project, item: Id | None):
    """The shape a one-figure Supervisely image annotation reads back as."""
    return convert_from_supervisely(data, project, item=item)[0].objects[0].shape


def _geometry_of(figure: dict[str, Any]) -> dict[str, Any]:
    """The geometry fields of a figure: nested under "geometry" in video JSON, beside the fields in image JSON."""
    if "geometry" in figure:
        return dict(figure["geometry"])
    return {k: v for k, v in figure.items() if k not in _FIGURE_FIELDS}


def _origin(figure: dict[str, Any]) -> ObjectOrigin:
    if figure.get("nnCreated"):
        return ObjectOrigin.MODEL_CORRECTED if figure.get("nnUpdated") else ObjectOrigin.MODEL
    return ObjectOrigin.MANUAL


def _tag(data: dict[str, Any]) -> VideoTag:
    span = data.get("frameRange")
    frames = FrameRange(start=span[0], end=span[1]) if span else None
    return VideoTag(name=data["name"], value=data.get("value"), frames=frames, author=data.get("labelerLogin"),
                    created_at=data.get("createdAt"), updated_at=data.get("updatedAt"))


def _tag_json(tag: VideoTag) -> dict[str, Any]:
    data: dict[str, Any] = {"name": tag.name}
    if tag.value is not None:
        data["value"] = tag.value
    if tag.frames is not None:
        data["frameRange"] = [tag.frames.start, tag.frames.end]
    return data


def _schema(project):
    return meta_to_schema(project.to_json())[0]


def _check_parses(data: dict[str, Any], project, annotation: VideoAnnotation) -> None:
    """ValidationError naming the video unless the SDK reads `data` as a video annotation of `project`."""
    from supervisely.video_annotation.video_annotation import VideoAnnotation as SlyVideoAnnotation

    try:
        SlyVideoAnnotation.from_json(data, project)
    except Exception as exc:
        raise annotation.fail(f"Supervisely would refuse the video annotation: {exc!r}") from None
