"""The Label Studio transfer sub-API on the real server: one upload, one listing and one import a page; authors kept."""

from __future__ import annotations

import uuid

import numpy as np
import pytest

from annobridge.annotations import ItemAnnotation, Mask, ObjectAnnotation, Point, Rectangle, Tag
from annobridge.errors import ValidationError
from annobridge.fidelity import FidelityReport
from annobridge.schema import LabelSchema, ObjectClass, TagSpec
from annobridge.transfer import Record
from annobridge_labelstudio.transfer import split_by_author

SCHEMA = LabelSchema(
    classes=[
        ObjectClass(name="box", shape="rectangle"),
        ObjectClass(name="dot", shape="point"),
        ObjectClass(name="blob", shape="mask"),
    ],
    tags=[TagSpec(name="size", value_type="oneof_string", values=("small", "large"), applies_to="items_only")],
)


def _png(width: int = 8, height: int = 6) -> bytes:
    """A real PNG, written with the standard library's zlib (no imaging library needed)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes([200, 180, 20] * width) for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


@pytest.fixture
def project(backend):
    made = backend.projects.create(f"transfer-{uuid.uuid4().hex[:8]}", schema=SCHEMA)
    yield made
    backend.projects.delete(made.id)


@pytest.fixture(scope="module")
def people(backend):
    """Two more users of the organization, by login."""
    made = []
    for n in (1, 2):
        login = f"lab{n}{uuid.uuid4().hex[:6]}"
        made.append(backend.users.create(login, email=f"{login}@example.com"))
    return made


def _records(people) -> list[Record]:
    anna, bob = (p.login for p in people)
    mask = np.zeros((6, 8), dtype=bool)
    mask[2:4, 3:6] = True
    first = ItemAnnotation(
        width=8,
        height=6,
        tags=[Tag(name="size", value="small", author=anna)],
        objects=[
            ObjectAnnotation(class_name="box", shape=Rectangle(x=1, y=1, width=2.5, height=3), author=anna),
            ObjectAnnotation(class_name="dot", shape=Point(x=7, y=5), author=bob),
            ObjectAnnotation(class_name="blob", shape=Mask(data=mask), author=anna),
        ],
    )
    return [
        Record(key="src-1", name="one.png", width=8, height=6, annotations=[first], media=_png()),
        Record(key="src-2", name="two.png", width=8, height=6, media=_png()),
    ]


def test_write_is_three_requests_and_splits_annotations_by_author(backend, project, people, counted):
    records = _records(people)
    backend.transfer.__dict__.pop("_users", None)  # an earlier test on this session's backend may have read them
    backend.transfer.preview(records, schema=SCHEMA)  # reads the users once, before the count starts
    with counted(backend) as c:
        written = backend.transfer.write(project.id, records, schema=SCHEMA)
    assert c.count == 1 + 3  # the label config; upload, file listing, import
    assert set(written.ids) == {"src-1", "src-2"} and written.annotations == 2
    task = backend.items.task(written.ids["src-1"])
    assert task["data"]["annobridge_source"] == "src-1" and task["data"]["image"].startswith("/data/upload/")
    by_author = {a["completed_by"]["id"]: len(a["result"]) for a in task["annotations"]}
    anna, bob = people
    assert by_author == {anna.id: 3, bob.id: 1}  # anna: box, mask, item tag; bob: the dot
    assert backend.items.task(written.ids["src-2"])["annotations"] == []


def test_read_back_gives_the_same_objects_authors_and_bytes(backend, project, people):
    records = _records(people)
    written = backend.transfer.write(project.id, records, schema=SCHEMA)
    (page,) = list(backend.transfer.read(project.id))
    back = {r.key: r for r in page.records}
    one = back[str(written.ids["src-1"])]
    assert one.name == "one.png" and (one.width, one.height) == (8, 6)
    shapes = sorted((a.author, o.class_name, o.shape) for a in one.annotations for o in a.objects)
    original = sorted((o.author, o.class_name, o.shape) for o in records[0].annotations[0].objects)
    assert [(a, c) for a, c, _ in shapes] == [(a, c) for a, c, _ in original]
    masks = [(s.origin, s.data.tobytes()) for _, _, s in shapes + original if s.kind == "mask"]
    assert masks[0] == masks[1]  # the brush RLE carries every pixel
    # pixels -> percent -> pixels goes through a float: equal to its precision, not to the last bit
    assert _coords(shapes) == pytest.approx(_coords(original), rel=1e-12)
    backend.transfer.fetch_media(project.id, page.records)
    assert {r.media for r in page.records} == {_png()}


def _coords(shapes) -> list[float]:
    return [float(v) for _, _, s in shapes if s.kind != "mask" for k, v in s if k in ("x", "y", "width", "height")]


def test_find_reconciles_by_source_key(backend, project, people):
    written = backend.transfer.write(project.id, _records(people), schema=SCHEMA)
    assert backend.transfer.find(project.id, ["src-2", "src-9"]) == {"src-2": written.ids["src-2"]}
    again = backend.transfer.write(project.id, _records(people), schema=SCHEMA, existing=written.ids)
    assert again.ids == written.ids and backend.transfer.count(project.id) == 2  # nothing imported twice


def test_bad_annotations_are_refused_before_any_request_writes(backend, project):
    bad = Record(
        key="b",
        name="b.png",
        media=_png(),
        annotations=[
            ItemAnnotation(width=8, height=6, objects=[ObjectAnnotation(class_name="kiwi", shape=Point(x=1, y=1))])
        ],
    )
    with pytest.raises(ValidationError, match="unknown class 'kiwi'"):
        backend.transfer.write(project.id, [bad], schema=SCHEMA)
    assert backend.transfer.count(project.id) == 0


def test_split_by_author_counts_the_split():
    dot = ObjectAnnotation(class_name="dot", shape=Point(x=1, y=1))
    record = Record(
        key="1",
        name="s.png",
        annotations=[
            ItemAnnotation(
                width=4,
                height=4,
                objects=[dot.model_copy(update={"author": "a"}), dot.model_copy(update={"author": "b"})],
            )
        ],
    )
    report = FidelityReport()
    assert [a.author for a in split_by_author(record, report)] == ["a", "b"]
    assert report.count("annotation", "approximated") == 1


def _tag(value: str) -> list[dict]:
    return [{"from_name": "size", "to_name": "image", "type": "choices", "value": {"choices": [value]}}]


def test_an_annotation_of_item_tags_only_takes_the_size_from_the_image(backend, project, counted):
    """No region gives the size: the image is read once (its bytes kept for the copy), nothing is refused."""
    plain = Record(key="tags-only", name="t.png", media=_png(8, 6))
    written = backend.transfer.write(project.id, [plain], schema=SCHEMA)
    annotation = backend.annotations.create_json(written.ids["tags-only"], result=_tag("large"))
    assert "original_width" not in annotation["result"][0]  # what the server keeps: a size-less choice
    list(backend.transfer.read(project.id))  # the label config is read once, before the count
    with counted(backend) as c:
        (page,) = list(backend.transfer.read(project.id))
    assert c.count == 3  # the users (authors' logins), the page of tasks, and the one image
    (record,) = page.records
    (ann,) = record.annotations
    assert (ann.width, ann.height, record.width, record.height) == (8, 6, 8, 6)
    assert [(t.name, t.value) for t in ann.tags] == [("size", "large")] and ann.objects == ()
    assert record.media == _png(8, 6)
    with counted(backend) as c:
        backend.transfer.fetch_media(project.id, page.records)
    assert c.count == 0  # already fetched for its size


def test_an_annotation_of_item_tags_only_takes_the_size_from_another_annotation(backend, project, people, counted):
    records = _records(people)[:1]  # anna's box, mask and tag, bob's dot: regions that carry 8x6
    written = backend.transfer.write(project.id, records, schema=SCHEMA)
    backend.annotations.create_json(written.ids["src-1"], result=_tag("small"))
    list(backend.transfer.read(project.id))
    with counted(backend) as c:
        (page,) = list(backend.transfer.read(project.id))
    assert c.count == 2  # the users and the page: no image read
    (record,) = page.records
    assert len(record.annotations) == 3 and {(a.width, a.height) for a in record.annotations} == {(8, 6)}
    assert record.media is None


def test_present_lists_every_source_key_in_one_read(backend, project, people, counted):
    written = backend.transfer.write(project.id, _records(people), schema=SCHEMA)
    backend.items.add(project.id, [{"image": "http://example.invalid/x.png"}])  # not carried: no source key
    with counted(backend) as c:
        assert backend.transfer.present(project.id) == written.ids
    assert c.count == 1


def test_a_batch_over_the_upload_limit_goes_at_the_servers_limits(backend, project, people, counted):
    """250 images: three uploads (100, 100, 50), one listing of the stored files, one import; each task its image."""
    records = [Record(key=f"many-{n}", name=f"m{n}.png", width=8, height=6, media=_png()) for n in range(250)]
    records[7].annotations = _records(people)[0].annotations
    prepared = backend.transfer.prepare(project.id, records[:100], schema=SCHEMA)  # as the engine does, ahead
    with counted(backend) as c:
        written = backend.transfer.write(project.id, records, schema=SCHEMA, prepared=prepared)
    assert c.count == 3 + 1 + 1 and written.annotations == 2  # the annotation split by author: two
    tasks = list(backend.items.tasks(project.id, fields="task_only", include=("id", "data")))
    assert sorted(t["data"]["annobridge_source"] for t in tasks) == sorted(written.ids)
    images = [t["data"]["image"] for t in tasks]
    assert len(set(images)) == 250 and all(i.startswith("/data/upload/") for i in images)
    assert len(backend.items.task(written.ids["many-7"])["annotations"]) == 2
