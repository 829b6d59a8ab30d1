"""Supervisely's image tutorials on labels, replayed step by step through the real SDK on a sandbox of their own.

"Image and object tags" (tutorial-images-objects-tags), "Spatial labels on images", "Keypoints (skeletons)"
(keypoints-labeling-example/main.py) and multipolygons: each step is the tutorial's SDK call, and each
result is checked for what it means (counts, values, geometry, pixels), not only that it ran.
"""

from __future__ import annotations

import numpy as np
import pytest
import requests
import supervisely as sly
from supervisely.geometry.graph import KeypointsTemplate

PROJECT_ID, DATASET_ID = 5555, 10555  # the seed's "Lemons (Test)" and its ds1
FRUIT_PER_PHOTO = [3, 3, 3, 2, 2, 4]  # labels on the seed's six photos, in listing order


def _shape(label: sly.Label) -> dict:
    """A label's geometry without the server's id, author and dates."""
    return {k: v for k, v in label.geometry.to_json().items() if k in ("points", "bitmap", "nodes", "parts")}


@pytest.fixture
def tutorial_api(fresh_sandbox, make_api):
    """`sly.Api` on a sandbox of the test's own: the tutorials change the seeded project's meta."""
    return make_api(fresh_sandbox)


def test_the_image_and_object_tags_tutorial(tutorial_api):
    api = tutorial_api
    # Step 1: the project meta from the server
    project_meta = sly.ProjectMeta.from_json(api.project.get_meta(PROJECT_ID))
    assert [c.name for c in project_meta.obj_classes] == ["kiwi", "lemon"]

    # Step 2: new tag metas, one for images and one per class for objects, sent with update_meta
    fruits_count = sly.TagMeta(
        "fruits_count", sly.TagValueType.ANY_NUMBER, applicable_to=sly.TagApplicableTo.IMAGES_ONLY
    )
    lemon_tag = sly.TagMeta("lemon_tag", sly.TagValueType.NONE, applicable_to=sly.TagApplicableTo.OBJECTS_ONLY,
                            applicable_classes=["lemon"])
    kiwi_tag = sly.TagMeta("kiwi_tag", sly.TagValueType.ANY_STRING, applicable_to=sly.TagApplicableTo.OBJECTS_ONLY,
                           applicable_classes=["kiwi"])
    reviewed = sly.TagMeta("reviewed", sly.TagValueType.ONEOF_STRING, possible_values=["yes", "no"])
    project_meta = project_meta.add_tag_metas([fruits_count, lemon_tag, kiwi_tag, reviewed])
    api.project.update_meta(PROJECT_ID, project_meta)

    # Step 3: read the meta back to get the server's tag ids
    project_meta = sly.ProjectMeta.from_json(api.project.get_meta(PROJECT_ID))
    fruits_count, lemon_tag, kiwi_tag, reviewed = (
        project_meta.get_tag_meta(n) for n in ("fruits_count", "lemon_tag", "kiwi_tag", "reviewed")
    )
    assert all(isinstance(t.sly_id, int) for t in (fruits_count, lemon_tag, kiwi_tag, reviewed))

    # Step 4: tag every image with its number of fruit, and every fruit with its class's tag
    images = api.image.get_list(DATASET_ID)
    for image in images:
        ann = sly.Annotation.from_json(api.annotation.download_json(image.id), project_meta)
        api.image.add_tag(image.id, fruits_count.sly_id, value=len(ann.labels))
        for label in ann.labels:
            if label.obj_class.name == "lemon":
                api.advanced.add_tag_to_object(lemon_tag.sly_id, label.geometry.sly_id)
            else:
                api.advanced.add_tag_to_object(kiwi_tag.sly_id, label.geometry.sly_id, value=f"kiwi on {image.name}")

    # Step 5: one tag for all images at once
    api.image.add_tag_batch([i.id for i in images], reviewed.sly_id, value="yes", tag_meta=reviewed)

    # the tags are on the images and objects, with their values
    counts = []
    for image in images:
        ann = sly.Annotation.from_json(api.annotation.download_json(image.id), project_meta)
        counts.append(ann.img_tags.get("fruits_count").value)
        assert ann.img_tags.get("reviewed").value == "yes"
        assert {t.name for t in ann.img_tags} == {"fruits_count", "reviewed"}
        for label in ann.labels:
            names = {t.name: t.value for t in label.tags}
            if label.obj_class.name == "lemon":
                assert names["lemon_tag"] is None and "kiwi_tag" not in names
            else:
                assert names["kiwi_tag"] == f"kiwi on {image.name}" and "lemon_tag" not in names
            assert {"size", "origin"} <= set(names)  # the seed's own tags stay
    assert counts == FRUIT_PER_PHOTO
    infos = {i.id: i for i in api.image.get_list(DATASET_ID)}
    assert all({t["tagId"] for t in infos[i.id].tags} == {fruits_count.sly_id, reviewed.sly_id} for i in images)

    # a tag meant for lemons does not go on a kiwi
    kiwi = next(o for i in images for o in api.annotation.download_json(i.id)["objects"] if o["classTitle"] == "kiwi")
    with pytest.raises(requests.exceptions.HTTPError, match="does not apply to class 'kiwi'"):
        api.advanced.add_tag_to_object(lemon_tag.sly_id, kiwi["id"])


