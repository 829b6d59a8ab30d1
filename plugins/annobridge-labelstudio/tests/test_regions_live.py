"""Annotations of every kind made through the real Label Studio server, read back and converted both ways.

Every test here runs against the session's real server (the `labelstudio_server` fixture, through
`backend` in conftest.py): the label config is the one the server stores, the results are the ones
it hands back, and nothing is skipped when no server was given by hand.
"""

from __future__ import annotations

import uuid
from fractions import Fraction

import numpy as np
import pytest
import yaml
from annobridge_labelstudio import rle
from annobridge_labelstudio.label_config_parse import parse_label_config
from annobridge_labelstudio.regions import from_labelstudio, to_labelstudio
from annobridge_labelstudio.server import find_venv
from label_studio_sdk.converter import brush
from label_studio_sdk.label_interface import LabelInterface

from annobridge.annotations import (
    ItemAnnotation,
    Keypoint,
    Keypoints,
    Mask,
    ObjectAnnotation,
    ObjectOrigin,
    Point,
    Polygon,
    Polyline,
    Rectangle,
    Tag,
)
from annobridge.errors import ValidationError
from annobridge.models import ReviewStatus
from annobridge.schema import KeypointNode, LabelSchema, ObjectClass, ShapeKind, TagSpec

SCHEMA = LabelSchema(
    classes=[
        ObjectClass(name="box", shape="rectangle", color="#FF0000"),
        ObjectClass(name="leaf", shape="polygon", color="#00FF00"),
        ObjectClass(name="road", shape="polyline", color="#0000FF"),
        ObjectClass(name="pin", shape="point", color="#FFFF00"),
        ObjectClass(name="kiwi", shape="mask", color="#FF00FF"),
        ObjectClass(
            name="person",
            shape="keypoints",
            nodes=[KeypointNode(name="nose"), KeypointNode(name="eye")],
            edges=[("nose", "eye")],
        ),
    ],
    tags=[
        TagSpec(name="size", value_type="oneof_string", values=("small", "large"), applies_to="objects_only"),
        TagSpec(name="note", value_type="any_string"),
        TagSpec(name="weight", value_type="any_number"),
        TagSpec(name="flag", applies_to="items_only"),
    ],
)
W, H = 640, 480


@pytest.fixture(scope="module")
def project(backend):
    """A project holding SCHEMA (label config written by annobridge, stored by the server); removed after."""
    created = backend.projects.create(f"regions-{uuid.uuid4().hex[:8]}", schema=SCHEMA)
    yield created.id, backend.projects.label_config(created.id)
    backend.projects.delete(created.id)


@pytest.fixture
def task(backend, project):
    """A new task of `project`; its image URL is never fetched."""
    (tid,) = backend.items.add(project[0], [{"image": f"http://example.invalid/{uuid.uuid4().hex}.jpg"}])
    return tid


def annotate(backend, task_id, result):
    """Post `result` as an annotation and return the annotation as the server stores it."""
    made = backend.annotations.create_json(task_id, result=result)
    return backend.annotations.get_json(made["id"])


def _region(rid, kind, control, value, label, **extra):
    """One region the way the Label Studio editor writes it."""
    return {
        "id": rid,
        "type": kind,
        "from_name": control,
        "to_name": "image",
        "original_width": W,
        "original_height": H,
        "image_rotation": 0,
        "value": {**value, kind: [label]},
        "origin": "manual",
        **extra,
    }


def _attribute(region, kind, control, value):
    """A per-region attribute result: the region's id and geometry plus the control's value."""
    geometry = {k: v for k, v in region["value"].items() if k != region["type"]}
    common = {
        k: region[k] for k in ("original_width", "original_height", "image_rotation", "origin", "meta") if k in region
    }
    return {
        "id": region["id"],
        "type": kind,
        "from_name": control,
        "to_name": "image",
        **common,
        "value": {**geometry, **value},
    }


def _disc(width, height, cx, cy, r):
    rows, cols = np.ogrid[:height, :width]
    return (rows - cy) ** 2 + (cols - cx) ** 2 <= r * r


