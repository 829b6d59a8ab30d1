"""Annotations of tasks: neutral ItemAnnotations written in bulk, read back with their authors, replaced and removed;
and the Label Studio JSON extras (create_json, list_json, get_json, update_json, delete_json)."""

from __future__ import annotations

import uuid

import pytest

from annobridge import NotFound, Unavailable, ValidationError
from annobridge.annotations import ItemAnnotation, ObjectAnnotation, Polygon, Rectangle, Tag

W, H = 64, 48  # coordinates below are exact in pixels and in percent of this size


def _ann(item, author=None, x=8, size="small", **extra) -> ItemAnnotation:
    box = ObjectAnnotation(id=f"box-{x}", class_name="lemon", shape=Rectangle(x=x, y=12, width=16, height=24))
    return ItemAnnotation(item=item, width=W, height=H, author=author, objects=[box], tags=[Tag(name="size", value=size)],
                          **extra)


def _boxes(annotations) -> list:
    return sorted((o.id, o.shape.x) for a in annotations for o in a.objects)


@pytest.fixture(scope="module")
def anna(backend):
    login = f"anna-{uuid.uuid4().hex[:6]}"
    return backend.users.create(login, password="pw-12345678", email=f"{login}@example.com")


def test_write_get_and_list_carry_objects_tags_size_and_authors(backend, job, images, anna):
    ids = backend.items.add(job.id, images(3))
    report = backend.annotations.write(job.id, [_ann(ids[0], anna.login), _ann(ids[1], anna.email, x=32, size="large")])
    assert report.lossless and report.count("annotation") == 2
    got, = backend.annotations.get(ids[0])
    assert (got.item, got.width, got.height, got.author) == (ids[0], W, H, anna.login)
    assert got.objects == _ann(ids[0]).objects and got.tags == _ann(ids[0]).tags
    assert backend.annotations.get(ids[2]) == []
    listed = list(backend.annotations.list(job_id=job.id))
    assert sorted(a.item for a in listed) == ids[:2] and {a.author for a in listed} == {anna.login}
    assert [a.item for a in backend.annotations.list(project_id=job.id, item_ids=[ids[1]])] == [ids[1]]
    assert list(backend.annotations.list(job_id=job.id, item_ids=[])) == []
    assert backend.jobs.get(job.id).finished_items_count == 2


def test_append_adds_one_annotation_per_write_and_replace_takes_their_place(backend, job, images):
    ids = backend.items.add(job.id, images(2))
    backend.annotations.write(job.id, [_ann(ids[0], x=8)])
    backend.annotations.write(job.id, [_ann(ids[0], x=16), _ann(ids[1], x=8)], mode="append")
    assert _boxes(backend.annotations.get(ids[0])) == [("box-16", 16), ("box-8", 8)]
    backend.annotations.write(job.id, [_ann(ids[0], x=32)], mode="replace")
    assert _boxes(backend.annotations.get(ids[0])) == [("box-32", 32)]
    assert _boxes(backend.annotations.get(ids[1])) == [("box-8", 8)]


def test_bad_writes_are_refused_before_anything_is_written(backend, job, images, counted):
    ids = backend.items.add(job.id, images(2))
    elsewhere = backend.projects.create(f"other-{uuid.uuid4().hex[:6]}")
    other, = backend.items.add(elsewhere.id, images(1))
    banana = ItemAnnotation(item=ids[1], width=W, height=H, objects=[
        ObjectAnnotation(class_name="banana", shape=Rectangle(x=1, y=1, width=2, height=2))])
    with pytest.raises(ValidationError, match="banana"):
        backend.annotations.write(job.id, [_ann(ids[0]), banana])
    with pytest.raises(ValidationError, match=rf"annotations: \[{other}\] are not tasks of project {job.id}"):
        backend.annotations.write(job.id, [_ann(ids[0]), _ann(other)])
    with counted(backend) as c:
        with pytest.raises(ValidationError, match="mode: 'append' or 'replace', not 'merge'"):
            backend.annotations.write(job.id, [_ann(ids[0])], mode="merge")
        with pytest.raises(ValidationError, match="annotation #0 names no item"):
            backend.annotations.write(job.id, [_ann(None)])
        assert backend.annotations.write(job.id, []).lossless
    assert c.count == 0
    assert list(backend.annotations.list(job_id=job.id)) == []
    backend.projects.delete(elsewhere.id)


