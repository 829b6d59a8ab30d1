"""sly.Project.download -> sly.Project.upload round trips: every annotation of the copy equals the original's."""

from __future__ import annotations

import json

import numpy as np
import pytest
import supervisely as sly

# ids, authors and times the server gives each copy anew: not part of what an annotation means
_SERVER_KEYS = {"id", "classId", "tagId", "labelerLogin", "createdAt", "updatedAt", "sly_id", "priority"}


def _geometry_key(geometry) -> tuple:
    """A geometry compared by what it draws: bitmaps by origin and pixels, others by JSON without server keys."""
    if isinstance(geometry, sly.Bitmap):
        return ("bitmap", geometry.origin.row, geometry.origin.col, geometry.data.shape, geometry.data.tobytes())
    return (geometry.geometry_name(), json.dumps(_strip(geometry.to_json()), sort_keys=True))


def _strip(value):
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in _SERVER_KEYS}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def _canonical(ann: sly.Annotation) -> tuple:
    """(size, sorted image tags, sorted objects (class, geometry, sorted tags)) of one annotation."""
    objects = sorted(
        (label.obj_class.name, _geometry_key(label.geometry), tuple(sorted((t.name, str(t.value)) for t in label.tags)))
        for label in ann.labels
    )
    return ann.img_size, tuple(sorted((t.name, str(t.value)) for t in ann.img_tags)), tuple(objects)


def _server_annotations(api, project_id: int) -> dict[tuple, tuple]:
    """(dataset path, image name) -> (canonical annotation, image hash) of every image of the project on the server."""
    meta = sly.ProjectMeta.from_json(api.project.get_meta(project_id))
    out = {}
    for path, dataset in api.dataset.tree(project_id):
        infos = api.image.get_list(dataset.id)
        anns = api.annotation.download_batch(dataset.id, [i.id for i in infos])
        for info, ann in zip(infos, anns):
            key = (tuple(path + [dataset.name]), info.name)
            out[key] = (_canonical(sly.Annotation.from_json(ann.annotation, meta)), info.hash)
    return out


def _meta_key(meta: sly.ProjectMeta) -> tuple:
    classes = sorted((c.name, c.geometry_type.geometry_name(), c.color) for c in meta.obj_classes)
    tags = sorted((t.name, str(t.value_type), tuple(t.possible_values or ()), t.applicable_to) for t in meta.tag_metas)
    return tuple(classes), tuple(tags)


def _round_trip(api, project_id: int, workspace_id: int, tmp_path, name: str) -> int:
    """Download the project in Supervisely format, check the files against the server, upload it back; the copy's id."""
    local = tmp_path / "downloaded"
    sly.Project.download(api, project_id, str(local))
    on_disk = sly.Project(str(local), sly.OpenMode.READ)
    server = _server_annotations(api, project_id)
    files = {}
    for dataset in on_disk.datasets:
        for item in dataset.get_items_names():
            ann = dataset.get_ann(item, on_disk.meta)
            path = tuple(dataset.name.split("/"))
            pixels = sly.image.read(dataset.get_img_path(item))
            assert pixels.shape[:2] == ann.img_size
            files[(path, item)] = (_canonical(ann), sly.fs.get_file_hash(dataset.get_img_path(item)))
    assert files == server  # the files hold every annotation and the very image bytes
    copy_id, _ = sly.Project.upload(str(local), api, workspace_id, project_name=name)
    return copy_id


def test_seeded_project_survives_download_and_upload(pristine_api, seed_ids, tmp_path):
    api = pristine_api
    copy_id = _round_trip(api, seed_ids.project, seed_ids.workspace, tmp_path, "Lemons (copy)")
    assert copy_id != seed_ids.project
    original, copy = _server_annotations(api, seed_ids.project), _server_annotations(api, copy_id)
    assert len(original) == 6 and sum(len(ann[2]) for ann, _ in original.values()) == 17  # 17 tagged fruits
    assert all(tags for ann, _ in original.values() for _cls, _geom, tags in ann[2])
    assert copy == original
    original_meta = sly.ProjectMeta.from_json(api.project.get_meta(seed_ids.project))
    assert _meta_key(sly.ProjectMeta.from_json(api.project.get_meta(copy_id))) == _meta_key(original_meta)


