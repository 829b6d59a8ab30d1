"""Videos on Supervisely: a video project's videos added, listed and downloaded, and their tracks read and written.

Videos go up with api.video.upload_paths and come down byte for byte with api.video.download_path.
Annotations are read a dataset page at a time (videos.annotations.bulk.info) and converted by
video_convert; a write converts and checks every annotation first, then sends each with
api.video.annotation.append ("replace" first removes the video's objects, with their figures and
tags, and its own tags). Authors are logins of the team's members, mapped as image annotations'
are (annotation_writes.Authors); the frame rate is recovered exactly from the file meta (convert.video_fps).
What Supervisely cannot hold (keyframe flags, the description, authors who are not members...) is kept
in the video's custom data (video_keep) and comes back on read; the write's report counts it as kept.
Only a video that holds nothing but the write afterwards gets a stash: an append onto a video holding
objects or tags, or several annotations for one video in one call, store none and count what is lost.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from annobridge import keep
from annobridge.annotation_apis import WriteMode, in_pages
from annobridge.errors import BackendError, Conflict, NotFound, ValidationError
from annobridge.fidelity import SUPERVISELY, FidelityReport
from annobridge.models import Id, Item, ReviewStatus
from annobridge.schema import LabelSchema
from annobridge.export_apis import ExportsAPI
from annobridge.transfer import SOURCE_KEY
from annobridge.video import VideoAnnotation
from annobridge.video_apis import VideosAPI, checked_video_writes, video_files

from . import video_keep
from .convert import entities, item_from_video_info, sly_id, video_fps
from .items import unique_file_name

if TYPE_CHECKING:
    from .provider import SuperviselyProvider

__all__ = ["SuperviselyVideos"]

PAGE = 50  # videos a page: one videos.annotations.bulk.info each (a video's annotation can be large)
ID_FILTER_CHUNK = 500  # ids per videos.list "in" filter


class SuperviselyVideos(VideosAPI["SuperviselyProvider"]):
    """Videos (api.video) and their annotations (api.video.annotation) as Items and VideoAnnotations.

    Example::

        sv.videos.add(project.id, ["clips/walk.mp4"])
        [(v.frames_count, v.fps) for v in sv.videos.list(project_id=project.id)]  # -> [(300, Fraction(30000, 1001))]
    """

    # -- videos ----------------------------------------------------------------------------

    def add(self, project_id: Id, videos: Iterable[Any], *, dataset_id: Id | None = None) -> list[Id]:
        """Upload the files into `dataset_id`, else the project's only dataset (a new "ds0" if it has none);
        every file and the project's kind are checked before the first byte is sent."""
        checked = video_files(videos)
        pid = sly_id(project_id, "project_id")
        self._video_project(pid)
        if not checked:
            return []
        target = self.backend.items.upload_dataset(pid, dataset_id)
        names = [v["name"] for v in checked]
        with self.backend.errors():  # the SDK would rename a clash ("clip_01.mp4"): refused instead, as images' are
            taken = self.backend.api.video.get_list(target, filters=_in(names, "name"))
        if taken:
            held = ", ".join(f"{v.name!r} (id {v.id})" for v in taken)
            raise Conflict(f"videos: dataset {target} holds {held} already; video names in a dataset are unique")
        with self.backend.errors():
            infos = self.backend.api.video.upload_paths(target, names, [str(v["path"]) for v in checked],
                                                   metas=[_stamp(v["source_key"]) for v in checked])
        if [info.name for info in infos] != names:  # the SDK skips a video the server refuses, with a log line
            added = {info.name for info in infos}
            raise BackendError(f"{self.backend.describe()}: {len(infos)} of {len(names)} videos were added to dataset "
                               f"{target}; not added: {[n for n in names if n not in added]}")
        return [info.id for info in infos]

    def list(self, *, job_id: Id | None = None, project_id: Id | None = None) -> Iterator[Item]:
        """The job's videos in its order (with the reviewer's verdicts), or the project's, dataset by dataset."""
        if (job_id is None) == (project_id is None):
            raise ValidationError("videos.list takes exactly one of job_id, project_id")
        if job_id is not None:
            info, _ = self.backend.jobs.fetch(job_id)  # now, so a missing job is NotFound at the call
            verdicts = {e.id: e.review_status for e in entities(info.entities) or []}
            return (item_from_video_info(v, review=verdicts[v.id]) for v in self._by_ids(info.dataset_id, verdicts))
        datasets = self._datasets(sly_id(project_id, "project_id"))
        return (item_from_video_info(v) for page in self._dataset_pages(datasets) for v in page)

    def download(self, project_id: Id, *, directory: str | Path, item_ids: Iterable[Id] | None = None) -> list[Path]:
        """Write the project's videos (or only `item_ids`, in their order) into `directory` under their names
        (a name met again gets the id: "clip_77.mp4"); their paths. Ids are checked before anything is written."""
        target = ExportsAPI.check_directory(directory)
        pid = sly_id(project_id, "project_id")
        if item_ids is None:
            videos = [v for page in self._dataset_pages(self._datasets(pid)) for v in page]
        else:
            wanted = list(dict.fromkeys(sly_id(i, "item_ids") for i in item_ids))
            found = self._videos(pid, wanted, "item_ids")
            videos = [found[i] for i in wanted]
        target.mkdir(parents=True, exist_ok=True)
        taken: set[str] = set()
        paths = []
        for video in videos:
            path = target / unique_file_name(video, taken)
            with self.backend.errors():
                self.backend.api.video.download_path(video.id, str(path))
            paths.append(path)
        return paths

    # -- annotations -----------------------------------------------------------------------

    def annotations(
        self, *, job_id: Id | None = None, project_id: Id | None = None, item_ids: Iterable[Id] | None = None,
        report: FidelityReport | None = None,
    ) -> Iterator[VideoAnnotation]:
        """The annotation of each video of the job (in its order, with the reviewer's verdict), of the project, or
        of `item_ids` alone, 50 videos a request; videos holding nothing are left out, as images' are."""
        if job_id is not None and project_id is not None:
            raise ValidationError("videos.annotations takes at most one of job_id, project_id")
        if job_id is None and project_id is None and item_ids is None:
            raise ValidationError("videos.annotations needs job_id, project_id or item_ids")
        wanted = None if item_ids is None else list(dict.fromkeys(sly_id(i, "item_ids") for i in item_ids))
        report = report if report is not None else FidelityReport()
        if job_id is not None:
            info, _ = self.backend.jobs.fetch(job_id)
            verdicts = {e.id: e.review_status for e in entities(info.entities) or []}
            ids = list(verdicts)
            if wanted is not None:
                strangers = [i for i in wanted if i not in verdicts]
                if strangers:
                    raise ValidationError(f"item_ids: {strangers[:20]} are not items of labeling job {info.id}")
                ids = wanted
            metas = {info.project_id: self.backend.projects.meta(info.project_id)}
            return self._read(in_pages(self._by_ids(info.dataset_id, ids), PAGE), metas, verdicts, report)
        if project_id is not None:
            pid = sly_id(project_id, "project_id")
            metas = {pid: self.backend.projects.meta(pid)}
            if wanted is None:
                return self._read(self._dataset_pages(self._datasets(pid)), metas, {}, report)
            found = self._videos(pid, wanted, "item_ids")
        else:
            found = self._anywhere(wanted or [])
            metas = {p: self.backend.projects.meta(p) for p in dict.fromkeys(v.project_id for v in found.values())}
        return self._read(in_pages((found[i] for i in wanted or []), PAGE), metas, {}, report)

    def _read(self, pages: Iterable[list[Any]], metas: dict[int, Any], verdicts: dict[int, ReviewStatus],
              report: FidelityReport) -> Iterator[VideoAnnotation]:
        from .meta import meta_to_schema, parse_meta
        from .video_convert import video_from_supervisely

        schemas = {project: meta_to_schema(meta)[0] for project, meta in metas.items()}  # once: the SDK checks slowly
        metas = {project: parse_meta(meta) for project, meta in metas.items()}
        for page in pages:
            by_dataset: dict[int, list[Any]] = defaultdict(list)
            for video in page:
                by_dataset[video.dataset_id].append(video)
            found: dict[int, dict[str, Any]] = {}
            with self.backend.errors():
                for dataset_id, videos in by_dataset.items():
                    answers = self.backend.api.video.annotation.download_bulk(dataset_id, [v.id for v in videos])
                    found.update(zip((v.id for v in videos), answers))
            for video in page:
                neutral, losses = video_from_supervisely(found[video.id], metas[video.project_id], fps=_fps(video),
                                                         item=video.id, schema=schemas[video.project_id])
                report.merge(losses)
                neutral = video_keep.restored(neutral, video.custom_data, report)  # made for it without a verdict
                if video.id in verdicts:
                    neutral = neutral.model_copy(update={"review_status": verdicts[video.id]})
                if neutral.objects or neutral.tags or neutral.description:
                    yield neutral

    def write(
        self, project_id: Id, annotations: Iterable[VideoAnnotation], *, mode: WriteMode = "append"
    ) -> FidelityReport:
        """Write the annotations onto the project's videos (see the module docstring); the merged report of the
        conversions and the authors. Nothing is sent unless every annotation names a video of the project, has its
        size and frames count, and fits the project's meta."""
        from .annotation_writes import Authors
        from .meta import meta_to_schema, parse_meta
        from .users import team_members

        listed = checked_video_writes(annotations, mode)
        if not listed:
            return FidelityReport()
        pid = sly_id(project_id, "project_id")
        self._video_project(pid)
        meta_json = self.backend.projects.meta(pid)
        schema, meta = meta_to_schema(meta_json)[0], parse_meta(meta_json)
        ids = [sly_id(a.item, f"annotations[{n}].item") for n, a in enumerate(listed)]
        infos = self._videos(pid, list(dict.fromkeys(ids)), "annotations.item")
        authors = Authors(team_members(self.backend), team=self.backend.team_id)
        report, prepared, given = FidelityReport(), [], Counter(ids)
        for video_id, original in zip(ids, listed):
            info = infos[video_id]
            _same_video(original, info)
            original.validate_against(schema)
            losses = FidelityReport()
            data, conversion = _converted(authors.apply(original, losses), meta)
            losses.merge(conversion)
            sent = _sdk_annotation(data, meta, original)
            alone = given[video_id] == 1  # several for one video: no one stash fits what the video ends holding
            entry = video_keep.stash(original, sent, meta, fps=_fps(info), schema=schema) if alone else None
            prepared.append((info, sent, losses, entry))
        kept, custom = self._stashes(prepared, mode)
        with self.backend.errors():
            if mode == "replace":
                self._clear([infos[i] for i in dict.fromkeys(ids)])
            for info, annotation, losses, _ in prepared:
                self.backend.api.video.annotation.append(info.id, annotation, video_info=info)
                report.merge(keep.as_kept(losses) if info.id in kept else losses)
            for video_id, data in custom.items():
                self.backend.api.video.update_custom_data(video_id, data)
        return report

    def preview(self, annotations: Iterable[VideoAnnotation], *, schema: LabelSchema) -> FidelityReport:
        """Convert the annotations as `write` would into a video project made from `schema`; nothing is sent."""
        from .meta import parse_meta, schema_to_meta

        meta, report = parse_meta(schema_to_meta(schema)[0]), FidelityReport()
        listed = checked_video_writes(annotations, "append")
        alone = Counter(a.item for a in listed if a.item is not None)
        for annotation in listed:  # each onto a video that holds nothing, as a migration writes
            data, conversion = _converted(annotation, meta)
            entry = None if alone[annotation.item] > 1 else video_keep.stash(
                annotation, _sdk_annotation(data, meta, annotation), meta, fps=annotation.fps, schema=schema)
            report.merge(conversion if entry is None else keep.as_kept(conversion))
        return report

    def _stashes(self, prepared: list[tuple], mode: WriteMode) -> tuple[set[int], dict[int, dict[str, Any]]]:
        """(the videos whose stash is stored by the write, video id -> the custom data to set): a video that holds
        only what the write puts on it gets its new stash, or loses its old one; one that holds objects or tags
        before an append keeps its custom data as it is (its old stash will not match and is counted then)."""
        entries = {info.id: (info, entry) for info, _, _, entry in prepared}
        touched = [(i, e) for i, e in entries.values() if e is not None or video_keep.stored(i.custom_data)]
        if mode == "append" and touched:
            held = self._held([info for info, _ in touched])
            touched = [(i, e) for i, e in touched if not (held[i.id].get("objects") or held[i.id].get("tags"))]
        kept, custom = {info.id for info, entry in touched if entry is not None}, {}
        for info, entry in touched:
            data = video_keep.with_stash(info.custom_data, entry)
            if data != (info.custom_data or {}):
                custom[info.id] = data
        return kept, custom

    def _clear(self, videos: list[Any]) -> None:
        """Remove what the videos hold: their objects (figures and object tags go with them), then their own tags."""
        held = list(self._held(videos).values())
        objects = [o["id"] for h in held for o in h.get("objects") or []]
        if objects:
            self.backend.api.video.object.remove_batch(objects)  # the SDK sends them in batches
        for tag in (t for h in held for t in h.get("tags") or []):
            self.backend.api.video.tag.remove_from_video(tag["id"])  # the SDK has no bulk removal of video tags

    def _held(self, videos: list[Any]) -> dict[int, dict[str, Any]]:
        """Video id -> the annotation JSON the video holds now, 50 videos a videos.annotations.bulk.info."""
        by_dataset: dict[int, list[int]] = defaultdict(list)
        for video in videos:
            by_dataset[video.dataset_id].append(video.id)
        found: dict[int, dict[str, Any]] = {}
        with self.backend.errors():
            for dataset_id, ids in by_dataset.items():
                for start in range(0, len(ids), PAGE):
                    chunk = ids[start : start + PAGE]
                    found.update(zip(chunk, self.backend.api.video.annotation.download_bulk(dataset_id, chunk)))
        return found

    # -- where videos are ------------------------------------------------------------------

    def _video_project(self, project_id: int) -> Any:
        """The ProjectInfo of a video project; NotFound, or ValidationError for a project of another kind."""
        with self.backend.errors():
            info = self.backend.api.project.get_info_by_id(project_id)
        if info is None:
            raise self.backend.not_found(f"project {project_id}")
        if str(info.type) != "videos":
            raise ValidationError(f"project {project_id} holds {info.type}; videos go into a video project "
                                  "(a schema with media='video')")
        return info

    def _datasets(self, project_id: int) -> list[Any]:
        try:
            with self.backend.errors():
                return self.backend.api.dataset.get_list(project_id)
        except NotFound:
            raise self.backend.not_found(f"project {project_id}") from None

    def _dataset_pages(self, datasets: list[Any]) -> Iterator[list[Any]]:
        """VideoInfo pages of each dataset in turn (the SDK's cursor pagination), so memory stays flat."""
        for dataset in datasets:
            with self.backend.errors():
                yield from self.backend.api.video.get_list_generator(dataset.id, batch_size=PAGE)

    def _by_ids(self, dataset_id: int, ids: Iterable[int]) -> Iterator[Any]:
        """The VideoInfos of these ids in the dataset, in their order (500 a videos.list); ids not there skipped."""
        ids = list(ids)
        for start in range(0, len(ids), ID_FILTER_CHUNK):
            chunk = ids[start : start + ID_FILTER_CHUNK]
            with self.backend.errors():
                found = {v.id: v for v in self.backend.api.video.get_list(dataset_id, filters=_in(chunk))}
            yield from (found[i] for i in chunk if i in found)

    def _lookup(self, project_id: int, ids: list[int]) -> dict[int, Any]:
        found: dict[int, Any] = {}
        for start in range(0, len(ids), ID_FILTER_CHUNK):
            chunk = ids[start : start + ID_FILTER_CHUNK]
            with self.backend.errors():
                infos = self.backend.api.video.get_list(project_id=project_id, filters=_in(chunk))
            found.update((v.id, v) for v in infos)
        return found

    def _videos(self, project_id: int, ids: list[int], field: str) -> dict[int, Any]:
        """VideoInfo by id for videos of the project; ValidationError naming the ids that are not."""
        found = self._lookup(project_id, ids)
        strangers = [i for i in ids if i not in found]
        if strangers:
            more = " ..." if len(strangers) > 20 else ""
            raise ValidationError(f"{field}: {strangers[:20]}{more} are not videos of project {project_id}")
        return found

    def _anywhere(self, ids: list[int]) -> dict[int, Any]:
        """VideoInfo by id wherever the videos are: one videos.info, then one videos.list a project; NotFound."""
        found: dict[int, Any] = {}
        for video_id in ids:
            if video_id in found:
                continue
            with self.backend.errors():
                info = self.backend.api.video.get_info_by_id(video_id)
            if info is None:
                raise self.backend.not_found(f"video {video_id}")
            found.update(self._lookup(info.project_id, [i for i in ids if i not in found]))
            found.setdefault(video_id, info)
        return found


