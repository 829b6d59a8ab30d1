"""Kept for the way back, on the real ends: Label Studio -> Supervisely (the sandbox) -> Label Studio gives back the
annotation JSON exactly, and what Label Studio cannot hold of a neutral item comes back from its task's meta."""

from __future__ import annotations

import secrets
import struct
import uuid
import zlib

import pytest
from annobridge_labelstudio.label_config import build_label_config
from annobridge_labelstudio.label_config_parse import parse_label_config
from annobridge_labelstudio.regions_keep import native

import annobridge
from annobridge.annotations import ItemAnnotation, ObjectAnnotation, Polygon, Rectangle, Tag
from annobridge.schema import KeypointNode, LabelSchema, ObjectClass, TagSpec
from annobridge.transfer import Record

SCHEMA = LabelSchema(
    classes=[
        ObjectClass(name="box", shape="rectangle"),
        ObjectClass(name="leaf", shape="polygon"),
        ObjectClass(name="pin", shape="point"),
        ObjectClass(name="person", shape="keypoints", nodes=[KeypointNode(name="nose"), KeypointNode(name="eye")]),
    ],
    tags=[
        TagSpec(name="size", value_type="oneof_string", values=("small", "large"), applies_to="objects_only"),
        TagSpec(name="note", value_type="any_string", applies_to="objects_only"),
        TagSpec(name="weather", value_type="oneof_string", values=("sun", "rain", "fog"), multiple=True,
                applies_to="items_only"),
    ],
)
FOREIGN = """  <EllipseLabels name="ring" toName="image"><Label value="eye"/></EllipseLabels>
  <Relations><Relation value="near"/></Relations>
</View>"""
CONFIG = build_label_config(SCHEMA).replace("</View>", FOREIGN)  # annobridge's layout, ellipses and relations too
W, H = 64, 48


def _png(width: int = W, height: int = H) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes([90, 160, 40] * width) for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


@pytest.fixture(scope="module")
def sv():
    from annobridge_sandbox_supervisely import running_sandbox

    with running_sandbox(token=secrets.token_hex(16)) as handle:
        with annobridge.connect("supervisely+" + handle.server_address, token=handle.token) as backend:
            yield backend


@pytest.fixture
def ls_project(backend):
    """A Label Studio project with CONFIG (annobridge's layout plus ellipses and relations); deleted after."""
    made = []

    def make() -> int:
        project = backend.projects.create(f"keep-{uuid.uuid4().hex[:8]}", schema=SCHEMA)
        backend.connection.sdk.projects.update(project.id, label_config=CONFIG)
        made.append(project.id)
        return project.id

    yield make
    for pid in made:
        backend.projects.delete(pid)


def _region(rid, kind, control, value, label, **extra):
    region = {"type": kind, "from_name": control, "to_name": "image", "original_width": W, "original_height": H,
              "image_rotation": 0, "origin": "manual", **extra, "value": {**value, kind: [label]}}
    return region | ({"id": rid} if rid else {})


EDITOR = [  # as the editor and an ML backend leave them: what annobridge has no field for, all of it
    _region("Bx1", "rectanglelabels", "bbox", {"x": 12.5, "y": 10.0, "width": 33.3, "height": 20.0,
                                              "rotation": 17.25}, "box", score=0.93, meta={"text": ["parked"]}),
    _region("Bx1", "choices", "size", {"x": 12.5, "y": 10.0, "width": 33.3, "height": 20.0, "rotation": 17.25},
            "large"),
    _region(None, "polygonlabels", "polygon", {"points": [[1.0, 1.0], [40.0, 2.5], [20.0, 30.0]], "closed": True},
            "leaf", score=0.5),
    _region("Pn1", "keypointlabels", "point", {"x": 50.0, "y": 50.0, "width": 0.75}, "pin", readonly=True),
    _region("Nz1", "keypointlabels", "person", {"x": 30.0, "y": 40.0}, "nose"),
    _region("Nz1-eye", "keypointlabels", "person", {"x": 32.0, "y": 38.0}, "eye", parentID="Nz1"),
    _region("El1", "ellipselabels", "ring", {"x": 70.0, "y": 60.0, "radiusX": 5.0, "radiusY": 3.5,
                                            "rotation": 0.0}, "eye"),
    {"from_id": "Bx1", "to_id": "Pn1", "type": "relation", "direction": "right", "labels": ["near"]},
    {"id": "weather-item", "type": "choices", "from_name": "weather", "to_name": "image", "origin": "manual",
     "value": {"choices": ["sun", "fog"]}},
]


