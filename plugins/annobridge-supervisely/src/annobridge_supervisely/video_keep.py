"""What a Supervisely video annotation cannot hold of a neutral one, kept in the video's custom data for the way back.

Supervisely stores a figure per frame and no keyframes, api.video.annotation.append leaves the
description out, an author who is not a team member is written as the uploader, and the SDK trims
shapes at a frame's far edges. keep.py's stash (the patch from what reading the appended JSON back
gives to the neutral annotation) goes into the video's custom data under keep.KEY, beside the
user's own keys (VideoInfo.custom_data, api.video.update_custom_data), and is applied when the
video is read while it holds what was written; a video edited since reads as Supervisely shows it.
A stash fits what the video holds after a write only when it held nothing before (a fresh video,
or "replace"): videos_api stores none for an append onto a video that holds objects or tags.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from annobridge import keep
from annobridge.fidelity import SUPERVISELY, FidelityReport
from annobridge.schema import LabelSchema
from annobridge.video import VideoAnnotation

__all__ = ["KEY", "restored", "stash", "stored", "with_stash"]

KEY = keep.KEY


def stash(
    original: VideoAnnotation, sent: Any, meta: Any, *, fps: Fraction, schema: LabelSchema | None = None
) -> dict[str, Any] | None:
    """The stash that turns what an empty video holds once `sent` (the SDK VideoAnnotation made for `original`) is
    appended to it into `original`; None when nothing is missing. `meta`: a sly.ProjectMeta (`schema` its
    LabelSchema when the caller has it), `fps` the video's."""
    from .video_convert import video_from_supervisely

    data = sent.to_json()
    data.pop("description", None)  # append sends objects, frames and tags only
    read_back, _ = video_from_supervisely(data, meta, fps=fps, item=original.item, schema=schema)
    return keep.stash(original, read_back, SUPERVISELY)


def stored(custom_data: Any) -> bool:
    """Whether the video's custom data holds a stash of annobridge's."""
    return isinstance(custom_data, dict) and KEY in custom_data


def restored(read: VideoAnnotation, custom_data: Any, report: FidelityReport) -> VideoAnnotation:
    """`read` with the stash in the video's custom data applied if it was made for what the video holds; else
    `read`, the stash counted in `report` as dropped."""
    entry = custom_data.get(KEY) if stored(custom_data) else None
    return keep.restored(read, entry, report, SUPERVISELY)


def with_stash(custom_data: Any, entry: dict[str, Any] | None) -> dict[str, Any]:
    """The video's custom data holding `entry` under KEY (no stash when None), its other keys kept.

    >>> with_stash({"owner": "qa", "annobridge": {"v": 1}}, None), with_stash(None, {"v": 1})
    ({'owner': 'qa'}, {'annobridge': {'v': 1}})
    """
    others = {k: v for k, v in (custom_data or {}).items() if k != KEY}
    return others if entry is None else {**others, KEY: entry}