def test_what_label_studio_cannot_hold_is_in_the_report(backend, job, images):
    tid, = backend.items.add(job.id, images(1))
    holed = ObjectAnnotation(class_name="kiwi", shape=Polygon(exterior=[(0, 0), (32, 0), (0, 24)],
                                                              interiors=[[(1, 1), (4, 1), (1, 4)]]))
    nobody = ItemAnnotation(item=tid, width=W, height=H, objects=[holed], author="nobody-here@example.com")
    report = backend.annotations.write(job.id, [nobody])
    assert (report.count("annotation author", "dropped"), report.count("polygon hole", "kept")) == (1, 1)
    assert "no user 'nobody-here@example.com' on the server" in str(report)
    got, = backend.annotations.get(tid)  # the hole was kept for the way back in the task's meta
    assert got.author == backend.users.me().login and got.objects[0].shape.interiors == holed.shape.interiors
    assert backend.items.task(tid)["meta"]["annobridge"]["v"] == 1


def test_a_tags_only_annotation_keeps_its_size(backend, job, images):
    tid, = backend.items.add(job.id, images(1))  # an image nobody can download
    backend.annotations.write(job.id, [ItemAnnotation(item=tid, width=W, height=H, tags=[Tag(name="size", value="large")])])
    got, = backend.annotations.get(tid)
    assert (got.width, got.height, got.tags) == (W, H, (Tag(name="size", value="large"),))


def test_a_tags_only_annotation_made_elsewhere_takes_the_size_from_the_image(backend, job, tmp_path, choice):
    from PIL import Image

    picture = tmp_path / "lemon.png"
    Image.new("RGB", (W, H), (250, 220, 0)).save(picture)
    tid, = backend.items.add(job.id, [picture])
    backend.annotations.create_json(tid, result=choice("large"))
    got, = backend.annotations.get(tid)
    assert (got.width, got.height, got.tags) == (W, H, (Tag(name="size", value="large"),))


def test_a_tags_only_annotation_on_an_image_out_of_reach_says_so(backend, job, images, choice):
    tid, = backend.items.add(job.id, images(1))
    backend.annotations.create_json(tid, result=choice("large"))
    with pytest.raises(Unavailable, match="cannot download http://example.invalid/img0.jpg"):
        backend.annotations.get(tid)


def test_list_streams_1000_tasks_a_request(backend, job):
    result = [{"from_name": "size", "to_name": "image", "type": "choices", "value": {"choices": ["small"]},
               "original_width": W, "original_height": H}]
    backend.items.add(job.id, [{"data": {"image": f"http://example.invalid/{n}.jpg"}, "annotations": [{"result": result}]}
                               for n in range(2100)])
    start = backend.connection.requests
    listed = backend.annotations.list(job_id=job.id)
    first = next(listed)
    assert backend.connection.requests - start == 3  # the label config, the users, the first page
    assert sum(1 for _ in listed) + 1 == 2100
    assert backend.connection.requests - start == 5 and first.tags == (Tag(name="size", value="small"),)


def test_delete_removes_the_annotations_and_keeps_the_tasks(backend, job, images, counted):
    ids = backend.items.add(job.id, images(3))
    backend.annotations.write(job.id, [_ann(t) for t in ids])
    backend.annotations.delete(ids[:2])
    assert [len(backend.annotations.get(t)) for t in ids] == [0, 0, 1]
    assert len(list(backend.items.list(job_id=job.id))) == 3
    with counted(backend) as c:
        backend.annotations.delete([])
    assert c.count == 0
    with pytest.raises(NotFound):
        backend.annotations.delete([987654321])


def test_annotation_json_lifecycle(backend, job, images, choice):
    tid, = backend.items.add(job.id, images(1))
    made = backend.annotations.create_json(tid, result=choice(), lead_time=2.5, ground_truth=True)
    assert made["task"] == tid and made["ground_truth"] is True
    assert [a["id"] for a in backend.annotations.list_json(tid)] == [made["id"]]
    assert backend.annotations.get_json(made["id"])["result"] == choice()
    changed = backend.annotations.update_json(made["id"], result=choice("large"), ground_truth=False)
    assert changed["result"] == choice("large") and changed["ground_truth"] is False
    backend.annotations.delete_json(made["id"])
    assert backend.annotations.list_json(tid) == []
    with pytest.raises(NotFound):
        backend.annotations.get_json(made["id"])
    with pytest.raises(ValidationError, match="result: expected a list"):
        backend.annotations.create_json(tid, result={"choices": ["small"]})