def _authored(item: ItemAnnotation, login: str) -> ItemAnnotation:
    """`item` made by `login`: the sandbox's user is not Label Studio's (mapping users is the migration's part)."""
    objects = [o.model_copy(update={"author": login, "tags": [t.model_copy(update={"author": login}) for t in o.tags]})
               for o in item.objects]
    tags = [t.model_copy(update={"author": login}) for t in item.tags]
    return item.model_copy(update={"author": login, "objects": objects, "tags": tags})


def test_label_studio_to_supervisely_and_back_gives_the_same_json(backend, sv, ls_project):
    source, target = ls_project(), ls_project()
    image = [Record(key="a", name="a.png", width=W, height=H, media=_png())]
    task = backend.transfer.write(source, image, schema=SCHEMA).ids["a"]
    original = backend.annotations.create_json(task, result=EDITOR, ground_truth=True, lead_time=42.5)
    (read,) = backend.annotations.get(task)
    assert read.kept  # relations, scores, flags, ellipses...: kept for the way back

    schema = parse_label_config(CONFIG).schema
    sv_project = sv.projects.create(f"keep-{uuid.uuid4().hex[:8]}", schema=schema)
    try:
        sv_image = sv.transfer.write(sv_project.id, image, schema=sv.projects.get_schema(sv_project.id)).ids["a"]
        report = sv.annotations.write(sv_project.id, [read.model_copy(update={"item": sv_image, "author": None})])
        assert report.count(outcome="dropped") == 0, str(report)
        (there,) = sv.annotations.get(sv_image)
    finally:
        sv.projects.delete(sv_project.id)
    assert there.kept.get("label studio") == read.kept["label studio"]
    back_task = backend.transfer.write(target, image, schema=SCHEMA).ids["a"]
    report = backend.annotations.write(target, [_authored(there.model_copy(update={"item": back_task}),
                                                         backend.users.me().login)])
    assert report.count(outcome="dropped") == 0, str(report)
    (stored,) = backend.annotations.list_json(back_task)
    assert native(stored) == native(original) == {"result": EDITOR, "ground_truth": True, "lead_time": 42.5}


def test_what_label_studio_cannot_hold_comes_back_from_the_tasks_meta(backend, ls_project):
    pid = ls_project()
    written = backend.transfer.write(pid, [Record(key="b", name="b.png", width=W, height=H, media=_png())],
                                     schema=SCHEMA)
    tid = written.ids["b"]
    holed = Polygon(exterior=[(0, 0), (30, 0), (0, 20)], interiors=[[(1, 1), (5, 1), (1, 5)]])
    item = ItemAnnotation(item=tid, width=W, height=H, description="checked twice", objects=[
        ObjectAnnotation(class_name="leaf", shape=holed, id=17, created_at="2024-05-01T10:00:00Z",
                         tags=[Tag(name="note", value="ripe", created_at="2024-05-01T10:00:01Z")]),
        ObjectAnnotation(class_name="box", shape=Rectangle(x=1, y=2, width=10 / 3, height=5, rotation=1 / 3)),
    ])
    report = backend.annotations.write(pid, [item])
    assert report.lossless and report.count("polygon hole", "kept") == 1, str(report)
    (got,) = backend.annotations.get(tid)
    assert got.model_copy(update={"author": None}) == item
    # a person changes the region in Label Studio: the kept data no longer fits, and the report says so
    (raw,) = backend.annotations.list_json(tid)
    raw["result"][0]["value"]["points"][1] = [50.0, 0.0]
    backend.annotations.update_json(raw["id"], result=raw["result"])
    (page,) = list(backend.transfer.read(pid))
    edited = page.records[0].annotations[0]
    assert edited.objects[0].shape.interiors == () and edited.description == ""
    assert page.report.count("kept for the way back", "dropped") == 1
