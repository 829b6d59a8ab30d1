"""Supervisely annotations <-> neutral, and on to Label Studio and back: exact where both tools hold it."""

from __future__ import annotations

import math

import numpy as np
import pytest
import supervisely as sly
from annobridge_labelstudio.label_config import build_label_config
from annobridge_labelstudio.regions import from_labelstudio, to_labelstudio
from annobridge_supervisely.figures import from_supervisely, to_supervisely
from annobridge_supervisely.meta import meta_to_schema
from hypothesis import given, settings
from hypothesis import strategies as st
from supervisely.annotation.label import LabelingStatus
from supervisely.geometry.graph import KeypointsTemplate
from supervisely.geometry.oriented_bbox import OrientedBBox

from annobridge.annotations import (
    ItemAnnotation,
    Keypoint,
    Keypoints,
    Mask,
    ObjectAnnotation,
    Point,
    Polygon,
    Rectangle,
    Tag,
)
from annobridge.errors import ValidationError
from annobridge.models import ReviewStatus


def _template():
    template = KeypointsTemplate()
    for label, row, col in (("nose", 10, 20), ("eye", 5, 25), ("ear", 5, 30)):
        template.add_point(label, row=row, col=col)
    template.add_edge("nose", "eye")
    config = template.config
    # Real projects name nodes by random ids, not by their labels.
    config["nodes"] = {f"id-{label}": node for label, node in config["nodes"].items()}
    config["edges"] = [{**e, "src": f"id-{e['src']}", "dst": f"id-{e['dst']}"} for e in config["edges"]]
    return config


CLASSES = {
    c.name: c
    for c in [
        sly.ObjClass("box", sly.Rectangle, color=[255, 0, 0]),
        sly.ObjClass("leaf", sly.Polygon, color=[0, 255, 0]),
        sly.ObjClass("road", sly.Polyline, color=[0, 0, 255]),
        sly.ObjClass("pin", sly.Point, color=[255, 255, 0]),
        sly.ObjClass("person", sly.GraphNodes, color=[0, 255, 255], geometry_config=_template()),
        sly.ObjClass("kiwi", sly.Bitmap, color=[255, 0, 255]),
        sly.ObjClass("thing", sly.AnyGeometry, color=[9, 9, 9]),
    ]
}
TAGS = {
    t.name: t
    for t in [
        sly.TagMeta(
            "size",
            sly.TagValueType.ONEOF_STRING,
            possible_values=["small", "large"],
            applicable_to="objectsOnly",
            applicable_classes=["box", "kiwi"],
        ),
        sly.TagMeta("note", sly.TagValueType.ANY_STRING),
        sly.TagMeta("weight", sly.TagValueType.ANY_NUMBER),
        sly.TagMeta("flag", sly.TagValueType.NONE, applicable_to="imagesOnly"),
        sly.TagMeta("ripe", sly.TagValueType.NONE, applicable_to="objectsOnly"),
    ]
}
META = sly.ProjectMeta(obj_classes=list(CLASSES.values()), tag_metas=list(TAGS.values()))
META_JSON = META.to_json()
SCHEMA, _ = meta_to_schema(META_JSON)
LS_CONFIG = build_label_config(SCHEMA)  # the config annobridge writes for a Label Studio project
STATUSES = st.sampled_from([LabelingStatus.MANUAL, LabelingStatus.AUTO, LabelingStatus.CORRECTED])
TIMES = st.one_of(st.none(), st.sampled_from(["2021-01-22T19:37:50.158Z", "2024-06-01T00:00:00.000Z"]))


def _points(draw, w, h, n_min, n_max):
    count = draw(st.integers(n_min, n_max))
    return [sly.PointLocation(draw(st.integers(0, h - 1)), draw(st.integers(0, w - 1))) for _ in range(count)]


