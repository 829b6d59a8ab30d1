"""Items on Supervisely are images: list them by job, project or dataset; upload files or bytes; remove them."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from annobridge.errors import NotFound, ValidationError
from annobridge.models import Id, Item
from annobridge.provider import ExportsAPI, ItemsAPI

from .convert import entities, item_from_info, sly_id

if TYPE_CHECKING:
    from .provider import SuperviselyProvider

ID_FILTER_CHUNK = 500  # ids per images.list "in" filter: keeps request bodies small
DOWNLOAD_PAGE = 100  # images a page when downloading: one images.bulk.download each


class SuperviselyItems(ItemsAPI["SuperviselyProvider"]):
    """Images (api.image), all pages, never capped."""

    def list(self, *, job_id: Id | None = None, project_id: Id | None = None, dataset_id: Id | None = None
    ) -> Iterator[Item]:
        """The job's items with their review status (in the job's order), or every image of the dataset / project."""
        given = [
            n for n, v in (("job_id", job_id), ("project_id", project_id), ("dataset_id", dataset_id)) if v is not None
        ]
        if len(given) != 1:
            raise ValidationError(
                f"items.list takes exactly one of job_id, project_id, dataset_id; got {given or 'none'}"
            )
        if job_id is not None:
            return self._of_job(job_id)
        if dataset_id is not None:
            return self._of_dataset(sly_id(dataset_id, "dataset_id"))
        return self._of_project(sly_id(project_id, "project_id"))

    def _of_job(self, job_id: Id) -> Iterator[Item]:
        info, _ = self.backend.jobs.fetch(job_id)  # now, so a missing job is NotFound at the call
        return self._job_pages(info)

    def _job_pages(self, info) -> Iterator[Item]:
        verdicts = {e.id: e.review_status for e in entities(info.entities) or []}
        ids = list(verdicts)
        for start in range(0, len(ids), ID_FILTER_CHUNK):
            chunk = ids[start : start + ID_FILTER_CHUNK]
            with self.backend.errors():
                infos = self.backend.api.image.get_list(
                    info.dataset_id, filters=[{"field": "id", "operator": "in", "value": chunk}]
                )
            by_id = {i.id: i for i in infos}
            for item_id in chunk:
                if item_id in by_id:
                    yield item_from_info(by_id[item_id], review=verdicts[item_id])

    def _of_dataset(self, dataset_id: int) -> Iterator[Item]:
        """Page by page (the SDK's cursor pagination), so memory stays flat however big the dataset."""
        try:
            with self.backend.errors():
                for page in self.backend.api.image.get_list_generator(dataset_id):
                    yield from (item_from_info(info) for info in page)
        except NotFound:
            raise self.backend.not_found(f"dataset {dataset_id}") from None

    def _of_project(self, project_id: int) -> Iterator[Item]:
        try:
            with self.backend.errors():
                datasets = self.backend.api.dataset.get_list(project_id)
        except NotFound:
            raise self.backend.not_found(f"project {project_id}") from None
        for dataset in datasets:
            yield from self._of_dataset(dataset.id)

    def download(
        self,
        *,
        job_id: Id | None = None,
        project_id: Id | None = None,
        directory: str | Path,
        item_ids: Iterable[Id] | None = None,
    ) -> list[Path]:
        """Write the images of the job (in its order) or the project, or only `item_ids`, into `directory` under
        their names (a name met again in another dataset gets the image id: "IMG_1_77.jpeg"); their paths.

        The directory is checked before anything is read; bytes come as stored, 100 images a request:
        `sv.items.download(job_id=job.id, directory="media/")` gives [PosixPath('media/IMG_8144.jpeg'), ...].
        """
        target = ExportsAPI.check_directory(directory)
        if (job_id is None) == (project_id is None):
            raise ValidationError("items.download takes exactly one of job_id, project_id")
        wanted = None if item_ids is None else list(dict.fromkeys(sly_id(i, "item_ids") for i in item_ids))
        pages = self._media_pages(job_id, project_id, wanted)
        target.mkdir(parents=True, exist_ok=True)
        taken: set[str] = set()
        paths: list[Path] = []
        for dataset_id, infos in pages:
            names = [unique_file_name(info, taken) for info in infos]
            page_paths = [target / name for name in names]
            with self.backend.errors():
                self.backend.api.image.download_paths(dataset_id, [i.id for i in infos], [str(p) for p in page_paths])
            paths += page_paths
        return paths

    def _media_pages(self, job_id: Id | None, project_id: Id | None, wanted: list[int] | None):
        """(dataset id, ImageInfos) pages of the images to download; checked now, read as they are written."""
        if job_id is not None:
            info, _ = self.backend.jobs.fetch(job_id)
            ids = [e["id"] for e in info.entities or []]
            if wanted is not None:
                strangers = sorted(set(wanted) - set(ids))
                if strangers:
                    raise ValidationError(f"item_ids: {strangers[:20]} are not items of labeling job {info.id}")
                ids = [i for i in ids if i in set(wanted)]
            return self._by_ids(info.dataset_id, ids)
        pid = sly_id(project_id, "project_id")
        if wanted is None:
            return self._project_pages(pid)
        found = self._of_ids(pid, wanted)
        strangers = [i for i in wanted if i not in found]
        if strangers:
            raise ValidationError(f"item_ids: {strangers[:20]} are not images of project {pid}")
        groups: dict[int, list[Any]] = {}
        for image_id in wanted:
            groups.setdefault(found[image_id].dataset_id, []).append(found[image_id])
        return [(d, g[k : k + DOWNLOAD_PAGE]) for d, g in groups.items() for k in range(0, len(g), DOWNLOAD_PAGE)]

    def _by_ids(self, dataset_id: int, ids: list[int]):
        for start in range(0, len(ids), DOWNLOAD_PAGE):
            chunk = ids[start : start + DOWNLOAD_PAGE]
            with self.backend.errors():
                infos = {
                    i.id: i
                    for i in self.backend.api.image.get_list(
                        dataset_id, filters=[{"field": "id", "operator": "in", "value": chunk}]
                    )
                }
            yield dataset_id, [infos[i] for i in chunk if i in infos]

    def _project_pages(self, project_id: int):
        try:
            with self.backend.errors():
                datasets = self.backend.api.dataset.get_list(project_id)
        except NotFound:
            raise self.backend.not_found(f"project {project_id}") from None

        def pages():
            for dataset in datasets:
                with self.backend.errors():
                    for infos in self.backend.api.image.get_list_generator(dataset.id, batch_size=DOWNLOAD_PAGE):
                        yield dataset.id, infos

        return pages()

    def _of_ids(self, project_id: int, ids: list[int]) -> dict[int, Any]:
        found: dict[int, Any] = {}
        for start in range(0, len(ids), ID_FILTER_CHUNK):
            chunk = ids[start : start + ID_FILTER_CHUNK]
            with self.backend.errors():
                infos = self.backend.api.image.get_list(
                    project_id=project_id, filters=[{"field": "id", "operator": "in", "value": chunk}]
                )
            found.update((i.id, i) for i in infos)
        return found

    def get(self, item_id: Id) -> Item:
        with self.backend.errors():
            info = self.backend.api.image.get_info_by_id(sly_id(item_id, "item_id"))
        if info is None:
            raise self.backend.not_found(f"image {item_id}")
        return item_from_info(info)

    def add(self, project_id: Id, items: Iterable[Any], *, dataset_id: Id | None = None) -> list[Id]:
        """Upload images; returns their ids in order. Each item is a path, or a dict with
        "path" or "bytes" (raw encoded image, needs "name"), and optionally "name" and "meta".

        The images go to `dataset_id`, else the project's only dataset (a new "ds0" if it has
        none). Every item is checked before the first byte is sent; bytes are uploaded as
        they are, never re-encoded.

        Example::

            sv.items.add(project.id, ["lemons/IMG_0748.jpeg", {"bytes": data, "name": "kiwi.png"}])
            # -> [3882699, 3882703]
        """
        payloads = [_payload(n, item) for n, item in enumerate(items)]
        names = [p["name"] for p in payloads]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValidationError(f"items: names {dupes} appear more than once; image names in a dataset are unique")
        if not payloads:
            return []
        target = self.upload_dataset(project_id, dataset_id)
        with tempfile.TemporaryDirectory(prefix="annobridge-upload-") as scratch:
            paths = []
            for n, p in enumerate(payloads):
                if "bytes" in p:
                    path = Path(scratch) / f"{n}-{Path(p['name']).name}"
                    path.write_bytes(p["bytes"])
                    paths.append(str(path))
                else:
                    paths.append(p["path"])
            metas = [p.get("meta") or {} for p in payloads]
            with self.backend.errors():
                infos = self.backend.api.image.upload_paths(target, names, paths, metas=metas)
        return [info.id for info in infos]

    def upload_dataset(self, project_id: Id, dataset_id: Id | None) -> int:
        """The dataset uploads to the project go to: `dataset_id`, checked to be one of the project's, else the
        project's only dataset (a new "ds0" if it has none); ValidationError otherwise."""
        project = sly_id(project_id, "project_id")
        if dataset_id is None:
            return self.backend.sole_dataset(project, create=True)
        with self.backend.errors():
            dataset = self.backend.api.dataset.get_info_by_id(sly_id(dataset_id, "dataset_id"))
        if dataset is None or dataset.project_id != project:
            where = f"in project {project_id}" if dataset is not None else f"on {self.backend.describe()}"
            raise ValidationError(f"dataset_id: no dataset {dataset_id} {where}")
        return dataset.id

    def delete(self, item_ids: Iterable[Id]) -> None:
        """Remove these images (images.bulk.remove, 50 a request); an empty list removes nothing."""
        ids = [sly_id(i, "item_ids") for i in item_ids]
        if ids:
            with self.backend.errors():
                self.backend.api.image.remove_batch(ids)


def unique_file_name(info, taken: set[str]) -> str:
    """The image's (or video's) name as a file name in a download directory, made unique with its id when `taken`
    has it already; the name is added to `taken`.

    >>> from types import SimpleNamespace as NS
    >>> taken = set()
    >>> [unique_file_name(NS(id=i, name=n), taken) for i, n in [(1, "a.jpg"), (2, "a.jpg"), (3, "dir/b")]]
    ['a.jpg', 'a_2.jpg', 'b']
    """
    name = Path(info.name).name or str(info.id)
    if name in taken:
        stem, dot, ext = name.rpartition(".")
        name = f"{stem}_{info.id}.{ext}" if dot and stem else f"{name}_{info.id}"
    taken.add(name)
    return name


def _payload(index: int, item: Any) -> dict[str, Any]:
    """One upload, checked: {"name", and "path" or "bytes", optional "meta"}."""
    where = f"items[{index}]"
    if isinstance(item, (str, os.PathLike)):
        item = {"path": item}
    if not isinstance(item, dict):
        raise ValidationError(f"{where}: expected a path or a dict with 'path' or 'bytes', got {type(item).__name__}")
    unknown = sorted(set(item) - {"path", "bytes", "name", "meta"})
    if unknown or ("path" in item) == ("bytes" in item):
        raise ValidationError(
            f"{where}: give exactly one of 'path' or 'bytes' (and optionally 'name', 'meta'); got {sorted(item)}"
        )
    meta = item.get("meta")
    if meta is not None and not isinstance(meta, dict):
        raise ValidationError(f"{where}.meta: must be a dict, got {type(meta).__name__}")
    if "path" in item:
        path = Path(item["path"])
        if not path.is_file():
            raise ValidationError(f"{where}.path: {str(path)!r} is not a file")
        return {"path": str(path), "name": item.get("name") or path.name, "meta": meta}
    data = item["bytes"]
    if not isinstance(data, (bytes, bytearray)) or not data:
        raise ValidationError(f"{where}.bytes: must be the non-empty encoded image")
    if not item.get("name"):
        raise ValidationError(f"{where}.name: uploading bytes needs a file name with an extension, e.g. 'kiwi.jpg'")
    return {"bytes": bytes(data), "name": str(item["name"]), "meta": meta}
