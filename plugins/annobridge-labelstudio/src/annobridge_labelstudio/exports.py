"""Export snapshots (create with filters and serialization options, poll, download in any format, list, delete)
and the plain export of a project's tasks.

Example::

    export = backend.exports.wait(backend.exports.create(job.id, format="YOLO", only_finished=True))
    backend.exports.download(export, "out/")  # -> PosixPath('out/project-3-at-2026-11-24-10-48-427d0967.zip')
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path, PurePosixPath
from typing import Any, Iterable, Literal

from annobridge.errors import BackendError, TimedOut, ValidationError
from annobridge.models import Export, ExportStatus, Id
from annobridge.provider import ExportsAPI

from .sdk_data import as_dict, as_int, as_ints
from .subapi_base import LabelStudioProvider, LabelStudioSubAPI

__all__ = ["LabelStudioExports", "safe_target"]

Mode = Literal["only", "exclude"]
_FILENAME = re.compile(r"""filename\*?=(?:UTF-8'')?"?([^";]+)"?""", re.IGNORECASE)
_EXPORT_STATUSES = frozenset(s.value for s in ExportStatus)


def safe_target(directory: str | Path, filename: str) -> Path:
    """Where a server-named file goes inside `directory`; ValidationError if the name would leave it.

    >>> safe_target("/tmp/out", "project-1.json")
    PosixPath('/tmp/out/project-1.json')
    >>> safe_target("/tmp/out", "../../etc/passwd")
    Traceback (most recent call last):
    annobridge.errors.ValidationError: the server's file name '../../etc/passwd' points outside /tmp/out; refused
    """
    root = Path(directory).resolve()
    name = filename.strip()
    parts = PurePosixPath(name.replace("\\", "/")).parts
    bad = not name or "\x00" in name or name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) or ".." in parts
    target = (root / Path(*parts)).resolve() if parts and not bad else root
    if bad or target == root or not target.is_relative_to(root):
        raise ValidationError(f"the server's file name {filename!r} points outside {root}; refused")
    return target


def _filename(headers: Any, fallback: str) -> str:
    disposition = headers.get("content-disposition") or ""
    match = _FILENAME.search(disposition)
    return match.group(1).strip() if match else (headers.get("filename") or fallback)


