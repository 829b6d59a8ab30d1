"""The Supervisely transfer sub-API on the sandbox: pages of records, bulk writes keyed by source, idempotent rewrites."""

from __future__ import annotations

import pytest

from annobridge.annotations import ItemAnnotation, ObjectAnnotation, Point, Rectangle
from annobridge.errors import ValidationError
from annobridge.fidelity import FidelityReport
from annobridge.schema import LabelSchema, ObjectClass
from annobridge.transfer import Record
from annobridge_supervisely.transfer import merge_annotations

from .provider_support import unique

BOX = LabelSchema(classes=[ObjectClass(name="box", shape="rectangle"), ObjectClass(name="dot", shape="point")])


@pytest.fixture
def lemons_records(sv, world):
    pages = list(sv.transfer.read(world.project_id, batch_size=4))
    records = [r for p in pages for r in p.records]
    sv.transfer.fetch_media(world.project_id, records)
    return pages, records


@pytest.fixture
def empty_project(sv):
    project = sv.projects.create(unique("transfer"), schema=BOX)
    yield project
    sv.projects.delete(project.id)


def _record(key: str, *objects: ObjectAnnotation, media: bytes) -> Record:
    ann = ItemAnnotation(item=f"{key}.png", width=8, height=6, objects=objects)
    return Record(key=key, name=f"{key}.png", width=8, height=6, annotations=[ann], media=media)


def test_read_pages_records_with_annotations_authors_and_media(lemons_records, sv, world):
    pages, records = lemons_records
    assert [len(p.records) for p in pages] == [4, 2]
    assert [r.key for r in records] == [str(i) for i in world.image_ids]
    # 17 objects in the seed; other tests of the shared sandbox may relabel its images, so ask the SDK
    stored = sv.api.annotation.download_json_batch(world.dataset_id, world.image_ids)
    assert sum(len(a.objects) for r in records for a in r.annotations) == sum(len(j["objects"]) for j in stored)
    assert {r.name: r.media[:3] for r in records}.keys() == {i.name for i in sv.items.list(project_id=world.project_id)}
    assert all(r.media.startswith(b"\xff\xd8\xff") for r in records)  # the stored JPEG bytes
    assert set().union(*(r.authors() for r in records)) == {"admin"}


def test_read_skips_what_is_done(sv, world):
    done = {str(i) for i in world.image_ids[:5]}
    (page,) = list(sv.transfer.read(world.project_id, batch_size=10, skip=done))
    assert [r.key for r in page.records] == [str(world.image_ids[5])]


def test_write_keys_each_image_by_source_and_rewrites_annotations_idempotently(sv, empty_project, lemons_records):
    _, lemons = lemons_records
    data = lemons[0].media
    first = [
        _record(
            "a",
            ObjectAnnotation(class_name="box", shape=Rectangle(x=1, y=1, width=3, height=2), author="admin"),
            media=data,
        ),
        _record("b", ObjectAnnotation(class_name="dot", shape=Point(x=2, y=3)), media=data),
    ]
    written = sv.transfer.write(empty_project.id, first, schema=BOX)
    assert set(written.ids) == {"a", "b"} and written.annotations == 2
    assert sv.transfer.find(empty_project.id, ["a", "b", "c"]) == written.ids
    # a reconciled batch: the images are there, the annotations are written again whole, never added to
    again = sv.transfer.write(empty_project.id, first, schema=BOX, existing=written.ids)
    assert again.ids == written.ids
    images = list(sv.items.list(project_id=empty_project.id))
    assert len(images) == 2 and sum(i.annotations_count or 0 for i in images) == 2
    (page,) = list(sv.transfer.read(empty_project.id))
    # a figure without an author is the uploader's, as Supervisely records it
    assert {r.key: [o.author for a in r.annotations for o in a.objects] for r in page.records} == {
        str(written.ids["a"]): ["admin"],
        str(written.ids["b"]): ["admin"],
    }


def test_present_lists_every_source_key_the_images_carry(sv, empty_project, lemons_records):
    _, lemons = lemons_records
    records = [
        _record(k, ObjectAnnotation(class_name="dot", shape=Point(x=1, y=1)), media=lemons[0].media) for k in "pq"
    ]
    written = sv.transfer.write(empty_project.id, records, schema=BOX)
    sv.items.add(empty_project.id, [{"bytes": lemons[1].media, "name": "not-carried.jpeg"}])  # no source key
    assert sv.transfer.present(empty_project.id) == written.ids
    assert sv.transfer.find(empty_project.id, ["q", "z"]) == {"q": written.ids["q"]}


def test_items_sharing_a_name_are_written_under_distinct_names_and_counted(sv, empty_project, lemons_records):
    """Label Studio tasks may share a file name; Supervisely refuses repeated names in one upload."""
    _, lemons = lemons_records
    records = [Record(key=k, name="same.jpeg", media=lemons[n].media) for n, k in enumerate(("s1", "s2", "s3"))]
    written = sv.transfer.write(empty_project.id, records, schema=BOX)
    names = {i.meta["image"]["annobridge_source"]: i.name for i in sv.items.list(project_id=empty_project.id)}
    assert names == {"s1": "same.jpeg", "s2": "same_s2.jpeg", "s3": "same_s3.jpeg"} and len(written.ids) == 3
    assert written.report.count("item name", "approximated") == 2


def test_bad_annotations_are_refused_before_any_upload(sv, empty_project, lemons_records):
    _, lemons = lemons_records
    bad = _record("x", ObjectAnnotation(class_name="lemon", shape=Point(x=1, y=1)), media=lemons[0].media)
    with pytest.raises(ValidationError, match="unknown class 'lemon'"):
        sv.transfer.write(empty_project.id, [bad], schema=BOX)
    assert list(sv.items.list(project_id=empty_project.id)) == []


def test_link_mode_on_the_offline_sandbox_is_refused_with_its_reason(sv, empty_project):
    record = Record(key="l", name="l.jpg", url="http://example.invalid/l.jpg")
    with pytest.raises(Exception, match="cannot fetch links"):
        sv.transfer.write(empty_project.id, [record], schema=BOX, media="link")


def test_merge_keeps_each_objects_author_and_counts_the_merge():
    dot = ObjectAnnotation(class_name="dot", shape=Point(x=1, y=1))
    record = Record(
        key="1",
        name="m.png",
        annotations=[
            ItemAnnotation(width=4, height=4, objects=[dot], author="anna"),
            ItemAnnotation(width=4, height=4, objects=[dot], author="bob"),
        ],
    )
    report = FidelityReport()
    merged = merge_annotations(record, report)
    assert [o.author for o in merged.objects] == ["anna", "bob"]
    assert report.losses() == [
        "annotation -> approximated merged into the image's one annotation (authors kept per object) (supervisely): 1"
        "  [m.png]"
    ]