def _geometry(draw, kind, w, h, lossy, info):
    if kind == "box":
        top, bottom = sorted(draw(st.lists(st.integers(0, h - 1), min_size=2, max_size=2)))
        left, right = sorted(draw(st.lists(st.integers(0, w - 1), min_size=2, max_size=2)))
        return sly.Rectangle(top, left, bottom, right, **info)
    if kind == "leaf":
        holes = [_points(draw, w, h, 3, 5) for _ in range(draw(st.integers(0, 2) if lossy else st.just(0)))]
        return sly.Polygon(_points(draw, w, h, 3, 7), holes, **info)
    if kind == "road":
        return sly.Polyline(_points(draw, w, h, 2, 6), **info)
    if kind == "pin":
        return sly.Point(draw(st.integers(0, h - 1)), draw(st.integers(0, w - 1)), **info)
    if kind == "person":
        ids = draw(st.lists(st.sampled_from(["id-nose", "id-eye", "id-ear"]), min_size=1, max_size=3, unique=True))
        hidden = [draw(st.booleans()) if lossy else False for _ in ids]
        if all(hidden):
            hidden[0] = False
        nodes = {i: sly.Node(_points(draw, w, h, 1, 1)[0], disabled=d) for i, d in zip(ids, hidden)}
        return sly.GraphNodes(nodes, **info)
    if kind == "kiwi":
        mh, mw = draw(st.integers(1, min(h, 8))), draw(st.integers(1, min(w, 8)))
        seed = draw(st.integers(0, 2**16))
        mask = np.random.default_rng(seed).random((mh, mw)) > 0.4
        mask[draw(st.integers(0, mh - 1)), draw(st.integers(0, mw - 1))] = True
        origin = sly.PointLocation(draw(st.integers(0, h - mh)), draw(st.integers(0, w - mw)))
        return sly.Bitmap(mask, origin=origin, **info)
    return _geometry(draw, draw(st.sampled_from(["box", "leaf", "pin"])), w, h, lossy, info)  # "thing": any shape


def _tags(draw, names, author, lossy):
    tags = []
    for name in sorted(draw(st.lists(st.sampled_from(names), unique=True, max_size=len(names))) if names else []):
        meta = TAGS[name]
        count = draw(st.integers(1, 2)) if name == "note" else 1
        for _ in range(count):
            value = {
                "oneof_string": lambda: draw(st.sampled_from(meta.possible_values)),
                "any_string": lambda: draw(st.text(max_size=6)),
                "any_number": lambda: draw(st.one_of(st.integers(-99, 99), st.floats(-1e6, 1e6, allow_nan=False))),
                "none": lambda: None,
            }[meta.value_type]()
            when = draw(TIMES) if lossy else None
            tags.append(sly.Tag(meta, value, labeler_login=author, created_at=when))
    return tags


@st.composite
def sly_annotations(draw, lossy=True):
    """Supervisely annotations built with the SDK. lossy=False keeps to what Label Studio also holds."""
    w, h = draw(st.integers(1, 120)), draw(st.integers(1, 120))
    one_author = draw(st.one_of(st.none(), st.sampled_from(["anna", "bob"])))
    labels = []
    for _ in range(draw(st.integers(0, 6))):
        name = draw(st.sampled_from(sorted(CLASSES)))
        author = draw(st.sampled_from([None, "anna", "carl"])) if lossy else one_author
        info = {"labeler_login": author}
        if lossy:
            info.update(
                sly_id=draw(st.one_of(st.none(), st.integers(1, 10**6))), created_at=draw(TIMES), updated_at=draw(TIMES)
            )
        geometry = _geometry(draw, name, w, h, lossy, info)
        allowed = [
            t
            for t in ("size", "note", "weight", "ripe")
            if name in TAGS[t].applicable_classes or not TAGS[t].applicable_classes
        ]
        labels.append(
            sly.Label(
                geometry,
                CLASSES[name],
                tags=_tags(draw, allowed, author, lossy),
                description=draw(st.one_of(st.just(""), st.text(min_size=1, max_size=8))),
                status=draw(STATUSES),
            )
        )
    img_tags = _tags(
        draw, ["note", "weight", "flag"], one_author if not lossy else draw(st.sampled_from([None, "anna"])), lossy
    )
    description = draw(st.text(max_size=8)) if lossy else ""
    return sly.Annotation((h, w), labels, img_tags=img_tags, img_description=description).to_json()


@given(sly_annotations())
@settings(max_examples=100, deadline=None)
def test_supervisely_to_neutral_to_supervisely_is_exact(annotation):
    neutral, report = from_supervisely(annotation, META_JSON, item="img-1")
    assert report.lossless
    back, back_report = to_supervisely(neutral, META_JSON)
    assert back == annotation
    assert back_report.lossless
    sly.Annotation.from_json(back, META)


