"""The shapes public Label Studio data comes in (ML-backend predictions, the editor, validate_prediction), own cases
written after reading them: each object read as its own, and every difference on the way back kept, not lost.

Read before writing these: the YOLO ML backend's control models (predictions without region ids, a `score` per
region, keypoints with `parentID` to a hidden box, a marker `width`, `meta.text`), the editor's examples (ellipses,
relations, split <Labels>+tool regions, per-region TextArea), and LabelInterface.validate_prediction (which takes
results without ids and <Labels> regions in one result). The JSON below is our own.
"""

from __future__ import annotations

import copy
from datetime import datetime, timezone
from fractions import Fraction

import numpy as np
import pytest
from annobridge_labelstudio.label_config import build_label_config
from annobridge_labelstudio.label_config_parse import parse_label_config
from annobridge_labelstudio.regions import from_labelstudio, to_labelstudio
from annobridge_labelstudio.regions_keep import STASH, native
from annobridge_supervisely.figures import from_supervisely, to_supervisely
from annobridge_supervisely.meta import schema_to_meta
from hypothesis import example, given, settings
from hypothesis import strategies as st
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
from annobridge.fidelity import LABEL_STUDIO, Outcome
from annobridge.models import ReviewStatus
from annobridge.schema import KeypointNode, LabelSchema, ObjectClass, TagSpec

SIZE = {"original_width": 800, "original_height": 600}


def _round_trip(data, config, **size):
    """Read `data`, write it back: (neutral, what came back, the reader's report)."""
    schema = parse_label_config(config).schema
    neutral, report = from_labelstudio(data, label_config=config, schema=schema, item="t1", **size)
    back, back_report = to_labelstudio(neutral, label_config=config, schema=schema)
    assert back_report.exact, str(back_report)
    assert report.lossless, str(report)  # nothing approximated or dropped: kept for the way back at worst
    return neutral, back, report


# ---------------------------------------------------------------- results without ids (ML backends)

YOLO_CONFIG = """<View><Image name="image" value="$image"/>
  <PolygonLabels name="seg" toName="image"><Label value="person"/><Label value="car"/></PolygonLabels>
  <KeyPointLabels name="kp" toName="image"><Label value="nose"/><Label value="left_eye"/><Label value="right_eye"/>
  </KeyPointLabels></View>"""


def _polygon(points, label, score):
    return {"from_name": "seg", "to_name": "image", "type": "polygonlabels", "score": score,
            "value": {"points": points, "closed": True, "polygonlabels": [label]}}


def _keypoint(x, y, label, score, **extra):
    return {"from_name": "kp", "to_name": "image", "type": "keypointlabels", "score": score, **extra,
            "value": {"x": x, "y": y, "width": 0.125, "keypointlabels": [label]}}


def test_results_without_ids_are_each_an_object_of_their_own():
    polygons = [_polygon([[10 + n, 10], [40, 12.5], [25, 30 + n]], "person" if n else "car", 0.9 - n / 10)
                for n in range(3)]
    keypoints = [_keypoint(5.0 * n + 1, 50.0 - n, ["nose", "left_eye", "right_eye"][n % 3], 0.5) for n in range(6)]
    prediction = {"model_version": "yolov8n", "score": 0.75, "result": polygons + keypoints}
    neutral, back, report = _round_trip(prediction, YOLO_CONFIG, width=640, height=480)
    assert [o.shape.kind for o in neutral.objects] == ["polygon"] * 3 + ["point"] * 6
    assert [o.id for o in neutral.objects] == [None] * 9
    assert report.count("region without an id", Outcome.KEPT) == 9
    assert report.count("polygon", Outcome.CARRIED) == 3 and report.count("point", Outcome.CARRIED) == 6
    assert back == {"result": polygons + keypoints}  # no made-up ids, scores and marker sizes back
    # where the residue cannot go (another backend), each object still is one region, with an id made up for it
    plain, _ = to_labelstudio(neutral.model_copy(update={"kept": {}}), label_config=YOLO_CONFIG,
                              schema=parse_label_config(YOLO_CONFIG).schema)
    assert len(plain["result"]) == 9 and len({r["id"] for r in plain["result"]}) == 9


