"""items.tasks() reads the JSON itself: the same tasks, order, fields and errors as the SDK's pager."""

from __future__ import annotations

import json

import pytest

from annobridge import NotFound
from annobridge_labelstudio.sdk_data import as_dict
from annobridge_labelstudio.items import ITEM_FIELDS, LABELED, TASK_FIELDS


def sdk_pages(backend, pid, size, **params):
    """Every task through the SDK's own pager and models, dumped as the listing used to dump them."""
    tasks, page = [], 1
    while True:
        pager = backend.connection.sdk.tasks.list(project=pid, page=page, page_size=size, resolve_uri=False, **params)
        tasks += [as_dict(t) for t in pager.items]
        if not pager.items or len(tasks) >= pager.response.total:
            return tasks
        page += 1


@pytest.fixture
def tasks(backend, job, choice):
    """Seven tasks with meta, every other one annotated, every third one without a prediction."""
    return backend.items.add(job.id, [
        {"data": {"image": f"http://example.invalid/{n}.jpg"}, "meta": {"n": n},
         "annotations": [{"result": choice()}] if n % 2 else [],
         "predictions": [{"result": choice("large"), "score": 0.25, "model_version": "m"}] if n % 3 else []}
        for n in range(7)
    ])


@pytest.mark.parametrize(("kwargs", "sdk_params"), [
    ({}, {"fields": "all", "include": ",".join(TASK_FIELDS)}),
    ({"include": None}, {"fields": "all"}),
    ({"fields": "task_only", "include": ITEM_FIELDS, "filters": LABELED, "ordering": ["-tasks:id"]},
     {"fields": "task_only", "include": ",".join(ITEM_FIELDS),
      "query": json.dumps({"filters": LABELED, "ordering": ["-tasks:id"]})}),
])
def test_the_same_tasks_in_the_same_order_with_the_same_fields_as_the_sdk(backend, job, tasks, counted, choice, kwargs,
                                                                          sdk_params):
    expected = sdk_pages(backend, job.id, 3, **sdk_params)
    with counted(backend) as c:
        listed = list(backend.items.tasks(job.id, page_size=3, **kwargs))
    assert listed == expected and len(listed) in (7, 3)
    assert c.count == -(-len(listed) // 3)  # one request a page, none past the end
    if not kwargs:
        assert [t["id"] for t in listed] == tasks
        assert [len(t["annotations"]) for t in listed] == [n % 2 for n in range(7)]
        assert listed[1]["annotations"][0]["result"] == choice() and listed[1]["predictions"][0]["score"] == 0.25


def test_a_caller_stopping_after_the_first_task_costs_one_page(backend, job, tasks, counted):
    with counted(backend) as c:
        listing = backend.items.tasks(job.id, page_size=2)
        first = next(listing)
        listing.close()
    assert first["id"] == tasks[0] and c.count == 1


def test_errors_are_the_same_as_through_the_sdk(backend, job, tasks):
    with pytest.raises(NotFound, match=r"while listing the tasks of project \d+ \(HTTP 404\): No View matches"):
        list(backend.items.tasks(job.id, view_id=999999))
    with pytest.raises(NotFound):
        list(backend.items.tasks(999999))