def editor_results():
    """Results of every kind, as the editor writes them for a 640x480 image."""
    box = _region(
        "Rb3kQ1xZ",
        "rectanglelabels",
        "bbox",
        {"x": 12.5, "y": 7.291666666666667, "width": 30.15625, "height": 20.1, "rotation": 17.5},
        "box",
    )
    leaf = _region(
        "Pq9aLm2W",
        "polygonlabels",
        "polygon",
        {"points": [[10.0, 10.0], [40.5, 12.25], [25.0, 33.333333333333336]], "closed": True},
        "leaf",
    )
    vertices = [
        {"id": "Vx7TnK0p-0", "x": 1.5, "y": 90.0, "isBezier": False},  # ids as annobridge numbers them
        {"id": "Vx7TnK0p-1", "x": 50.0, "y": 60.125, "isBezier": False, "prevPointId": "Vx7TnK0p-0"},
        {"id": "Vx7TnK0p-2", "x": 99.75, "y": 95.5, "isBezier": False, "prevPointId": "Vx7TnK0p-1"},
    ]
    road = _region("Vx7TnK0p", "vectorlabels", "polyline", {"vertices": vertices, "closed": False}, "road")
    pin = _region("Kp2bYw8s", "keypointlabels", "point", {"x": 50.0, "y": 25.5}, "pin", meta={"text": ["check"]})
    mask = _disc(W, H, 400, 300, 60) | _disc(W, H, 520, 120, 25)
    kiwi = _region(
        "Bm5cHe1u",
        "brushlabels",
        "mask",
        {"format": "rle", "rle": brush.mask2rle(mask.astype(np.uint8) * 255)},
        "kiwi",
        origin="prediction-changed",
    )
    nose = _region("Gn4dPo6r", "keypointlabels", "person", {"x": 30.0, "y": 20.0}, "nose")
    eye = {
        **_region("Gn4dPo6r-eye", "keypointlabels", "person", {"x": 32.5, "y": 18.75}, "eye"),
        "parentID": "Gn4dPo6r",
    }
    lone = _region("Gz1eQa3t", "keypointlabels", "person", {"x": 80.0, "y": 70.0}, "eye")
    return [
        box,
        _attribute(box, "choices", "size", {"choices": ["large"]}),
        leaf,
        _attribute(leaf, "textarea", "note_object", {"text": ["veined", "dry"]}),
        road,
        pin,
        _attribute(pin, "number", "weight_object", {"number": 2.75}),
        kiwi,
        _attribute(kiwi, "choices", "size", {"choices": ["small"]}),
        nose,
        eye,
        lone,
        {
            "id": "note-item",
            "type": "textarea",
            "from_name": "note",
            "to_name": "image",
            "origin": "manual",
            "value": {"text": ["first line", "second"]},
        },
        {
            "id": "weight-item",
            "type": "number",
            "from_name": "weight",
            "to_name": "image",
            "origin": "manual",
            "value": {"number": -3},
        },
        {
            "id": "flag-item",
            "type": "choices",
            "from_name": "flag",
            "to_name": "image",
            "origin": "manual",
            "value": {"choices": ["flag"]},
        },
    ], mask


def test_the_stored_config_is_annobridges_and_reads_back_as_the_schema(project):
    _, config = project
    LabelInterface(config).validate()
    assert parse_label_config(config).schema == SCHEMA


def test_editor_results_of_every_kind_come_back_exactly_through_neutral(backend, project, task):
    _, config = project
    results, mask = editor_results()
    stored = annotate(backend, task, results)
    assert stored["result"] == results  # the server keeps results as given
    neutral, report = from_labelstudio(stored, label_config=config, schema=SCHEMA, item=task)
    assert report.lossless, str(report)
    assert [report.count(k, "carried") for k in ("keypoints", "object tag", "item tag")] == [2, 5, 4]
    box, leaf, road, pin, kiwi, graph, lone = neutral.objects
    assert (box.shape.x, box.shape.width, box.shape.rotation) == (80, 193, Fraction(35, 2))
    assert float(box.shape.y * 100 / H) == 7.291666666666667  # exact pixels give the stored percentage back
    assert leaf.shape.exterior[0] == (64, 48) and len(road.shape.points) == 3
    assert (pin.shape.x, pin.shape.y, pin.description) == (320, Fraction(25.5) * H / 100, "check")
    assert kiwi.origin is ObjectOrigin.MODEL_CORRECTED and np.array_equal(kiwi.shape.to_image(W, H), mask)
    assert [(p.name, p.x, p.y) for p in graph.shape.points] == [("nose", 192, 96), ("eye", 208, 90)]
    assert [p.name for p in lone.shape.points] == ["eye"]
    assert box.tags == (Tag(name="size", value="large"),) and kiwi.tags == (Tag(name="size", value="small"),)
    assert leaf.tags == (Tag(name="note", value="veined"), Tag(name="note", value="dry"))
    assert pin.tags == (Tag(name="weight", value=2.75),)
    assert neutral.tags == (
        Tag(name="note", value="first line"),
        Tag(name="note", value="second"),
        Tag(name="weight", value=-3),
        Tag(name="flag"),
    )
    assert neutral.author == stored["completed_by"] and (neutral.width, neutral.height) == (W, H)
    back, back_report = to_labelstudio(neutral, label_config=config, schema=SCHEMA)
    assert back == {"result": stored["result"], "completed_by": stored["completed_by"]}
    assert back_report.lossless, str(back_report)


