"""Annotations of every Supervisely kind uploaded through the real SDK into the sandbox, downloaded and converted.

Supervisely -> neutral -> Supervisely is exact; Supervisely -> Label Studio -> Supervisely through the
conversions alone is exact for what both tools hold and counts every loss for the rest; what annobridge
writes is stored by the sandbox as written. The last test carries an annotation from the sandbox through
the real Label Studio server (the `labelstudio_server` fixture), which keeps what it cannot show, and
back into the sandbox whole.
"""

from __future__ import annotations

import math
import uuid
from types import SimpleNamespace

import numpy as np
import pytest
import supervisely as sly
from annobridge_labelstudio.label_config import build_label_config
from annobridge_labelstudio.regions import from_labelstudio, to_labelstudio
from annobridge_supervisely.figures import from_supervisely, to_supervisely
from annobridge_supervisely.meta import meta_to_schema
from label_studio_sdk.label_interface import LabelInterface
from supervisely.annotation.label import LabelingStatus
from supervisely.geometry.graph import KeypointsTemplate
from supervisely.geometry.oriented_bbox import OrientedBBox

import annobridge
from annobridge.schema import ShapeKind

W, H = 120, 90
SERVER_FIELDS = {"id", "createdAt", "updatedAt"}  # what the server assigns on every upload


def _template():
    template = KeypointsTemplate()
    for label, row, col in (("nose", 10, 20), ("eye", 5, 25), ("ear", 5, 30)):
        template.add_point(label, row=row, col=col)
    template.add_edge("nose", "eye")
    config = template.config
    config["nodes"] = {f"n-{label}": node for label, node in config["nodes"].items()}  # ids are not labels
    config["edges"] = [{**e, "src": f"n-{e['src']}", "dst": f"n-{e['dst']}"} for e in config["edges"]]
    return config


def _meta():
    classes = [
        sly.ObjClass("box", sly.Rectangle, color=[255, 0, 0]),
        sly.ObjClass("tilted", OrientedBBox, color=[128, 0, 0]),
        sly.ObjClass("leaf", sly.Polygon, color=[0, 255, 0]),
        sly.ObjClass("road", sly.Polyline, color=[0, 0, 255]),
        sly.ObjClass("pin", sly.Point, color=[255, 255, 0]),
        sly.ObjClass("person", sly.GraphNodes, color=[0, 255, 255], geometry_config=_template()),
        sly.ObjClass("kiwi", sly.Bitmap, color=[255, 0, 255]),
        sly.ObjClass("thing", sly.AnyGeometry, color=[9, 9, 9]),
        sly.ObjClass("glow", sly.AlphaMask, color=[200, 200, 200]),  # a class annobridge has no shape for
    ]
    tags = [
        sly.TagMeta(
            "size",
            sly.TagValueType.ONEOF_STRING,
            possible_values=["small", "large"],
            applicable_to=sly.TagApplicableTo.OBJECTS_ONLY,
            applicable_classes=["box", "kiwi"],
        ),
        sly.TagMeta("note", sly.TagValueType.ANY_STRING, color=[1, 2, 3]),
        sly.TagMeta("weight", sly.TagValueType.ANY_NUMBER, color=[4, 5, 6]),
        sly.TagMeta("flag", sly.TagValueType.NONE, applicable_to=sly.TagApplicableTo.IMAGES_ONLY),
        sly.TagMeta("ripe", sly.TagValueType.NONE, applicable_to=sly.TagApplicableTo.OBJECTS_ONLY),
    ]
    return sly.ProjectMeta(obj_classes=classes, tag_metas=tags)


def _disc(cx, cy, r):
    rows, cols = np.ogrid[:H, :W]
    return (rows - cy) ** 2 + (cols - cx) ** 2 <= r * r