GRAPH_SCHEMA = LabelSchema(classes=[
    ObjectClass(name="box", shape="rectangle"),
    ObjectClass(name="person", shape="keypoints",
                nodes=[KeypointNode(name=n) for n in ("nose", "left_eye", "right_eye")]),
])
GRAPH_CONFIG = build_label_config(GRAPH_SCHEMA)


def _node(x, y, label, **extra):
    return {"from_name": "person", "to_name": "image", "type": "keypointlabels", **extra,
            "value": {"x": x, "y": y, "keypointlabels": [label]}}


def test_keypoints_hung_from_a_box_make_one_graph_per_box():
    results = []
    for n in range(2):  # as the YOLO backend writes a pose: a hidden box, then its keypoints pointing at it
        results.append({"id": f"bbox-{n}", "from_name": "bbox", "to_name": "image", "type": "rectanglelabels",
                        "hidden": True, "score": 0.8, "meta": {"text": [f"bbox-{n}"]},
                        "value": {"x": 10.0 + 40 * n, "y": 10.0, "width": 30.0, "height": 60.0,
                                  "rectanglelabels": ["box"]}})
        for m, label in enumerate(("nose", "left_eye", "right_eye")):
            results.append(_node(20.0 + 40 * n + m, 20.0, label, parentID=f"bbox-{n}", score=0.6,
                                 meta={"text": [f"bbox-{n}"]}))
    neutral, back, report = _round_trip({"result": results}, GRAPH_CONFIG, width=640, height=480)
    graphs = [o for o in neutral.objects if o.class_name == "person"]
    assert [[p.name for p in g.shape.points] for g in graphs] == [["nose", "left_eye", "right_eye"]] * 2
    assert [g.description for g in graphs] == ["bbox-0", "bbox-1"]
    assert report.count("keypoint parent link", Outcome.KEPT) == 6
    assert back == {"result": results}


def test_keypoints_without_id_or_parent_are_each_their_own_graph():
    results = [_node(10.0 * n, 5.0, label) for n, label in enumerate(("nose", "left_eye", "nose", "right_eye"))]
    neutral, back, _ = _round_trip({"result": results}, GRAPH_CONFIG, width=100, height=100)
    assert [[p.name for p in o.shape.points] for o in neutral.objects] == [["nose"], ["left_eye"], ["nose"],
                                                                             ["right_eye"]]
    assert back == {"result": results}


def test_a_node_name_twice_under_one_parent_starts_a_graph_of_its_own():
    results = [_node(1.0, 1.0, "nose", id="a"), _node(2.0, 2.0, "nose", id="b", parentID="a"),
               _node(3.0, 3.0, "left_eye", id="c", parentID="a")]
    neutral, back, report = _round_trip({"result": results}, GRAPH_CONFIG, width=100, height=100)
    assert [[p.name for p in o.shape.points] for o in neutral.objects] == [["nose", "left_eye"], ["nose"]]
    assert report.count("keypoint node repeated in a graph", Outcome.KEPT) == 1
    assert back == {"result": results}


OCR = """<View><Image name="image" value="$image"/>
  <Labels name="label" toName="image"><Label value="Text"/><Label value="Handwriting"/></Labels>
  <Rectangle name="bbox" toName="image"/><Polygon name="poly" toName="image"/>
  <TextArea name="transcription" toName="image" perRegion="true"/></View>"""


