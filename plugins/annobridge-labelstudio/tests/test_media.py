"""items.select (an ItemFilter, pushed to the server where it can be) and items.download (the tasks' files, from
wherever they are), on the real server; review-status filters and sampling scoped by a filter on the stand-in."""

from __future__ import annotations

import functools
import http.server
import io
import threading
import uuid

import pytest

from annobridge import ItemFilter, JobSpec, ReviewStatus, Role, StorageSpec, ValidationError
from annobridge.testing.conformance import SAMPLE_SCHEMA


def _png(shade: int) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (5, 4), (shade, 90, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def web(tmp_path):
    """A plain HTTP server on 127.0.0.1 serving a folder: (folder, base URL)."""
    folder = tmp_path / "web"
    folder.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield folder, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_select_pushes_annotated_to_the_server_and_filters_names(backend, job, images, choice, counted):
    ids = backend.items.add(job.id, images(4))
    backend.annotations.create_json(ids[1], result=choice())
    backend.annotations.create_json(ids[3], result=choice())
    with counted(backend) as c:
        done = [i.id for i in backend.items.select(job_id=job.id, where=ItemFilter(annotated=True))]
    assert done == [ids[1], ids[3]] and c.count == 1  # one filtered page, not the whole project
    assert [i.id for i in backend.items.select(project_id=job.id, where=ItemFilter(annotated=False))] == [ids[0], ids[2]]
    assert [i.id for i in backend.items.select(job_id=job.id, where=ItemFilter(name_contains="img2"))] == [ids[2]]
    assert [i.id for i in backend.items.select(job_id=job.id, where=ItemFilter(annotated=True, name_contains="img3"))] == [ids[3]]
    assert [i.id for i in backend.items.select(job_id=job.id)] == ids
    assert [i.id for i in backend.items.select(job_id=job.id, where=ItemFilter(review_status=ReviewStatus.ACCEPTED))] == []


def test_download_writes_uploads_local_files_and_web_files(backend, job, server, tmp_path, web):
    upload = tmp_path / "upload.png"
    upload.write_bytes(_png(10))
    uploaded, = backend.items.add(job.id, [upload])
    folder = server.files_root / f"dl-{uuid.uuid4().hex[:6]}"
    folder.mkdir()
    (folder / "local.png").write_bytes(_png(20))
    backend.storages.sync(backend.storages.connect(job.id, StorageSpec(kind="localfiles", path=str(folder))))
    root, base = web
    (root / "web.png").write_bytes(_png(30))
    (root / "twin").mkdir()
    (root / "twin" / "web.png").write_bytes(_png(40))
    online = backend.items.add(job.id, [{"image": f"{base}/web.png"}, {"image": f"{base}/twin/web.png"}])
    paths = backend.items.download(job_id=job.id, directory=tmp_path / "out" / "media")
    by_name = {p.name: p.read_bytes() for p in paths}
    assert by_name == {"upload.png": _png(10), "local.png": _png(20), "web.png": _png(30),
                       f"{online[1]}-web.png": _png(40)}
    assert all(p.parent == tmp_path / "out" / "media" for p in paths)
    one = backend.items.download(project_id=job.id, directory=tmp_path / "one", item_ids=[uploaded])
    assert [(p.name, p.read_bytes()) for p in one] == [("upload.png", _png(10))]


def test_download_is_refused_before_anything_is_fetched(backend, job, images, tmp_path, counted):
    ids = backend.items.add(job.id, images(1) + [{"image": "", "n": 7}])
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with counted(backend) as c, pytest.raises(ValidationError, match="a-file': is a file, not a directory"):
        backend.items.download(job_id=job.id, directory=blocker)
    assert c.count == 0
    with pytest.raises(ValidationError, match=rf"tasks \[{ids[1]}\] of project {job.id} have no file to download"):
        backend.items.download(job_id=job.id, directory=tmp_path / "out")
    with pytest.raises(ValidationError, match=r"item_ids: \[987654321\] are not tasks of project"):
        backend.items.download(job_id=job.id, directory=tmp_path / "out", item_ids=[987654321])
    assert not (tmp_path / "out").exists()


def test_enterprise_select_by_review_status_and_sampling_scoped_by_a_filter(ee_backend, images, choice):
    people = [ee_backend.users.create(login, password="pw-12345678", email=f"{login}@example.com")
              for login in (f"s{n}-{uuid.uuid4().hex[:6]}" for n in range(2))]
    job, = ee_backend.jobs.create(JobSpec(name=f"select-{uuid.uuid4().hex[:6]}", label_schema=SAMPLE_SCHEMA))
    try:
        ids = ee_backend.items.add(job.id, images(6))
        for tid in ids[:3]:
            ee_backend.annotations.create_json(tid, result=choice())
        ee_backend.reviews.set_many(job.id, {ids[0]: ReviewStatus.ACCEPTED, ids[1]: ReviewStatus.REJECTED})
        accepted = ee_backend.items.select(job_id=job.id, where=ItemFilter(review_status=ReviewStatus.ACCEPTED))
        assert [(i.id, i.review_status) for i in accepted] == [(ids[0], ReviewStatus.ACCEPTED)]
        unmarked = ee_backend.items.select(job_id=job.id, where=ItemFilter(annotated=True, review_status=ReviewStatus.NONE))
        assert [i.id for i in unmarked] == [ids[2]]
        plan = ee_backend.assignments.assign_by_sampling(job.id, [u.id for u in people], seed=3,
                                                         where=ItemFilter(annotated=False))
        assert sorted(a.item_id for a in plan) == ids[3:] and {a.role for a in plan} == {Role.ANNOTATOR}
        assert {a.item_id for a in ee_backend.assignments.list(job.id)} == set(ids[3:])
    finally:
        ee_backend.jobs.delete(job.id)
