"""exports.download into a directory that cannot be one: one line naming it, before anything is downloaded or written.

Run on both backends: a real Label Studio export snapshot and a Supervisely sandbox export.
"""

from __future__ import annotations

import re
import uuid

import httpx
import pytest

import annobridge
from annobridge import JobSpec, ValidationError
from annobridge.export_apis import ExportsAPI
from annobridge.testing.conformance import SAMPLE_SCHEMA


@pytest.fixture(scope="module")
def sandbox():
    from annobridge_sandbox_supervisely import running_sandbox

    with running_sandbox() as handle:
        yield handle


@pytest.fixture(scope="module")
def sv_export(sandbox):
    with annobridge.connect("supervisely+" + sandbox.server_address, token=sandbox.token) as backend:
        lemons = next(p for p in backend.projects.list() if p.name == "Lemons (Test)")
        items = [i.id for i in backend.items.list(project_id=lemons.id)][:2]
        spec = JobSpec(name="export paths", project_id=lemons.id, annotators=[backend.users.me().id], item_ids=items)
        (job,) = backend.jobs.create(spec)
        try:
            yield backend, backend.exports.create(job.id)
        finally:
            backend.jobs.delete(job.id)


@pytest.fixture(scope="module")
def ls_export(labelstudio_server):
    with annobridge.connect(labelstudio_server.backend_url, token=labelstudio_server.token) as backend:
        (job,) = backend.jobs.create(JobSpec(name=f"export-{uuid.uuid4().hex[:8]}", label_schema=SAMPLE_SCHEMA))
        try:
            backend.items.add(job.id, [{"image": "http://example.invalid/1.jpg"}])
            yield backend, backend.exports.wait(backend.exports.create(job.id), timeout=60, poll_interval=0.2)
        finally:
            backend.jobs.delete(job.id)


def _bad_directories(root):
    """(directory, a piece of the one line that must name it, what is wrong)."""
    a_file = root / "a-file.json"
    a_file.write_text("{}")
    long_name = root / ("x" * 300)
    long_path = root.joinpath(*["deep"] * 1100)
    return [
        (a_file, str(a_file), "is a file, not a directory"),
        (a_file / "below", str(a_file / "below"), f"cannot be made: {str(a_file)!r} is a file"),
        (long_name, str(long_name)[:40], "too long for the file system"),
        (long_path, str(long_path)[:40], "too long for the file system"),
        (str(root / "nul\x00here"), "nul\\x00here", "holds a NUL character"),
        ("", "''", "a path is needed"),
    ]


def _snapshot(root) -> dict:
    return {str(p): (p.read_bytes() if p.is_file() else None) for p in sorted(root.rglob("*"))}


def _refused_in_one_line(backend, export, root, **options):
    for directory, named, wrong in _bad_directories(root):
        before = _snapshot(root)
        with pytest.raises(ValidationError) as refused:
            backend.exports.download(export, directory, **options)
        message = str(refused.value)
        assert "\n" not in message and named in message and wrong in message, message
        assert _snapshot(root) == before  # nothing written, the file left as it was


def test_supervisely_refuses_a_directory_that_cannot_be_one(sv_export, tmp_path):
    backend, export = sv_export
    _refused_in_one_line(backend, export, tmp_path)
    path = backend.exports.download(export, tmp_path / "fine")
    assert path.parent == tmp_path / "fine" and path.stat().st_size > 0


def test_label_studio_refuses_a_directory_before_the_snapshot_is_converted_or_downloaded(
    ls_export, labelstudio_server, tmp_path
):
    backend, export = ls_export
    _refused_in_one_line(backend, export, tmp_path, format="CSV")  # CSV would first ask the server to convert
    snapshot = httpx.get(
        f"{labelstudio_server.url}/api/projects/{export.job_id}/exports/{export.id}",
        headers={"Authorization": f"Token {labelstudio_server.token}"},
    ).json()
    assert not [c for c in snapshot.get("converted_formats") or [] if c.get("export_type") == "CSV"]
    path = backend.exports.download(export, tmp_path / "fine")
    assert path.parent == tmp_path / "fine" and path.read_bytes().startswith(b"[")


def test_the_check_alone(tmp_path):
    assert ExportsAPI.check_directory(tmp_path / "new" / "deeper") == tmp_path / "new" / "deeper"
    assert not (tmp_path / "new").exists()  # checking makes nothing
    for directory, named, wrong in _bad_directories(tmp_path):
        with pytest.raises(ValidationError, match=re.escape(wrong)):
            ExportsAPI.check_directory(directory)
