"""Figures and tags one at a time through the real SDK: appended labels, multipolygons, alpha masks, copies, tags."""

from __future__ import annotations

import numpy as np
import pytest
import requests
import supervisely as sly

H, W = 60, 80


@pytest.fixture
def project(api, seed_ids, unique):
    """A project with one class per geometry the tests draw, image and object tags, and two blank images."""
    project = api.project.create(seed_ids.workspace, f"figures {unique}")
    meta = sly.ProjectMeta(
        obj_classes=[
            sly.ObjClass("box", sly.Rectangle), sly.ObjClass("area", sly.Polygon), sly.ObjClass("blob", sly.Bitmap),
            sly.ObjClass("dot", sly.Point), sly.ObjClass("regions", sly.Multipolygon),
        ],
        tag_metas=[
            sly.TagMeta("quality", sly.TagValueType.ONEOF_STRING, possible_values=["good", "bad"],
                        applicable_to=sly.TagApplicableTo.IMAGES_ONLY),
            sly.TagMeta("score", sly.TagValueType.ANY_NUMBER, applicable_to=sly.TagApplicableTo.OBJECTS_ONLY),
            sly.TagMeta("checked", sly.TagValueType.NONE),
            sly.TagMeta("note", sly.TagValueType.ANY_STRING),
        ],
    )
    meta = api.project.update_meta(project.id, meta)
    dataset = api.dataset.create(project.id, "ds")
    images = [api.image.upload_np(dataset.id, f"{k}.png", np.zeros((H, W, 3), np.uint8)) for k in (1, 2)]
    return meta, dataset, images


def _mask() -> np.ndarray:
    mask = np.zeros((H, W), bool)
    mask[10:25, 30:52] = True
    mask[30:40, 5:9] = True
    return mask


def _triangle() -> sly.Polygon:
    return sly.Polygon([sly.PointLocation(2, 3), sly.PointLocation(40, 3), sly.PointLocation(20, 50)])


def _annotation(api, meta, image_id) -> sly.Annotation:
    return sly.Annotation.from_json(api.annotation.download(image_id).annotation, meta)


def _pixels(ann: sly.Annotation) -> np.ndarray:
    canvas = np.zeros((H, W), bool)
    for label in ann.labels:
        label.geometry.draw(canvas, True)
    return canvas


def test_appended_labels_join_the_annotation_with_their_geometry_and_pixels(api, project):
    meta, _, (image, _) = project
    api.annotation.upload_ann(image.id, sly.Annotation((H, W), [sly.Label(sly.Point(5, 6), meta.get_obj_class("dot"))]))
    api.annotation.append_labels(image.id, [
        sly.Label(sly.Bitmap(_mask()), meta.get_obj_class("blob")),
        sly.Label(_triangle(), meta.get_obj_class("area"), description="appended"),
    ])
    ann = _annotation(api, meta, image.id)
    assert [label.obj_class.name for label in ann.labels] == ["dot", "blob", "area"]
    assert (ann.labels[0].geometry.row, ann.labels[0].geometry.col) == (5, 6)  # the first label is untouched
    blob = np.zeros((H, W), bool)
    ann.labels[1].geometry.draw(blob, True)
    assert (blob == _mask()).all()
    assert ann.labels[2].geometry.to_json()["points"] == _triangle().to_json()["points"]
    assert ann.labels[2].description == "appended"
    assert api.image.get_info_by_id(image.id).labels_count == 3
    [batch] = api.annotation.download_batch(project[1].id, [image.id])
    assert [o["classTitle"] for o in batch.annotation["objects"]] == ["dot", "blob", "area"]
    figures = api.image.figure.download(project[1].id, [image.id])[image.id]
    assert sorted(f.geometry_type for f in figures) == ["bitmap", "point", "polygon"]


