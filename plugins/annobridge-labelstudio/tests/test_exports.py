"""Export snapshots (options, polling, every offered format, list, delete), safe file names, the plain export."""

from __future__ import annotations

import json
import zipfile

import pytest

from annobridge import ExportStatus, NotFound, ValidationError
from annobridge_labelstudio.exports import safe_target
from annobridge_labelstudio.items import LABELED


@pytest.fixture
def labeled_job(backend, job, images, choice):
    ids = backend.items.add(job.id, images(4))
    backend.annotations.create_json(ids[0], result=choice())
    backend.annotations.create_json(ids[1], result=choice("large"), was_cancelled=True)  # a skipped one
    backend.predictions.create_json(ids[2], choice(), model_version="m")
    return job, ids


def _json(path):
    return json.loads(path.read_text())


def test_snapshot_with_task_filters_and_serialization_options(backend, labeled_job, tmp_path):
    job, ids = labeled_job
    everything = backend.exports.wait(backend.exports.create(job.id, title="all"), timeout=60, poll_interval=0.2)
    assert (everything.status, everything.items_count, everything.title) == (ExportStatus.COMPLETED, 4, "all")
    tasks = _json(backend.exports.download(everything, tmp_path / "all"))
    assert [t["id"] for t in tasks] == ids
    by_id = {t["id"]: t for t in tasks}
    assert by_id[ids[0]]["annotations"][0]["completed_by"] == backend.users.me().id  # only the id
    assert by_id[ids[2]]["predictions"] == [p["id"] for p in backend.predictions.list_json(item_id=ids[2])]

    finished = backend.exports.wait(backend.exports.create(
        job.id, only_finished=True, annotations_skipped=False, completed_by_only_id=False, predictions_only_id=False))
    tasks = _json(backend.exports.download(finished, tmp_path / "finished"))
    assert [t["id"] for t in tasks] == [ids[0]]
    assert tasks[0]["annotations"][0]["completed_by"]["email"] == backend.users.me().email

    no_skipped = backend.exports.wait(backend.exports.create(job.id, annotations_skipped=False, annotated="only"))
    assert [t["id"] for t in _json(backend.exports.download(no_skipped, tmp_path / "annotated"))] == [ids[0]]


def test_filters_go_through_a_temporary_view_that_is_removed(backend, labeled_job, tmp_path):
    job, ids = labeled_job
    views_before = backend.views.list(job.id)
    export = backend.exports.create(job.id, filters=LABELED)
    assert export.status is ExportStatus.COMPLETED
    assert [t["id"] for t in _json(backend.exports.download(export, tmp_path))] == [ids[0]]
    assert backend.views.list(job.id) == views_before
    with pytest.raises(ValidationError, match="not both"):
        backend.exports.create(job.id, filters=LABELED, view_id=1)
    with pytest.raises(ValidationError, match="annotated: expected 'only', 'exclude' or None"):
        backend.exports.create(job.id, annotated="yes")


def test_every_format_the_server_offers_downloads_inside_the_directory(backend, labeled_job, tmp_path):
    job, _ = labeled_job
    formats = backend.exports.formats(job.id)
    assert {"JSON", "JSON_MIN", "CSV", "TSV", "COCO", "VOC", "YOLO"} <= set(formats)
    export = backend.exports.wait(backend.exports.create(job.id))
    for fmt in formats:
        path = backend.exports.download(export, tmp_path / fmt, format=fmt)
        assert path.is_file() and path.stat().st_size > 0, fmt
        assert path.resolve().is_relative_to((tmp_path / fmt).resolve())
        if path.suffix == ".zip":
            assert zipfile.ZipFile(path).namelist(), fmt
    csv = backend.exports.create(job.id, format="CSV")
    assert backend.exports.download(csv, tmp_path / "csv").suffix == ".csv"


def test_list_and_delete(backend, job):
    export = backend.exports.create(job.id)
    assert export.id in {e.id for e in backend.exports.list(job.id)}
    backend.exports.delete(export)
    assert export.id not in {e.id for e in backend.exports.list(job.id)}
    with pytest.raises(NotFound):
        backend.exports.get(job.id, export.id)


@pytest.mark.parametrize("name", ["../escape.json", "/etc/passwd", "a/../../b.json", "..", "", "C:\\x.json",
                                  "sub/../../x"])
def test_a_server_file_name_that_leaves_the_directory_is_refused(tmp_path, name):
    with pytest.raises(ValidationError, match="points outside"):
        safe_target(tmp_path, name)
    assert list(tmp_path.iterdir()) == []


def test_a_plain_name_or_a_subfolder_stays_inside(tmp_path):
    assert safe_target(tmp_path, "project-1.json") == tmp_path.resolve() / "project-1.json"
    assert safe_target(tmp_path, "export/project-1.json") == tmp_path.resolve() / "export" / "project-1.json"


def test_plain_export_of_tasks(backend, labeled_job, tmp_path):
    job, ids = labeled_job
    assert [t["id"] for t in backend.exports.tasks(job.id)] == ids
    assert [t["id"] for t in backend.exports.tasks(job.id, download_all_tasks=False)] == ids[:2]
    assert [t["id"] for t in backend.exports.tasks(job.id, ids=ids[2:])] == ids[2:]
    path = backend.exports.tasks(job.id, format="CSV", directory=tmp_path)
    lines = path.read_text().splitlines()
    assert path.suffix == ".csv" and "image" in lines[0] and len(lines) >= 4  # the converter leaves out a task whose only annotation was skipped
    with pytest.raises(ValidationError, match="needs a directory"):
        backend.exports.tasks(job.id, format="YOLO")