def _annotation(meta):
    """One of every kind; the second leaf has a hole and the second person a hidden node (Label Studio has neither)."""
    c, t = meta.get_obj_class, meta.get_tag_meta
    pt = sly.PointLocation
    nodes = {"n-nose": sly.Node(pt(20, 30)), "n-eye": sly.Node(pt(15, 35)), "n-ear": sly.Node(pt(14, 40))}
    hidden = {**nodes, "n-ear": sly.Node(pt(60, 70), disabled=True)}
    labels = [
        sly.Label(
            sly.Rectangle(5, 10, 40, 60),
            c("box"),
            tags=[sly.Tag(t("size"), "large"), sly.Tag(t("note"), "a box")],
            description="first",
        ),
        sly.Label(OrientedBBox(20, 30, 50, 90, angle=0.3), c("tilted")),
        sly.Label(sly.Polygon([pt(1, 1), pt(1, 50), pt(40, 20), pt(30, 5)]), c("leaf"), status=LabelingStatus.AUTO),
        sly.Label(
            sly.Polygon([pt(50, 50), pt(50, 110), pt(89, 80)], interior=[[pt(60, 70), pt(60, 90), pt(70, 80)]]),
            c("leaf"),
        ),
        sly.Label(sly.Polyline([pt(0, 0), pt(45, 60), pt(89, 119)]), c("road")),
        sly.Label(
            sly.Point(7, 8),
            c("pin"),
            tags=[sly.Tag(t("weight"), 2.5), sly.Tag(t("ripe"))],
            status=LabelingStatus.CORRECTED,
        ),
        sly.Label(sly.GraphNodes(nodes), c("person")),
        sly.Label(sly.GraphNodes(hidden), c("person")),
        sly.Label(sly.Bitmap(_disc(60, 45, 12) | _disc(100, 20, 5)), c("kiwi"), tags=[sly.Tag(t("size"), "small")]),
        sly.Label(sly.Point(3, 4), c("thing")),
        sly.Label(sly.Rectangle(60, 60, 80, 100), c("thing")),
    ]
    img_tags = [sly.Tag(t("note"), "photo"), sly.Tag(t("weight"), -7), sly.Tag(t("flag"))]
    return sly.Annotation((H, W), labels, img_tags=img_tags, img_description="checked")


@pytest.fixture(scope="module")
def world(api, seed_ids):
    """A project of every kind in the sandbox, three blank images, and the first one annotated through the SDK."""
    project = api.project.create(seed_ids.workspace, f"figures {uuid.uuid4().hex[:8]}")
    meta = api.project.update_meta(project.id, _meta())
    dataset = api.dataset.create(project.id, "ds")
    images = [api.image.upload_np(dataset.id, f"{n}.png", np.zeros((H, W, 3), np.uint8)) for n in range(3)]
    api.annotation.upload_json(images[0].id, _annotation(meta).to_json())
    stored = api.annotation.download_json(images[0].id)
    yield SimpleNamespace(
        meta=meta,
        meta_json=api.project.get_meta(project.id),
        images=images,
        stored=stored,
        canonical=sly.Annotation.from_json(stored, meta).to_json(),
    )
    api.project.remove(project.id)


def _content(annotation):
    """An annotation JSON (the SDK's form) without what the server assigns: ids and timestamps of objects and tags."""

    def clean(entry):
        return {k: v for k, v in entry.items() if k not in SERVER_FIELDS}

    objects = [{**clean(o), "tags": [clean(t) for t in o["tags"]]} for o in annotation["objects"]]
    return {**annotation, "objects": objects, "tags": [clean(t) for t in annotation["tags"]]}


def test_supervisely_to_neutral_to_supervisely_is_exact(world):
    stored = world.stored
    assert len(stored["objects"]) == 11 and all(o["id"] for o in stored["objects"])
    neutral, report = from_supervisely(stored, world.meta_json, item=world.images[0].id)
    assert report.lossless, str(report)
    kinds = [o.shape.kind for o in neutral.objects]
    assert kinds == [
        "rectangle",
        "rectangle",
        "polygon",
        "polygon",
        "polyline",
        "point",
        "keypoints",
        "keypoints",
        "mask",
        "point",
        "rectangle",
    ]
    box, tilted, leaf, holed, *_ = neutral.objects
    assert (box.shape.x, box.shape.y, box.shape.width, box.shape.height) == (10, 5, 50, 35)
    assert float(tilted.shape.rotation) == pytest.approx(math.degrees(0.3), abs=1e-12)
    assert holed.shape.interiors == (((70, 60), (90, 60), (80, 70)),)
    assert [p.visible for p in neutral.objects[7].shape.points] == [True, True, False]
    assert np.array_equal(neutral.objects[8].shape.to_image(W, H), _disc(60, 45, 12) | _disc(100, 20, 5))
    assert neutral.objects[5].tags[0].value == 2.5 and neutral.objects[5].origin.value == "model_corrected"
    assert [(t.name, t.value) for t in neutral.tags] == [("note", "photo"), ("weight", -7), ("flag", None)]
    back, back_report = to_supervisely(neutral, world.meta_json)
    assert back_report.lossless, str(back_report)
    assert back == world.canonical  # the stored JSON as the SDK writes it: every id, time and author kept
    assert sly.Annotation.from_json(back, world.meta).to_json() == back


def test_what_annobridge_writes_is_stored_as_written(api, world):
    neutral, _ = from_supervisely(world.stored, world.meta_json, item=world.images[0].id)
    written, _ = to_supervisely(neutral, world.meta_json)
    api.annotation.upload_json(world.images[1].id, written)
    again = sly.Annotation.from_json(api.annotation.download_json(world.images[1].id), world.meta).to_json()
    assert _content(again) == _content(written)
    assert from_supervisely(again, world.meta_json)[0].objects[8].shape == neutral.objects[8].shape