def test_the_spatial_labels_tutorial(tutorial_api, seed_ids):
    api = tutorial_api
    # Step 1: a project with one class per shape, and an image
    project = api.project.create(seed_ids.workspace, "Spatial labels", change_name_if_conflict=True)
    dataset = api.dataset.create(project.id, "ds0")
    classes = {
        "lemon": sly.ObjClass("lemon", sly.Rectangle, color=[255, 255, 0]),
        "kiwi": sly.ObjClass("kiwi", sly.Bitmap, color=[0, 255, 0]),
        "orange": sly.ObjClass("orange", sly.Polygon, color=[255, 128, 0]),
        "seed": sly.ObjClass("seed", sly.Point),
        "stem": sly.ObjClass("stem", sly.Polyline),
    }
    project_meta = api.project.update_meta(project.id, sly.ProjectMeta(obj_classes=list(classes.values())))
    height, width = 300, 400
    image = api.image.upload_np(dataset.id, "fruit.png", np.full((height, width, 3), 40, np.uint8))

    # Step 2: labels of each shape: a rectangle, a mask drawn with numpy, a polygon with a hole, a point, a line
    mask = np.zeros((height, width), bool)
    mask[50:120, 200:260] = True
    orange = sly.Polygon(
        [sly.PointLocation(150, 20), sly.PointLocation(150, 120), sly.PointLocation(280, 120),
         sly.PointLocation(280, 20)],
        interior=[[sly.PointLocation(200, 50), sly.PointLocation(200, 80), sly.PointLocation(230, 80)]],
    )
    labels = [
        sly.Label(sly.Rectangle(top=10, left=20, bottom=110, right=150), project_meta.get_obj_class("lemon")),
        sly.Label(sly.Bitmap(mask), project_meta.get_obj_class("kiwi")),
        sly.Label(orange, project_meta.get_obj_class("orange")),
        sly.Label(sly.Point(row=250, col=300), project_meta.get_obj_class("seed")),
    ]
    ann = sly.Annotation(img_size=[height, width], labels=labels)

    # Step 3: upload, then append one more label, as the tutorial does
    api.annotation.upload_ann(image.id, ann)
    stem = sly.Polyline([sly.PointLocation(40, 230), sly.PointLocation(20, 240), sly.PointLocation(10, 260)])
    api.annotation.append_labels(image.id, [sly.Label(stem, project_meta.get_obj_class("stem"))])

    # Step 4: download and read back: every label, with its geometry, and the pixels it covers
    back = sly.Annotation.from_json(api.annotation.download_json(image.id), project_meta)
    assert [label.obj_class.name for label in back.labels] == ["lemon", "kiwi", "orange", "seed", "stem"]
    rect = back.labels[0].geometry
    assert (rect.top, rect.left, rect.bottom, rect.right) == (10, 20, 110, 150)
    assert rect.area == 101 * 131
    assert _shape(back.labels[2]) == _shape(labels[2])
    assert back.labels[4].geometry.to_json()["points"] == stem.to_json()["points"]
    for sent, got in zip([*labels, sly.Label(stem, project_meta.get_obj_class("stem"))], back.labels):
        a, b = np.zeros((height, width), bool), np.zeros((height, width), bool)
        sent.geometry.draw(a, True)
        got.geometry.draw(b, True)
        assert (a == b).all() and a.any()
    rendered = np.zeros((height, width, 3), np.uint8)
    back.draw(rendered)
    assert (rendered[mask] == [0, 255, 0]).all()  # the kiwi mask in the kiwi's colour

    # Step 5: one label by its id, and the annotation copied to a second image
    kiwi_id = api.annotation.download_json(image.id)["objects"][1]["id"]
    kiwi = api.annotation.get_label_by_id(kiwi_id, project_meta)
    drawn = np.zeros((height, width), bool)
    kiwi.geometry.draw(drawn, True)
    assert kiwi.obj_class.name == "kiwi" and (drawn == mask).all()
    copy = api.image.upload_np(dataset.id, "copy.png", np.full((height, width, 3), 40, np.uint8))
    api.annotation.copy_batch_by_ids([image.id], [copy.id])
    copied = sly.Annotation.from_json(api.annotation.download_json(copy.id), project_meta)
    assert [_shape(lb) for lb in copied.labels] == [_shape(lb) for lb in back.labels]
    assert api.image.get_info_by_id(copy.id).labels_count == 5