def test_a_multipolygon_class_uploads_through_figures_bulk_add(api, project):
    meta, _, (image, _) = project
    second = sly.Polygon([sly.PointLocation(45, 60), sly.PointLocation(45, 75), sly.PointLocation(55, 70)])
    regions = sly.Multipolygon([_triangle(), second])
    ann = sly.Annotation((H, W), [
        sly.Label(regions, meta.get_obj_class("regions")),
        sly.Label(sly.Rectangle(1, 2, 8, 9), meta.get_obj_class("box"), tags=[sly.Tag(meta.get_tag_meta("score"), 3)]),
    ], img_tags=[sly.Tag(meta.get_tag_meta("quality"), "good")])
    api.annotation.upload_ann(image.id, ann)
    back = _annotation(api, meta, image.id)
    by_class = {label.obj_class.name: label for label in back.labels}
    assert set(by_class) == {"regions", "box"}
    assert [p["exterior"] for p in by_class["regions"].geometry.to_json()["parts"]] == [
        p["exterior"] for p in regions.to_json()["parts"]
    ]
    assert by_class["box"].tags.get("score").value == 3 and back.img_tags.get("quality").value == "good"
    sent = np.zeros((H, W), bool)
    regions.draw(sent, True)
    got = np.zeros((H, W), bool)
    by_class["regions"].geometry.draw(got, True)
    assert (sent == got).all() and sent.sum() > 0


def test_copy_batch_by_ids_makes_the_copy_equal_the_source(api, project):
    meta, _, (source, target) = project
    ann = sly.Annotation((H, W), [
        sly.Label(sly.Bitmap(_mask()), meta.get_obj_class("blob"), tags=[sly.Tag(meta.get_tag_meta("score"), 0.25)]),
        sly.Label(_triangle(), meta.get_obj_class("area")),
    ], img_tags=[sly.Tag(meta.get_tag_meta("quality"), "bad"), sly.Tag(meta.get_tag_meta("note"), "seen")],
        img_description="copied")
    api.annotation.upload_ann(source.id, ann)
    dot = sly.Label(sly.Point(1, 1), meta.get_obj_class("dot"))
    api.annotation.upload_ann(target.id, sly.Annotation((H, W), [dot]))
    api.annotation.copy_batch_by_ids([source.id], [target.id])

    def meaning(image_id):
        got = api.annotation.download(image_id).annotation
        keep = ("classTitle", "geometryType", "description", "bitmap", "points", "labelerLogin", "createdAt")
        return (
            got["description"],
            [(t["name"], t["value"], t["labelerLogin"]) for t in got["tags"]],
            [({k: o[k] for k in keep if k in o}, [(t["name"], t["value"]) for t in o["tags"]]) for o in got["objects"]],
        )

    assert meaning(target.id) == meaning(source.id)
    assert (_pixels(_annotation(api, meta, target.id)) == _pixels(ann)).all()
    source_ids = {o["id"] for o in api.annotation.download(source.id).annotation["objects"]}
    assert source_ids.isdisjoint(o["id"] for o in api.annotation.download(target.id).annotation["objects"])
    assert len(meaning(source.id)[2]) == 2  # the source keeps its labels


def test_copy_without_source_dates_stamps_new_ones(api, project):
    meta, _, (source, target) = project
    api.annotation.upload_ann(source.id, sly.Annotation((H, W), [sly.Label(_triangle(), meta.get_obj_class("area"))]))
    api.annotation.copy_batch_by_ids([source.id], [target.id], save_source_date=False)
    src = api.annotation.download(source.id).annotation["objects"][0]
    dst = api.annotation.download(target.id).annotation["objects"][0]
    assert dst["points"] == src["points"] and dst["createdAt"] >= src["createdAt"] and dst["id"] != src["id"]


def test_copy_refuses_lists_of_different_lengths(api, project):
    _, _, (source, target) = project
    with pytest.raises(requests.exceptions.HTTPError, match="differ in length"):
        api.post("annotations.bulk.copy", {"srcImageIds": [source.id], "destImageIds": [target.id, source.id]})


def test_image_tags_are_added_with_their_values(api, project):
    meta, _, images = project
    quality, note, checked = (meta.get_tag_meta(n) for n in ("quality", "note", "checked"))
    api.image.add_tag(images[0].id, quality.sly_id, "good")
    api.image.add_tag_batch([i.id for i in images], note.sly_id, "from a batch")
    api.image.add_tag_batch([i.id for i in images], checked.sly_id, tag_meta=checked)
    first, second = (_annotation(api, meta, i.id) for i in images)
    batch = api.annotation.download_batch(project[1].id, [i.id for i in images])
    assert [sorted(t["name"] for t in a.annotation["tags"]) for a in batch] == [
        ["checked", "note", "quality"], ["checked", "note"]
    ]
    assert {t.name: t.value for t in first.img_tags} == {"quality": "good", "note": "from a batch", "checked": None}
    assert {t.name: t.value for t in second.img_tags} == {"note": "from a batch", "checked": None}
    info = api.image.get_info_by_id(images[1].id)
    assert sorted((t["tagId"], t.get("value")) for t in info.tags) == sorted(
        [(note.sly_id, "from a batch"), (checked.sly_id, None)]
    )
    assert first.img_tags.get("quality").labeler_login == api.user.get_my_info().login


