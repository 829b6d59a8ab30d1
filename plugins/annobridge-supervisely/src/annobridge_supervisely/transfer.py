"""Supervisely's side of a migration: images with their annotations read and written in bulk, as neutral Records.

Reading streams each dataset page by page (images.list), one annotations.bulk.info per page,
and media with one images.bulk.download per page. Writing uploads a page's bytes once by hash
(images.bulk.upload of the hashes the server lacks, then images.bulk.add) and its annotations
with one annotations.bulk.add. Each new image carries its source key in its meta
(`annobridge_source`), which is how `present` and `find` tell what a target holds already.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from annobridge.annotations import ItemAnnotation
from annobridge.fidelity import SUPERVISELY, FidelityReport
from annobridge.models import Id
from annobridge.schema import LabelSchema
from annobridge.transfer import SOURCE_KEY, MediaMode, Page, Record, TransferAPI, Written, link_urls, require_media

from .convert import sly_id

if TYPE_CHECKING:
    from .provider import SuperviselyProvider

__all__ = ["SuperviselyTransfer", "merge_annotations", "unique_names"]


class SuperviselyTransfer(TransferAPI["SuperviselyProvider"]):
    """Images and their annotations of a Supervisely project, in bulk.

    Example::

        pages = sv.transfer.read(5555, batch_size=100)
        [r.name for r in next(pages).records][:2]  # -> ['IMG_4451.jpeg', 'IMG_3861.jpeg']
    """

    def count(self, project_id: Id) -> int:
        """The project's image count (one projects.info request)."""
        with self.backend.errors():
            info = self.backend.api.project.get_info_by_id(sly_id(project_id, "project_id"))
        if info is None:
            raise self.backend.not_found(f"project {project_id}")
        return int(info.items_count or info.images_count or 0)

    def read(self, project_id: Id, *, batch_size: int = 100, skip: Iterable[str] = ()) -> Iterator[Page]:
        """Every image of every dataset with its annotation, `batch_size` images a page."""
        from .figures import from_supervisely
        from .figures_native import download

        pid = sly_id(project_id, "project_id")
        skipped = set(skip)
        meta = self.backend.projects.meta(pid)
        with self.backend.errors():
            datasets = self.backend.api.dataset.get_list(pid)
        for dataset in datasets:
            with self.backend.errors():
                pages = self.backend.api.image.get_list_generator(dataset.id, batch_size=batch_size)
                for infos in pages:
                    wanted = [i for i in infos if str(i.id) not in skipped]
                    if not wanted:
                        continue
                    anns = download(self.backend.api, dataset.id, [i.id for i in wanted])
                    report = FidelityReport()
                    records = []
                    for info, ann in zip(wanted, anns):
                        neutral, losses = from_supervisely(
                            ann, meta, item=info.name, width=info.width, height=info.height
                        )
                        report.merge(losses)
                        held = neutral.objects or neutral.tags or neutral.description
                        records.append(
                            Record(
                                key=str(info.id),
                                name=info.name,
                                width=info.width,
                                height=info.height,
                                annotations=[neutral] if held else [],
                                url=info.full_storage_url or info.link or None,
                                origin={"dataset_id": dataset.id, "image_id": info.id},
                            )
                        )
                    yield Page(records, report)

    def fetch_media(self, project_id: Id, records: list[Record]) -> None:
        """Each record's bytes: one images.bulk.download per dataset."""
        by_dataset: dict[int, list[Record]] = {}
        for record in records:
            if record.media is None:
                by_dataset.setdefault(int(record.origin["dataset_id"]), []).append(record)
        for dataset_id, group in by_dataset.items():
            with self.backend.errors():
                blobs = self.backend.api.image.download_bytes(dataset_id, [int(r.origin["image_id"]) for r in group])
            for record, blob in zip(group, blobs):
                record.media = blob

    def present(self, project_id: Id) -> dict[str, Id]:
        """Every source key the project's images carry in their meta -> image id (one images.list page at a time)."""
        found: dict[str, Id] = {}
        with self.backend.errors():
            for dataset in self.backend.api.dataset.get_list(sly_id(project_id, "project_id")):
                for infos in self.backend.api.image.get_list_generator(dataset.id):
                    for info in infos:
                        key = (info.meta or {}).get(SOURCE_KEY)
                        if key is not None:
                            found.setdefault(str(key), info.id)
        return found

    def write(
        self,
        project_id: Id,
        records: list[Record],
        *,
        schema: LabelSchema,
        media: MediaMode = "copy",
        existing: dict[str, Id] | None = None,
    ) -> Written:
        """Upload the records' images (bytes by hash, or links) and then all their annotations in one request.

        Images already there (`existing`) get their annotations written again, which replaces
        them whole, so a reconciled batch ends exactly as a clean one.
        """
        pid = sly_id(project_id, "project_id")
        existing = dict(existing or {})
        # converted before any upload: bad input writes nothing
        payloads, report = _convert(records, self.backend.projects.meta(pid))
        fresh = [r for r in records if r.key not in existing]
        if fresh:
            dataset = self.backend.sole_dataset(pid, create=True)
            existing.update(self._upload(dataset, fresh, unique_names(fresh, report), media))
        keys = [k for k in payloads if k in existing]
        if keys:
            with self.backend.errors():
                self.backend.api.annotation.upload_jsons([int(existing[k]) for k in keys], [payloads[k] for k in keys])
        on_target = {r.key: int(r.key in payloads) for r in records}  # one annotation per image, written whole
        return Written(ids={r.key: existing[r.key] for r in records}, annotations=len(keys), report=report,
                       annotations_on_target=on_target)

    def preview(self, records: list[Record], *, schema: LabelSchema) -> Written:
        """What `write` would make of the records in a project with `schema`: counts and losses, nothing sent."""
        from .meta import schema_to_meta

        payloads, report = _convert(records, schema_to_meta(schema)[0])
        return Written(ids={}, annotations=len(payloads), report=report)

    def _upload(self, dataset: int, records: list[Record], names: list[str], media: MediaMode) -> dict[str, Id]:
        metas = [{SOURCE_KEY: r.key} for r in records]
        with self.backend.errors():
            if media == "link":
                infos = self.backend.api.image.upload_links(
                    dataset, names, link_urls(records), metas=metas, conflict_resolution="rename"
                )
            else:
                # the SDK's private hash on purpose: the one the server files images under
                from supervisely._utils import get_bytes_hash

                require_media(records)
                hashes = [get_bytes_hash(r.media) for r in records]
                # the SDK's private bulk upload on purpose: it sends only the hashes the server lacks, bytes as given
                self.backend.api.image._upload_data_bulk(io.BytesIO, zip([r.media for r in records], hashes))
                infos = self.backend.api.image.upload_hashes(
                    dataset, names, hashes, metas=metas, conflict_resolution="rename"
                )
        return {r.key: info.id for r, info in zip(records, infos)}