def test_the_keypoints_tutorial(tutorial_api, seed_ids):
    api = tutorial_api
    # Step 1: the keypoints template: 17 points and the 19 edges between them
    points = {
        "nose": (635, 427), "left_eye": (597, 404), "right_eye": (685, 401), "left_ear": (575, 431),
        "right_ear": (723, 425), "left_shoulder": (502, 614), "right_shoulder": (794, 621),
        "left_elbow": (456, 867), "right_elbow": (837, 874), "left_wrist": (446, 1066), "right_wrist": (845, 1073),
        "left_hip": (557, 1035), "right_hip": (743, 1043), "left_knee": (541, 1406), "right_knee": (751, 1421),
        "left_ankle": (501, 1760), "right_ankle": (774, 1765),
    }
    edges = [
        ("left_ankle", "left_knee"), ("left_knee", "left_hip"), ("right_ankle", "right_knee"),
        ("right_knee", "right_hip"), ("left_hip", "right_hip"), ("left_shoulder", "left_hip"),
        ("right_shoulder", "right_hip"), ("left_shoulder", "right_shoulder"), ("left_shoulder", "left_elbow"),
        ("right_shoulder", "right_elbow"), ("left_elbow", "left_wrist"), ("right_elbow", "right_wrist"),
        ("left_eye", "right_eye"), ("nose", "left_eye"), ("nose", "right_eye"), ("left_eye", "left_ear"),
        ("right_eye", "right_ear"), ("left_ear", "left_shoulder"), ("right_ear", "right_shoulder"),
    ]
    template = KeypointsTemplate()
    for name, (row, col) in points.items():
        template.add_point(label=name, row=row, col=col)
    for src, dst in edges:
        template.add_edge(src=src, dst=dst)

    # Step 2: project, dataset, the "person" class with the template, and the image
    project = api.project.create(seed_ids.workspace, "Human Pose Estimation", change_name_if_conflict=True)
    dataset = api.dataset.create(project.id, "Person with dog", change_name_if_conflict=True)
    person = sly.ObjClass("person", geometry_type=sly.GraphNodes, geometry_config=template)
    project_meta = sly.ProjectMeta(obj_classes=[person])
    api.project.update_meta(project.id, project_meta.to_json())
    image_info = api.image.upload_np(dataset.id, "person_with_dog.png", np.full((900, 1000, 3), 200, np.uint8))

    # Step 3: the graph of one person, labelled and uploaded
    pose = {
        "nose": (146, 702), "left_eye": (130, 644), "right_eye": (135, 701), "left_ear": (137, 642),
        "right_ear": (142, 705), "left_shoulder": (221, 595), "right_shoulder": (226, 738),
        "left_elbow": (335, 564), "right_elbow": (342, 765), "left_wrist": (429, 555), "right_wrist": (438, 784),
        "left_hip": (448, 620), "right_hip": (451, 713), "left_knee": (598, 591), "right_knee": (602, 715),
        "left_ankle": (761, 573), "right_ankle": (766, 709),
    }
    nodes = [sly.Node(label=name, row=row, col=col) for name, (row, col) in pose.items()]
    ann = sly.Annotation(img_size=[900, 1000], labels=[sly.Label(sly.GraphNodes(nodes), person)])
    api.annotation.upload_ann(image_info.id, ann)

    # Step 4: download the image and annotation, and draw it
    image = api.image.download_np(image_info.id)
    ann_json = api.annotation.download_json(image_info.id)
    server_meta = sly.ProjectMeta.from_json(api.project.get_meta(project.id))
    ann = sly.Annotation.from_json(ann_json, server_meta)
    graph = ann.labels[0].geometry
    assert isinstance(graph, sly.GraphNodes)
    assert {name: (node.location.row, node.location.col) for name, node in graph.nodes.items()} == pose
    config = server_meta.get_obj_class("person").geometry_config
    assert len(config["nodes"]) == 17 and len(config["edges"]) == 19
    assert {n["label"] for n in config["nodes"].values()} == set(points)
    before = image.copy()
    ann.draw_pretty(image, thickness=3)
    changed = (image != before).any(axis=-1)
    row, col = pose["nose"]
    assert changed[row - 2 : row + 3, col - 2 : col + 3].any() and not changed[880:, :40].any()