@pytest.mark.parametrize(
    "tag, value, message",
    [
        ("quality", "excellent", "value must be one of"),
        ("score", 1, "cannot be put on images"),
        ("checked", "yes", "takes no value"),
    ],
)
def test_a_wrong_image_tag_is_refused_and_no_image_gets_it(api, project, tag, value, message):
    meta, _, images = project
    with pytest.raises(requests.exceptions.HTTPError) as caught:
        api.image.add_tag_batch([i.id for i in images], meta.get_tag_meta(tag).sly_id, value)
    assert caught.value.response.status_code == 400 and message in caught.value.response.json()["error"]
    assert all(not api.annotation.download(i.id).annotation["tags"] for i in images)


def test_a_tag_goes_on_an_image_once(api, project):
    meta, _, (image, _) = project
    api.image.add_tag(image.id, meta.get_tag_meta("note").sly_id, "one")
    with pytest.raises(requests.exceptions.HTTPError, match="already on image"):
        api.image.add_tag(image.id, meta.get_tag_meta("note").sly_id, "two")
    assert [t["value"] for t in api.annotation.download(image.id).annotation["tags"]] == ["one"]


def test_object_tags_are_added_to_the_figure(api, project):
    meta, _, (image, _) = project
    api.annotation.upload_ann(image.id, sly.Annotation((H, W), [
        sly.Label(_triangle(), meta.get_obj_class("area")), sly.Label(sly.Point(4, 4), meta.get_obj_class("dot")),
    ]))
    area_id, dot_id = (o["id"] for o in api.annotation.download(image.id).annotation["objects"])
    answer = api.advanced.add_tag_to_object(meta.get_tag_meta("score").sly_id, area_id, 0.9)
    api.advanced.add_tag_to_object(meta.get_tag_meta("checked").sly_id, area_id)
    assert isinstance(answer["id"], int)
    area, dot = _annotation(api, meta, image.id).labels
    assert {t.name: t.value for t in area.tags} == {"score": 0.9, "checked": None}
    assert len(dot.tags) == 0 and dot_id != area_id
    with pytest.raises(requests.exceptions.HTTPError, match="cannot be put on objects"):
        api.advanced.add_tag_to_object(meta.get_tag_meta("quality").sly_id, dot_id, "good")
    with pytest.raises(requests.exceptions.HTTPError, match="Figure with id"):
        api.advanced.add_tag_to_object(meta.get_tag_meta("score").sly_id, 10**9, 1)


def test_get_label_by_id_gives_back_the_labels_geometry_and_tags(api, project):
    meta, dataset, (image, _) = project
    api.annotation.upload_ann(image.id, sly.Annotation((H, W), [
        sly.Label(sly.Bitmap(_mask()), meta.get_obj_class("blob"), tags=[sly.Tag(meta.get_tag_meta("score"), 7)]),
        sly.Label(_triangle(), meta.get_obj_class("area")),
    ]))
    blob_id, area_id = (o["id"] for o in api.annotation.download(image.id).annotation["objects"])
    blob = api.annotation.get_label_by_id(blob_id, meta)
    assert blob.obj_class.name == "blob" and blob.tags.get("score").value == 7
    drawn = np.zeros((H, W), bool)
    blob.geometry.draw(drawn, True)
    assert (drawn == _mask()).all()
    area = api.annotation.get_label_by_id(area_id, meta, with_tags=False)
    assert area.obj_class.name == "area" and len(area.tags) == 0
    info = api.image.figure.get_info_by_id(area_id)
    assert (info.id, info.dataset_id, info.geometry_type) == (area_id, dataset.id, "polygon")
    # figures keep the subpixel coordinates the upload sent (half a pixel on); the pixel is their floor
    floor = [[int(x), int(y)] for x, y in info.geometry["points"]["exterior"]]
    assert floor == _triangle().to_json()["points"]["exterior"]
    assert area.geometry.to_json()["points"] == _triangle().to_json()["points"]
    assert info.entity_id is None  # figure.get_info_by_id asks for imageId, not entityId: only what was asked comes
    with pytest.raises(requests.exceptions.HTTPError, match="Figure with id"):
        api.annotation.get_label_by_id(10**9, meta)


