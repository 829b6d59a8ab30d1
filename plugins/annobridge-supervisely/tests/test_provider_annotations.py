"""Neutral annotations on the Supervisely sandbox through the real SDK: list, get, write (replace, append), delete."""

from __future__ import annotations

import contextlib
import io

import pytest

from annobridge.annotations import ItemAnnotation, ObjectAnnotation, ObjectOrigin, Point, Prediction, Rectangle, Tag
from annobridge.errors import NotFound, Unsupported, ValidationError
from annobridge.models import JobSpec, ReviewStatus
from annobridge.schema import LabelSchema, ObjectClass, TagSpec

from .provider_support import counted, unique

W, H = 40, 30
SCHEMA = LabelSchema(
    classes=[ObjectClass(name="box", shape="rectangle"), ObjectClass(name="dot", shape="point")],
    tags=[
        TagSpec(name="ripe", value_type="none", applies_to="items_only"),
        TagSpec(name="size", value_type="oneof_string", values=("small", "large"), applies_to="objects_only"),
    ],
)


def _png(shade: int) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (W, H), (shade, 200, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def project(sv):
    """A project with boxes, dots and two tags, holding three blank 40x30 images; removed after."""
    made = sv.projects.create(unique("annotations"), schema=SCHEMA)
    ids = sv.items.add(made.id, [{"bytes": _png(n * 40), "name": f"{n}.png"} for n in range(3)])
    yield made, ids
    with contextlib.suppress(NotFound):
        sv.projects.delete(made.id)


def _box(x=1, **changes) -> ObjectAnnotation:
    return ObjectAnnotation(
        class_name="box", shape=Rectangle(x=x, y=2, width=10, height=8), tags=(Tag(name="size", value="small"),), **changes
    )


def _ann(item, *objects, **changes) -> ItemAnnotation:
    return ItemAnnotation(item=item, width=W, height=H, objects=objects, **changes)


def test_replace_writes_each_objects_origin_and_reads_it_back(sv, project):
    made, ids = project
    sent = _ann(
        ids[0],
        _box(origin=ObjectOrigin.MODEL),
        _box(x=5, origin=ObjectOrigin.MODEL_CORRECTED),
        ObjectAnnotation(class_name="dot", shape=Point(x=3, y=4)),
        tags=(Tag(name="ripe"),),
        description="checked",
    )
    report = sv.annotations.write(made.id, [sent], mode="replace")
    assert report.count("rectangle object", "carried") == 2 and report.count(outcome="dropped") == 0
    (got,) = sv.annotations.get(ids[0])
    assert [o.origin for o in got.objects] == [ObjectOrigin.MODEL, ObjectOrigin.MODEL_CORRECTED, ObjectOrigin.MANUAL]
    assert [(o.class_name, o.shape) for o in got.objects] == [(o.class_name, o.shape) for o in sent.objects]
    assert [t.name for t in got.tags] == ["ripe"] and got.description == "checked" and got.item == ids[0]
    flags = [(o["nnCreated"], o["nnUpdated"]) for o in sv.api.annotation.download_json(ids[0])["objects"]]
    assert flags == [(True, True), (True, False), (False, False)], "Supervisely's own marks of model output"


def test_authors_are_team_logins_and_the_rest_is_counted(sv, world, project):
    made, ids = project
    sent = _ann(
        ids[0],
        _box(author="labeler_1"),
        _box(x=4, author=world.labelers[1]),  # a user id: written as that member's login
        _box(x=7, author="ghost"),  # nobody in the team: written as the uploader, and counted
    )
    report = sv.annotations.write(made.id, [sent], mode="replace")
    assert report.count("author", "kept") == 1  # Supervisely shows the uploader; the stash keeps "ghost"
    stored = sv.api.annotation.download_json(ids[0])["objects"]
    assert [o["labelerLogin"] for o in stored] == ["labeler_1", "labeler_2", "admin"]
    assert [t["labelerLogin"] for t in stored[0]["tags"]] == ["labeler_1"], "a tag without an author is its object's"
    (got,) = sv.annotations.get(ids[0])
    unset = {"id": None, "created_at": None, "updated_at": None}  # what the server sets
    assert [
        o.model_copy(update={**unset, "tags": tuple(t.model_copy(update=unset) for t in o.tags)}) for o in got.objects
    ] == [
        *sent.objects[:2],
        sent.objects[2].model_copy(update={"tags": (Tag(name="size", value="small", author="admin"),)}),
    ]  # as written, from the stash (the user id, "ghost", no tag author), but the uploader the server put on a tag


def test_append_adds_to_what_the_image_holds_and_replace_takes_its_place(sv, project):
    made, ids = project
    sv.annotations.write(made.id, [_ann(ids[0], _box(author="labeler_1"), description="first")], mode="replace")
    report = sv.annotations.write(
        made.id, [_ann(ids[0], _box(x=20, origin=ObjectOrigin.MODEL), tags=(Tag(name="ripe"),), description="more")]
    )
    assert report.count(outcome="approximated") == 0
    (got,) = sv.annotations.get(ids[0])
    assert [(o.shape.x, o.origin, o.author) for o in got.objects] == [
        (1, ObjectOrigin.MANUAL, "labeler_1"),
        (20, ObjectOrigin.MODEL, "admin"),
    ]
    assert [t.name for t in got.tags] == ["ripe"] and got.description == "first\nmore"
    sv.annotations.write(made.id, [_ann(ids[0], _box(x=9))], mode="replace")
    assert [o.shape.x for o in sv.annotations.get(ids[0])[0].objects] == [9]


def test_several_annotations_of_one_image_become_its_one(sv, project):
    made, ids = project
    two = [_ann(ids[1], _box(author="labeler_1"), author="labeler_1"), _ann(ids[1], _box(x=3), author="labeler_2")]
    report = sv.annotations.write(made.id, two, mode="replace")
    assert report.count("annotation", "approximated") == 1
    assert [o.author for o in sv.annotations.get(ids[1])[0].objects] == ["labeler_1", "labeler_2"]
    assert sv.annotations.write(made.id, two).count("annotation", "approximated") == 0, "appending merges nothing away"
    assert len(sv.annotations.get(ids[1])[0].objects) == 4


def test_a_bulk_write_is_one_request_per_hundred_images_of_a_dataset(sv, project):
    made, ids = project
    anns = [_ann(i, _box()) for i in ids]
    with counted(sv) as seen:
        sv.annotations.write(made.id, anns, mode="replace")
    assert seen["annotations.bulk.add"] == 1 and seen["annotations.bulk.info"] == 0
    with counted(sv) as seen:
        sv.annotations.write(made.id, anns, mode="append")
    assert seen["annotations.bulk.add"] == 1 and seen["annotations.bulk.info"] == 1


@pytest.mark.parametrize(
    "bad, words",
    [
        (_ann(None), "annotation #1 names no item"),
        (_ann(987654321), r"annotations.item: \[987654321\] are not images of project"),
        (ItemAnnotation(item=0, width=W + 1, height=H), "the annotation is 41x30, the image is 40x30"),
        (_ann(0, ObjectAnnotation(class_name="pear", shape=Point(x=1, y=1))), "unknown class 'pear'"),
        (_ann(0, ObjectAnnotation(class_name="box", shape=Point(x=1, y=1))), "a point cannot belong to rectangle class"),
        (_ann(0, tags=(Tag(name="size", value="small"),)), "size"),
        (_ann(0, _box().model_copy(update={"tags": (Tag(name="size", value="huge"),)})), "huge"),
    ],
)
def test_every_annotation_is_checked_before_the_first_write(sv, project, bad, words):
    made, ids = project
    if bad.item == 0:
        bad = bad.model_copy(update={"item": ids[1]})
    with pytest.raises(ValidationError, match=words):
        sv.annotations.write(made.id, [_ann(ids[0], _box()), bad], mode="replace")
    assert sv.annotations.get(ids[0]) == [] and sv.api.annotation.download_json(ids[0])["objects"] == []


def test_list_a_project_page_by_page_or_some_of_its_items(sv, project):
    made, ids = project
    sv.annotations.write(made.id, [_ann(ids[2], _box())], mode="replace")
    sv.annotations.write(made.id, [_ann(ids[0], description="only words")], mode="replace")
    listed = list(sv.annotations.list(project_id=made.id))
    assert [a.item for a in listed] == [ids[0], ids[2]], "an image holding nothing has no annotation"
    assert [len(a.objects) for a in listed] == [0, 1] and listed[0].description == "only words"
    assert sv.annotations.read_report.count(outcome="dropped") == 0
    assert [a.item for a in sv.annotations.list(project_id=made.id, item_ids=[ids[2], ids[1], ids[0]])] == [
        ids[2],
        ids[0],
    ]
    assert list(sv.annotations.list(project_id=made.id, item_ids=[])) == []
    with pytest.raises(ValidationError, match=r"item_ids: \[987654321\] are not images of project"):
        sv.annotations.list(project_id=made.id, item_ids=[987654321])
    with pytest.raises(NotFound):
        sv.annotations.list(project_id=987654321)


def test_list_a_job_in_its_order_with_the_reviewers_verdicts(sv, world):
    (job,) = sv.jobs.create(
        JobSpec(name=unique("anns"), project_id=world.project_id, annotators=world.labelers[:1], item_ids=world.image_ids[:4])
    )
    try:
        sv.reviews.set(job.id, world.image_ids[1], ReviewStatus.REJECTED)
        listed = list(sv.annotations.list(job_id=job.id))
        assert [a.item for a in listed] == [e.id for e in sv.jobs.get(job.id).entities]
        assert {a.item: a.review_status for a in listed}[world.image_ids[1]] is ReviewStatus.REJECTED
        assert all(a.objects for a in listed), "the seeded images carry labels"
        (one,) = sv.annotations.list(job_id=job.id, item_ids=[world.image_ids[1]])
        assert one.review_status is ReviewStatus.REJECTED
        with pytest.raises(ValidationError, match="are not items of labeling job"):
            sv.annotations.list(job_id=job.id, item_ids=[world.image_ids[5]])
    finally:
        sv.jobs.delete(job.id)
    with pytest.raises(NotFound, match="labeling job"):
        sv.annotations.list(job_id=job.id)


def test_a_job_for_every_class_keeps_its_labels_where_the_sdk_default_drops_them(sv, world):
    (job,) = sv.jobs.create(JobSpec(name=unique("every"), project_id=world.project_id, annotators=world.labelers[:1]))
    try:
        ids = [e.id for e in sv.jobs.get(job.id).entities]
        ours = list(sv.annotations.list(job_id=job.id))
        sdk_default = sv.api.labeling_job.get_annotations(job.id, image_ids=ids)
        assert sum(len(a.objects) for a in ours) > 0
        assert sum(len(a.labels) for a in sdk_default) == 0
    finally:
        sv.jobs.delete(job.id)


def test_get_one_image_and_a_missing_one(sv, world):
    (got,) = sv.annotations.get(world.image_ids[0])
    assert got.item == world.image_ids[0] and got.objects and sv.annotations.read_report.count(outcome="dropped") == 0
    with pytest.raises(NotFound, match="image 987654321"):
        sv.annotations.get(987654321)


def test_delete_empties_the_annotations_and_keeps_the_images(sv, project):
    made, ids = project
    sv.annotations.write(made.id, [_ann(i, _box(), tags=(Tag(name="ripe"),)) for i in ids], mode="replace")
    sv.annotations.delete(ids[:2])
    assert [(a.item, len(a.objects), len(a.tags)) for a in sv.annotations.list(project_id=made.id)] == [(ids[2], 1, 1)]
    assert sv.annotations.get(ids[0]) == [] and sv.api.annotation.download_json(ids[0])["objects"] == []
    assert [i.id for i in sv.items.list(project_id=made.id)] == ids
    with pytest.raises(NotFound):
        sv.annotations.delete([987654321])


def test_predictions_are_annotations_made_by_a_model_here(sv, project):
    made, ids = project
    prediction = Prediction(annotation=_ann(ids[0], _box(origin=ObjectOrigin.MODEL)), model_version="v1", score=0.9)
    with pytest.raises(Unsupported, match="predictions is not supported by supervisely.*ObjectOrigin.MODEL"):
        sv.predictions.write(made.id, [prediction])
    sv.annotations.write(made.id, [prediction.annotation])
    assert sv.annotations.get(ids[0])[0].objects[0].origin is ObjectOrigin.MODEL