def _neutral_of_every_kind(item):
    """Every kind on a 200x100 image at whole pixels, where percentages (x / 2 and y) are exact floats."""
    mask = np.zeros((100, 200), bool)
    mask[10:30, 40:90] = True
    mask[50:52, 5:7] = True
    person = Keypoints(points=[Keypoint(name="nose", x=20, y=30), Keypoint(name="eye", x=25, y=27)])
    return ItemAnnotation(
        item=item,
        width=200,
        height=100,
        objects=[
            ObjectAnnotation(
                class_name="box",
                id="b1",
                shape=Rectangle(x=10, y=20, width=50, height=30, rotation=30),
                tags=[Tag(name="size", value="small")],
            ),
            ObjectAnnotation(
                class_name="leaf",
                id="l1",
                shape=Polygon(exterior=[(0, 0), (100, 0), (50, 80)]),
                tags=[Tag(name="note", value="a leaf")],
            ),
            ObjectAnnotation(class_name="road", id="r1", shape=Polyline(points=[(0, 99), (150, 50), (199, 0)])),
            ObjectAnnotation(
                class_name="pin",
                id="p1",
                shape=Point(x=3, y=4),
                origin="model",
                description="a pin",
                tags=[Tag(name="weight", value=0.5)],
            ),
            ObjectAnnotation(class_name="kiwi", id="k1", shape=Mask(data=mask), origin="model_corrected"),
            ObjectAnnotation(class_name="person", id="g1", shape=person),
        ],
        tags=[Tag(name="note", value="hello"), Tag(name="weight", value=3.25), Tag(name="flag")],
    )


def test_neutral_annotations_of_every_kind_are_stored_and_read_back_equal(backend, project, task):
    _, config = project
    neutral = _neutral_of_every_kind(task)
    sent, report = to_labelstudio(neutral, label_config=config, schema=SCHEMA)
    assert report.lossless, str(report)
    assert report.count(outcome="carried") == 6 + 3 + 3  # objects, object tags, item tags
    stored = annotate(backend, task, sent["result"])
    assert stored["result"] == sent["result"]
    back, back_report = from_labelstudio(stored, label_config=config, schema=SCHEMA, item=task)
    assert back_report.lossless, str(back_report)
    assert back == neutral.model_copy(update={"author": stored["completed_by"]})  # the server names the annotator
    assert back.objects[0].shape.rotation == 30 and back.objects[4].shape.bounds() == (5, 10, 90, 52)


def test_what_label_studio_cannot_hold_is_counted_through_the_server(backend, project, task):
    _, config = project
    hole = [(40, 10), (60, 10), (50, 30)]
    person = Keypoints(points=[Keypoint(name="nose", x=20, y=30), Keypoint(name="eye", x=25, y=27, visible=False)])
    neutral = ItemAnnotation(
        item=task,
        width=200,
        height=100,
        review_status=ReviewStatus.REJECTED,
        description="seen twice",
        objects=[
            ObjectAnnotation(
                class_name="leaf", id="l1", shape=Polygon(exterior=[(0, 0), (100, 0), (50, 80)], interiors=[hole])
            ),
            ObjectAnnotation(class_name="person", id="g1", shape=person),
        ],
    )
    sent, report = to_labelstudio(neutral, label_config=config, schema=SCHEMA)
    assert sorted(report.losses()) == [
        "hidden keypoint -> dropped (label studio, Label Studio has no invisible nodes): 1  [%s]" % task,
        "item description -> dropped (label studio): 1  [%s]" % task,
        "polygon hole -> dropped (label studio): 1  [%s]" % task,
        "review status -> dropped (label studio, not in annotation JSON; set it with the reviews API): 1  [%s]" % task,
    ]
    stored = annotate(backend, task, sent["result"])
    back, _ = from_labelstudio(stored, label_config=config, schema=SCHEMA, item=task)
    assert back.objects[0].shape.interiors == () and [p.name for p in back.objects[1].shape.points] == ["nose"]


