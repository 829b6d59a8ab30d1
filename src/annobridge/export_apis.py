"""The exports and storages sub-APIs: a job's annotations as files, and the cloud storages a job reads from."""

from __future__ import annotations

import time
from pathlib import Path
from typing import ClassVar

from .capabilities import Capability
from .errors import BackendError, TimedOut, ValidationError
from .models import Export, ExportStatus, Id, ProviderOptions, Storage, StorageSpec
from .subapi import P, SubAPI, requires

__all__ = ["ExportsAPI", "StoragesAPI"]


class ExportsAPI(SubAPI[P]):
    """Exports of a job's annotations."""

    @requires(Capability.EXPORTS)
    def create(self, job_id: Id, *, format: str = "JSON", title: str | None = None) -> Export:
        """Start an export of the job's annotations in `format`; wait() until it completes."""
        raise self._missing("exports.create")

    @requires(Capability.EXPORTS)
    def get(self, job_id: Id, export_id: Id) -> Export:
        """The export as it is now (its status changes until it completes or fails)."""
        raise self._missing("exports.get")

    @requires(Capability.EXPORT_SNAPSHOTS)
    def list(self, job_id: Id) -> list[Export]:
        """The job's export snapshots the server keeps (made by anyone, at any time)."""
        raise self._missing("exports.list")

    @requires(Capability.EXPORTS)
    def download(self, export: Export, directory: str | Path) -> Path:
        """Write the completed export's file into `directory` (never outside it); returns its path."""
        raise self._missing("exports.download")

    @staticmethod
    def check_directory(directory: str | Path) -> Path:
        """`directory` as the Path download() writes into; ValidationError naming it, in one line and before
        anything is downloaded or written, if it is blank, holds a NUL, is too long for the file system,
        or is (or lies under) a file.

        >>> ExportsAPI.check_directory("exports/lemons")
        PosixPath('exports/lemons')
        >>> ExportsAPI.check_directory("exports\\x00")
        Traceback (most recent call last):
        annobridge.errors.ValidationError: export directory 'exports\\x00': holds a NUL character
        """
        import errno
        import os
        import stat

        try:
            text = os.fsdecode(os.fspath(directory))
        except TypeError:
            raise ValidationError(f"export directory: a path is needed, got {directory!r}") from None
        shown = repr(text if len(text) <= 120 else f"{text[:60]}...{text[-40:]}")
        if not text.strip():
            raise ValidationError(f"export directory {shown}: a path is needed")
        if "\x00" in text:
            raise ValidationError(f"export directory {shown}: holds a NUL character")
        path = Path(text)
        for place in (path, *path.parents):  # the directory, else its nearest existing parent
            try:
                found = os.stat(place)
            except OSError as exc:
                if exc.errno == errno.ENAMETOOLONG:
                    raise ValidationError(
                        f"export directory {shown}: too long for the file system ({len(text)} characters)"
                    ) from None
                if exc.errno in (errno.ENOENT, errno.ENOTDIR):
                    continue
                raise ValidationError(f"export directory {shown}: cannot be used ({exc.strerror})") from None
            if not stat.S_ISDIR(found.st_mode):
                where = "is a file, not a directory" if place == path else f"cannot be made: {str(place)!r} is a file"
                raise ValidationError(f"export directory {shown}: {where}")
            if not os.access(place, os.W_OK | os.X_OK):
                raise ValidationError(f"export directory {shown}: {str(place)!r} is not writable")
            break
        return path

    @requires(Capability.EXPORTS)
    def delete(self, export: Export) -> None:
        """Delete the export (its snapshot on the backend, where it keeps one)."""
        raise self._missing("exports.delete")

    @requires(Capability.EXPORTS)
    def wait(self, export: Export, *, timeout: float = 300.0, poll_interval: float = 1.0) -> Export:
        """Poll until the export is completed; BackendError if it failed, TimedOut after `timeout`."""
        deadline = time.monotonic() + timeout
        while export.status not in (ExportStatus.COMPLETED, ExportStatus.FAILED):
            if time.monotonic() >= deadline:
                raise TimedOut(f"export {export.id} is still {export.status.value} after {timeout}s")
            time.sleep(poll_interval)
            export = self.get(export.job_id, export.id)
        if export.status is ExportStatus.FAILED:
            raise BackendError(f"export {export.id} of job {export.job_id} failed on {self.backend.describe()}")
        return export


class StoragesAPI(SubAPI[P]):
    """Cloud and local storages connected to a job."""

    options_model: ClassVar[type[ProviderOptions] | None] = None  # StorageSpec.options this backend takes

    @requires(Capability.STORAGES)
    def connect(self, job_id: Id, spec: StorageSpec) -> Storage:
        """Connect the storage `spec` describes to the job's project; credentials never come back."""
        raise self._missing("storages.connect")

    @requires(Capability.STORAGES)
    def list(self, job_id: Id) -> list[Storage]:
        """The storages connected to the job's project."""
        raise self._missing("storages.list")

    @requires(Capability.STORAGES)
    def sync(self, storage: Storage) -> Storage:
        """Sync the storage (import its new files, or export the annotations); returns it after."""
        raise self._missing("storages.sync")

    @requires(Capability.STORAGES)
    def delete(self, storage: Storage) -> None:
        """Disconnect the storage; the files in it stay."""
        raise self._missing("storages.delete")

