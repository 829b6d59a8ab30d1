"""items.download on the Supervisely sandbox through the real SDK: a job's or a project's images, bytes as stored."""

from __future__ import annotations

import hashlib

import pytest

from annobridge.errors import NotFound, ValidationError
from annobridge.models import JobSpec

from .provider_support import counted, unique


def _stored(sv, dataset_id, ids):
    return [hashlib.sha256(b).hexdigest() for b in sv.api.image.download_bytes(dataset_id, ids)]


def test_a_jobs_images_land_under_their_names_in_its_order(sv, world, tmp_path):
    (job,) = sv.jobs.create(
        JobSpec(name=unique("media"), project_id=world.project_id, annotators=world.labelers[:1], item_ids=world.image_ids[:3])
    )
    try:
        entities = sv.jobs.get(job.id).entities
        with counted(sv) as seen:
            paths = sv.items.download(job_id=job.id, directory=tmp_path / "media")
        assert [p.name for p in paths] == [e.name for e in entities] and all(p.parent == tmp_path / "media" for p in paths)
        got = [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths]
        assert got == _stored(sv, world.dataset_id, [e.id for e in entities]), "the bytes as stored, never re-encoded"
        assert seen["images.bulk.download"] == 1
        (one,) = sv.items.download(job_id=job.id, directory=tmp_path / "one", item_ids=[entities[1].id])
        assert one.name == entities[1].name
        with pytest.raises(ValidationError, match="are not items of labeling job"):
            sv.items.download(job_id=job.id, directory=tmp_path / "x", item_ids=[world.image_ids[5]])
    finally:
        sv.jobs.delete(job.id)


def test_a_projects_images_across_datasets_keep_their_names_apart(sv, fresh_project, tmp_path):
    first = list(sv.items.list(project_id=fresh_project.id))
    second = sv.api.dataset.create(fresh_project.id, "second")
    data = sv.api.image.download_bytes(first[0].dataset_id, [first[0].id])[0]
    (again,) = sv.items.add(fresh_project.id, [{"bytes": data, "name": first[0].name}], dataset_id=second.id)
    paths = sv.items.download(project_id=fresh_project.id, directory=tmp_path)
    stem, ext = first[0].name.rsplit(".", 1)
    assert [p.name for p in paths] == [i.name for i in first] + [f"{stem}_{again}.{ext}"]
    assert paths[-1].read_bytes() == data == paths[0].read_bytes()
    picked = sv.items.download(project_id=fresh_project.id, directory=tmp_path / "some", item_ids=[again, first[2].id])
    assert [p.name for p in picked] == [first[0].name, first[2].name], "grouped by dataset, one request each"
    with pytest.raises(ValidationError, match=r"item_ids: \[987654321\] are not images of project"):
        sv.items.download(project_id=fresh_project.id, directory=tmp_path, item_ids=[987654321])


def test_nothing_is_read_for_a_bad_directory_or_a_missing_place(sv, world, tmp_path):
    (tmp_path / "taken").write_text("a file")
    with counted(sv) as seen:
        with pytest.raises(ValidationError, match="directory"):
            sv.items.download(project_id=world.project_id, directory=tmp_path / "taken" / "media")
    assert not seen
    with pytest.raises(NotFound):
        sv.items.download(job_id=987654321, directory=tmp_path / "job")
    with pytest.raises(NotFound):
        sv.items.download(project_id=987654321, directory=tmp_path / "project")
