"""Videos of Label Studio video projects through the neutral videos sub-API: tasks holding an uploaded video.

Example::

    ids = backend.videos.add(project.id, ["clip.mp4"])
    [(v.name, v.frames_count, v.fps) for v in backend.videos.list(project_id=project.id)]
    # -> [('clip.mp4', 90, Fraction(30000, 1001))]

Label Studio's player learns a video's size, length and rate only in the browser, so `add` reads them
from the file (video_probe.py) and keeps them in the task's data beside the video's URL, as
{"video": "/data/upload/...", "video_info": {"width", "height", "frames_count", "fps": "30000/1001", "name"}};
reading and writing tracks needs them. Each Label Studio annotation of a task is one VideoAnnotation; what
its tracks and timelines cannot hold of one is kept for the way back in the task's meta (video_keep.py).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Iterable, Iterator

from annobridge import keep
from annobridge.annotation_apis import WriteMode
from annobridge.errors import ValidationError
from annobridge.fidelity import LABEL_STUDIO, FidelityReport
from annobridge.models import Id, Item
from annobridge.schema import LabelSchema, MediaKind
from annobridge.transfer import SOURCE_KEY
from annobridge.video import VideoAnnotation
from annobridge.video_apis import VideosAPI, checked_video_writes, video_files

from .annotation_io import (
    SELECTION, completed_by, known_tasks, logins, removed_on_failure, task_projects, user_ids,
)
from .label_config_parse import parse_label_config
from .regions_keep import task_meta
from .sdk_data import as_int, chosen_project, chunks
from .subapi_base import LabelStudioProvider, LabelStudioSubAPI
from .transfer import media_key
from .video_probe import INFO_KEY, VideoFacts, probe_video

__all__ = ["UPLOAD_SUFFIXES", "LabelStudioVideos", "video_key"]

UPLOAD_SUFFIXES = (".mp4", ".webm")  # the video files Label Studio's upload takes (settings.SUPPORTED_EXTENSIONS)


def video_key(config: str) -> str:
    """The task data key the config's first <Video> reads ("video" for annobridge's configs)."""
    return media_key(config, "Video")


class LabelStudioVideos(LabelStudioSubAPI, VideosAPI[LabelStudioProvider]):
    """Videos as tasks of a video project (a job is a project), their annotations as VideoAnnotations."""

    def _pid(self, job_id: Id | None, project_id: Id | None) -> int:
        if (job_id is None) == (project_id is None):
            raise ValidationError("job_id or project_id: exactly one of them (on Label Studio a job is a project)")
        return as_int(job_id if job_id is not None else project_id, "job_id" if job_id is not None else "project_id")

    def _video_project(self, pid: int) -> tuple[str, LabelSchema]:
        """The project's label config and schema (one request); ValidationError unless it is a video project."""
        config = self.backend.projects.label_config(pid)
        schema = parse_label_config(config).schema
        if schema.media is not MediaKind.VIDEO:
            raise ValidationError(f"project {pid} holds images; videos go into a video project "
                                  "(a schema with media='video')")
        return config, schema

    # ---------------------------------------------------------------- videos

    def add(self, project_id: Id, videos: Iterable[str | Path | dict[str, Any]], *,
            dataset_id: Id | None = None) -> list[Id]:
        """Upload the video files (100 a request) and make a task of each, its size, frame count, rate and name in
        its data; every file is checked and read with PyAV before the first byte is sent. Task ids, in order."""
        pid, config, _, files, facts = self._checked(project_id, videos, dataset_id)
        return self._import(pid, config, files, facts, [{} for _ in files])

    def add_with_annotations(
        self, project_id: Id, videos: Iterable[str | Path | dict[str, Any]],
        annotations: Iterable[Iterable[VideoAnnotation]], *, dataset_id: Id | None = None,
    ) -> tuple[list[Id], FidelityReport]:
        """Upload the videos and make each a task holding its annotations and their stash, in one import (as
        many requests as uploads take, plus one); every file and annotation is checked and converted first."""
        from .video_keep import with_stash

        pid, config, schema, files, facts = self._checked(project_id, videos, dataset_id)
        groups = [list(group) for group in annotations]
        if len(groups) != len(files):
            raise ValidationError(f"annotations: {len(groups)} groups for {len(files)} videos; give one per video")
        users = user_ids(self) if any(a.author is not None for g in groups for a in g) else {}
        report, extras = FidelityReport(), []
        for n, (video, fact, group) in enumerate(zip(files, facts, groups)):
            made, stashes = [], []
            for ann in group:
                _same_size(ann, fact, f"videos[{n}] ({video['name']})")
                ann.validate_against(schema)
                results, losses = _converted(ann, config)
                losses, stash = with_stash(ann, results, losses, config, fact.fps)
                report.merge(losses)
                made.append({"result": results, "ground_truth": False,
                             **completed_by(ann.author, users, report, video["name"])})
                stashes.append(stash)
            extras.append({"annotations": made, **({"meta": task_meta({}, stashes)} if any(stashes) else {})})
        report.carried("annotation", LABEL_STUDIO, sum(len(g) for g in groups))
        return self._import(pid, config, files, facts, extras), report

    def _checked(self, project_id: Id, videos: Iterable[Any], dataset_id: Id | None):
        """(project id, config, schema, checked files, their facts): everything an add needs, before any upload."""
        files = video_files(videos)
        pid = chosen_project(None, project_id, dataset_id)
        config, schema = self._video_project(pid)
        for index, video in enumerate(files):
            if Path(video["name"]).suffix.lower() not in UPLOAD_SUFFIXES:
                raise ValidationError(f"videos[{index}].name: {video['name']!r}: Label Studio takes "
                                      f"{' and '.join(UPLOAD_SUFFIXES)} video files only")
        return pid, config, schema, files, [probe_video(v["path"], f"videos[{n}] ({v['path']})")
                                            for n, v in enumerate(files)]

    def _import(self, pid: int, config: str, files: list[dict[str, Any]], facts: list[VideoFacts],
                extras: list[dict[str, Any]]) -> list[Id]:
        """Upload the files and import a task of each: its video, facts and source key, plus its `extras`."""
        urls = self._upload(pid, files)
        key = video_key(config)
        tasks = [{"data": {key: url, INFO_KEY: {**fact.as_info(), "name": video["name"]},
                           **({SOURCE_KEY: video["source_key"]} if video["source_key"] is not None else {})}, **extra}
                 for video, fact, url, extra in zip(files, facts, urls, extras)]
        return self.backend.items.add(pid, tasks)

    def _upload(self, pid: int, files: list[dict[str, Any]]) -> list[str]:
        """Upload the files without making tasks (uploads.py); the URLs the server serves them at, in order."""
        from .uploads import Upload, upload

        return upload(self.conn, pid, [Upload(v["name"], Path(v["path"])) for v in files], "videos")

    def list(self, *, job_id: Id | None = None, project_id: Id | None = None) -> Iterator[Item]:
        """The project's videos as Items (name, size, frames_count, exact fps from the task's video_info)."""
        pid = self._pid(job_id, project_id)
        self._video_project(pid)
        return self.backend.items.list(job_id=pid)

    def download(self, project_id: Id, *, directory: str | Path, item_ids: Iterable[Id] | None = None) -> list[Path]:
        """Write the videos, byte for byte, into `directory` named as listed (a repeated name gets the task id in
        front); every task is checked to have a video before the first is written. Their paths, in the order of
        `item_ids` (when given; else the listing's)."""
        from .media import fetch
        from .transfer import MEDIA_WORKERS

        pid = as_int(project_id, "project_id")
        config, _ = self._video_project(pid)
        key = video_key(config)
        wanted = known_tasks(self, pid, item_ids, "item_ids") if item_ids is not None else None
        items: list[Item] = []
        for chunk in [None] if wanted is None else chunks(wanted, SELECTION):
            items += self.backend.items.list(job_id=pid, selected_ids=chunk)
        if wanted is not None:  # in the order asked for, which callers zip with what they asked
            by_id = {int(item.id): item for item in items}
            items = [by_id[task] for task in wanted]
        urls = [item.data.get(key) if isinstance(item.data.get(key), str) else None for item in items]
        bare = [item.id for item, url in zip(items, urls) if not url]
        if bare:
            raise ValidationError(f"item_ids: tasks {bare[:5]} of project {pid} have no video to download")
        directory = Path(directory)
        paths, taken = [], set()
        for item in items:
            name = Path(item.name or f"task-{item.id}").name
            name = name if name not in taken else f"{item.id}-{name}"
            taken.add(name)
            paths.append(directory / name)
        directory.mkdir(parents=True, exist_ok=True)
        with ThreadPoolExecutor(max_workers=MEDIA_WORKERS) as pool:
            blobs = pool.map(lambda pair: fetch(self.conn, pair[1], int(pair[0].id)), zip(items, urls))
            for path, blob in zip(paths, blobs):
                path.write_bytes(blob)
        return paths

    # ---------------------------------------------------------------- annotations

    def annotations(
        self, *, job_id: Id | None = None, project_id: Id | None = None, item_ids: Iterable[Id] | None = None,
        report: FidelityReport | None = None,
    ) -> Iterator[VideoAnnotation]:
        """One VideoAnnotation per Label Studio annotation (skipped ones left out), its author a login, with what
        was kept for the way back in the task's meta (unless the annotation was edited since: then counted as
        dropped in `report`); videos nobody annotated give none. With `item_ids` alone, the projects are those of
        the tasks."""
        if job_id is None and project_id is None and item_ids is not None:
            groups: dict[int, list[int] | None] = dict(task_projects(self, item_ids))
        else:
            pid = self._pid(job_id, project_id)
            groups = {pid: known_tasks(self, pid, item_ids, "item_ids") if item_ids is not None else None}
        authors = logins(self) if groups else {}
        for pid, wanted in groups.items():
            yield from self._annotations_of(pid, wanted, authors, report if report is not None else FidelityReport())

    def _annotations_of(self, pid: int, wanted: list[int] | None, authors: dict[int, str], report: FidelityReport
                        ) -> Iterator[VideoAnnotation]:
        from .video_keep import stashes_for
        from .video_regions import video_from_labelstudio

        config, _ = self._video_project(pid)
        for chunk in [None] if wanted is None else chunks(wanted, SELECTION):
            for task in self.backend.items.tasks(pid, selected_ids=chunk):
                kept = [raw for raw in task.get("annotations") or [] if not raw.get("was_cancelled")]
                if not kept:
                    continue
                video = _facts(task)
                for raw in kept:
                    annotation, losses = video_from_labelstudio(
                        raw.get("result") or [], config, width=video.width, height=video.height,
                        frames_count=video.frames_count, fps=video.fps, item=task["id"],
                    )
                    report.merge(losses)
                    author = raw.get("completed_by")
                    author = author.get("id") if isinstance(author, dict) else author
                    if author is not None:
                        annotation = annotation.model_copy(update={"author": authors.get(author, author)})
                    yield keep.restored(annotation, stashes_for(task, raw.get("id")), report, LABEL_STUDIO)

    def preview(self, annotations: Iterable[VideoAnnotation], *, schema: LabelSchema) -> FidelityReport:
        """Convert the annotations as `write` would for a project with the config built from `schema` (what would be
        kept for the way back counted as kept); nothing is sent."""
        from .label_config import build_label_config
        from .video_keep import with_stash

        config, report = build_label_config(schema), FidelityReport()
        for annotation in checked_video_writes(annotations, "append"):
            annotation.validate_against(schema)
            results, losses = _converted(annotation, config)
            report.merge(with_stash(annotation, results, losses, config)[0])
        return report

    def write(
        self, project_id: Id, annotations: Iterable[VideoAnnotation], *, mode: WriteMode = "append"
    ) -> FidelityReport:
        """Each VideoAnnotation as one Label Studio annotation of its task, its author (a login or email) its
        `completed_by`; "replace" first removes the tasks' annotations. Every annotation is checked (a video of
        the project, its size and frame count, the schema, the config) before the first write; Label Studio has
        no bulk call for annotations of existing tasks, so it is one request each, and a failed one removes the
        annotations this call had made. What Label Studio cannot hold of an annotation is kept for the way back in
        its task's meta, the meta's other keys as they were (one more request a task that needs it)."""
        from .video_keep import kept_meta, with_stash

        listed = checked_video_writes(annotations, mode)
        pid = as_int(project_id, "project_id")
        config, schema = self._video_project(pid)
        if not listed:
            return FidelityReport()
        tasks = known_tasks(self, pid, [a.item for a in listed], "annotations")
        videos: dict[int, dict[str, Any]] = {}
        for chunk in chunks(tasks, SELECTION):
            videos.update({t["id"]: t for t in self.backend.items.tasks(
                pid, selected_ids=chunk, fields="task_only", include=("id", "data", "meta"))})
        users = user_ids(self) if any(a.author is not None for a in listed) else {}
        report, plan = FidelityReport(), []
        for ann in listed:
            tid = as_int(ann.item, "item")
            video = _facts(videos[tid])
            _same_size(ann, video, f"video {tid}")
            ann.validate_against(schema)
            results, losses = _converted(ann, config)
            losses, stash = with_stash(ann, results, losses, config, video.fps)
            report.merge(losses)
            extra = completed_by(ann.author, users, report, tid)
            plan.append((tid, results, extra, stash))
        if mode == "replace":
            self.backend.annotations.delete_in_project(pid, tasks)
        kept: dict[int, list[tuple[int, dict[str, Any] | None]]] = {tid: [] for tid in tasks}
        with removed_on_failure(self) as made:
            for tid, results, extra, stash in plan:
                with self.call(f"annotating video task {tid}"):
                    made.append(self.sdk.annotations.create(tid, result=results, **extra).id)
                kept[tid].append((made[-1], stash))
            for tid, pairs in kept.items():
                meta = kept_meta(videos[tid].get("meta"), pairs, fresh=mode == "replace")
                if meta is not None:
                    self.backend.items.update(tid, meta=meta)
        report.carried("annotation", LABEL_STUDIO, len(made))
        return report