def test_split_labels_regions_without_ids_pair_by_their_geometry():
    box = {"x": 10.0, "y": 20.0, "width": 30.0, "height": 5.0, "rotation": 0}
    poly = {"points": [[1.0, 1.0], [9.0, 1.0], [5.0, 8.0]], "closed": True}
    results = [
        {"type": "rectangle", "from_name": "bbox", "to_name": "image", **SIZE, "value": box},
        {"type": "polygon", "from_name": "poly", "to_name": "image", **SIZE, "value": poly},
        {"type": "labels", "from_name": "label", "to_name": "image", **SIZE, "value": {**poly, "labels": ["Text"]}},
        {"type": "labels", "from_name": "label", "to_name": "image", **SIZE,
         "value": {**box, "labels": ["Handwriting"]}},
    ]
    neutral, back, report = _round_trip({"result": results}, OCR)
    assert [(o.class_name, o.shape.kind) for o in neutral.objects] == [("Handwriting", "rectangle"),
                                                                       ("Text", "polygon")]
    assert report.count("unlabeled region") == 0 and back == {"result": results}


# ---------------------------------------------------------------- multi-choice

MULTI = """<View><Image name="image" value="$image"/>
  <Choices name="weather" toName="image" choice="multiple"><Choice value="sun"/><Choice value="rain"/>
  <Choice value="fog"/></Choices>
  <Choices name="time" toName="image"><Choice value="day"/><Choice value="night"/></Choices></View>"""


def test_a_multi_choice_tag_round_trips_through_schema_and_config():
    schema = parse_label_config(MULTI).schema
    assert [(t.name, t.multiple) for t in schema.tags] == [("weather", True), ("time", False)]
    rebuilt = build_label_config(schema)
    assert LabelInterface(rebuilt).get_control("weather").attr.get("choice") == "multiple"
    assert parse_label_config(rebuilt).schema == schema
    result = [{"id": "weather-item", "type": "choices", "from_name": "weather", "to_name": "image",
               "origin": "manual", "value": {"choices": ["sun", "fog"]}}]
    neutral, back, _ = _round_trip({"result": result}, MULTI, width=10, height=10)
    assert [t.value for t in neutral.tags] == ["sun", "fog"] and back == {"result": result}
    there, report = to_labelstudio(neutral, label_config=rebuilt, schema=schema)
    assert there["result"][0]["value"] == {"choices": ["sun", "fog"]} and report.exact


def test_a_multi_choice_tag_named_like_its_only_value_stays_a_multi_choice():
    schema = LabelSchema(tags=[TagSpec(name="A", value_type="oneof_string", values=("A",), multiple=True)])
    assert parse_label_config(build_label_config(schema)).schema == schema


def test_several_values_on_a_single_choice_control_are_counted():
    schema = parse_label_config(MULTI).schema
    neutral = ItemAnnotation(width=10, height=10, tags=[Tag(name="time", value="day"), Tag(name="time", value="night")])
    data, report = to_labelstudio(neutral, label_config=MULTI, schema=schema)
    assert data["result"][0]["value"] == {"choices": ["day"]}
    assert report.count("repeated item tag", Outcome.DROPPED) == 1
    data, report = to_labelstudio(neutral, label_config=MULTI, schema=schema, keep=True)
    assert report.count("repeated item tag", Outcome.KEPT) == 1
    back, _ = from_labelstudio(data, label_config=MULTI, schema=schema, width=10, height=10, stashes=[data[STASH]])
    assert back == neutral


# ---------------------------------------------------------------- one class, two controls of one tool

TWO_WAYS = """<View><Image name="image" value="$image"/>
  <RectangleLabels name="boxes" toName="image"><Label value="car"/><Label value="bus"/></RectangleLabels>
  <Labels name="kind" toName="image"><Label value="car"/><Label value="bus"/></Labels>
  <Rectangle name="rect" toName="image"/></View>"""