@given(sly_annotations(lossy=False))
@settings(max_examples=100, deadline=None)
def test_supervisely_to_label_studio_to_supervisely_is_exact_for_what_both_hold(annotation):
    neutral, _ = from_supervisely(annotation, META_JSON, item="img-1")
    ls, to_ls = to_labelstudio(neutral, label_config=LS_CONFIG, schema=SCHEMA)
    assert to_ls.lossless, str(to_ls)
    size = {"width": neutral.width, "height": neutral.height}  # from the task, as the provider passes it
    again, from_ls = from_labelstudio(ls, label_config=LS_CONFIG, schema=SCHEMA, item="img-1", **size)
    assert from_ls.lossless, str(from_ls)
    back, to_sly = to_supervisely(again, META_JSON, stash=False)  # the conversions alone (test_keep_*: the stash)
    assert to_sly.lossless, str(to_sly)
    assert back == annotation
    sly.Annotation.from_json(back, META)


@given(sly_annotations())
@settings(max_examples=100, deadline=None)
def test_on_the_way_to_label_studio_every_loss_is_counted(annotation):
    neutral, _ = from_supervisely(annotation, META_JSON, item="img-1")
    _, report = to_labelstudio(neutral, label_config=LS_CONFIG, schema=SCHEMA)
    objects = annotation["objects"]
    holes = sum(len(o["points"]["interior"]) for o in objects if o["geometryType"] == "polygon")
    hidden = sum(n.get("disabled", False) for o in objects if o["geometryType"] == "graph" for n in o["nodes"].values())
    timed = sum(bool(o.get("createdAt") or o.get("updatedAt")) for o in objects)
    tag_times = sum(bool(t.get("createdAt")) for o in objects for t in o["tags"]) + sum(
        bool(t.get("createdAt")) for t in annotation["tags"]
    )
    assert report.count("polygon hole", "dropped") == holes
    assert report.count("hidden keypoint", "dropped") == hidden
    assert report.count("object timestamps", "dropped") == timed
    assert report.count("tag timestamps", "dropped") == tag_times
    assert report.count("item description", "dropped") == bool(annotation["description"])
    authors = [o.get("labelerLogin") for o in objects]
    tag_authors = [t.get("labelerLogin") for o in objects for t in o["tags"]] + [
        t.get("labelerLogin") for t in annotation["tags"]
    ]
    named = [a for a in authors + tag_authors if a]
    ls_author = max(named, key=named.count, default=None)  # Label Studio's one author: the most named
    assert report.count("object author", "dropped") == sum(a is not None and a != ls_author for a in authors)
    assert report.count("tag author", "dropped") == sum(a is not None and a != ls_author for a in tag_authors)


def test_rotated_boxes_keep_their_angle_in_oriented_classes_and_become_bounding_boxes_elsewhere():
    meta = sly.ProjectMeta(
        obj_classes=[
            sly.ObjClass("tilted", OrientedBBox),
            sly.ObjClass("box", sly.Rectangle),
            sly.ObjClass("thing", sly.AnyGeometry),
        ]
    )
    turned = Rectangle(x=10, y=10, width=20, height=10, rotation=90)
    neutral = ItemAnnotation(
        width=100,
        height=100,
        objects=[ObjectAnnotation(class_name=name, shape=turned) for name in ("tilted", "box", "thing")],
    )
    data, report = to_supervisely(neutral, meta.to_json())
    tilted, box, thing = data["objects"]
    assert tilted["geometryType"] == thing["geometryType"] == "oriented_bbox"
    assert tilted["points"] == [[-5, 15], [15, 25]] and tilted["angle"] == pytest.approx(math.pi / 2)
    assert box["points"]["exterior"] == [[0, 10], [10, 30]]  # the bounding box of the turned corners
    assert report.count("rotation", "kept") == 1  # shown as the bounding box, the angle stashed for the way back
    assert to_supervisely(neutral, meta.to_json(), stash=False)[1].count("rotation", "approximated") == 1
    back, _ = from_supervisely(data, meta.to_json())
    assert back.objects[0].shape.bounds() == pytest.approx(turned.bounds())


