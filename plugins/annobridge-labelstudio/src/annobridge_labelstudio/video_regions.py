"""Label Studio video results <-> the neutral VideoAnnotation: `videorectangle` tracks and `timelinelabels` ranges.

A track is a sequence of keyframes numbered from 1. The box is on each keyframe; after an
`enabled` keyframe it moves in a straight line to the next one (or stays until the end of the
video after the last); after a disabled one it is gone until the next keyframe. Reading fills
those frames in exactly (annobridge.video.between) and marks them interpolated; writing keeps
each keyframe, adds a frame where the neutral shapes leave the straight line, and sets
`enabled` where the object stays. A timeline whose one label is its own name holds a tag of that
name; any other timeline is a one-of tag named like the control, its label the value (as
label_config_video.py reads the config).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from typing import Any

from annobridge.annotations import Rectangle
from annobridge.errors import ValidationError
from annobridge.fidelity import LABEL_STUDIO, NEUTRAL, FidelityReport
from annobridge.models import Id
from annobridge.video import FrameRange, FrameShape, VideoAnnotation, VideoObject, VideoTag, between

from .region_config import LS_ORIGIN, ORIGINS, pct, px

__all__ = ["VideoConfig", "video_config", "video_from_labelstudio", "video_to_labelstudio"]


@dataclass(frozen=True)
class VideoConfig:
    """Where a video config puts tracks and timeline labels: the <Video>, its <VideoRectangle>, its timelines."""

    video: str
    box: str | None = None
    classes: frozenset[str] = frozenset()
    timelines: dict[str, tuple[str, ...]] = field(default_factory=dict)  # control name -> its labels

    def timeline_of(self, label: str) -> str | None:
        """The first timeline control (config order) offering `label`."""
        return next((name for name, labels in self.timelines.items() if label in labels), None)


@lru_cache(maxsize=16)
def video_config(label_config: str) -> VideoConfig:
    """The video parts of a label config, read with LabelInterface.

    >>> c = video_config('<View><Video name="v" value="$video"/><VideoRectangle name="box" toName="v"/>'
    ...                  '<Labels name="l" toName="v"><Label value="car"/></Labels>'
    ...                  '<TimelineLabels name="act" toName="v"><Label value="turn"/></TimelineLabels></View>')
    >>> c.video, c.box, sorted(c.classes), c.timelines
    ('v', 'box', ['car'], {'act': ('turn',)})
    """
    from label_studio_sdk.label_interface import LabelInterface

    try:
        interface = LabelInterface(label_config)
    except Exception as exc:
        raise ValidationError(f"label config does not parse: {exc}") from None
    videos = [o.name for o in interface.objects if o.tag.lower() == "video"]
    if not videos:
        raise ValidationError("the label config has no <Video> to hold video annotations")
    video = videos[0]
    controls = [c for c in interface.controls if video in c.to_name]
    box = next((c.name for c in controls if c.tag.lower() == "videorectangle"), None)
    classes = frozenset(label for c in controls if c.tag.lower() == "labels" for label in c.labels or ())
    timelines = {c.name: tuple(c.labels or ()) for c in controls if c.tag.lower() == "timelinelabels"}
    return VideoConfig(video, box, classes, timelines)


def video_from_labelstudio(
    results: list[dict[str, Any]],
    label_config: str,
    *,
    width: int,
    height: int,
    frames_count: int,
    fps: Fraction | float | str,
    item: Id | None = None,
) -> tuple[VideoAnnotation, FidelityReport]:
    """The neutral VideoAnnotation of one Label Studio annotation's results on a video of that size and rate."""
    config = video_config(label_config)
    report = FidelityReport()
    where = f"video {item!r}" if item is not None else "video"
    objects, tags = [], []
    for index, result in enumerate(results):
        kind = result.get("type")
        if result.get("to_name", config.video) != config.video:
            report.dropped(f"{kind} result", NEUTRAL, f"on {result.get('to_name')!r}, not the video", item=item)
            continue
        try:
            if kind == "videorectangle":
                obj = _track(result, width, height, frames_count, report, item)
                if obj is not None:
                    objects.append(obj)
                    report.carried("track", NEUTRAL)
                    report.carried("keyframe", NEUTRAL, sum(f.keyframe for f in obj.frames))
            elif kind == "timelinelabels":
                found = _ranges(result, frames_count, config)
                tags.extend(found)
                report.carried("frame-range tag", NEUTRAL, len(found))
            else:
                report.dropped(f"{kind} result", NEUTRAL, "not a video track or timeline range", item=item)
        except (ValidationError, KeyError, TypeError, ValueError) as exc:
            raise ValidationError(f"{where}, result #{index} ({kind}): {exc}") from None
    annotation = VideoAnnotation(item=item, width=width, height=height, frames_count=frames_count, fps=fps,
                                 objects=objects, tags=tags)
    return annotation, report


