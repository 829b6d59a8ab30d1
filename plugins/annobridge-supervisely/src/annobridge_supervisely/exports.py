"""Exports on Supervisely, which keeps no snapshots: built on the client from the job's annotations, complete at once.

An export is one JSON document: the job, the project's meta, and each item of the job with
its review status and its Supervisely annotation JSON. It is written when created (so it
is a snapshot of that moment) to the connection's scratch directory, and lives as long as
the connection; download() copies it into the directory you name. The server keeps none, so
there is no list of them (EXPORT_SNAPSHOTS is declared unsupported).
"""

from __future__ import annotations

import itertools
import json
import shutil
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from annobridge.errors import ValidationError
from annobridge.models import Export, ExportStatus, Id
from annobridge.provider import ExportsAPI

from .convert import entities, job_from_info
from .job_annotations import sly_annotations

if TYPE_CHECKING:
    from .provider import SuperviselyProvider

FORMATS = {"JSON": "supervisely-job-json"}


class SuperviselyExports(ExportsAPI["SuperviselyProvider"]):
    """Client-built exports; see the module docstring."""

    def __init__(self, backend: SuperviselyProvider) -> None:
        super().__init__(backend)
        self._made: dict[tuple[str, str], tuple[Export, Path]] = {}
        self._ids = itertools.count(1)

    def create(self, job_id: Id, *, format: str = "JSON", title: str | None = None) -> Export:
        """Build the export now (status completed); `format` is JSON. Then
        `sv.exports.download(export, "out/")` copies its file into out/."""
        kind = FORMATS.get(str(format).upper())
        if kind is None:
            raise ValidationError(
                f"format: Supervisely exports are built on the client as {sorted(FORMATS)}, not {format!r}"
            )
        started = datetime.now(timezone.utc)
        info, custom = self.backend.jobs.fetch(job_id)
        job = job_from_info(info, backend=self.backend.name, custom_data=custom)
        with self.backend.errors():
            meta = self.backend.api.project.get_meta(info.project_id)
        annotations = sly_annotations(self.backend, info, [e.id for e in job.entities or []], meta)
        document = {
            "format": kind,
            "job": job.model_dump(mode="json"),
            "project_meta": meta,
            "items": [
                {
                    "id": e.id,
                    "name": e.name,
                    "review_status": e.review_status.value,
                    "annotation": annotations.get(e.id),
                }
                for e in entities(info.entities) or []
            ],
        }
        export_id = next(self._ids)
        path = Path(self.backend.scratch_dir()) / f"supervisely-job-{info.id}-export-{export_id}.json"
        path.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
        export = Export(
            id=export_id,
            job_id=info.id,
            status=ExportStatus.COMPLETED,
            format="JSON",
            title=title or f"{job.name} export {export_id}",
            created_at=started,
            finished_at=datetime.now(timezone.utc),
            items_count=len(document["items"]),
        )
        self._made[_key(info.id, export_id)] = (export, path)
        return export

    def get(self, job_id: Id, export_id: Id) -> Export:
        return self._entry(job_id, export_id)[0]

    def download(self, export: Export, directory: str | Path) -> Path:
        """Copy the export's JSON into `directory` (created if missing); returns the file's path.

        A directory that is a file, too long, or holds a NUL is refused (ValidationError) before anything is written.
        """
        target_dir = self.check_directory(directory)
        _, source = self._entry(export.job_id, export.id)
        target_dir.mkdir(parents=True, exist_ok=True)
        target = target_dir / source.name
        shutil.copyfile(source, target)
        return target

    def delete(self, export: Export) -> None:
        _, path = self._entry(export.job_id, export.id)
        path.unlink(missing_ok=True)
        del self._made[_key(export.job_id, export.id)]

    def _entry(self, job_id: Id, export_id: Id) -> tuple[Export, Path]:
        entry = self._made.get(_key(job_id, export_id))
        if entry is None or not entry[1].exists():
            raise self.backend.not_found(
                f"export {export_id} of job {job_id} (client-built exports live as long as the connection)"
            )
        return entry


def _key(job_id: Id, export_id: Id) -> tuple[str, str]:
    return str(job_id), str(export_id)