def test_oriented_boxes_survive_label_studio_to_within_a_float_step_of_their_angle():
    meta = sly.ProjectMeta(obj_classes=[sly.ObjClass("tilted", OrientedBBox)])
    original = sly.Annotation(
        (200, 300), [sly.Label(OrientedBBox(20, 30, 80, 130, angle=0.3), meta.get_obj_class("tilted"))]
    ).to_json()
    schema, _ = meta_to_schema(meta.to_json())
    config = build_label_config(schema)
    neutral, _ = from_supervisely(original, meta.to_json())
    ls, _ = to_labelstudio(neutral, label_config=config, schema=schema)
    back, report = to_supervisely(from_labelstudio(ls, label_config=config, schema=schema)[0], meta.to_json())
    assert back["objects"][0]["points"] == original["objects"][0]["points"] and report.lossless
    assert back["objects"][0]["angle"] == pytest.approx(0.3, rel=0, abs=1e-15)  # radians -> float degrees -> radians


def test_subpixel_coordinates_are_rounded_and_counted():
    neutral = ItemAnnotation(
        item=5, width=10, height=10, objects=[ObjectAnnotation(class_name="pin", shape=Point(x=2.4, y=3.5))]
    )
    data, report = to_supervisely(neutral, META_JSON)
    assert data["objects"][0]["points"]["exterior"] == [[2, 4]]
    assert report.count("subpixel coordinates", "kept") == 1  # the exact values ride in the stash
    assert to_supervisely(neutral, META_JSON, stash=False)[1].count("subpixel coordinates", "approximated") == 1


def test_masks_go_through_the_sdk_bitmap_encoding():
    mask = np.zeros((5, 6), bool)
    mask[1:3, 2:5] = True
    neutral = ItemAnnotation(width=6, height=5, objects=[ObjectAnnotation(class_name="kiwi", shape=Mask(data=mask))])
    data, _ = to_supervisely(neutral, META_JSON)
    bitmap = sly.Bitmap.from_json(data["objects"][0])
    assert (bitmap.origin.col, bitmap.origin.row) == (2, 1) and bitmap.data.all() and bitmap.data.shape == (2, 3)
    assert data["objects"][0]["bitmap"]["data"] == sly.Bitmap.data_2_base64(mask[1:3, 2:5])


def test_item_size_comes_from_the_item_when_the_annotation_lacks_it():
    neutral, _ = from_supervisely({"tags": [], "objects": []}, META_JSON, width=64, height=48)
    assert (neutral.width, neutral.height) == (64, 48)
    with pytest.raises(ValidationError, match="has no size"):
        from_supervisely({"tags": [], "objects": []}, META_JSON, item="a.jpg")


def test_review_status_is_counted_as_not_written():
    neutral = ItemAnnotation(width=5, height=5, review_status=ReviewStatus.REJECTED)
    _, report = to_supervisely(neutral, META_JSON, stash=False)
    assert report.count("review status", "dropped") == 1
    assert to_supervisely(neutral, META_JSON)[1].count("review status", "kept") == 1  # in the stash


def _obj(class_title, **geometry):
    return {"classTitle": class_title, "tags": [], **geometry}


@pytest.mark.parametrize(
    "objects, message",
    [
        (
            [_obj("leaf", points={"exterior": [[0, 0], [5, 5]], "interior": []})],
            r"item 'img-3', object #0 \(class 'leaf'\): a polygon needs at least 3 points, got 2",
        ),
        (
            [_obj("leaf", points={"exterior": [[0, 0], [5, 5], [0, 5]], "interior": [[[1, 1], [2, 2]]]})],
            "hole #0 needs at least 3 points",
        ),
        (
            [_obj("lemon", id=7, points={"exterior": [[0, 0]], "interior": []})],
            r"object #0 \(class 'lemon', id 7\): unknown class 'lemon'",
        ),
        (
            [
                {
                    **_obj("pin", points={"exterior": [[1, 1]], "interior": []}),
                    "tags": [{"name": "colour", "value": "red"}],
                }
            ],
            "unknown tag 'colour'",
        ),
        (
            [
                {
                    **_obj("pin", points={"exterior": [[1, 1]], "interior": []}),
                    "tags": [{"name": "weight", "value": "heavy"}],
                }
            ],
            "can not have value heavy",
        ),
        (
            [_obj("kiwi", bitmap={"origin": [8, 8], "data": sly.Bitmap.data_2_base64(np.ones((4, 4), bool))})],
            r"object #0 \(class 'kiwi'\): mask spans x 8\.\.12",
        ),
        (
            [_obj("box", points={"exterior": [[0, 0]], "interior": []})],
            r"object #0 \(class 'box'\): .*exactly two points",
        ),
    ],
)
def test_bad_supervisely_input_is_named(objects, message):
    annotation = {"size": {"height": 10, "width": 10}, "tags": [], "objects": objects}
    with pytest.raises(ValidationError, match=message):
        from_supervisely(annotation, META_JSON, item="img-3")