def _track(result: dict[str, Any], width: int, height: int, frames_count: int, report: FidelityReport,
           item: Id | None) -> VideoObject | None:
    value = result["value"]
    labels = value.get("labels") or []
    steps = value.get("sequence") or []
    if not labels or not steps:
        report.dropped("track without a label or keyframes", NEUTRAL, item=item)
        return None
    if len(labels) > 1:
        report.approximated("track with several labels", NEUTRAL, f"as a {labels[0]!r} track", item=item)
    keys: dict[int, dict[str, Any]] = {}
    for step in steps:
        keys[int(step["frame"]) - 1] = step
    report.dropped("keyframe given twice for a frame", NEUTRAL, "the later one is the one shown",
                   len(steps) - len(keys), item=item)
    order = sorted(keys)
    shapes: list[FrameShape] = []
    for position, frame in enumerate(order):
        step = keys[frame]
        if not 0 <= frame < frames_count:
            raise ValidationError(f"keyframe {frame + 1} is outside the video's {frames_count} frames")
        here = FrameShape(frame=frame, shape=_box(step, width, height))
        shapes.append(here)
        if not step.get("enabled", True):
            continue
        if position + 1 < len(order):
            after = FrameShape(frame=order[position + 1], shape=_box(keys[order[position + 1]], width, height))
            shapes += [FrameShape(frame=f, shape=between(here, after, f), keyframe=False)
                       for f in range(frame + 1, after.frame)]
        else:
            shapes += [FrameShape(frame=f, shape=here.shape, keyframe=False) for f in range(frame + 1, frames_count)]
    return VideoObject(class_name=labels[0], frames=shapes, id=result.get("id"),
                       origin=ORIGINS.get(result.get("origin", "manual"), ORIGINS["manual"]))


def _box(step: dict[str, Any], width: int, height: int) -> Rectangle:
    return Rectangle(
        x=px(step["x"], width, "x"), y=px(step["y"], height, "y"),
        width=px(step["width"], width, "width"), height=px(step["height"], height, "height"),
        rotation=step.get("rotation") or 0,
    )


def _ranges(result: dict[str, Any], frames_count: int, config: VideoConfig) -> list[VideoTag]:
    value = result["value"]
    control = result.get("from_name")
    own = config.timelines.get(control) == (control,)  # a none tag: one label, its control's name
    tags = []
    for label in value.get("timelinelabels") or []:
        for span in value.get("ranges") or []:
            start, end = int(span["start"]) - 1, int(span["end"]) - 1
            if not 0 <= start <= end < frames_count:
                raise ValidationError(f"range {span['start']}..{span['end']} is outside the video's {frames_count}"
                                      " frames")
            frames = FrameRange(start=start, end=end)
            if own or control not in config.timelines:
                tags.append(VideoTag(name=label, frames=frames))
            else:
                tags.append(VideoTag(name=control, value=label, frames=frames))
    return tags