def test_the_multipolygons_tutorial(tutorial_api, seed_ids):
    api = tutorial_api
    # Step 1: a class of multipolygons, and an image
    project = api.project.create(seed_ids.workspace, "Multipolygons", change_name_if_conflict=True)
    dataset = api.dataset.create(project.id, "ds0")
    project_meta = api.project.update_meta(
        project.id, sly.ProjectMeta(obj_classes=[sly.ObjClass("fruits", sly.Multipolygon, color=[255, 0, 0])])
    )
    image = api.image.upload_np(dataset.id, "fruits.png", np.zeros((200, 300, 3), np.uint8))

    # Step 2: one label made of two polygons, the second with a hole
    first = sly.Polygon([sly.PointLocation(10, 10), sly.PointLocation(10, 90), sly.PointLocation(80, 50)])
    second = sly.Polygon(
        [sly.PointLocation(100, 150), sly.PointLocation(100, 280), sly.PointLocation(190, 280),
         sly.PointLocation(190, 150)],
        interior=[[sly.PointLocation(130, 180), sly.PointLocation(130, 220), sly.PointLocation(160, 220),
                   sly.PointLocation(160, 180)]],
    )
    fruits = sly.Multipolygon([first, second])
    ann = sly.Annotation(img_size=[200, 300], labels=[sly.Label(fruits, project_meta.get_obj_class("fruits"))])

    # Step 3: upload (the SDK sends multipolygons with figures.bulk.add) and download
    api.annotation.upload_ann(image.id, ann)
    back = sly.Annotation.from_json(api.annotation.download_json(image.id), project_meta)
    assert len(back.labels) == 1 and isinstance(back.labels[0].geometry, sly.Multipolygon)
    parts = back.labels[0].geometry.to_json()["parts"]
    assert parts == fruits.to_json()["parts"]

    # the label covers the two polygons' pixels and not the hole
    got = np.zeros((200, 300), bool)
    back.labels[0].geometry.draw(got, True)
    expected = np.zeros((200, 300), bool)
    first.draw(expected, True)
    second.draw(expected, True)
    assert (got == expected).all()
    assert not got[140:150, 190:210].any() and got[105, 155] and got[30, 40]
    assert api.image.get_info_by_id(image.id).labels_count == 1
