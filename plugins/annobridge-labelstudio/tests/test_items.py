"""Tasks as items: import (dicts, files, pre-annotations), list with filters/ordering/views, update, delete."""

from __future__ import annotations

import json

import pytest

from annobridge import NotFound, ValidationError
from annobridge_labelstudio.items import LABELED, UNLABELED


def test_import_dicts_and_files_in_order_with_pre_annotations(backend, job, images, tmp_path):
    tasks_file = tmp_path / "tasks.json"
    tasks_file.write_text(json.dumps([{"image": "http://example.invalid/f.jpg", "size": "large"}]))
    csv_file = tmp_path / "tasks.csv"
    csv_file.write_text("image,size\nhttp://example.invalid/c1.jpg,small\nhttp://example.invalid/c2.jpg,large\n")
    full = {"data": {"image": "http://example.invalid/full.jpg"}, "annotations": [{"result": []}],
            "predictions": [{"result": [], "model_version": "imported"}], "meta": {"source": "test"}}
    ids = backend.items.add(job.id, [*images(2), tasks_file, csv_file], preannotated_from_fields=["size"])
    ids += backend.items.add(job.id, [full])  # with preannotated_from_fields the server drops meta: a call of its own
    assert len(ids) == 6 and ids == sorted(ids)
    names = [backend.items.get(i).name for i in ids]
    assert names == ["img0.jpg", "img1.jpg", "f.jpg", "c1.jpg", "c2.jpg", "full.jpg"]
    from_file = backend.items.task(ids[2])
    assert [p["result"][0]["value"] for p in from_file["predictions"]] == [{"choices": ["large"]}]
    assert backend.items.task(ids[4])["predictions"][0]["result"][0]["value"] == {"choices": ["large"]}
    assert backend.items.get(ids[5]).meta == {"source": "test"}
    assert backend.items.task(ids[5])["predictions"][0]["model_version"] == "imported"
    assert len(backend.items.task(ids[5])["annotations"]) == 1


def test_bad_input_is_refused_before_anything_is_imported(backend, job, counted, tmp_path):
    with counted(backend) as c:
        with pytest.raises(ValidationError, match=r"items\[1\]: .*is not a file"):
            backend.items.add(job.id, [{"image": "x"}, tmp_path / "missing.json"])
        with pytest.raises(ValidationError, match=r"items\[0\]: expected a task dict"):
            backend.items.add(job.id, [42])
        with pytest.raises(ValidationError, match="no datasets"):
            list(backend.items.list(dataset_id=1))
        assert backend.items.add(job.id, []) == []
    assert c.count == 0


@pytest.mark.parametrize(("n", "page_size", "requests"), [(25, 10, 3), (20, 10, 2), (0, 10, 1), (7, 1000, 1)])
def test_listing_pages_to_the_end_without_a_failing_or_extra_request(backend, job, images, counted, n, page_size,
                                                                     requests):
    ids = backend.items.add(job.id, images(n)) if n else []
    with counted(backend) as c:
        listed = list(backend.items.list(job_id=job.id, page_size=page_size))
    assert [i.id for i in listed] == ids and c.count == requests


def test_filters_ordering_views_labeled_and_unlabeled(backend, job, images, choice):
    ids = backend.items.add(job.id, images(5))
    backend.annotations.create_json(ids[1], result=choice())
    backend.annotations.create_json(ids[3], result=choice())
    assert [i.id for i in backend.items.labeled(job.id)] == [ids[1], ids[3]]
    assert [i.id for i in backend.items.unlabeled(job.id)] == [ids[0], ids[2], ids[4]]
    assert [i.id for i in backend.items.list(job_id=job.id, ordering=["-tasks:id"])] == ids[::-1]
    assert [i.id for i in backend.items.list(job_id=job.id, filters=LABELED, ordering=["-tasks:id"])] == [ids[3], ids[1]]
    by_id = {"conjunction": "and", "items": [
        {"filter": "filter:tasks:id", "operator": "greater", "type": "Number", "value": ids[2]}]}
    assert backend.items.ids(job.id, filters=by_id) == ids[3:]
    assert [i.id for i in backend.items.list(job_id=job.id, selected_ids=ids[:2])] == ids[:2]
    view = backend.views.create(job.id, filters=UNLABELED, ordering=["-tasks:id"], title="todo")
    try:
        assert view["id"] in {v["id"] for v in backend.views.list(job.id)}
        assert [i.id for i in backend.items.list(job_id=job.id, view_id=view["id"])] == [ids[4], ids[2], ids[0]]
    finally:
        backend.views.delete(view["id"])
    assert view["id"] not in {v["id"] for v in backend.views.list(job.id)}
    tasks = list(backend.items.tasks(job.id, filters=LABELED))
    assert [len(t["annotations"]) for t in tasks] == [1, 1]