def video_to_labelstudio(annotation: VideoAnnotation, label_config: str) -> tuple[list[dict[str, Any]], FidelityReport]:
    """Label Studio results for a neutral VideoAnnotation under `label_config`, with what could not go counted."""
    config = video_config(label_config)
    report = FidelityReport()
    item = annotation.item
    results: list[dict[str, Any]] = []
    for index, obj in enumerate(annotation.objects):
        if config.box is None or obj.class_name not in config.classes:
            raise annotation.fail(f"the label config has no video box for class {obj.class_name!r}", index)
        if not all(isinstance(f.shape, Rectangle) for f in obj.frames):
            report.dropped("track of other shapes than boxes", LABEL_STUDIO, "Label Studio tracks only boxes",
                           item=item)
            continue
        sequence = [step for run in obj.runs() for step in _keyframes(obj, run, annotation)]
        report.carried("track", LABEL_STUDIO)
        report.carried("keyframe", LABEL_STUDIO, sum(f.keyframe for f in obj.frames))
        added = len(sequence) - sum(f.keyframe for f in obj.frames)
        if added > 0:
            report.approximated("interpolated frame", LABEL_STUDIO, "as a keyframe, off the straight line",
                                added, item=item)
        if obj.tags:
            report.dropped("track tag", LABEL_STUDIO, "video tracks hold no attributes", len(obj.tags), item=item)
        results.append({
            "id": str(obj.id) if obj.id is not None else f"track{index}",
            "type": "videorectangle", "from_name": config.box, "to_name": config.video,
            "origin": LS_ORIGIN[obj.origin],
            "value": {"framesCount": annotation.frames_count, "duration": float(annotation.time_of(
                annotation.frames_count)), "sequence": sequence, "labels": [obj.class_name]},
        })
    for tag in annotation.tags:
        label = tag.name if tag.value is None else str(tag.value)
        control = tag.name if tag.value is not None and tag.name in config.timelines else config.timeline_of(label)
        if tag.frames is None or control is None or label not in config.timelines.get(control, ()):
            report.dropped("video tag", LABEL_STUDIO, "no timeline label for it", item=item)
            continue
        results.append({
            "id": f"range{len(results)}", "type": "timelinelabels", "from_name": control, "to_name": config.video,
            "value": {"ranges": [{"start": tag.frames.start + 1, "end": tag.frames.end + 1}],
                      "timelinelabels": [label]},
        })
        report.carried("frame-range tag", LABEL_STUDIO)
    return results, report


def _keyframes(obj: VideoObject, run: FrameRange, annotation: VideoAnnotation) -> list[dict[str, Any]]:
    """The fewest keyframes that give back every shape of the run: its set frames, its ends, and any frame
    the straight line between them misses; the last stays open when the run reaches the end of the video."""
    shapes = {f.frame: f for f in obj.frames if f.frame in run}
    open_end = run.end == annotation.frames_count - 1
    chosen = {run.start} | {f for f, s in shapes.items() if s.keyframe}
    if not open_end:
        chosen.add(run.end)
    while True:
        missed = _first_missed(shapes, sorted(chosen), run)
        if missed is None:
            break
        chosen.add(missed)
    steps = []
    for frame in sorted(chosen):
        box = shapes[frame].shape
        steps.append({
            "frame": frame + 1, "enabled": frame != run.end or open_end, "rotation": float(box.rotation),
            "x": pct(box.x, annotation.width), "y": pct(box.y, annotation.height),
            "width": pct(box.width, annotation.width), "height": pct(box.height, annotation.height),
            "time": float(annotation.time_of(frame)),
        })
    return steps


def _first_missed(shapes: dict[int, FrameShape], chosen: list[int], run: FrameRange) -> int | None:
    """The first frame of the run whose shape is not what the chosen keyframes would show there."""
    for position, key in enumerate(chosen):
        end = chosen[position + 1] if position + 1 < len(chosen) else run.end + 1
        for frame in range(key + 1, end):
            if position + 1 < len(chosen):
                shown = between(shapes[key], shapes[end], frame)
            else:
                shown = shapes[key].shape
            if shapes[frame].shape != shown:
                return frame
    return None
