"""Kept for the way back through the Supervisely sandbox and the real SDK: customBigData as an instance keeps it,
and the provider's annotations and transfer APIs storing and restoring annobridge's stash in it.

A real instance sends an annotation's customBigData only when asked (withCustomBigData, the SDK's
with_custom_data, False by default), so annobridge asks for it wherever it reads annotations.
"""

from __future__ import annotations

import contextlib
import io
from datetime import datetime, timezone
from fractions import Fraction

import pytest
import supervisely as sly
from annobridge_supervisely.figures_native import KEY, split_stash

from annobridge.annotations import ItemAnnotation, ObjectAnnotation, Point, Polygon, Rectangle, Tag
from annobridge.errors import NotFound
from annobridge.fidelity import SUPERVISELY
from annobridge.models import ReviewStatus
from annobridge.schema import LabelSchema, ObjectClass, TagSpec

from .provider_support import unique

W, H = 40, 30
SCHEMA = LabelSchema(
    classes=[
        ObjectClass(name="box", shape="rectangle"),
        ObjectClass(name="leaf", shape="polygon"),
        ObjectClass(name="dot", shape="point"),
    ],
    tags=[TagSpec(name="size", value_type="oneof_string", values=("small", "large"))],
)


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (W, H), (90, 200, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def project(sv):
    """A project with boxes, leaves, dots and a size tag, holding three blank 40x30 images; removed after."""
    made = sv.projects.create(unique("keep"), schema=SCHEMA)
    ids = sv.items.add(made.id, [{"bytes": _png(), "name": f"{n}.png"} for n in range(3)])
    yield made, ids
    with contextlib.suppress(NotFound):
        sv.projects.delete(made.id)


# -- the sandbox, through the SDK ---------------------------------------------------------------------------------


def test_custom_data_is_stored_and_sent_only_when_asked_for(sv, project):
    made, ids = project
    api = sv.api
    meta = sly.ProjectMeta.from_json(api.project.get_meta(made.id))
    pin = sly.Label(sly.Point(3, 4), meta.get_obj_class("dot"))
    api.annotation.upload_anns(ids[:2], [sly.Annotation((H, W), [pin], custom_data={"batch": 7, "by": ["x"]})] * 2)
    asked = api.annotation.download(ids[0], with_custom_data=True).annotation
    assert asked["customBigData"] == {"batch": 7, "by": ["x"]}
    assert sly.Annotation.from_json(asked, meta).custom_data == {"batch": 7, "by": ["x"]}
    assert "customBigData" not in api.annotation.download_json(ids[0])  # the SDK's default does not ask
    dataset = sv.sole_dataset(made.id)
    both = api.annotation.download_batch(dataset, ids[:2], with_custom_data=True)
    assert [b.annotation["customBigData"] for b in both] == [{"batch": 7, "by": ["x"]}] * 2
    assert ["customBigData" in a for a in api.annotation.download_json_batch(dataset, ids[:2])] == [False, False]
    api.annotation.upload_anns([ids[0]], [sly.Annotation((H, W), [pin])])  # a new annotation has none
    assert api.annotation.download(ids[0], with_custom_data=True).annotation["customBigData"] == {}


# -- the provider -------------------------------------------------------------------------------------------------

MOMENT = datetime(2024, 5, 1, 8, 30, 15, 250000, tzinfo=timezone.utc)


def _from_elsewhere(item) -> ItemAnnotation:
    """An item as another tool gives it: text ids, a user id as author, subpixel and holed shapes, a review."""
    leaf = Polygon(exterior=[(1, 1), (Fraction(61, 2), 1), (20, 25)], interiors=[[(10, 5), (15, 5), (12, 10)]])
    return ItemAnnotation(
        item=item,
        width=W,
        height=H,
        author=7,
        review_status=ReviewStatus.ACCEPTED,
        description="from elsewhere",
        objects=[
            ObjectAnnotation(class_name="leaf", shape=leaf, id="region-a", created_at=MOMENT),
            ObjectAnnotation(class_name="box", shape=Rectangle(x=2.25, y=3, width=10, height=8, rotation=30),
                             id="region-b", tags=(Tag(name="size", value="small", author=9),)),
            ObjectAnnotation(class_name="dot", shape=Point(x=5, y=6), id="region-c"),
        ],
    )


def test_what_supervisely_cannot_hold_comes_back_from_its_custom_data(sv, project):
    made, ids = project
    sent = _from_elsewhere(ids[0])
    report = sv.annotations.write(made.id, [sent], mode="replace")
    assert report.lossless, str(report)
    kept = ("author", "review status", "rotation", "subpixel coordinates")  # tag author 9: no member of the team
    assert [report.count(kind, "kept") for kind in kept] == [1, 1, 1, 1] and report.count(outcome="kept") == 4
    held = sv.api.annotation.download(ids[0], with_custom_data=True).annotation
    plain, stash = split_stash(held)
    assert stash["v"] == 1 and held["customBigData"] == {KEY: stash}
    assert plain["objects"][0]["points"]["interior"] == [[[10, 5], [15, 5], [12, 10]]]  # Supervisely shows holes
    (got,) = sv.annotations.get(ids[0])
    assert _times_given(got, sent) == sent  # ids, authors, shapes, review: as written; times the server stamped
    (listed,) = sv.annotations.list(project_id=made.id, item_ids=[ids[0]])
    assert listed == got and sv.annotations.read_report.count("kept for the way back (restored)") == 1


def _times_given(got: ItemAnnotation, sent: ItemAnnotation) -> ItemAnnotation:
    """`got` with the times the server stamps on upload (updatedAt, and createdAt where none was given) as sent."""
    objects = []
    for mine, theirs in zip(got.objects, sent.objects):
        tags = tuple(t.model_copy(update={"created_at": s.created_at, "updated_at": s.updated_at})
                     for t, s in zip(mine.tags, theirs.tags))
        times = {"created_at": mine.created_at if theirs.created_at else None, "updated_at": theirs.updated_at}
        objects.append(mine.model_copy(update={"tags": tags, **times}))
    return got.model_copy(update={"objects": tuple(objects)})


def test_an_edit_in_supervisely_wins_over_the_stash_and_is_reported(sv, project):
    made, ids = project
    sv.annotations.write(made.id, [_from_elsewhere(ids[1])], mode="replace")
    held = sv.api.annotation.download(ids[1], with_custom_data=True).annotation
    held["objects"][2]["points"]["exterior"] = [[7, 7]]  # a person moves the dot, in Supervisely's own editor
    sv.api.annotation.upload_json(ids[1], held)
    (got,) = sv.annotations.get(ids[1])
    assert got.objects[2].shape == Point(x=7, y=7)  # read as Supervisely shows it: its ids, no review, no hole kept
    assert all(isinstance(o.id, int) for o in got.objects) and got.review_status is ReviewStatus.NONE
    assert sv.annotations.read_report.count("kept for the way back", "dropped") == 1


def test_appending_keeps_what_both_writes_could_not_show(sv, project):
    made, ids = project
    first = _from_elsewhere(ids[2])
    sv.annotations.write(made.id, [first], mode="replace")
    more = ItemAnnotation(item=ids[2], width=W, height=H, objects=[
        ObjectAnnotation(class_name="dot", shape=Point(x=Fraction(5, 2), y=1), id="region-d", author="admin")])
    report = sv.annotations.write(made.id, [more])  # append
    assert report.count("subpixel coordinates", "kept") == 1, str(report)
    (got,) = sv.annotations.get(ids[2])
    assert [o.id for o in got.objects] == ["region-a", "region-b", "region-c", "region-d"]
    assert got.objects[3].shape == more.objects[0].shape and got.objects[1].shape == first.objects[1].shape
    assert (got.author, got.review_status, got.description) == (7, ReviewStatus.ACCEPTED, "from elsewhere")


def test_native_documents_carry_the_stash_both_ways(sv, project):
    made, ids = project
    sent = _from_elsewhere(ids[0])
    (doc,) = sv.annotations.to_native(made.id, [sent])
    assert doc["image_id"] == ids[0] and KEY in doc["annotation"]["customBigData"]
    (back,) = sv.annotations.from_native(made.id, [doc])
    assert back == sent


def test_a_transfer_between_supervisely_projects_keeps_their_custom_data(sv, project):
    made, ids = project
    api = sv.api
    meta = sly.ProjectMeta.from_json(api.project.get_meta(made.id))
    label = sly.Label(sly.Point(3, 4), meta.get_obj_class("dot"), smart_tool_input={"positive": [[3, 4]]})
    api.annotation.upload_anns([ids[0]], [sly.Annotation((H, W), [label], custom_data={"batch": 7})])
    (page,) = [p for p in sv.transfer.read(made.id) if any(r.key == str(ids[0]) for r in p.records)]
    record = next(r for r in page.records if r.key == str(ids[0]))
    (neutral,) = record.annotations
    assert SUPERVISELY in neutral.kept and page.report.count("annotation custom data", "kept") == 1
    target = sv.projects.create(unique("keep-copy"), schema=SCHEMA)
    try:
        record.media = _png()
        written = sv.transfer.write(target.id, [record], schema=SCHEMA)
        copied = api.annotation.download(int(written.ids[record.key]), with_custom_data=True).annotation
        assert copied["customBigData"] == {"batch": 7}
        assert copied["objects"][0]["smartToolInput"] == {"positive": [[3, 4]]}
    finally:
        sv.projects.delete(target.id)
