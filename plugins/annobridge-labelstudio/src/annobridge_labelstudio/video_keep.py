"""Label Studio's side of keeping a video annotation for the way back: the stash of what its tracks cannot hold.

What video_to_labelstudio approximates or drops (descriptions, whole-video tags, object ids, timestamps and
authors, keyframe flags its tracks set otherwise, data other backends kept...) is the patch from what
video_from_labelstudio makes of the written results to the neutral annotation (annobridge.keep.stash). It lives
in the task's meta under annobridge.keep.KEY as images' stashes do (regions_keep.py), {"v": 1, "annotations":
[stash, ...]}, each video stash also naming the Label Studio annotation it was made for ("annotation": id), so
that another annotator's annotation of the same video is not read as this one edited.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Iterable

from annobridge import keep
from annobridge.fidelity import LABEL_STUDIO, FidelityReport
from annobridge.video import VideoAnnotation

from .regions_keep import task_meta, task_stashes

__all__ = ["ANNOTATION", "kept_meta", "stash_of", "stashes_for", "with_stash"]

ANNOTATION = "annotation"  # the key of a video stash naming the Label Studio annotation id it was made for


def stash_of(annotation: VideoAnnotation, results: list[dict[str, Any]], config: str, fps: Fraction | None = None
             ) -> dict[str, Any] | None:
    """What reading `results` (written for `annotation`) back on a video of rate `fps` (the annotation's when
    None) lacks of `annotation`; None when nothing. The annotation's author is not in it: the write sends it as
    `completed_by`, and the server's word on it is the one read."""
    from .video_regions import video_from_labelstudio

    read_back, _ = video_from_labelstudio(
        results, config, width=annotation.width, height=annotation.height, frames_count=annotation.frames_count,
        fps=annotation.fps if fps is None else fps, item=annotation.item,
    )
    return keep.stash(annotation, read_back.model_copy(update={"author": annotation.author}), LABEL_STUDIO)


def with_stash(annotation: VideoAnnotation, results: list[dict[str, Any]], report: FidelityReport, config: str,
               fps: Fraction | None = None) -> tuple[FidelityReport, dict[str, Any] | None]:
    """The conversion's `report` as a write that stores the stash gives it (what was approximated or dropped
    counted as kept for the way back), and the stash (None, and `report` as it was, when nothing is missing)."""
    found = stash_of(annotation, results, config, fps)
    return (report if found is None else keep.as_kept(report)), found


def stashes_for(task: dict[str, Any], annotation_id: Any) -> list[dict[str, Any]]:
    """The stashes of the task's meta that may be for its Label Studio annotation `annotation_id`: those made for
    it, and those naming no annotation (written by the image path's layout).

    >>> task = {"meta": {"annobridge": {"v": 1, "annotations": [{"digest": "a", "annotation": 7}, {"digest": "b"},
    ...                                                           {"digest": "c", "annotation": 8}]}}}
    >>> [s["digest"] for s in stashes_for(task, 7)]
    ['a', 'b']
    """
    return [s for s in task_stashes(task) if s.get(ANNOTATION, annotation_id) == annotation_id]


def kept_meta(meta: dict[str, Any] | None, made: Iterable[tuple[int, dict[str, Any] | None]], *, fresh: bool
              ) -> dict[str, Any] | None:
    """The task's meta holding the stashes of the annotations just `made` ((annotation id, stash or None) pairs)
    after those it held (`fresh`: instead of them, as a "replace" write leaves none of their annotations), its
    other keys as they were; None when the meta need not change.

    >>> kept_meta({"source": "x"}, [(5, {"v": 1, "digest": "d", "patch": []})], fresh=False)["annobridge"]
    {'v': 1, 'annotations': [{'v': 1, 'digest': 'd', 'patch': [], 'annotation': 5}]}
    >>> kept_meta({"source": "x", "annobridge": {"v": 1, "annotations": []}}, [(5, None)], fresh=True)
    {'source': 'x'}
    >>> kept_meta({"source": "x"}, [(5, None)], fresh=True) is None
    True
    """
    rest = dict(meta or {})
    stashes = [{**stash, ANNOTATION: aid} for aid, stash in made if stash is not None]
    if fresh and keep.KEY in rest:
        rest.pop(keep.KEY)
    elif not stashes:
        return None
    return task_meta(rest, stashes)