@pytest.fixture
def rich_project(api, seed_ids, unique):
    """A project with a nested dataset and every vector shape, object tags and image tags."""
    classes = [
        sly.ObjClass("box", sly.Rectangle, color=[255, 0, 0]),
        sly.ObjClass("area", sly.Polygon, color=[0, 255, 0]),
        sly.ObjClass("line", sly.Polyline, color=[0, 0, 255]),
        sly.ObjClass("dot", sly.Point, color=[255, 255, 0]),
        sly.ObjClass("blob", sly.Bitmap, color=[0, 255, 255]),
    ]
    weather = sly.TagMeta("weather", sly.TagValueType.ONEOF_STRING, possible_values=["sun", "rain"])
    score = sly.TagMeta("score", sly.TagValueType.ANY_NUMBER)
    checked = sly.TagMeta("checked", sly.TagValueType.NONE)
    meta = sly.ProjectMeta(obj_classes=classes, tag_metas=[weather, score, checked])
    project = api.project.create(seed_ids.workspace, f"rich {unique}")
    api.project.update_meta(project.id, meta)
    meta = sly.ProjectMeta.from_json(api.project.get_meta(project.id))
    top = api.dataset.create(project.id, "top")
    inner = api.dataset.create(project.id, "inner", parent_id=top.id)
    mask = np.zeros((40, 60), dtype=bool)
    mask[5:15, 10:30] = True
    mask[20:25, 40:45] = True
    labels = [
        sly.Label(sly.Rectangle(2, 3, 20, 30), meta.get_obj_class("box"), [sly.Tag(meta.get_tag_meta("score"), 0.75)]),
        sly.Label(
            sly.Polygon([sly.PointLocation(r, c) for r, c in [(1, 1), (1, 50), (35, 50), (35, 1)]],
                        interior=[[sly.PointLocation(r, c) for r, c in [(10, 10), (10, 20), (20, 20)]]]),
            meta.get_obj_class("area"), [sly.Tag(meta.get_tag_meta("checked"))],
        ),
        sly.Label(sly.Polyline([sly.PointLocation(0, 0), sly.PointLocation(10, 40), sly.PointLocation(30, 5)]),
                  meta.get_obj_class("line")),
        sly.Label(sly.Point(12, 34), meta.get_obj_class("dot"), [sly.Tag(meta.get_tag_meta("weather"), "rain")]),
        sly.Label(sly.Bitmap(mask), meta.get_obj_class("blob")),
    ]
    for dataset, seed in ((top, 1), (inner, 2)):
        pixels = np.random.default_rng(seed).integers(0, 255, (40, 60, 3), dtype=np.uint8)
        info = api.image.upload_np(dataset.id, f"img{seed}.png", pixels)
        sunny = [sly.Tag(meta.get_tag_meta("weather"), "sun")]
        ann = sly.Annotation((40, 60), labels=labels[seed - 1 :], img_tags=sunny)
        api.annotation.upload_ann(info.id, ann)
    return project


def test_nested_project_with_every_shape_survives_download_and_upload(api, seed_ids, rich_project, tmp_path, unique):
    copy_id = _round_trip(api, rich_project.id, seed_ids.workspace, tmp_path, f"rich copy {unique}")
    original, copy = _server_annotations(api, rich_project.id), _server_annotations(api, copy_id)
    assert sorted(original) == [(("top",), "img1.png"), (("top", "inner"), "img2.png")]
    assert [len(original[key][0][2]) for key in sorted(original)] == [5, 4]
    assert copy == original
