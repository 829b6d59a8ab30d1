"""Predictions of tasks: neutral Predictions imported in bulk, listed, turned into annotations and removed;
and the Label Studio JSON extras (create_json with its short forms, create_many_json, list_json, ...)."""

from __future__ import annotations

import pytest

from annobridge import ValidationError
from annobridge.annotations import ItemAnnotation, ObjectAnnotation, Prediction, Rectangle, Tag

W, H = 64, 48


def _prediction(item, version="v1", score=0.5, x=8) -> Prediction:
    box = ObjectAnnotation(id=f"box-{x}", class_name="lemon", shape=Rectangle(x=x, y=12, width=16, height=24))
    ann = ItemAnnotation(item=item, width=W, height=H, objects=[box], tags=[Tag(name="size", value="small")])
    return Prediction(annotation=ann, model_version=version, score=score)


def test_write_is_one_import_and_list_gives_them_back(backend, job, images, counted):
    ids = backend.items.add(job.id, images(3))
    backend.edition  # noqa: B018 - known before counting
    written = [_prediction(ids[0]), _prediction(ids[1], score=0.25, x=32)]
    with counted(backend) as c:
        report = backend.predictions.write(job.id, written)
    assert c.count == 3  # the tasks checked, the label config, one import
    assert report.lossless and report.count("prediction") == 2
    listed = sorted(backend.predictions.list(job_id=job.id), key=lambda p: p.annotation.item)
    assert [(p.annotation.item, p.model_version, p.score) for p in listed] == [(ids[0], "v1", 0.5), (ids[1], "v1", 0.25)]
    assert [p.annotation.objects for p in listed] == [w.annotation.objects for w in written]
    assert all(p.id is not None and p.annotation.author is None for p in listed)
    only = list(backend.predictions.list(project_id=job.id, item_ids=[ids[1]]))
    assert [p.annotation.item for p in only] == [ids[1]]


def test_to_annotations_turns_only_the_chosen_model_versions(backend, job, images):
    ids = backend.items.add(job.id, images(3))
    backend.predictions.write(job.id, [_prediction(ids[0], "good"), _prediction(ids[1], "good", x=32),
                                       _prediction(ids[2], "bad")])
    assert backend.predictions.to_annotations(job.id, model_versions=["no-such-version"]) == 0
    assert backend.predictions.to_annotations(job.id, model_versions=["good"]) == 2
    assert [len(backend.annotations.get(t)) for t in ids] == [1, 1, 0]
    assert backend.annotations.get(ids[1])[0].objects == _prediction(ids[1], x=32).annotation.objects


def test_bad_predictions_are_refused_before_anything_is_written(backend, job, images):
    tid, = backend.items.add(job.id, images(1))
    banana = ItemAnnotation(item=tid, width=W, height=H, objects=[
        ObjectAnnotation(class_name="banana", shape=Rectangle(x=1, y=1, width=2, height=2))])
    with pytest.raises(ValidationError, match="banana"):
        backend.predictions.write(job.id, [_prediction(tid), Prediction(annotation=banana)])
    with pytest.raises(ValidationError, match="predictions: #0 is a ItemAnnotation, not a Prediction"):
        backend.predictions.write(job.id, [banana])
    with pytest.raises(ValidationError, match=r"predictions: \[987654321\] are not tasks of project"):
        backend.predictions.write(job.id, [_prediction(987654321)])
    assert list(backend.predictions.list(job_id=job.id)) == []


def test_writing_no_predictions_sends_nothing(backend, job, counted):
    with counted(backend) as c:
        assert backend.predictions.write(job.id, []).lossless
    assert c.count == 0


def test_an_authored_prediction_reports_the_author_dropped(backend, job, images):
    tid, = backend.items.add(job.id, images(1))
    authored = _prediction(tid)
    authored = authored.model_copy(update={"annotation": authored.annotation.model_copy(update={"author": "anna"})})
    report = backend.predictions.write(job.id, [authored])
    assert report.count("annotation author", "dropped") == 1


def test_delete_removes_the_tasks_predictions(backend, job, images):
    ids = backend.items.add(job.id, images(2))
    backend.predictions.write(job.id, [_prediction(t) for t in ids])
    backend.predictions.delete([ids[0]])
    assert [p.annotation.item for p in backend.predictions.list(job_id=job.id)] == [ids[1]]


def test_prediction_json_lifecycle_and_short_forms(backend, job, images, choice):
    ids = backend.items.add(job.id, images(3))
    full = backend.predictions.create_json(ids[0], choice(), score=0.9, model_version="v1")
    by_value = backend.predictions.create_json(ids[1], {"choices": ["large"]}, model_version="v1")
    by_name = backend.predictions.create_json(ids[2], "small", model_version="v2")
    assert by_value["result"] == choice("large") and by_name["result"] == choice("small")
    assert {p["id"] for p in backend.predictions.list_json(job.id)} == {full["id"], by_value["id"], by_name["id"]}
    assert [p["id"] for p in backend.predictions.list_json(item_id=ids[0])] == [full["id"]]
    assert backend.predictions.get_json(full["id"])["score"] == 0.9
    assert backend.predictions.update_json(full["id"], score=0.1)["score"] == 0.1
    backend.predictions.delete_json(full["id"])
    assert backend.predictions.list_json(item_id=ids[0]) == []
    with pytest.raises(ValidationError, match="exactly one of"):
        backend.predictions.list_json()
    assert backend.predictions.create_many_json(job.id, [
        {"task": ids[0], "result": choice(), "model_version": "v3"}]) == 1
    assert backend.predictions.create_many_json(job.id, []) == 0
    assert backend.annotations.from_predictions(job.id, model_versions=["v3"]) == 1