def test_a_region_goes_back_to_the_control_it_came_from():
    box = {"x": 1.0, "y": 2.0, "width": 3.0, "height": 4.0, "rotation": 0.0}
    results = [
        {"id": "a", "type": "rectangle", "from_name": "rect", "to_name": "image", **SIZE, "value": box},
        {"id": "a", "type": "labels", "from_name": "kind", "to_name": "image", **SIZE,
         "value": {**box, "labels": ["bus"]}},
        {"id": "b", "type": "rectanglelabels", "from_name": "boxes", "to_name": "image", **SIZE,
         "value": {**box, "rectanglelabels": ["car"]}},
    ]
    neutral, back, report = _round_trip({"result": results}, TWO_WAYS)
    assert back == {"result": results}
    assert report.count("region of a class several controls hold", Outcome.KEPT) == 1
    # without the residue the choice is the config's first control of the tool, the same on every run
    schema = parse_label_config(TWO_WAYS).schema
    plain, _ = to_labelstudio(neutral.model_copy(update={"kept": {}}), label_config=TWO_WAYS, schema=schema)
    assert [r["from_name"] for r in plain["result"]] == ["boxes", "boxes"]


# ---------------------------------------------------------------- scores, relations, text, ellipses, rotation

FULL = """<View><Image name="image" value="$image"/>
  <RectangleLabels name="box" toName="image"><Label value="cat"/><Label value="dog"/></RectangleLabels>
  <EllipseLabels name="ring" toName="image"><Label value="eye"/></EllipseLabels>
  <TextArea name="note" toName="image" perRegion="true"/>
  <Relations><Relation value="chases"/></Relations></View>"""


def _box(rid, label, rotation=0.0, **extra):
    return {"id": rid, "type": "rectanglelabels", "from_name": "box", "to_name": "image", **SIZE,
            "image_rotation": 0, "origin": "manual", **extra,
            "value": {"x": 12.5, "y": 7.25, "width": 20.0, "height": 10.0, "rotation": rotation,
                      "rectanglelabels": [label]}}


def test_predictions_with_scores_come_back_with_them():
    prediction = {"model_version": "detector-2", "score": 0.66,
                  "result": [_box("p1", "cat", score=0.91, origin="prediction"), _box("p2", "dog", score=0.42)]}
    neutral, back, report = _round_trip(prediction, FULL)
    assert [o.origin for o in neutral.objects] == [ObjectOrigin.MODEL, ObjectOrigin.MANUAL]
    assert report.count("region score", Outcome.KEPT) == 2
    assert back == {"result": prediction["result"]}


def test_relations_ellipses_and_flags_come_back():
    results = [
        _box("c", "cat"), _box("d", "dog"),
        {"from_id": "c", "to_id": "d", "type": "relation", "direction": "right", "labels": ["chases"]},
        {"id": "e", "type": "ellipselabels", "from_name": "ring", "to_name": "image", **SIZE, "image_rotation": 0,
         "origin": "manual", "value": {"x": 50.0, "y": 50.0, "radiusX": 4.5, "radiusY": 3.0, "rotation": 15.0,
                                       "ellipselabels": ["eye"]}},
    ]
    data = {"result": results, "ground_truth": True, "lead_time": 12.75, "was_cancelled": False}
    neutral, back, report = _round_trip(data, FULL)
    assert [o.id for o in neutral.objects] == ["c", "d"]
    for kind in ("relation", "ellipselabels region", "ground truth flag", "lead time"):
        assert report.count(kind, Outcome.KEPT) == 1, kind
    assert back == {"result": results, "ground_truth": True, "lead_time": 12.75}


def test_per_region_text_is_an_object_tag():
    box = _box("r", "cat")
    text = {**{k: v for k, v in box.items() if k != "value"}, "type": "textarea", "from_name": "note",
            "value": {**{k: v for k, v in box["value"].items() if k != "rectanglelabels"}, "text": ["a", "b"]}}
    neutral, back, report = _round_trip({"result": [box, text]}, FULL)
    assert neutral.objects[0].tags == (Tag(name="note", value="a"), Tag(name="note", value="b"))
    assert report.exact and back == {"result": [box, text]} and not neutral.kept


