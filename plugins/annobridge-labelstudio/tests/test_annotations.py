"""Annotations and predictions: create, list, get, update, delete; short-form predictions; annotations from predictions."""

from __future__ import annotations

import pytest

from annobridge import NotFound, ValidationError


def test_annotation_lifecycle(backend, job, images, choice):
    tid, = backend.items.add(job.id, images(1))
    made = backend.annotations.create(tid, result=choice(), lead_time=2.5, ground_truth=True)
    assert made["task"] == tid and made["ground_truth"] is True
    assert [a["id"] for a in backend.annotations.list(tid)] == [made["id"]]
    assert backend.annotations.get(made["id"])["result"] == choice()
    changed = backend.annotations.update(made["id"], result=choice("large"), ground_truth=False)
    assert changed["result"] == choice("large") and changed["ground_truth"] is False
    backend.annotations.delete(made["id"])
    assert backend.annotations.list(tid) == []
    with pytest.raises(NotFound):
        backend.annotations.get(made["id"])
    with pytest.raises(ValidationError, match="result: expected a list"):
        backend.annotations.create(tid, result={"choices": ["small"]})


def test_prediction_lifecycle_and_short_forms(backend, job, images, choice):
    ids = backend.items.add(job.id, images(3))
    full = backend.predictions.create(ids[0], choice(), score=0.9, model_version="v1")
    by_value = backend.predictions.create(ids[1], {"choices": ["large"]}, model_version="v1")
    by_name = backend.predictions.create(ids[2], "small", model_version="v2")
    assert by_value["result"] == choice("large") and by_name["result"] == choice("small")
    assert {p["id"] for p in backend.predictions.list(job.id)} == {full["id"], by_value["id"], by_name["id"]}
    assert [p["id"] for p in backend.predictions.list(item_id=ids[0])] == [full["id"]]
    assert backend.predictions.get(full["id"])["score"] == 0.9
    assert backend.predictions.update(full["id"], score=0.1)["score"] == 0.1
    backend.predictions.delete(full["id"])
    assert backend.predictions.list(item_id=ids[0]) == []
    with pytest.raises(ValidationError, match="exactly one of"):
        backend.predictions.list()


def test_bulk_predictions_then_annotations_from_one_model_version(backend, job, images, choice):
    ids = backend.items.add(job.id, images(3))
    assert backend.predictions.create_many(job.id, [
        {"task": ids[0], "result": choice(), "model_version": "good"},
        {"task": ids[1], "result": choice("large"), "model_version": "good"},
        {"task": ids[2], "result": choice(), "model_version": "bad"},
    ]) == 3
    assert backend.predictions.create_many(job.id, []) == 0
    assert backend.annotations.from_predictions(job.id, model_versions=["good"]) == 2
    assert [len(backend.annotations.list(t)) for t in ids] == [1, 1, 0]
    assert backend.annotations.list(ids[1])[0]["result"] == choice("large")
