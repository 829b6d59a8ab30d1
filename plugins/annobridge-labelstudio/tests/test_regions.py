"""Label Studio results <-> neutral annotations: exact round trips, counted losses, named errors."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from fractions import Fraction

import numpy as np
import pytest
from annobridge_labelstudio import rle
from annobridge_labelstudio.regions import PER_REGION_SUFFIX, from_labelstudio, to_labelstudio
from hypothesis import given, settings
from hypothesis import strategies as st
from label_studio_sdk.converter import brush
from label_studio_sdk.label_interface import LabelInterface

from annobridge.annotations import (
    ItemAnnotation,
    Keypoint,
    Keypoints,
    Mask,
    ObjectAnnotation,
    Point,
    Polygon,
    Polyline,
    Rectangle,
    Tag,
)
from annobridge.errors import ValidationError
from annobridge.models import ReviewStatus
from annobridge.schema import KeypointNode, LabelSchema, ObjectClass, ShapeKind, TagSpec, TagTarget, TagValueType

_TOOLS = {
    ShapeKind.RECTANGLE: "RectangleLabels",
    ShapeKind.POLYGON: "PolygonLabels",
    ShapeKind.POLYLINE: "VectorLabels",
    ShapeKind.POINT: "KeyPointLabels",
    ShapeKind.MASK: "BrushLabels",
}


def config_for(schema: LabelSchema) -> str:
    """A label config with control names of its own (not label_config.py's), so the tests show any layout reads.

    The real server's round trips, with label_config.py's configs, are in test_regions_live.py.
    """
    view = ET.Element("View")
    ET.SubElement(view, "Image", name="image", value="$image")
    for shape, tool in _TOOLS.items():
        labels = [c.name for c in schema.classes if c.shape in (shape, ShapeKind.ANY)]
        if labels:
            control = ET.SubElement(view, tool, name=f"shape-{shape.value}", toName="image")
            for label in labels:
                ET.SubElement(control, "Label", value=label)
    for cls in schema.classes:
        if cls.shape is ShapeKind.KEYPOINTS:
            control = ET.SubElement(view, "KeyPointLabels", name=cls.name, toName="image")
            for node in cls.nodes:
                ET.SubElement(control, "Label", value=node.name)
    for tag in schema.tags:
        for per_region in (False, True):
            if tag.applies_to is (TagTarget.OBJECTS_ONLY if not per_region else TagTarget.ITEMS_ONLY):
                continue
            name = tag.name + (PER_REGION_SUFFIX if per_region and tag.applies_to is TagTarget.ALL else "")
            attrs = {"name": name, "toName": "image", **({"perRegion": "true"} if per_region else {})}
            if tag.value_type in (TagValueType.NONE, TagValueType.ONEOF_STRING):
                control = ET.SubElement(view, "Choices", choice="multiple", **attrs)
                for value in tag.values or (tag.name,):
                    ET.SubElement(control, "Choice", value=value)
            else:
                ET.SubElement(view, "TextArea" if tag.value_type is TagValueType.ANY_STRING else "Number", **attrs)
    config = ET.tostring(view, encoding="unicode")
    LabelInterface(config).validate()
    return config


SCHEMA = LabelSchema(
    classes=[
        ObjectClass(name="box", shape="rectangle"),
        ObjectClass(name="leaf", shape="polygon"),
        ObjectClass(name="road", shape="polyline"),
        ObjectClass(name="pin", shape="point"),
        ObjectClass(name="kiwi", shape="mask"),
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
        TagSpec(name="flag"),
    ],
)
CONFIG = config_for(SCHEMA)
INTERFACE = LabelInterface(CONFIG)

# ---------------------------------------------------------------- canonical Label Studio results

pct = st.floats(0, 100, allow_nan=False)
ORIGINS = st.sampled_from(["manual", "prediction", "prediction-changed"])


def _region(rid, kind, control, value, label, w, h, origin, note):
    region = {
        "id": rid,
        "type": kind,
        "from_name": control,
        "to_name": "image",
        "original_width": w,
        "original_height": h,
        "image_rotation": 0,
        "value": {**value, kind: [label]},
        "origin": origin,
    }
    if note:
        region["meta"] = {"text": [note]}
    return region


@st.composite
def ls_annotations(draw):
    """Label Studio annotations in the form its editor (and to_labelstudio) writes them."""
    sizes = st.one_of(st.integers(1, 60), st.integers(1, 5000))  # small images leave room for brush regions
    w, h = draw(sizes), draw(sizes)
    results = []
    for n in range(draw(st.integers(0, 6))):
        rid, origin = f"r{n}x", draw(ORIGINS)
        note = draw(st.one_of(st.just(""), st.text(min_size=1, max_size=8)))
        kind = draw(st.sampled_from(["rect", "poly", "vector", "point", "brush", "graph"]))
        if kind == "rect":
            value = {
                "x": draw(pct),
                "y": draw(pct),
                "width": draw(pct),
                "height": draw(pct),
                "rotation": draw(st.floats(0, 359.99)),
            }
            regions = [_region(rid, "rectanglelabels", "shape-rectangle", value, "box", w, h, origin, note)]
        elif kind == "poly":
            value = {
                "points": draw(st.lists(st.lists(pct, min_size=2, max_size=2), min_size=3, max_size=7)),
                "closed": True,
            }
            regions = [_region(rid, "polygonlabels", "shape-polygon", value, "leaf", w, h, origin, note)]
        elif kind == "vector":
            vertices = []
            for i in range(draw(st.integers(2, 6))):
                vertex = {"id": f"{rid}-{i}", "x": draw(pct), "y": draw(pct), "isBezier": False}
                if i:
                    vertex["prevPointId"] = f"{rid}-{i - 1}"
                vertices.append(vertex)
            regions = [
                _region(
                    rid,
                    "vectorlabels",
                    "shape-polyline",
                    {"vertices": vertices, "closed": False},
                    "road",
                    w,
                    h,
                    origin,
                    note,
                )
            ]
        elif kind == "point":
            regions = [
                _region(
                    rid, "keypointlabels", "shape-point", {"x": draw(pct), "y": draw(pct)}, "pin", w, h, origin, note
                )
            ]
        elif kind == "brush":
            if w * h > 40_000:
                continue
            seed = draw(st.integers(0, 2**16))
            pixels = np.random.default_rng(seed).choice([0, 0, 0, 255, 255, 90], size=w * h).astype(np.uint8)
            if not pixels.any():
                pixels[0] = 255
            regions = [
                _region(
                    rid,
                    "brushlabels",
                    "shape-mask",
                    {"format": "rle", "rle": brush.encode_rle(np.repeat(pixels, 4))},
                    "kiwi",
                    w,
                    h,
                    origin,
                    note,
                )
            ]
        else:
            nodes = draw(st.lists(st.sampled_from(["nose", "eye"]), min_size=1, max_size=2, unique=True))
            regions = []
            for i, node in enumerate(nodes):
                region = _region(
                    rid if i == 0 else f"{rid}-{node}",
                    "keypointlabels",
                    "person",
                    {"x": draw(pct), "y": draw(pct)},
                    node,
                    w,
                    h,
                    origin,
                    note,
                )
                if i:
                    region["parentID"] = rid
                regions.append(region)
        results.extend(regions)
        root = regions[0]
        geometry = {k: v for k, v in root["value"].items() if k != root["type"]}
        extra = {
            k: root[k] for k in ("original_width", "original_height", "image_rotation", "origin", "meta") if k in root
        }
        if draw(st.booleans()):
            value = {**geometry, "choices": [draw(st.sampled_from(["small", "large"]))]}
            results.append(
                {"id": rid, "type": "choices", "from_name": "size", "to_name": "image", **extra, "value": value}
            )
        if draw(st.booleans()):
            value = {**geometry, "text": draw(st.lists(st.text(max_size=6), min_size=1, max_size=2))}
            results.append(
                {"id": rid, "type": "textarea", "from_name": "note_object", "to_name": "image", **extra, "value": value}
            )
    item_level = [
        ("note", "textarea", {"text": draw(st.lists(st.text(max_size=6), min_size=1, max_size=3))}),
        (
            "weight",
            "number",
            {"number": draw(st.one_of(st.integers(-1000, 1000), st.floats(allow_nan=False, allow_infinity=False)))},
        ),
        ("flag", "choices", {"choices": ["flag"]}),
    ]
    for name, kind, value in item_level:
        if draw(st.booleans()):
            results.append(
                {
                    "id": f"{name}-item",
                    "type": kind,
                    "from_name": name,
                    "to_name": "image",
                    "origin": "manual",
                    "value": value,
                }
            )
    data = {"result": results}
    if draw(st.booleans()):
        data["completed_by"] = draw(st.integers(1, 99))
    return data, w, h


@given(ls_annotations())
@settings(max_examples=120, deadline=None)
def test_label_studio_to_neutral_to_label_studio_is_exact(case):
    data, w, h = case
    neutral, report = from_labelstudio(data, label_config=CONFIG, schema=SCHEMA, item="task-1", width=w, height=h)
    back, back_report = to_labelstudio(neutral, label_config=CONFIG, schema=SCHEMA)
    assert back == data
    assert back_report.lossless, str(back_report)
    assert INTERFACE.validate_annotation(back)


# ---------------------------------------------------------------- reading


def test_percentages_become_exact_pixels():
    region = _region(
        "a",
        "rectanglelabels",
        "shape-rectangle",
        {"x": 12.5, "y": 0.1, "width": 50, "height": 100, "rotation": 15.5},
        "box",
        640,
        480,
        "manual",
        "",
    )
    neutral, report = from_labelstudio([region], label_config=CONFIG, schema=SCHEMA)
    box = neutral.objects[0].shape
    assert (box.x, box.width, box.height, box.rotation) == (80, 320, 480, Fraction(31, 2))
    assert box.y == Fraction(0.1) * 480 / 100 and float(box.y * 100 / 480) == 0.1
    assert (neutral.width, neutral.height) == (640, 480) and report.lossless


def test_a_graph_is_read_from_its_node_regions():
    nose = _region("g1", "keypointlabels", "person", {"x": 10, "y": 20}, "nose", 100, 100, "manual", "")
    eye = {
        **_region("g1-eye", "keypointlabels", "person", {"x": 30, "y": 40}, "eye", 100, 100, "manual", ""),
        "parentID": "g1",
    }
    other = _region("g2", "keypointlabels", "person", {"x": 50, "y": 50, "width": 0.7}, "eye", 100, 100, "manual", "")
    neutral, report = from_labelstudio([nose, other, eye], label_config=CONFIG, schema=SCHEMA)
    first, second = (obj.shape for obj in neutral.objects)
    assert [(p.name, p.x, p.y) for p in first.points] == [("nose", 10, 20), ("eye", 30, 40)]
    assert [p.name for p in second.points] == ["eye"]
    assert report.count("keypoint marker size", "kept") == 1  # for the way back: Label Studio gets it again
    assert to_labelstudio(neutral, label_config=CONFIG, schema=SCHEMA)[0]["result"] == [nose, other, eye]


def test_a_graph_keeps_its_first_nodes_note_and_counts_the_others():
    nose = _region("g1", "keypointlabels", "person", {"x": 10, "y": 20}, "nose", 100, 100, "manual", "seen")
    eye = {**_region("g1-eye", "keypointlabels", "person", {"x": 3, "y": 4}, "eye", 100, 100, "manual", "hidden?")}
    neutral, report = from_labelstudio([nose, {**eye, "parentID": "g1"}], label_config=CONFIG, schema=SCHEMA)
    assert neutral.objects[0].description == "seen"
    assert report.count("keypoint node note or origin", "kept") == 1


def test_soft_brush_edges_are_thresholded_and_the_rle_kept():
    alpha = np.array([[0, 255, 40], [0, 0, 255]], dtype=np.uint8)
    stream = rle.encode(np.repeat(alpha.ravel(), 4))
    region = _region("m", "brushlabels", "shape-mask", {"format": "rle", "rle": stream}, "kiwi", 3, 2, "manual", "")
    neutral, report = from_labelstudio([region], label_config=CONFIG, schema=SCHEMA)
    mask = neutral.objects[0].shape
    assert mask.origin == (1, 0) and mask.data.tolist() == [[True, True], [False, True]]
    assert report.count("brush soft edge", "approximated") == 1
    back, _ = to_labelstudio(neutral, label_config=CONFIG, schema=SCHEMA)
    assert back["result"][0]["value"]["rle"] == stream


OCR = """<View><Image name="image" value="$ocr"/>
  <Labels name="label" toName="image"><Label value="Text"/><Label value="Handwriting"/></Labels>
  <Rectangle name="bbox" toName="image"/><Polygon name="poly" toName="image"/>
  <TextArea name="transcription" toName="image" perRegion="true"/></View>"""
OCR_SCHEMA = LabelSchema(
    classes=[ObjectClass(name="Text", shape="any"), ObjectClass(name="Handwriting", shape="any")],
    tags=[TagSpec(name="transcription", value_type="any_string", applies_to="objects_only")],
)
_SIZE = {"to_name": "image", "original_width": 200, "original_height": 100, "image_rotation": 0, "origin": "manual"}


def test_a_config_annobridge_did_not_write_is_read_too():
    box = {"x": 10, "y": 10, "width": 20, "height": 5, "rotation": 0}
    poly = {"points": [[0, 0], [10, 0], [0, 10]], "closed": True}
    results = [  # as the editor writes regions of a generic <Labels>: tool result, labels result, same id
        {"id": "t1", "type": "rectangle", "from_name": "bbox", **_SIZE, "value": box},
        {"id": "t1", "type": "labels", "from_name": "label", **_SIZE, "value": {**box, "labels": ["Text"]}},
        {"id": "t1", "type": "textarea", "from_name": "transcription", **_SIZE, "value": {**box, "text": ["Hello"]}},
        {"id": "t2", "type": "polygon", "from_name": "poly", **_SIZE, "value": poly},
        {"id": "t2", "type": "labels", "from_name": "label", **_SIZE, "value": {**poly, "labels": ["Handwriting"]}},
    ]
    data = {"result": results, "completed_by": {"id": 3, "email": "ann@example.com"}}
    neutral, report = from_labelstudio(data, label_config=OCR, schema=OCR_SCHEMA)
    assert [o.shape.kind for o in neutral.objects] == ["rectangle", "polygon"] and report.lossless
    assert neutral.objects[0].tags == (Tag(name="transcription", value="Hello"),)
    assert neutral.author == "ann@example.com"
    back, _ = to_labelstudio(neutral, label_config=OCR, schema=OCR_SCHEMA)
    assert back == {"result": results, "completed_by": "ann@example.com"}
    assert LabelInterface(OCR).validate_annotation(back)


def test_joined_labels_results_and_unlabeled_tool_regions_are_read():
    box = {"x": 10, "y": 10, "width": 20, "height": 5, "rotation": 0}
    joined = {
        "id": "t1",
        "type": "rectanglelabels",
        "from_name": "label",
        **_SIZE,
        "value": {**box, "rectanglelabels": ["Text"]},
    }
    bare = {"id": "t2", "type": "rectangle", "from_name": "bbox", **_SIZE, "value": box}
    neutral, report = from_labelstudio([joined, bare], label_config=OCR, schema=OCR_SCHEMA)
    assert [(o.id, o.class_name) for o in neutral.objects] == [("t1", "Text")]
    assert report.count("unlabeled region", "kept") == 1
    assert report.count("one-result region of a <Labels>", "kept") == 1


def test_what_annobridge_cannot_hold_is_counted_on_the_way_in():
    results = [
        _region(
            "a",
            "rectanglelabels",
            "shape-rectangle",
            {"x": 1, "y": 1, "width": 1, "height": 1, "rotation": 0},
            "box",
            10,
            10,
            "manual",
            "",
        ),
        _region(
            "b",
            "rectanglelabels",
            "shape-rectangle",
            {"x": 1, "y": 1, "width": 1, "height": 1, "rotation": 0},
            "box",
            10,
            10,
            "manual",
            "",
        ),
        {"type": "relation", "from_id": "a", "to_id": "b", "direction": "right"},
    ]
    results[1]["score"] = 0.5
    results[0]["value"]["rectanglelabels"] = ["box", "box"]
    _, report = from_labelstudio(
        {"result": results, "lead_time": 4.2, "ground_truth": True}, label_config=CONFIG, schema=SCHEMA
    )
    for kind in ("relation", "region score", "extra label on a region", "lead time", "ground truth flag"):
        assert report.count(kind, "kept") == 1, kind  # kept for the way back, not lost


# ---------------------------------------------------------------- writing


def _item(*objects, **fields):
    return ItemAnnotation(item="img-9", width=200, height=100, objects=objects, **fields)


def test_losses_on_the_way_out_are_counted():
    neutral = _item(
        ObjectAnnotation(
            class_name="leaf",
            shape=Polygon(exterior=[(0, 0), (50, 0), (0, 50)], interiors=[[(1, 1), (5, 1), (1, 5)]] * 2),
        ),
        ObjectAnnotation(
            class_name="person",
            shape=Keypoints(points=[Keypoint(name="nose", x=1, y=1), Keypoint(name="eye", x=2, y=2, visible=False)]),
        ),
        ObjectAnnotation(class_name="pin", shape=Point(x=250, y=50), author="bob", created_at="2024-01-02T03:04:05Z"),
        author="ann",
        review_status=ReviewStatus.ACCEPTED,
        description="seen twice",
    )
    data, report = to_labelstudio(neutral, label_config=CONFIG, schema=SCHEMA)
    assert report.count("polygon hole", "dropped") == 2
    assert report.count("hidden keypoint", "dropped") == 1
    assert report.count("coordinates past the image edge", "approximated") == 1
    assert report.count("object author", "dropped") == 1 and report.count("object timestamps", "dropped") == 1
    assert report.count("review status", "dropped") == 1 and report.count("item description", "dropped") == 1
    assert data["completed_by"] == "ann"
    assert data["result"][2]["value"]["x"] == 100.0  # clamped onto the right edge
    assert INTERFACE.validate_annotation(data)


def test_one_value_per_single_value_control():
    neutral = _item(tags=[Tag(name="weight", value=1), Tag(name="weight", value=2.5)])
    data, report = to_labelstudio(neutral, label_config=CONFIG, schema=SCHEMA)
    assert data["result"] == [
        {
            "id": "weight-item",
            "type": "number",
            "from_name": "weight",
            "to_name": "image",
            "origin": "manual",
            "value": {"number": 1},
        }
    ]
    assert report.count("repeated item tag", "dropped") == 1


def test_polylines_fall_back_to_polygons_where_only_polygon_labels_exist():
    config = '<View><Image name="image" value="$image"/><PolygonLabels name="p" toName="image"><Label value="road"/></PolygonLabels></View>'
    schema = LabelSchema(classes=[ObjectClass(name="road", shape="polyline")])
    neutral = _item(
        ObjectAnnotation(class_name="road", shape=Polyline(points=[(0, 0), (10, 10), (20, 0)])),
        ObjectAnnotation(class_name="road", shape=Polyline(points=[(0, 0), (10, 10)])),
    )
    data, report = to_labelstudio(neutral, label_config=config, schema=schema)
    assert [r["type"] for r in data["result"]] == ["polygonlabels"]
    assert report.count("polyline", "approximated") == 1 and report.count("polyline", "dropped") == 1
    back, back_report = from_labelstudio(data, label_config=config, schema=schema)
    assert back.objects[0].shape.points == neutral.objects[0].shape.points
    assert back_report.count("polygon", "approximated") == 1


def test_masks_are_written_as_brush_rle_of_the_whole_image():
    data = np.zeros((4, 5), bool)
    data[1:3, 2:4] = True
    neutral = ItemAnnotation(width=5, height=4, objects=[ObjectAnnotation(class_name="kiwi", shape=Mask(data=data))])
    out, _ = to_labelstudio(neutral, label_config=CONFIG, schema=SCHEMA)
    assert out["result"][0]["value"]["rle"] == brush.mask2rle(data.astype(np.uint8) * 255)


# ---------------------------------------------------------------- bad input


def _rect(**value):
    return _region(
        "a",
        "rectanglelabels",
        "shape-rectangle",
        {"x": 1, "y": 1, "width": 1, "height": 1, "rotation": 0, **value},
        "box",
        10,
        10,
        "manual",
        "",
    )


@pytest.mark.parametrize(
    "result, message",
    [
        (
            [
                _region(
                    "p", "polygonlabels", "shape-polygon", {"points": [[0, 0], [1, 1]]}, "leaf", 10, 10, "manual", ""
                )
            ],
            r"item 'task-4', region #0 \(id 'p'\).*at least 3 points, got 2",
        ),
        (
            [{**_rect(), "value": {"x": 1, "y": 1, "width": 1, "height": 1, "rectanglelabels": ["lemon"]}}],
            "unknown class 'lemon'",
        ),
        ([{**_rect(), "from_name": "nope"}], "unknown control 'nope'"),
        ([_rect(width=-5)], "must not be negative"),
        ([_rect(x="left")], "x must be a number"),
        ([_rect(), {**_rect(), "original_width": 11}], "regions disagree on the image size"),
        (
            [
                _region(
                    "m",
                    "brushlabels",
                    "shape-mask",
                    {"format": "rle", "rle": rle.mask_to_rle(np.ones((3, 3), bool))},
                    "kiwi",
                    10,
                    10,
                    "manual",
                    "",
                )
            ],
            "10x10 image: RLE declares 36 values",
        ),
        (
            [
                _region(
                    "m", "brushlabels", "shape-mask", {"format": "rle", "rle": [1, 2, 3]}, "kiwi", 10, 10, "manual", ""
                )
            ],
            "RLE too short",
        ),
        ([], "no region gives the image size"),
    ],
)
def test_bad_label_studio_input_is_named(result, message):
    with pytest.raises(ValidationError, match=message):
        from_labelstudio(result, label_config=CONFIG, schema=SCHEMA, item="task-4")


def test_an_unknown_tag_control_is_refused():
    config = CONFIG.replace("</View>", '<Choices name="mood" toName="image"><Choice value="ok"/></Choices></View>')
    result = [{"id": "x", "type": "choices", "from_name": "mood", "to_name": "image", "value": {"choices": ["ok"]}}]
    with pytest.raises(ValidationError, match="unknown tag 'mood'"):
        from_labelstudio(result, label_config=config, schema=SCHEMA, width=5, height=5)


def test_a_tag_value_outside_the_schema_is_refused_on_the_way_in():
    result = [
        {"id": "weight-item", "type": "number", "from_name": "weight", "to_name": "image", "value": {"number": "heavy"}}
    ]
    with pytest.raises(ValidationError, match="tag 'weight' takes a number"):
        from_labelstudio(result, label_config=CONFIG, schema=SCHEMA, width=5, height=5)


def test_writing_an_object_the_schema_does_not_know_names_it():
    neutral = _item(ObjectAnnotation(class_name="lemon", id=4, shape=Point(x=1, y=1)))
    with pytest.raises(ValidationError, match=r"item 'img-9', object #0 \(class 'lemon', id 4\): unknown class"):
        to_labelstudio(neutral, label_config=CONFIG, schema=SCHEMA)


def test_writing_a_class_the_config_lacks_names_it():
    schema = LabelSchema(classes=[*SCHEMA.classes, ObjectClass(name="ghost", shape="point")], tags=SCHEMA.tags)
    with pytest.raises(ValidationError, match="no control for point class 'ghost'"):
        to_labelstudio(
            _item(ObjectAnnotation(class_name="ghost", shape=Point(x=1, y=1))), label_config=CONFIG, schema=schema
        )


@st.composite
def ocr_annotations(draw):
    """Regions of a generic <Labels> (the OCR template), in the editor's split form, with transcriptions."""
    results = []
    for n in range(draw(st.integers(0, 5))):
        rid, label = f"o{n}", draw(st.sampled_from(["Text", "Handwriting"]))
        if draw(st.booleans()):
            tool, value = "bbox", {"x": draw(pct), "y": draw(pct), "width": draw(pct), "height": draw(pct)}
            value["rotation"] = draw(st.floats(0, 359.99))
            kind = "rectangle"
        else:
            points = draw(st.lists(st.lists(pct, min_size=2, max_size=2), min_size=3, max_size=6))
            tool, kind, value = "poly", "polygon", {"points": points, "closed": True}
        results.append({"id": rid, "type": kind, "from_name": tool, **_SIZE, "value": value})
        results.append(
            {"id": rid, "type": "labels", "from_name": "label", **_SIZE, "value": {**value, "labels": [label]}}
        )
        if draw(st.booleans()):
            text = draw(st.lists(st.text(max_size=6), min_size=1, max_size=2))
            results.append(
                {"id": rid, "type": "textarea", "from_name": "transcription", **_SIZE, "value": {**value, "text": text}}
            )
    return {"result": results}


@given(ocr_annotations())
@settings(max_examples=60, deadline=None)
def test_split_labels_regions_round_trip_exactly(data):
    neutral, report = from_labelstudio(data, label_config=OCR, schema=OCR_SCHEMA, width=200, height=100)
    back, back_report = to_labelstudio(neutral, label_config=OCR, schema=OCR_SCHEMA)
    assert back == data and report.lossless and back_report.lossless
    assert not data["result"] or LabelInterface(OCR).validate_annotation(back)


def test_a_rotation_no_float_degree_holds_is_counted():
    exact = _item(ObjectAnnotation(class_name="box", shape=Rectangle(x=1, y=1, width=5, height=5, rotation=17.5)))
    third = _item(
        ObjectAnnotation(class_name="box", shape=Rectangle(x=1, y=1, width=5, height=5, rotation=Fraction(1, 3)))
    )
    assert to_labelstudio(exact, label_config=CONFIG, schema=SCHEMA)[1].lossless
    value, report = to_labelstudio(third, label_config=CONFIG, schema=SCHEMA)
    assert value["result"][0]["value"]["rotation"] == 1 / 3
    assert report.losses() == ["rotation -> approximated to the nearest float degree (label studio): 1  [img-9]"]