@pytest.mark.parametrize("rotation", [30.5, 359.9, 0.1 + 0.2])
def test_rotated_boxes_are_exact(rotation):
    neutral, back, report = _round_trip({"result": [_box("r", "dog", rotation)]}, FULL)
    assert neutral.objects[0].shape.rotation == Fraction(rotation)
    assert report.exact and back == {"result": [_box("r", "dog", rotation)]} and not neutral.kept


# ---------------------------------------------------------------- what Label Studio cannot hold, in the stash

SCHEMA = LabelSchema(
    classes=[
        ObjectClass(name="box", shape="rectangle"),
        ObjectClass(name="leaf", shape="polygon"),
        ObjectClass(name="road", shape="polyline"),
        ObjectClass(name="pin", shape="point"),
        ObjectClass(name="kiwi", shape="mask"),
        ObjectClass(name="thing", shape="any"),
        ObjectClass(name="person", shape="keypoints",
                    nodes=[KeypointNode(name="nose"), KeypointNode(name="eye")], edges=[("nose", "eye")]),
    ],
    tags=[
        TagSpec(name="size", value_type="oneof_string", values=("small", "large"), applies_to="objects_only"),
        TagSpec(name="weather", value_type="oneof_string", values=("sun", "rain"), multiple=True),
        TagSpec(name="note", value_type="any_string"),
        TagSpec(name="weight", value_type="any_number", applies_to="items_only"),
        TagSpec(name="flag"),
    ],
)
CONFIG = build_label_config(SCHEMA)
W, H = 37, 23
coordinate = st.one_of(st.integers(0, W), st.fractions(0, W, max_denominator=7), st.floats(0, W))
when = st.one_of(st.none(), st.datetimes(timezones=st.just(timezone.utc), min_value=datetime(2000, 1, 1),
                                         max_value=datetime(2030, 1, 1)))
people = st.one_of(st.none(), st.sampled_from(["ann", "bob"]))


@st.composite
def shapes(draw, kind):
    def xy():
        return draw(coordinate), draw(st.one_of(st.integers(0, H), st.fractions(0, H, max_denominator=5)))

    if kind == "box":
        return Rectangle(x=draw(coordinate), y=draw(st.integers(0, H)), width=draw(st.integers(0, W)),
                         height=draw(st.fractions(0, H, max_denominator=3)),
                         rotation=draw(st.one_of(st.just(0), st.floats(0, 359),
                                                 st.fractions(0, 359, max_denominator=9))))
    if kind == "leaf":
        holes = [[xy() for _ in range(3)] for _ in range(draw(st.integers(0, 2)))]
        return Polygon(exterior=[xy() for _ in range(draw(st.integers(3, 5)))], interiors=holes)
    if kind == "road":
        return Polyline(points=[xy() for _ in range(draw(st.integers(2, 5)))])
    if kind == "pin":
        return Point(x=draw(coordinate), y=draw(st.integers(0, H)))
    if kind == "kiwi":
        data = np.random.default_rng(draw(st.integers(0, 999))).random((4, 5)) > 0.5
        data[0, 0] = True
        return Mask(data=data, origin=(draw(st.integers(0, W - 5)), draw(st.integers(0, H - 4))))
    names = draw(st.lists(st.sampled_from(["nose", "eye"]), min_size=1, max_size=2, unique=True))
    shown = [draw(st.booleans()) for _ in names]
    shown[0] = True
    return Keypoints(points=[Keypoint(name=n, x=x, y=y, visible=v) for n, v, (x, y) in zip(names, shown,
                                                                                           [xy() for _ in names])])