def test_figures_bulk_add_refuses_a_bad_figure_and_adds_none(api, project):
    meta, dataset, (image, _) = project
    good = {"entityId": image.id, "classId": meta.get_obj_class("dot").sly_id, "geometryType": "point",
            "geometry": {"points": {"exterior": [[1, 2]], "interior": []}}}
    wrong = dict(good, classId=meta.get_obj_class("box").sly_id)
    with pytest.raises(requests.exceptions.HTTPError, match="takes rectangle figures"):
        api.post("figures.bulk.add", {"datasetId": dataset.id, "figures": [good, wrong]})
    assert api.annotation.download(image.id).annotation["objects"] == []
    ids = api.image.figure.create_bulk([good, good], dataset_id=dataset.id)
    assert len(set(ids)) == 2 and api.image.get_info_by_id(image.id).labels_count == 2


@pytest.fixture
def alpha_project(api, seed_ids, unique):
    """A project with an alpha mask class beside a rectangle class, and two blank images."""
    project = api.project.create(seed_ids.workspace, f"alpha {unique}")
    meta = api.project.update_meta(project.id, sly.ProjectMeta(
        obj_classes=[sly.ObjClass("glow", sly.AlphaMask), sly.ObjClass("box", sly.Rectangle)],
        tag_metas=[sly.TagMeta("score", sly.TagValueType.ANY_NUMBER)],
    ))
    dataset = api.dataset.create(project.id, "ds")
    images = [api.image.upload_np(dataset.id, f"{k}.png", np.zeros((H, W, 3), np.uint8)) for k in (1, 2)]
    return meta, dataset, images


def _alpha() -> np.ndarray:
    alpha = np.zeros((H, W), np.uint8)
    alpha[5:20, 10:30] = (np.arange(20, dtype=np.uint8) * 10 + 50)[None, :]  # a gradient: every level must survive
    return alpha


def test_alpha_masks_upload_and_download_with_every_level(api, alpha_project):
    meta, _, (image, other) = alpha_project
    ann = sly.Annotation((H, W), [
        sly.Label(sly.AlphaMask(_alpha()), meta.get_obj_class("glow")),
        sly.Label(sly.Rectangle(40, 40, 50, 60), meta.get_obj_class("box")),
    ])
    api.annotation.upload_ann(image.id, ann)
    back = _annotation(api, meta, image.id)
    glow = next(label for label in back.labels if label.obj_class.name == "glow")
    sent = next(label for label in ann.labels if label.obj_class.name == "glow")
    assert (glow.geometry.data == sent.geometry.data).all() and glow.geometry.data.max() == 240
    assert (glow.geometry.origin.row, glow.geometry.origin.col) == (5, 10)
    raw = api.annotation.download(image.id).annotation  # the SDK put the bitmap there from its own download
    assert {o["geometryType"] for o in raw["objects"]} == {"alpha_mask", "rectangle"}

    api.annotation.append_labels(other.id, [sly.Label(sly.AlphaMask(_alpha()), meta.get_obj_class("glow"))])
    appended = _annotation(api, meta, other.id).labels
    assert len(appended) == 1 and (appended[0].geometry.data == sent.geometry.data).all()

    api.annotation.copy_batch_by_ids([image.id], [other.id])
    copied = _annotation(api, meta, other.id)
    assert sorted(label.obj_class.name for label in copied.labels) == ["box", "glow"]
    glow_copy = next(label for label in copied.labels if label.obj_class.name == "glow")
    assert (glow_copy.geometry.data == sent.geometry.data).all()


def test_a_geometry_upload_for_a_figure_that_holds_its_own_is_refused(api, alpha_project):
    meta, _, (image, _) = alpha_project
    api.annotation.upload_ann(image.id, sly.Annotation((H, W), [
        sly.Label(sly.Rectangle(1, 1, 5, 5), meta.get_obj_class("box"))]))
    box_id = api.annotation.download(image.id).annotation["objects"][0]["id"]
    with pytest.raises(requests.exceptions.HTTPError, match="its geometry is in the figure itself"):
        api.image.figure.upload_geometry(box_id, {"data": "x", "origin": [0, 0]})
    with pytest.raises(requests.exceptions.HTTPError, match="no geometry stored apart"):
        api.image.figure.download_geometry(box_id)