def _converted(annotation: VideoAnnotation, config: str) -> tuple[list[dict[str, Any]], FidelityReport]:
    """The annotation's Label Studio results and report, with the object authors one annotation cannot hold."""
    from .video_regions import video_to_labelstudio

    results, report = video_to_labelstudio(annotation, config)
    others = sum(1 for o in annotation.objects if o.author is not None and o.author != annotation.author)
    if others:  # Label Studio keeps one author, the annotation's completed_by
        report.approximated("object author", LABEL_STUDIO, "as the annotation's author", others,
                            item=annotation.item)
    return results, report


def _same_size(annotation: VideoAnnotation, video: VideoFacts, where: str) -> None:
    """ValidationError unless the annotation is for the video's size and frame count."""
    if (annotation.width, annotation.height, annotation.frames_count) != (video.width, video.height,
                                                                          video.frames_count):
        raise ValidationError(
            f"{where}: the annotation is for {annotation.width}x{annotation.height} and {annotation.frames_count} "
            f"frames, the video is {video.width}x{video.height} and {video.frames_count} frames")


def _facts(task: dict[str, Any]) -> VideoFacts:
    """The task's video facts; ValidationError when it has none (it was not added with videos.add)."""
    found = VideoFacts.of_task(task.get("data") or {})
    if found is None:
        raise ValidationError(f"task {task['id']} has no video_info (size, frames, rate); add videos with videos.add")
    return found