@st.composite
def neutral_items(draw):
    """Neutral items with every kind the fidelity matrix has, and what Label Studio cannot hold: holes, hidden
    nodes, per-object authors, timestamps, ids of another backend, descriptions, review status, several values."""
    objects = []
    for n in range(draw(st.integers(0, 5))):
        kind = draw(st.sampled_from(["box", "leaf", "road", "pin", "kiwi", "person", "thing"]))
        shape = draw(shapes(draw(st.sampled_from(["box", "leaf", "pin"])) if kind == "thing" else kind))
        tags = []
        if kind in ("box", "leaf") and draw(st.booleans()):
            tags.append(Tag(name="size", value=draw(st.sampled_from(["small", "large"])), author=draw(people),
                            created_at=draw(when)))
        objects.append(ObjectAnnotation(
            class_name=kind, shape=shape, tags=tags, id=draw(st.one_of(st.none(), st.integers(1, 10**6))),
            author=draw(people), description=draw(st.sampled_from(["", "ripe", "two\nlines"])),
            origin=draw(st.sampled_from(list(ObjectOrigin))), created_at=draw(when), updated_at=draw(when)))
    tags = [Tag(name="weather", value=v) for v in draw(st.lists(st.sampled_from(["sun", "rain"]), unique=True))]
    tags += [Tag(name="note", value=draw(st.text(max_size=5))) for _ in range(draw(st.integers(0, 2)))]
    tags += [Tag(name="weight", value=draw(st.one_of(st.integers(-9, 9), st.floats(-1, 1)))) for _ in
             range(draw(st.integers(0, 2)))]
    if draw(st.booleans()):
        tags.append(Tag(name="flag", author=draw(people)))
    return ItemAnnotation(item=draw(st.sampled_from([None, 7, "img.jpg"])), width=W, height=H, objects=objects,
                          tags=tags, author=draw(people), description=draw(st.sampled_from(["", "checked"])),
                          review_status=draw(st.sampled_from(list(ReviewStatus))))


@given(neutral_items())
@settings(max_examples=150, deadline=None)
def test_neutral_to_label_studio_and_back_is_exact_with_the_stash(item):
    data, report = to_labelstudio(item, label_config=CONFIG, schema=SCHEMA, keep=True)
    stash = data.pop(STASH)
    assert report.lossless, str(report)
    assert LabelInterface(CONFIG).validate_annotation(data)
    back, back_report = from_labelstudio(copy.deepcopy(data), label_config=CONFIG, schema=SCHEMA, item=item.item,
                                         width=W, height=H, stashes=[stash] if stash else None)
    assert back == item
    assert back_report.count(outcome=Outcome.DROPPED) == 0


def test_a_stash_for_another_content_is_not_applied_and_is_counted():
    hole = Polygon(exterior=[(0, 0), (30, 0), (0, 20)], interiors=[[(1, 1), (5, 1), (1, 5)]])
    item = ItemAnnotation(width=W, height=H, objects=[ObjectAnnotation(class_name="leaf", shape=hole, id="p")])
    data, report = to_labelstudio(item, label_config=CONFIG, schema=SCHEMA, keep=True)
    stash = data.pop(STASH)
    assert report.count("polygon hole", Outcome.KEPT) == 1
    data["result"][0]["value"]["points"][0] = [1.0, 1.0]  # a person moved a vertex in Label Studio
    back, back_report = from_labelstudio(data, label_config=CONFIG, schema=SCHEMA, width=W, height=H,
                                         stashes=[stash])
    assert back.objects[0].shape.interiors == ()
    assert back_report.count("kept for the way back", Outcome.DROPPED) == 1
    assert "edited in label studio since" in back_report.losses()[-1]


def test_without_a_stash_the_losses_stay_dropped():
    item = ItemAnnotation(width=W, height=H, objects=[ObjectAnnotation(class_name="pin", shape=Point(x=1, y=1),
                                                                       created_at=datetime(2024, 1, 1))])
    data, report = to_labelstudio(item, label_config=CONFIG, schema=SCHEMA)
    assert STASH not in data and report.count("object timestamps", Outcome.DROPPED) == 1
    assert LABEL_STUDIO not in item.kept

# ---------------------------------------------------------------- Label Studio -> Supervisely -> Label Studio

