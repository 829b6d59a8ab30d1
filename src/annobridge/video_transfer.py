"""The transfer of a video project, built on a provider's neutral videos sub-API, for the migration engine.

It reads and writes what transfer.py's TransferAPI does (pages of Records, media, source keys) so
the engine, its ledger and its no-duplicate rules run unchanged; a record's annotations are
VideoAnnotations. Videos are carried as files (media="copy"): the target probes each one for its
size, frames and rate, as it does for a video a person uploads. A carried video keeps its source
key (transfer.SOURCE_KEY, read back as Item.source_key), which is how `present` finds what an
earlier run left; an item found there gets its annotations in place of what it holds.
"""

from __future__ import annotations

import tempfile
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from .annotation_apis import in_pages
from .errors import ValidationError
from .fidelity import FidelityReport
from .models import Id
from .schema import LabelSchema
from .transfer import MediaMode, Page, Record, Written, require_media

if TYPE_CHECKING:
    from .provider import Provider

__all__ = ["VideoTransfer"]


class VideoTransfer:
    """count, read, fetch_media, present, find, preview and write of a video project, through `backend.videos`."""

    def __init__(self, backend: Provider) -> None:
        self.backend = backend

    def count(self, project_id: Id) -> int:
        return sum(1 for _ in self.backend.videos.list(project_id=project_id))

    def read(self, project_id: Id, *, batch_size: int = 100, skip: Iterable[str] = ()) -> Iterator[Page]:
        """The project's videos with their annotations, `batch_size` at a time; keys in `skip` left out unread."""
        skipped = set(skip)
        wanted = (v for v in self.backend.videos.list(project_id=project_id) if str(v.id) not in skipped)
        for videos in in_pages(wanted, batch_size):
            found, report = defaultdict(list), FidelityReport()
            for annotation in self.backend.videos.annotations(project_id=project_id, item_ids=[v.id for v in videos],
                                                              report=report):
                found[str(annotation.item)].append(annotation)
            yield Page([Record(key=str(v.id), name=v.name or str(v.id), width=v.width, height=v.height,
                               annotations=found[str(v.id)]) for v in videos], report)

    def fetch_media(self, project_id: Id, records: list[Record]) -> None:
        """Fill each record's `media` with its video's bytes (one download of the page's videos)."""
        with tempfile.TemporaryDirectory(prefix="annobridge-videos-") as folder:
            paths = self.backend.videos.download(project_id, directory=folder, item_ids=[r.key for r in records])
            for record, path in zip(records, paths):
                record.media = Path(path).read_bytes()

    def present(self, project_id: Id) -> dict[str, Id]:
        """Every source key the project's videos carry -> video id."""
        videos = self.backend.videos.list(project_id=project_id)
        return {v.source_key: v.id for v in videos if v.source_key is not None}

    def find(self, project_id: Id, keys: Iterable[str]) -> dict[str, Id]:
        wanted = set(keys)
        return {key: item for key, item in self.present(project_id).items() if key in wanted} if wanted else {}

    def preview(self, records: list[Record], *, schema: LabelSchema) -> Written:
        """Convert the records' annotations as `write` would, writing nothing."""
        annotations = [a for r in records for a in r.annotations]
        report = self.backend.videos.preview(annotations, schema=schema) if annotations else FidelityReport()
        return Written(ids={}, annotations=len(annotations), report=report)

    def prepare(self, project_id: Id, records: list[Record], *, schema: LabelSchema) -> dict[str, Any]:
        """Nothing ahead: the videos sub-API converts as it writes (TransferAPI.prepare)."""
        return {}

    def write(self, project_id: Id, records: list[Record], *, schema: LabelSchema, media: MediaMode = "copy",
              existing: dict[str, Id] | None = None) -> Written:
        """Add the records' videos with their annotations (videos.add_with_annotations), and on the videos
        `existing` holds write the annotations in place of what they hold (so a rewrite after a failed try leaves
        no copy)."""
        if media != "copy":
            raise ValidationError("media: video projects migrate with media='copy' (each video is uploaded)")
        ids = {r.key: existing[r.key] for r in records if existing and r.key in existing}
        fresh = [r for r in records if r.key not in ids]
        report = FidelityReport()
        if fresh:
            require_media(fresh)
            with tempfile.TemporaryDirectory(prefix="annobridge-videos-") as folder:
                files = []
                for index, record in enumerate(fresh):
                    path = Path(folder) / f"{index}{Path(record.name).suffix or '.mp4'}"
                    path.write_bytes(record.media or b"")
                    files.append({"path": path, "name": record.name, "source_key": record.key})
                made, report = self.backend.videos.add_with_annotations(project_id, files,
                                                                        [r.annotations for r in fresh])
                ids.update(zip((r.key for r in fresh), made))
        found = [a.model_copy(update={"item": ids[r.key]}) for r in records if r not in fresh for a in r.annotations]
        if found:
            report.merge(self.backend.videos.write(project_id, found, mode="replace"))
        return Written(ids={r.key: ids[r.key] for r in records}, report=report,
                       annotations=sum(len(r.annotations) for r in records),
                       annotations_on_target={r.key: len(r.annotations) for r in records})
