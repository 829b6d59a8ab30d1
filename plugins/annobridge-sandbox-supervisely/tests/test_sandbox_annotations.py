"""Annotations through AnnotationApi and FigureApi: the seeded fruit masks, exact round trips, refusals."""

from __future__ import annotations

import numpy as np
import pytest
import requests
import supervisely as sly
from supervisely.api.annotation_api import AnnotationInfo
from supervisely.api.entity_annotation.figure_api import FigureInfo


@pytest.fixture
def shapes_project(api, seed_ids, unique):
    """A project with one class per common geometry and an image tag, plus one uploaded image."""
    project = api.project.create(seed_ids.workspace, f"shapes {unique}")
    meta = sly.ProjectMeta(
        obj_classes=[
            sly.ObjClass("box", sly.Rectangle), sly.ObjClass("area", sly.Polygon),
            sly.ObjClass("dot", sly.Point), sly.ObjClass("blob", sly.Bitmap), sly.ObjClass("path", sly.Polyline),
        ],
        tag_metas=[
            sly.TagMeta("quality", sly.TagValueType.ONEOF_STRING, possible_values=["good", "bad"],
                        applicable_to=sly.TagApplicableTo.IMAGES_ONLY),
            sly.TagMeta("score", sly.TagValueType.ANY_NUMBER, applicable_to=sly.TagApplicableTo.OBJECTS_ONLY),
        ],
    )
    meta = api.project.update_meta(project.id, meta)
    dataset = api.dataset.create(project.id, "ds")
    image = api.image.upload_np(dataset.id, "i.png", np.zeros((60, 80, 3), np.uint8))
    return meta, dataset, image


def test_seeded_masks_cover_the_drawn_fruit(pristine_api, seed_ids):
    api = pristine_api
    meta = sly.ProjectMeta.from_json(api.project.get_meta(seed_ids.project))
    info = api.image.get_info_by_name(seed_ids.dataset, "IMG_0748.jpeg")  # three kiwis
    ann = sly.Annotation.from_json(api.annotation.download(info.id).annotation, meta)
    pixels = api.image.download_np(info.id).astype(int)
    assert [label.obj_class.name for label in ann.labels] == ["kiwi"] * 3
    for label in ann.labels:
        assert isinstance(label.geometry, sly.Bitmap)
        assert label.tags.get("size").value in ("small", "medium", "large")
        assert label.tags.get("origin").value == "New Zealand"
        mask = np.zeros(pixels.shape[:2], bool)
        label.geometry.draw(mask, True)
        inside, outside = pixels[mask].mean(axis=0), pixels[~mask].mean(axis=0)
        assert inside[1] > outside[1]  # kiwi flesh is greener than the table
    counts = [len(api.annotation.download(i.id).annotation["objects"]) for i in api.image.get_list(seed_ids.dataset)]
    assert counts == [3, 3, 3, 2, 2, 4]  # the seed's fruit per photo


def test_lemon_masks_are_yellow(pristine_api, seed_ids):
    api = pristine_api
    meta = sly.ProjectMeta.from_json(api.project.get_meta(seed_ids.project))
    info = api.image.get_info_by_name(seed_ids.dataset, "IMG_2084.jpeg")  # two lemons
    ann = sly.Annotation.from_json(api.annotation.download(info.id).annotation, meta)
    pixels = api.image.download_np(info.id).astype(int)
    for label in ann.labels:
        assert label.obj_class.name == "lemon" and label.tags.get("origin").value == "Spain"
        mask = np.zeros(pixels.shape[:2], bool)
        label.geometry.draw(mask, True)
        r, g, b = pixels[mask].mean(axis=0)
        assert r > 180 and g > 150 and b < 120


def test_batch_download_and_list_agree_with_single_download(api, seed_ids):
    ids = [i.id for i in api.image.get_list(seed_ids.dataset)][:4]
    batch = api.annotation.download_batch(seed_ids.dataset, ids)
    assert all(isinstance(a, AnnotationInfo) for a in batch) and [a.image_id for a in batch] == ids
    for info in batch:
        assert info.annotation == api.annotation.download(info.image_id).annotation
    listed = {a.image_id: a for a in api.annotation.get_list(seed_ids.dataset)}
    assert listed[ids[0]].annotation == batch[0].annotation
    assert api.annotation.download_json_batch(seed_ids.dataset, ids[:1]) == [batch[0].annotation]