def _converted(annotation: VideoAnnotation, meta) -> tuple[dict[str, Any], FidelityReport]:
    """The Supervisely video JSON of the annotation and its report, with what `append` leaves out counted."""
    from .video_convert import video_to_supervisely

    data, report = video_to_supervisely(annotation, meta)
    if annotation.description:  # append sends objects, frames and tags only
        report.dropped("video description", SUPERVISELY, "a video annotation keeps none", item=annotation.item)
    return data, report


def _stamp(source_key: str | None) -> dict[str, Any]:
    """The video meta holding a migration's source key (transfer.SOURCE_KEY), as image meta does; else none."""
    return {SOURCE_KEY: source_key} if source_key is not None else {}


def _in(values: list[Any], field: str = "id") -> list[dict[str, Any]]:
    """The videos.list filter of the videos whose `field` is one of `values`."""
    return [{"field": field, "operator": "in", "value": values}]


def _fps(video) -> Any:
    fps = video_fps(video.file_meta, video.frames_count)
    if fps is None:
        raise BackendError(f"video {video.id}: the server gave no frame rate (its file meta has no duration)")
    return fps


def _same_video(annotation: VideoAnnotation, info) -> None:
    """ValidationError unless the annotation has the video's frame size and frames count."""
    given = (annotation.width, annotation.height, annotation.frames_count)
    held = (info.frame_width, info.frame_height, info.frames_count)
    if given != held:
        raise annotation.fail(f"the annotation is {given[0]}x{given[1]} with {given[2]} frames, the video "
                              f"{info.name!r} is {held[0]}x{held[1]} with {held[2]} frames")


def _sdk_annotation(data: dict[str, Any], meta, annotation: VideoAnnotation):
    """The SDK's VideoAnnotation of the JSON video_to_supervisely made (it has checked that it parses)."""
    from supervisely.video_annotation.video_annotation import VideoAnnotation as SlyVideoAnnotation

    try:
        return SlyVideoAnnotation.from_json(data, meta)
    except Exception as exc:  # the SDK raises bare exceptions here
        raise annotation.fail(f"Supervisely would refuse the video annotation: {exc!r}") from None
