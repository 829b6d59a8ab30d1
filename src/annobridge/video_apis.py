"""The videos sub-API base class: the videos of a video project, and their tracked annotations in bulk.

A video project is one whose LabelSchema has `media="video"`. Its items are videos, each an Item
with its size, `frames_count` and exact `fps`; its annotations are VideoAnnotations (video.py),
whose `item` is the backend's item id and whose authors are logins, as for images.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from .annotation_apis import WriteMode, checked_writes
from .capabilities import Capability
from .errors import ValidationError
from .fidelity import FidelityReport
from .models import Id, Item
from .schema import LabelSchema
from .subapi import P, SubAPI, keyword_ids, requires

if TYPE_CHECKING:
    from .video import VideoAnnotation

__all__ = ["VideosAPI", "checked_video_writes", "video_files"]

VIDEO_SUFFIXES = (".mp4", ".mov", ".avi", ".webm", ".mkv")


def video_files(videos: Iterable[Any]) -> list[dict[str, Any]]:
    """Each video to add as {"path", "name", "source_key"}, checked: a path, or a dict with "path" and optionally
    "name" and "source_key" (the key a migration stamps on what it carries, transfer.SOURCE_KEY); names unique and
    ending in a video suffix; else ValidationError, before anything is sent.

    >>> video_files(["/nonexistent/clip.mp4"])
    Traceback (most recent call last):
    annobridge.errors.ValidationError: videos[0].path: '/nonexistent/clip.mp4' is not a file
    """
    checked = []
    for index, video in enumerate(videos):
        where = f"videos[{index}]"
        if isinstance(video, (str, Path)):
            video = {"path": video}
        if not isinstance(video, dict) or "path" not in video or set(video) - {"path", "name", "source_key"}:
            raise ValidationError(f"{where}: expected a path or a dict with 'path' (and optionally 'name', "
                                  "'source_key')")
        path = Path(video["path"])
        if not path.is_file():
            raise ValidationError(f"{where}.path: {str(path)!r} is not a file")
        name = str(video.get("name") or path.name)
        if Path(name).suffix.lower() not in VIDEO_SUFFIXES:
            raise ValidationError(f"{where}.name: {name!r} does not end in one of {', '.join(VIDEO_SUFFIXES)}")
        key = video.get("source_key")
        if key is not None and (not isinstance(key, str) or not key):
            raise ValidationError(f"{where}.source_key: a non-empty string, not {key!r}")
        checked.append({"path": path, "name": name, "source_key": key})
    names = [v["name"] for v in checked]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ValidationError(f"videos: names {twice} appear more than once; video names in a project are unique")
    return checked


def checked_video_writes(annotations: Iterable[VideoAnnotation], mode: str) -> list[VideoAnnotation]:
    """The video annotations as a list, each naming its item, with a known `mode`; else ValidationError."""
    from .video import VideoAnnotation

    return checked_writes(annotations, mode, VideoAnnotation)


class VideosAPI(SubAPI[P]):
    """Videos of video projects: add files, list and download them, read and write their VideoAnnotations."""

    @requires(Capability.VIDEO)
    def add(self, project_id: Id, videos: Iterable[str | Path | dict[str, Any]], *,
            dataset_id: Id | None = None) -> list[Id]:
        """Upload video files (paths, or {"path", "name", "source_key"}) into the video project; their item ids, in
        order.
        Every file is checked (video_files) before the first byte is sent."""
        raise self._missing("videos.add")

    @requires(Capability.VIDEO)
    def add_with_annotations(
        self, project_id: Id, videos: Iterable[str | Path | dict[str, Any]],
        annotations: Iterable[Iterable[VideoAnnotation]], *, dataset_id: Id | None = None,
    ) -> tuple[list[Id], FidelityReport]:
        """Add the videos, each with its annotations (`annotations[n]` for `videos[n]`; their `item` is set here):
        the new ids and the report of writing the annotations. Every annotation is checked against the project's
        schema before the first upload. A backend that takes both at once overrides this (Label Studio: one
        import); here the videos are added, then the annotations written."""
        files, groups = list(videos), [list(group) for group in annotations]
        if len(groups) != len(files):
            raise ValidationError(f"annotations: {len(groups)} groups for {len(files)} videos; give one per video")
        schema = self.backend.projects.get_schema(project_id)
        for annotation in (a for group in groups for a in group):
            annotation.validate_against(schema)
        ids = self.add(project_id, files, dataset_id=dataset_id)
        written = [a.model_copy(update={"item": item}) for item, group in zip(ids, groups) for a in group]
        return ids, self.write(project_id, written) if written else FidelityReport()

    @keyword_ids("job_id")
    @requires(Capability.VIDEO)
    def list(self, *, job_id: Id | None = None, project_id: Id | None = None) -> Iterator[Item]:
        """The job's or the project's videos, each with its size, frames_count and fps, page by page."""
        raise self._missing("videos.list")

    @requires(Capability.VIDEO)
    def download(self, project_id: Id, *, directory: str | Path, item_ids: Iterable[Id] | None = None) -> list[Path]:
        """Write the project's videos (only `item_ids`, when given) into `directory`; their paths, in the order of
        `item_ids` (when given; else the listing's)."""
        raise self._missing("videos.download")

    @keyword_ids("job_id")
    @requires(Capability.VIDEO)
    def annotations(
        self, *, job_id: Id | None = None, project_id: Id | None = None, item_ids: Iterable[Id] | None = None,
        report: FidelityReport | None = None,
    ) -> Iterator[VideoAnnotation]:
        """Every video annotation of the job's or the project's videos (only `item_ids`, when given; alone, wherever
        they are): one per video on Supervisely, one per annotator on Label Studio. What reading could not carry
        into the neutral form is counted into `report`, when given."""
        raise self._missing("videos.annotations")

    @requires(Capability.VIDEO)
    def write(
        self, project_id: Id, annotations: Iterable[VideoAnnotation], *, mode: WriteMode = "append"
    ) -> FidelityReport:
        """Write video annotations onto the project's videos: added to what they hold ("append"), or in its
        place ("replace"); every annotation is checked against the project's schema before the first write."""
        raise self._missing("videos.write")

    @requires(Capability.VIDEO)
    def preview(self, annotations: Iterable[VideoAnnotation], *, schema: LabelSchema) -> FidelityReport:
        """Convert the annotations as `write` would for a video project with `schema`; nothing is written and no
        project is needed (dry runs). A bad annotation raises ValidationError naming it."""
        raise self._missing("videos.preview")