def test_get_update_and_delete_one(backend, job, images):
    tid, = backend.items.add(job.id, images(1))
    updated = backend.items.update(tid, data={"image": "http://example.invalid/new.png"}, meta={"k": 1})
    assert (updated.name, updated.meta) == ("new.png", {"k": 1})
    assert backend.items.get(tid).data == {"image": "http://example.invalid/new.png"}
    backend.items.delete_one(tid)
    with pytest.raises(NotFound):
        backend.items.get(tid)


def test_delete_many_in_bulk_and_an_empty_list_deletes_nothing(backend, job, images, counted):
    ids = backend.items.add(job.id, images(5))
    with counted(backend) as c:
        backend.items.delete([])
    assert c.count == 0 and backend.items.ids(job.id) == ids
    with counted(backend) as c:
        backend.items.delete(ids[:3], project_id=job.id)
    assert c.count == 1 and backend.items.ids(job.id) == ids[3:]
    backend.items.delete([ids[3]])  # project read from the task: one more request
    assert backend.items.ids(job.id) == ids[4:]


def test_delete_all_keeps_the_exclusions(backend, job, images):
    ids = backend.items.add(job.id, images(6))
    assert backend.items.delete_all(job.id, exclude=[ids[0], ids[5]]) == 4
    assert backend.items.ids(job.id) == [ids[0], ids[5]]


def test_tasks_by_default_carry_whole_annotations_and_predictions(backend, job, choice):
    """The default columns name the annotations' own fields: results and authors come inline, not bare ids."""
    prediction = {"result": choice("large"), "score": 0.5, "model_version": "m1"}
    tid, = backend.items.add(job.id, [{"data": {"image": "http://example.invalid/a.jpg"},
                                       "annotations": [{"result": choice()}], "predictions": [prediction]}])
    (task,) = list(backend.items.tasks(job.id))
    (everything,) = list(backend.items.tasks(job.id, include=None))
    (annotation,) = task["annotations"]
    assert annotation["result"] == choice() and annotation["completed_by"] == backend.users.me().id
    assert annotation["was_cancelled"] is False and annotation["task"] == tid
    assert annotation == everything["annotations"][0]  # every field the full read has
    (predicted,) = task["predictions"]
    assert (predicted["result"], predicted["score"], predicted["model_version"]) == (choice("large"), 0.5, "m1")
    assert predicted == everything["predictions"][0]
    assert "drafts" not in task and "annotations_results" not in task  # the dear columns stay out


def test_a_page_too_large_for_sqlite_is_read_again_in_halves(backend, job, counted):
    """1,000 tasks made from 1,000 uploaded files: Label Studio on SQLite answers 500 "Expression tree is too
    large" to one page of all of them; the listing halves the page and still reads every task once."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), "yellow").save(buffer, format="PNG")
    made = []
    for start in range(0, 1000, 100):  # Django takes at most 100 files a request
        files = {f"file{n}": (f"{n:04d}.png", buffer.getvalue(), "image/png") for n in range(start, start + 100)}
        response = backend.connection.request("POST", f"api/projects/{job.id}/import", "importing 100 files",
                                              params={"return_task_ids": True}, files=files)
        made += response.json()["task_ids"]
    assert len(made) == 1000
    from label_studio_sdk.core.api_error import ApiError

    from annobridge_labelstudio.items import TASK_FIELDS

    with pytest.raises(ApiError, match="Expression tree is too large"):  # what the SDK meets with one page of all
        backend.connection.sdk.tasks.list(project=job.id, page_size=1000, fields="all", include=",".join(TASK_FIELDS))
    with counted(backend) as c:
        listed = [t["id"] for t in backend.items.tasks(job.id, page_size=1000)]
    assert sorted(listed) == sorted(made) and len(set(listed)) == 1000
    assert c.count == 3  # the refused page of 1,000, then two pages of 500 (the total ends it)