def test_a_negative_size_is_refused():
    with pytest.raises(ValidationError, match=r"item 'img-3': width: Input should be greater than 0"):
        from_supervisely({"size": {"height": 10, "width": -4}, "tags": [], "objects": []}, META_JSON, item="img-3")


@pytest.mark.parametrize(
    "obj, message",
    [
        (
            ObjectAnnotation(class_name="lemon", id=3, shape=Point(x=1, y=1)),
            r"object #0 \(class 'lemon', id 3\): unknown class 'lemon'",
        ),
        (ObjectAnnotation(class_name="box", shape=Point(x=1, y=1)), "a point cannot go into rectangle class 'box'"),
        (
            ObjectAnnotation(class_name="person", shape=Keypoints(points=[Keypoint(name="tail", x=1, y=1)])),
            r"keypoints \['tail'\] are not nodes",
        ),
        (
            ObjectAnnotation(class_name="thing", shape=Keypoints(points=[Keypoint(name="nose", x=1, y=1)])),
            "keypoints need a graph class",
        ),
        (
            ObjectAnnotation(class_name="pin", shape=Point(x=1, y=1), tags=[Tag(name="size", value="huge")]),
            "can not have value huge",
        ),
        (ObjectAnnotation(class_name="pin", shape=Point(x=1, y=1), tags=[Tag(name="mood")]), "unknown tag 'mood'"),
        (ObjectAnnotation(class_name="leaf", shape=Polygon(exterior=[(0, 0), (1, 0), (0, 1)])), None),
    ],
)
def test_bad_neutral_input_for_supervisely_is_named(obj, message):
    neutral = ItemAnnotation(item="img-4", width=10, height=10, objects=[obj])
    if message is None:
        to_supervisely(neutral, META_JSON)
        return
    with pytest.raises(ValidationError, match=rf"item 'img-4', {message}" if message.startswith("object") else message):
        to_supervisely(neutral, META_JSON)


def test_custom_data_is_counted_as_kept_for_the_way_back():
    tag = sly.Tag(TAGS["note"], "x", custom_data={"source": "import"})
    label = sly.Label(sly.Point(1, 1), CLASSES["pin"], tags=[tag])
    annotation = sly.Annotation((5, 5), [label], custom_data={"batch": 7}).to_json()
    neutral, report = from_supervisely(annotation, META_JSON, item="img-8")
    assert report.count("tag custom data", "kept") == 1
    assert report.count("annotation custom data", "kept") == 1
    assert to_supervisely(neutral, META_JSON)[0] == annotation


def test_an_object_of_a_kind_annobridge_lacks_is_dropped_and_counted():
    meta = sly.ProjectMeta(obj_classes=[sly.ObjClass("glow", sly.AlphaMask), sly.ObjClass("pin", sly.Point)])
    glow = np.zeros((4, 4), np.uint8)
    glow[1:3, 1:3] = 200
    labels = [
        sly.Label(sly.AlphaMask(glow), meta.get_obj_class("glow")),
        sly.Label(sly.Point(1, 2), meta.get_obj_class("pin")),
    ]
    annotation = sly.Annotation((5, 5), labels).to_json()
    neutral, report = from_supervisely(annotation, meta.to_json(), item="img-9")
    assert [o.class_name for o in neutral.objects] == ["pin"]
    assert report.losses() == ["alpha_mask object -> kept for the way back (annobridge): 1  [img-9]"]
    assert to_supervisely(neutral, meta.to_json())[0] == annotation  # Supervisely gets it back
    schema, schema_report = meta_to_schema(meta.to_json())
    assert [c.name for c in schema.classes] == ["pin"] and schema_report.count("alpha_mask class", "dropped") == 1