def unique_names(records: list[Record], report: FidelityReport) -> list[str]:
    """The records' names, a name met again in the batch given its source key (Supervisely refuses repeats; Label
    Studio tasks may share one); each rename counted.

    >>> unique_names([Record(key="7", name="a.jpg"), Record(key="9", name="a.jpg")], FidelityReport())
    ['a.jpg', 'a_9.jpg']
    """
    taken, names = {r.name for r in records}, []
    seen: set[str] = set()
    for record in records:
        name = record.name
        if name in seen:
            stem, dot, ext = name.rpartition(".")
            base, suffix = (stem, dot + ext) if dot and stem else (name, "")
            name = f"{base}_{record.key}{suffix}"
            while name in taken or name in seen:
                name = f"{base}_{record.key}_{len(seen)}{suffix}"
            report.approximated("item name", SUPERVISELY, "renamed: another item of the batch has it", item=record.name)
        seen.add(name)
        names.append(name)
    return names


def _convert(records: list[Record], meta: dict[str, Any]) -> tuple[dict[str, dict[str, Any]], FidelityReport]:
    """Each record's one Supervisely annotation JSON (records without annotations have none), and the losses."""
    from .figures import to_supervisely

    report = FidelityReport()
    payloads: dict[str, dict[str, Any]] = {}
    for record in records:
        merged = merge_annotations(record, report)
        if merged is not None:
            payloads[record.key], losses = to_supervisely(merged, meta)
            report.merge(losses)
    return payloads, report


def merge_annotations(record: Record, report: FidelityReport) -> ItemAnnotation | None:
    """A record's annotations as Supervisely's one annotation per image: objects and tags keep their authors.

    >>> merge_annotations(Record(key="1", name="a.jpg"), FidelityReport()) is None
    True
    """
    anns = record.annotations
    if not anns:
        return None
    if len(anns) == 1:  # as it is, with what it keeps for the way back
        return anns[0].model_copy(update={"item": record.name})
    if len(anns) > 1:
        report.approximated(
            "annotation",
            SUPERVISELY,
            "merged into the image's one annotation (authors kept per object)",
            len(anns) - 1,
            item=record.name,
        )
    objects = [
        o if o.author is not None else o.model_copy(update={"author": a.author}) for a in anns for o in a.objects
    ]
    tags = [t if t.author is not None else t.model_copy(update={"author": a.author}) for a in anns for t in a.tags]
    first = anns[0]
    return ItemAnnotation(
        item=record.name,
        width=first.width,
        height=first.height,
        objects=objects,
        tags=tags,
        author=first.author,
        description="\n".join(a.description for a in anns if a.description),
    )  # review statuses live on job entities: the engine carries them with the jobs