class LabelStudioExports(LabelStudioSubAPI, ExportsAPI[LabelStudioProvider]):
    """Export snapshots of a job (= an LS project); Export.format is the format `download` writes."""

    def __init__(self, backend: Any) -> None:
        super().__init__(backend)
        self._resources: dict[tuple[int, Any], bool] = {}  # (project, export) -> download_resources

    def to_export(self, job_id: int, raw: Any, format: str = "JSON") -> Export:
        data = as_dict(raw)
        status = data.get("status") or "created"
        return Export(
            id=data["id"], job_id=job_id, format=format, title=data.get("title"),
            status=ExportStatus(status) if status in _EXPORT_STATUSES else ExportStatus.IN_PROGRESS,
            created_at=data.get("created_at"), finished_at=data.get("finished_at"),
            items_count=(data.get("counters") or {}).get("task_number"),
        )

    def formats(self, job_id: Id) -> list[str]:
        """The export formats the server offers for this job's label config (enabled ones only)."""
        pid = as_int(job_id, "job_id")
        with self.call(f"listing the export formats of project {pid}"):
            formats = self.sdk.projects.exports.list_formats(pid)
        return [f["name"] if isinstance(f, dict) else str(f) for f in formats if not (isinstance(f, dict) and f.get("disabled"))]

    def create(
        self,
        job_id: Id,
        *,
        format: str = "JSON",
        title: str | None = None,
        filters: dict[str, Any] | None = None,
        view_id: Id | None = None,
        only_finished: bool | None = None,
        annotated: Mode | None = None,
        skipped: Mode | None = None,
        reviewed: Mode | None = None,
        only_with_annotations: bool | None = None,
        annotations_usual: bool = True,
        annotations_ground_truth: bool = True,
        annotations_skipped: bool = True,
        drafts_only_id: bool = True,
        predictions_only_id: bool = True,
        completed_by_only_id: bool = True,
        interpolate_key_frames: bool = False,
        download_resources: bool = False,
        timeout: float = 300.0,
    ) -> Export:
        """Start an export snapshot of the job's tasks.

        `filters` (Data Manager filters) go through a temporary view, which is removed once the
        snapshot is built (so create waits for it, up to `timeout`); `view_id` uses a view you keep.
        `only_finished` keeps finished tasks (True) or leaves them out (False); `annotated`,
        `skipped`, `reviewed` take "only" or "exclude". The `*_only_id` options serialize drafts,
        predictions and annotators as ids (True) or in full (False). `download_resources` makes the
        converted formats carry the media files.
        """
        pid = as_int(job_id, "job_id")
        fmt = format.upper()
        for name, value in (("annotated", annotated), ("skipped", skipped), ("reviewed", reviewed)):
            if value not in (None, "only", "exclude"):
                raise ValidationError(f"{name}: expected 'only', 'exclude' or None, got {value!r}")
        if filters is not None and view_id is not None:
            raise ValidationError("pass filters or view_id, not both")
        task_filter: dict[str, Any] = {
            "annotated": annotated, "skipped": skipped, "reviewed": reviewed,
            "finished": None if only_finished is None else ("only" if only_finished else "exclude"),
            "only_with_annotations": only_with_annotations,
            "view": as_int(view_id, "view_id") if view_id is not None else None,
        }
        temporary = self.backend.views.create(pid, filters=filters, title="annobridge export") if filters else None
        if temporary:
            task_filter["view"] = temporary["id"]
        try:
            with self.call(f"creating an export of project {pid}"):
                raw = self.sdk.projects.exports.create(
                    pid,
                    title=title or f"annobridge {fmt} export",
                    task_filter_options={k: v for k, v in task_filter.items() if v is not None},
                    annotation_filter_options={
                        "usual": annotations_usual, "ground_truth": annotations_ground_truth, "skipped": annotations_skipped,
                    },
                    serialization_options={
                        "drafts": {"only_id": drafts_only_id},
                        "predictions": {"only_id": predictions_only_id},
                        "annotations__completed_by": {"only_id": completed_by_only_id},
                        "interpolate_key_frames": interpolate_key_frames,
                    },
                )
            export = self.to_export(pid, raw, fmt)
            if temporary:
                export = self._settle(export, timeout)
        finally:
            if temporary:
                self.backend.views.delete(temporary["id"])
        self._resources[(pid, export.id)] = download_resources
        return export

    def _settle(self, export: Export, timeout: float) -> Export:
        deadline = time.monotonic() + timeout
        while export.status in (ExportStatus.CREATED, ExportStatus.IN_PROGRESS) and time.monotonic() < deadline:
            time.sleep(0.5)
            export = self.get(export.job_id, export.id).model_copy(update={"format": export.format})
        return export

    def get(self, job_id: Id, export_id: Id) -> Export:
        pid, eid = as_int(job_id, "job_id"), as_int(export_id, "export_id")
        with self.call(f"reading export {eid} of project {pid}"):
            return self.to_export(pid, self.sdk.projects.exports.get(pid, eid))

    def wait(self, export: Export, *, timeout: float = 300.0, poll_interval: float = 1.0) -> Export:
        done = super().wait(export, timeout=timeout, poll_interval=poll_interval)
        return done.model_copy(update={"format": export.format})

    def list(self, job_id: Id) -> list[Export]:
        pid = as_int(job_id, "job_id")
        with self.call(f"listing the exports of project {pid}"):
            return [self.to_export(pid, e) for e in self.sdk.projects.exports.list(pid)]

    def delete(self, export: Export) -> None:
        pid, eid = as_int(export.job_id, "job_id"), as_int(export.id, "export_id")
        with self.call(f"deleting export {eid} of project {pid}"):
            self.sdk.projects.exports.delete(pid, eid)

    def download(self, export: Export, directory: str | Path, *, format: str | None = None,
                 timeout: float = 300.0) -> Path:
        """Write the snapshot, in `format` (default: the export's), into `directory`, under the server's
        file name; a name that would land outside `directory`, and a directory that is a file, too long or
        holds a NUL, are refused (ValidationError) before anything is downloaded or written."""
        directory = self.check_directory(directory)
        pid, eid = as_int(export.job_id, "job_id"), as_int(export.id, "export_id")
        fmt = (format or export.format or "JSON").upper()
        if fmt != "JSON":
            self._convert(pid, eid, fmt, timeout)
        with self.call(f"downloading export {eid} of project {pid} as {fmt}"):
            with self.sdk.projects.exports.with_raw_response.download(pid, eid, export_type=fmt) as response:
                target = safe_target(directory, _filename(response.headers, f"project-{pid}-export-{eid}"))
                target.parent.mkdir(parents=True, exist_ok=True)
                with target.open("wb") as out:
                    for chunk in response.data:
                        out.write(chunk)
        return target

    def _convert(self, pid: int, eid: int, fmt: str, timeout: float) -> None:
        """Have the server convert the snapshot to `fmt` (once) and wait for the converted file."""
        resources = self._resources.get((pid, eid), False)
        try:
            with self.call(f"converting export {eid} of project {pid} to {fmt}"):
                self.sdk.projects.exports.convert(pid, eid, export_type=fmt, download_resources=resources)
        except ValidationError as exc:
            if "already started" not in str(exc):
                raise
        deadline = time.monotonic() + timeout
        while True:
            with self.call(f"reading export {eid} of project {pid}"):
                snapshot = as_dict(self.sdk.projects.exports.get(pid, eid))
            state = next((c for c in snapshot.get("converted_formats") or [] if c.get("export_type") == fmt), None)
            status = (state or {}).get("status")
            if status == "completed":
                return
            if status == "failed":
                raise BackendError(f"converting export {eid} of project {pid} to {fmt} failed: {state.get('traceback')}")
            if time.monotonic() > deadline:
                raise TimedOut(f"export {eid} of project {pid} not converted to {fmt} after {timeout}s")
            time.sleep(0.5)

    # ---------------------------------------------------------------- plain export

    def tasks(self, job_id: Id, *, format: str = "JSON", download_all_tasks: bool = True,
              download_resources: bool = False, ids: Iterable[Id] | None = None,
              directory: str | Path | None = None) -> list[dict[str, Any]] | Path:
        """The plain export of the project's tasks (the legacy export_tasks): JSON tasks as a list, or a
        file of any format written into `directory` (needed for formats other than JSON)."""
        pid = as_int(job_id, "job_id")
        fmt = format.upper()
        if directory is not None:
            directory = self.check_directory(directory)
        if directory is None and "JSON" not in fmt:
            raise ValidationError(f"format {fmt}: needs a directory to write the file into")
        # The server reads ids[]; the SDK's `ids` argument sends ids=..., which it ignores.
        extra = {"additional_query_parameters": {"ids[]": as_ints(ids, "ids")}} if ids is not None else None
        with self.call(f"exporting the tasks of project {pid} as {fmt}"):
            with self.sdk.projects.exports.with_raw_response.download_sync(
                pid, export_type=fmt, download_all_tasks=download_all_tasks,
                download_resources=download_resources, request_options=extra,
            ) as response:
                if directory is None:
                    return json.loads(b"".join(response.data))
                target = safe_target(directory, _filename(response.headers, f"project-{pid}.{fmt.lower()}"))
                target.parent.mkdir(parents=True, exist_ok=True)
                with target.open("wb") as out:
                    for chunk in response.data:
                        out.write(chunk)
                return target