def _label_studio_trip(neutral, schema, config):
    """neutral -> Label Studio (checked by LabelInterface) -> neutral, with the item's size given, as a provider does."""
    ls, to_ls = to_labelstudio(neutral, label_config=config, schema=schema)
    assert LabelInterface(config).validate_annotation(ls)
    return ls, to_ls


def test_supervisely_to_label_studio_to_supervisely_is_exact_for_what_both_hold(world):
    schema, schema_report = meta_to_schema(world.meta_json)
    assert [schema_report.count(k) for k in ("alpha_mask class", "oriented_bbox class")] == [1, 1]
    assert schema.object_class("tilted").shape is ShapeKind.RECTANGLE
    config = build_label_config(schema)
    image = world.images[0]
    neutral, _ = from_supervisely(world.stored, world.meta_json, item=image.id)
    ls, to_ls = _label_studio_trip(neutral, schema, config)
    objects, tags = world.stored["objects"], [t for o in world.stored["objects"] for t in o["tags"]]
    assert to_ls.count("polygon hole", "dropped") == 1 and to_ls.count("hidden keypoint", "dropped") == 1
    assert to_ls.count("object timestamps", "dropped") == len(objects)
    assert to_ls.count("tag timestamps", "dropped") == len(tags) + len(world.stored["tags"])
    assert to_ls.count("item description", "dropped") == 1 and to_ls.count("rotation", "approximated") == 1
    assert to_ls.count("coordinates", "approximated") == 1  # the oriented box's corner, as a float percentage
    assert to_ls.count(outcome="dropped") + to_ls.count(outcome="approximated") == 5 + len(objects) + len(tags) + 3
    again, from_ls = from_labelstudio(
        ls, label_config=config, schema=schema, item=image.id, width=image.width, height=image.height
    )
    assert from_ls.lossless, str(from_ls)
    back, to_sly = to_supervisely(again, world.meta_json, stash=False)  # the conversions alone (test_keep_*: all)
    assert to_sly.lossless, str(to_sly)
    sly.Annotation.from_json(back, world.meta)
    _assert_same_but_losses(back, world.canonical)


def _assert_same_but_losses(back, stored):
    """`back` is `stored` but for the counted losses: ids, timestamps, the description, one hole, one hidden node,
    and the oriented box's angle, which comes back to within a float step."""
    sent = _content(stored)
    got = _content(back)
    assert got["description"] == "" and got["tags"] == sent["tags"] and got["size"] == sent["size"]
    expected = sent["objects"]
    assert len(got["objects"]) == len(expected)
    for n, (mine, theirs) in enumerate(zip(got["objects"], expected)):
        if n == 1:  # the oriented box
            assert mine["points"] == theirs["points"] and mine["angle"] == pytest.approx(theirs["angle"], abs=1e-15)
            mine, theirs = {**mine, "angle": 0}, {**theirs, "angle": 0}
        elif n == 3:  # the hole
            theirs = {**theirs, "points": {**theirs["points"], "interior": []}}
        elif n == 7:  # the hidden node
            theirs = {**theirs, "nodes": {k: v for k, v in theirs["nodes"].items() if not v.get("disabled")}}
        assert mine == theirs, f"object #{n}"


def test_the_real_label_studio_server_carries_a_sandbox_annotation_back_into_the_sandbox(
    api, world, labelstudio_server
):
    """Through both providers' neutral annotations APIs: what Label Studio cannot show it keeps for the way back."""
    schema, _ = meta_to_schema(world.meta_json)
    image = world.images[0]
    neutral, _ = from_supervisely(world.stored, world.meta_json, item=image.id)
    with annobridge.connect(labelstudio_server.backend_url, token=labelstudio_server.token) as ls_backend:
        project = ls_backend.projects.create(f"from-sandbox-{uuid.uuid4().hex[:8]}", schema=schema)
        try:
            assert ls_backend.projects.get_schema(project.id) == schema
            (task,) = ls_backend.items.add(project.id, [{"image": f"http://example.invalid/{image.name}"}])
            to_ls = ls_backend.annotations.write(project.id, [neutral.model_copy(update={"item": task})])
            (stored_ls,) = ls_backend.annotations.get(task)
        finally:
            ls_backend.projects.delete(project.id)
    assert to_ls.count("polygon hole", "kept") == 1 and to_ls.count("hidden keypoint", "kept") == 1
    assert to_ls.count("rotation", "kept") == 1
    assert (stored_ls.width, stored_ls.height) == (image.width, image.height)
    # Label Studio's annotator is its own user id; the sandbox's admin stands in for it
    again = stored_ls.model_copy(update={"author": "admin", "item": image.id})
    written, to_sly = to_supervisely(again, world.meta_json)
    assert to_sly.lossless, str(to_sly)
    api.annotation.upload_json(world.images[2].id, written)
    carried = sly.Annotation.from_json(api.annotation.download_json(world.images[2].id), world.meta).to_json()
    assert _content(carried) == _content(world.canonical)  # the hole, the hidden node, the description, the angle