def test_editor_extras_annobridge_has_no_place_for_are_counted(backend, project, task):
    _, config = project
    pin = _region("Kp1", "keypointlabels", "point", {"x": 50.0, "y": 25.0, "width": 0.625}, "pin")
    vertices = [
        {"id": "a9", "x": 1.0, "y": 2.0, "isBezier": False},
        {"id": "k3", "x": 5.0, "y": 6.0, "isBezier": True, "prevPointId": "a9"},
    ]
    road = _region("Vr1", "vectorlabels", "polyline", {"vertices": vertices, "closed": False}, "road")
    box = _region("Rb1", "rectanglelabels", "bbox", {"x": 1, "y": 2, "width": 3, "height": 4, "rotation": 0}, "box")
    relation = {"from_id": "Kp1", "to_id": "Rb1", "type": "relation", "direction": "right"}
    stored = annotate(backend, task, [pin, box, relation, road])
    neutral, report = from_labelstudio(stored, label_config=config, schema=SCHEMA, item=task)
    assert report.count("keypoint marker size", "kept") == 1 and report.count("relation", "kept") == 1
    assert report.count("vector vertex ids", "kept") == 1 and report.count("bezier curve", "kept") == 1
    assert report.count(outcome="kept") == 4 and report.lossless  # kept for the way back, none lost
    assert [o.id for o in neutral.objects] == ["Kp1", "Rb1", "Vr1"]
    back, _ = to_labelstudio(neutral, label_config=config, schema=SCHEMA)
    assert back["result"] == stored["result"]


def test_item_size_comes_from_the_item_when_no_region_carries_it(backend, project, task):
    _, config = project
    only_tags = [
        {
            "id": "flag-item",
            "type": "choices",
            "from_name": "flag",
            "to_name": "image",
            "origin": "manual",
            "value": {"choices": ["flag"]},
        }
    ]
    stored = annotate(backend, task, only_tags)
    with pytest.raises(ValidationError, match=rf"item {task}: no region gives the image size; pass width and height"):
        from_labelstudio(stored, label_config=config, schema=SCHEMA, item=task)
    neutral, _ = from_labelstudio(stored, label_config=config, schema=SCHEMA, item=task, width=W, height=H)
    assert (neutral.width, neutral.height, neutral.tags) == (W, H, (Tag(name="flag"),))
    assert to_labelstudio(neutral, label_config=config, schema=SCHEMA)[0]["result"] == stored["result"]
    with pytest.raises(ValidationError, match=rf"item {task}: regions say the image is 640x480, the item says 64x48"):
        from_labelstudio(
            annotate(backend, task, editor_results()[0]),
            label_config=config,
            schema=SCHEMA,
            item=task,
            width=64,
            height=48,
        )


def test_bad_results_the_server_keeps_are_refused_naming_item_and_region(backend, project, task):
    _, config = project
    flat = _region("Pf1", "polygonlabels", "polygon", {"points": [[0, 0], [10, 10]], "closed": True}, "leaf")
    stored = annotate(backend, task, [flat])
    with pytest.raises(ValidationError, match=rf"item {task}, region #0 \(id 'Pf1'\): .*at least 3 points, got 2"):
        from_labelstudio(stored, label_config=config, schema=SCHEMA, item=task)
    cut = _region(
        "Bc1", "brushlabels", "mask", {"format": "rle", "rle": rle.mask_to_rle(np.ones((3, 3), bool))}, "kiwi"
    )
    with pytest.raises(ValidationError, match=rf"item {task}, region #0 \(id 'Bc1'\): brush mask for a 640x480 image"):
        from_labelstudio(annotate(backend, task, [cut]), label_config=config, schema=SCHEMA, item=task)


# ---------------------------------------------------------------- label configs annobridge did not write


def _templates() -> dict[str, str]:
    """The image label configs shipped with the label-studio package (its template gallery)."""
    root = next((find_venv() / "lib").glob("python*/site-packages/label_studio/annotation_templates"))
    configs = {}
    for path in sorted(root.glob("*/*/config.yml")):
        config = yaml.safe_load(path.read_text())["config"]
        if "<Image" in config:
            configs[path.parent.name] = config
    return configs