EXTRA = """  <EllipseLabels name="ring" toName="image"><Label value="eye"/></EllipseLabels>
  <Relations><Relation value="near"/><Relation value="on"/></Relations>
</View>"""
FOREIGN = CONFIG.replace("</View>", EXTRA)
LS_SCHEMA = parse_label_config(FOREIGN).schema
META, _ = schema_to_meta(LS_SCHEMA)


@st.composite
def label_studio_annotations(draw):
    """Label Studio annotations as editors and ML backends leave them: regions without ids, scores, notes, hidden
    and read-only flags, marker sizes, relations, ellipses, ground truth and lead time."""
    item = draw(neutral_items())
    item = item.model_copy(update={"objects": [o.model_copy(update={"id": f"r{n}"})
                                               for n, o in enumerate(item.objects)], "item": None})
    data, _ = to_labelstudio(item, label_config=FOREIGN, schema=LS_SCHEMA)
    results = data["result"]
    counts = {}
    for r in results:
        counts[r.get("id")] = counts.get(r.get("id"), 0) + 1
    for region in results:
        if "original_width" not in region:
            continue
        if draw(st.booleans()):
            region["score"] = draw(st.floats(0, 1))
        if draw(st.integers(0, 5)) == 0:
            region[draw(st.sampled_from(["hidden", "readonly"]))] = True
        if region["type"] == "keypointlabels" and draw(st.booleans()):
            region["value"]["width"] = draw(st.sampled_from([0.5, 1.25]))
        if counts[region["id"]] == 1 and "parentID" not in region and draw(st.booleans()):
            del region["id"]  # as ML backends write predictions
    ids = [r["id"] for r in results if "id" in r and "original_width" in r]
    for _ in range(draw(st.integers(0, 2)) if len(ids) > 1 else 0):
        a, b = draw(st.permutations(ids))[:2]
        direction = draw(st.sampled_from(["right", "bi"]))
        results.append({"from_id": a, "to_id": b, "type": "relation", "direction": direction,
                        "labels": draw(st.lists(st.sampled_from(["near", "on"]), unique=True))})
    if draw(st.booleans()):
        results.append({"id": "el1", "type": "ellipselabels", "from_name": "ring", "to_name": "image",
                        "original_width": W, "original_height": H, "image_rotation": 0,
                        "value": {"x": 40.0, "y": 30.0, "radiusX": 5.5, "radiusY": 2.0, "rotation": 10.0,
                                  "ellipselabels": ["eye"]}})
    if draw(st.booleans()):
        data["ground_truth"] = True
    if draw(st.booleans()):
        data["lead_time"] = draw(st.floats(0.5, 500))
    data.pop("completed_by", None)
    return data


TINY_TURN = {"result": [{  # turned by less than a float of radians holds: Supervisely writes an unturned box
    "id": "r0", "type": "rectanglelabels", "from_name": "bbox", "to_name": "image", "original_width": 37,
    "original_height": 23, "image_rotation": 0, "origin": "manual", "hidden": True,
    "value": {"x": 0.0, "y": 0.0, "width": 0.0, "height": 0.0, "rotation": 5e-324, "rectanglelabels": ["thing"]},
}]}


@given(label_studio_annotations())
@example(TINY_TURN)
@settings(max_examples=120, deadline=None)
def test_label_studio_to_supervisely_and_back_is_exact(original):
    neutral, report = from_labelstudio(copy.deepcopy(original), label_config=FOREIGN, schema=LS_SCHEMA, item="t",
                                       width=W, height=H)
    assert report.lossless, str(report)
    sly, sly_report = to_supervisely(neutral, META)
    assert sly_report.count(outcome=Outcome.DROPPED) == 0, str(sly_report)
    again, _ = from_supervisely(sly, META, item="t")
    assert again == neutral  # the stash Supervisely carried gives the neutral item back, its residue with it
    back, back_report = to_labelstudio(again, label_config=FOREIGN, schema=LS_SCHEMA)
    assert native(back) == native(original) and back_report.count(outcome=Outcome.DROPPED) == 0
