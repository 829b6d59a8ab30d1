"""Client-built exports on the Supervisely sandbox: complete at once, JSON with the job, meta and annotations."""

from __future__ import annotations

import json

import pytest

from annobridge.errors import NotFound, Unsupported
from annobridge.models import ExportStatus, JobSpec, ReviewStatus

from .provider_support import unique


@pytest.fixture
def job(sv, world):
    (job,) = sv.jobs.create(
        JobSpec(
            name=unique("export"),
            project_id=world.project_id,
            annotators=world.labelers[:1],
            item_ids=world.image_ids[:3],
        )
    )
    yield job
    sv.jobs.delete(job.id)


def test_an_export_is_complete_at_once_and_holds_the_jobs_annotations(sv, job, world, tmp_path):
    sv.reviews.set(job.id, world.image_ids[0], ReviewStatus.ACCEPTED)
    export = sv.exports.create(job.id, format="json", title="mine")
    assert export.status is ExportStatus.COMPLETED and export.items_count == 3 and export.title == "mine"
    assert sv.exports.wait(export) == export and sv.exports.get(job.id, export.id) == export
    path = sv.exports.download(export, tmp_path / "out")
    assert path.parent == tmp_path / "out"
    document = json.loads(path.read_text())
    assert document["job"]["id"] == job.id and {c["title"] for c in document["project_meta"]["classes"]} == {
        "kiwi",
        "lemon",
    }
    assert [i["id"] for i in document["items"]] == [e.id for e in sv.jobs.get(job.id).entities]
    assert {i["id"]: i["review_status"] for i in document["items"]}[world.image_ids[0]] == "accepted"
    assert all(i["annotation"]["size"]["height"] > 0 for i in document["items"])


def test_delete_forgets_the_export(sv, job):
    export = sv.exports.create(job.id)
    sv.exports.delete(export)
    with pytest.raises(NotFound):
        sv.exports.get(job.id, export.id)


def test_the_server_keeps_no_snapshots_to_list(sv, job):
    sv.exports.create(job.id)
    with pytest.raises(Unsupported, match="export_snapshots.*no export snapshots"):
        sv.exports.list(job.id)


def test_exports_of_a_missing_job_are_not_found(sv):
    with pytest.raises(NotFound):
        sv.exports.create(987654321)