TEMPLATES = _templates()


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_every_image_template_label_studio_ships_parses_and_accounts_for_each_control(name):
    config = TEMPLATES[name]
    parsed = parse_label_config(config)
    held = {c.name for c in parsed.schema.classes} | {t.name for t in parsed.schema.tags}
    for control in LabelInterface(config).controls:
        labels = set(control.labels or ())
        accounted = any(f"{control.tag} {control.name!r}" in s for s in parsed.skipped)
        if control.tag.lower() in ("choices", "textarea", "number"):
            accounted |= control.name in held
        elif control.tag.lower().endswith("labels") or control.tag.lower() == "labels":
            accounted |= bool(labels) and labels <= held
        else:
            accounted = True  # tools (Rectangle, Polygon) give their shapes to the Labels beside them
        assert accounted, f"{name}: {control.tag} {control.name!r} is neither in the schema nor listed as skipped"


def test_template_colours_and_dynamic_labels_are_read():
    detection = parse_label_config(TEMPLATES["object-detection-with-bounding-boxes"]).schema
    assert [(c.name, c.shape, c.color) for c in detection.classes] == [
        ("Airplane", ShapeKind.RECTANGLE, "#008000"),
        ("Car", ShapeKind.RECTANGLE, "#0000FF"),
    ]
    masks = parse_label_config(TEMPLATES["semantic-segmentation-with-masks"]).schema  # rgba(255, 0, 0, 0.7)
    assert [c.color for c in masks.classes] == ["#FF0000", "#0000FF"]
    shelf = parse_label_config(TEMPLATES["inventory-tracking"])
    assert shelf.skipped == ["PolygonLabels 'objects': its labels come from each task's $objects, not the config"]


def test_the_ocr_template_on_the_server_round_trips_exactly(backend):
    config = TEMPLATES["optical-character-recognition"]
    created = backend.projects.create(f"ocr-{uuid.uuid4().hex[:8]}")
    try:
        backend.projects.set_label_config(created.id, config)
        stored_config = backend.projects.label_config(created.id)
        schema = backend.projects.get_schema(created.id)
        assert schema.tags == (TagSpec(name="transcription", value_type="any_string", applies_to="objects_only"),)
        assert {(c.name, c.shape) for c in schema.classes} == {("Text", ShapeKind.ANY), ("Handwriting", ShapeKind.ANY)}
        (tid,) = backend.items.add(created.id, [{"ocr": "http://example.invalid/receipt.jpg"}])
        size = {"original_width": 800, "original_height": 1200, "image_rotation": 0, "origin": "manual"}
        box = {"x": 10.0, "y": 5.5, "width": 40.25, "height": 3.0, "rotation": 0}
        poly = {"points": [[50.0, 50.0], [70.0, 50.0], [60.0, 65.125]], "closed": True}
        results = [
            {
                "id": "t1",
                "type": "labels",
                "from_name": "label",
                "to_name": "image",
                **size,
                "value": {**box, "labels": ["Text"]},
            },
            {"id": "t1", "type": "rectangle", "from_name": "bbox", "to_name": "image", **size, "value": box},
            {
                "id": "t1",
                "type": "textarea",
                "from_name": "transcription",
                "to_name": "image",
                **size,
                "value": {**box, "text": ["TOTAL 12.50"]},
            },
            {
                "id": "t2",
                "type": "polygonlabels",
                "from_name": "label",
                "to_name": "image",
                **size,
                "value": {**poly, "polygonlabels": ["Handwriting"]},
            },
        ]
        stored = annotate(backend, tid, results)
        neutral, report = from_labelstudio(stored, label_config=stored_config, schema=schema, item=tid)
        assert [(o.class_name, o.shape.kind) for o in neutral.objects] == [
            ("Text", "rectangle"),
            ("Handwriting", "polygon"),
        ]
        assert neutral.objects[0].tags == (Tag(name="transcription", value="TOTAL 12.50"),)
        back, back_report = to_labelstudio(neutral, label_config=stored_config, schema=schema)
        assert LabelInterface(stored_config).validate_annotation(back) and back_report.lossless
        assert from_labelstudio(back, label_config=stored_config, schema=schema, item=tid)[0] == neutral
    finally:
        backend.projects.delete(created.id)
