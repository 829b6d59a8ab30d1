"""Conformance of exports (a job's annotations to a file, snapshots the server keeps) and of storages."""

from __future__ import annotations

import pytest

from ...capabilities import Capability
from ...models import ExportStatus
from .base import ConformanceBase, assert_unsupported, lacks, needs

__all__ = ["ExportTests", "StorageTests"]


class ExportTests(ConformanceBase):
    """Exporting a job's annotations to a file."""

    @needs(Capability.EXPORTS)
    def test_export_completes_and_downloads_inside_the_directory(self, backend, job, tmp_path):
        export = backend.exports.wait(backend.exports.create(job.id, format="JSON"), timeout=120, poll_interval=0.5)
        assert export.status is ExportStatus.COMPLETED
        path = backend.exports.download(export, tmp_path)
        assert path.exists() and path.stat().st_size > 0
        assert path.resolve().is_relative_to(tmp_path.resolve())

    @needs(Capability.EXPORT_SNAPSHOTS)
    def test_the_server_keeps_the_snapshot_until_it_is_deleted(self, backend, job):
        export = backend.exports.wait(backend.exports.create(job.id, format="JSON"), timeout=120, poll_interval=0.5)
        assert export.id in {e.id for e in backend.exports.list(job.id)}
        backend.exports.delete(export)
        assert export.id not in {e.id for e in backend.exports.list(job.id)}

    @lacks(Capability.EXPORT_SNAPSHOTS)
    def test_without_snapshots_listing_them_is_unsupported(self, backend, job):
        assert_unsupported(backend, Capability.EXPORT_SNAPSHOTS, lambda: backend.exports.list(job.id))

    @lacks(Capability.EXPORTS)
    def test_without_exports_making_one_is_unsupported(self, backend, job):
        assert_unsupported(backend, Capability.EXPORTS, lambda: backend.exports.create(job.id))


class StorageTests(ConformanceBase):
    """Connecting and syncing a storage; the provider supplies a reachable `storage_spec`."""

    @pytest.fixture
    def storage_spec(self, backend):
        pytest.skip(f"{backend.describe()}: the provider's tests supply no storage_spec fixture")

    @needs(Capability.STORAGES)
    def test_connect_list_sync(self, backend, job, storage_spec):
        storage = backend.storages.connect(job.id, storage_spec)
        assert storage.id in {s.id for s in backend.storages.list(job.id)}
        synced = backend.storages.sync(storage)
        assert synced.id == storage.id

    @lacks(Capability.STORAGES)
    def test_without_storages_listing_them_is_unsupported(self, backend, job):
        assert_unsupported(backend, Capability.STORAGES, lambda: backend.storages.list(job.id))