def test_every_geometry_round_trips_exactly(api, shapes_project):
    meta, dataset, image = shapes_project
    mask = np.zeros((60, 80), bool)
    mask[5:20, 30:50] = True
    score = meta.get_tag_meta("score")
    labels = [
        sly.Label(sly.Rectangle(1, 2, 30, 40), meta.get_obj_class("box"), tags=[sly.Tag(score, 0.75)]),
        sly.Label(sly.Polygon([sly.PointLocation(1, 1), sly.PointLocation(1, 50), sly.PointLocation(40, 20)],
                              interior=[[sly.PointLocation(5, 10), sly.PointLocation(5, 15), sly.PointLocation(8, 12)]]),
                  meta.get_obj_class("area")),
        sly.Label(sly.Point(10, 20), meta.get_obj_class("dot")),
        sly.Label(sly.Bitmap(mask), meta.get_obj_class("blob")),
        sly.Label(sly.Polyline([sly.PointLocation(0, 0), sly.PointLocation(59, 79)]), meta.get_obj_class("path")),
    ]
    ann = sly.Annotation((60, 80), labels, img_tags=[sly.Tag(meta.get_tag_meta("quality"), "good")],
                         img_description="checked")
    api.annotation.upload_ann(image.id, ann)
    back = sly.Annotation.from_json(api.annotation.download(image.id).annotation, meta)
    assert back.img_description == "checked" and back.img_tags.get("quality").value == "good"
    for sent, got in zip(ann.labels, back.labels):
        assert got.obj_class.name == sent.obj_class.name
        sent_json = sent.geometry.to_json()
        got_json = got.geometry.to_json()
        assert {k: got_json[k] for k in sent_json} == sent_json  # plus the server's id, classId, labelerLogin...
    assert back.labels[0].tags.get("score").value == 0.75
    assert api.image.get_info_by_id(image.id).labels_count == 5

    figures = api.image.figure.download(dataset.id, [image.id])[image.id]
    assert all(isinstance(f, FigureInfo) for f in figures) and len(figures) == 5
    box = next(f for f in figures if f.class_id == meta.get_obj_class("box").sly_id)
    assert box.geometry_type == "rectangle" and box.entity_id == image.id and box.tags[0]["value"] == 0.75
    blob = next(f for f in figures if f.geometry_type == "bitmap")
    assert (blob.bbox.top, blob.bbox.left, blob.bbox.bottom, blob.bbox.right) == (5, 30, 19, 49)
    assert blob.area == str(mask.sum())


@pytest.mark.parametrize(
    "label, message",
    [
        ({"classTitle": "ghost", "geometryType": "rectangle", "points": {"exterior": [[0, 0], [1, 1]], "interior": []}},
         "class 'ghost' is not in the project meta"),
        ({"classTitle": "box", "geometryType": "polygon", "points": {"exterior": [[0, 0], [1, 1], [0, 1]], "interior": []}},
         "takes rectangle figures"),
        ({"classTitle": "box", "geometryType": "rectangle", "points": {"exterior": [[0, 0], [1, 1]], "interior": []},
          "tags": [{"name": "quality", "value": "good"}]}, "cannot be put on objects"),
        ({"classTitle": "box", "geometryType": "rectangle", "points": {"exterior": [[0, 0], [1, 1]], "interior": []},
          "tags": [{"name": "score", "value": "high"}]}, "needs a number value"),
        ({"classTitle": "box", "geometryType": "rectangle"}, "has no geometry"),
    ],
    ids=["unknown class", "wrong geometry", "image tag on an object", "bad tag value", "no geometry"],
)
def test_bad_annotations_are_refused_and_nothing_changes(api, shapes_project, label, message):
    meta, dataset, image = shapes_project
    good = sly.Annotation((60, 80), [sly.Label(sly.Point(3, 4), meta.get_obj_class("dot"))])
    api.annotation.upload_ann(image.id, good)
    bad = {"description": "", "size": {"height": 60, "width": 80}, "tags": [], "objects": [label]}
    with pytest.raises(requests.exceptions.HTTPError) as caught:
        api.post("annotations.bulk.add", {"datasetId": dataset.id, "annotations": [{"imageId": image.id, "annotation": bad}]})
    assert caught.value.response.status_code == 400 and message in caught.value.response.json()["error"]
    assert [o["classTitle"] for o in api.annotation.download(image.id).annotation["objects"]] == ["dot"]


def test_image_from_another_dataset_is_refused(api, shapes_project, seed_ids):
    _, dataset, _ = shapes_project
    seeded = api.image.get_list(seed_ids.dataset)[0]
    empty = {"description": "", "size": {"height": 1, "width": 1}, "tags": [], "objects": []}
    with pytest.raises(requests.exceptions.HTTPError, match="is not in dataset"):
        api.post("annotations.bulk.add", {"datasetId": dataset.id, "annotations": [{"imageId": seeded.id, "annotation": empty}]})


def test_an_upload_keeps_each_figures_and_tags_author_and_the_rest_are_the_uploaders(api, shapes_project):
    meta, _, image = shapes_project
    box = sly.Label(
        sly.Rectangle(1, 2, 10, 20, labeler_login="labeler_1"),
        meta.get_obj_class("box"),
        tags=[sly.Tag(meta.get_tag_meta("score"), 0.5, labeler_login="labeler_2")],
    )
    dot = sly.Label(sly.Point(5, 5), meta.get_obj_class("dot"), tags=[sly.Tag(meta.get_tag_meta("score"), 1)])
    ann = sly.Annotation((60, 80), [box, dot], img_tags=[sly.Tag(meta.get_tag_meta("quality"), "good", labeler_login="labeler_1")])
    api.annotation.upload_ann(image.id, ann)
    got = api.annotation.download_json(image.id)
    me = api.user.get_my_info().login
    assert [o["labelerLogin"] for o in got["objects"]] == ["labeler_1", me]
    assert [[t["labelerLogin"] for t in o["tags"]] for o in got["objects"]] == [["labeler_2"], [me]]
    assert [t["labelerLogin"] for t in got["tags"]] == ["labeler_1"]
