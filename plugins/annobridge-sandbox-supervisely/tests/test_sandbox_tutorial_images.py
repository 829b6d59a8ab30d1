"""Supervisely's "Images" tutorial (tutorial-image/src/main.py), replayed step by step through the real SDK.

Each step is the tutorial's SDK call on a sandbox of the test's own; each result is checked for what it
means: counts, names, meta, and pixels (downloads equal the uploaded bytes or, for NumPy uploads the SDK
re-encodes as JPEG, the uploaded matrix within JPEG's rounding).
"""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
import supervisely as sly
from supervisely.io.fs import get_file_hash, get_file_name
from supervisely.project.upload import upload

from annobridge_sandbox_supervisely.drawing import draw, place

WORKSPACE_ID = 349  # the seed's workspace
FRUIT = {"lemons.jpg": ["lemon", "lemon"], "grapes-1.jpg": ["kiwi"], "grapes-2.jpg": ["kiwi", "lemon"],
         "oranges-1.jpg": ["lemon"], "oranges-2.jpg": ["kiwi", "kiwi"]}


@pytest.fixture
def tutorial_api(fresh_sandbox, make_api):
    return make_api(fresh_sandbox)


@pytest.fixture
def photos(tmp_path) -> dict[str, tuple[str, list]]:
    """The tutorial's src/images/original: five fruit photos as JPEG files -> {name: (path, fruits)}."""
    folder = tmp_path / "original"
    folder.mkdir()
    rng = np.random.default_rng(7)
    out = {}
    for name, kinds in FRUIT.items():
        fruits = place(rng, 480, 320, kinds)
        data, _masks = draw(480, 320, fruits, rng)
        (folder / name).write_bytes(data)
        out[name] = (str(folder / name), fruits)
    return out


def _jpeg_close(left: np.ndarray, right: np.ndarray) -> bool:
    """Same picture after one JPEG re-encode: same shape, mean error of a level or two."""
    return left.shape == right.shape and float(np.abs(left.astype(int) - right.astype(int)).mean()) < 3


def test_the_images_tutorial(tutorial_api, photos, tmp_path):
    api = tutorial_api
    result_dir = tmp_path / "result"
    result_dir.mkdir()

    # Create a project and a dataset
    project = api.project.create(WORKSPACE_ID, "Fruits", change_name_if_conflict=True)
    dataset = api.dataset.create(project.id, "Fruits ds1")
    assert (project.name, dataset.name, dataset.project_id) == ("Fruits", "Fruits ds1", project.id)

    # Upload one image from a local path, with meta
    path = photos["lemons.jpg"][0]
    meta = {"my-field-1": "my-value-1", "my-field-2": "my-value-2"}
    image = api.image.upload_path(dataset.id, name="Lemons", path=path, meta=meta)
    # the server keeps "Lemons"; the SDK shows a name without extension with the one of its mime type
    assert (image.name, image.meta, image.hash) == ("Lemons.jpeg", meta, get_file_hash(path))
    assert (image.width, image.height, image.mime) == (480, 320, "image/jpeg")

    # Upload a list of images from local paths
    names = ["grapes-1.jpg", "grapes-2.jpg", "oranges-2.jpg", "oranges-1.jpg"]
    paths = [photos[name][0] for name in names]
    upload_info = api.image.upload_paths(dataset.id, names, paths)
    assert [i.name for i in upload_info] == names
    assert [i.hash for i in upload_info] == [get_file_hash(p) for p in paths]

    # Upload NumPy matrices
    img_np = sly.image.read(path)
    np_image_info = api.image.upload_np(dataset.id, name="Lemons-np.jpeg", img=img_np)
    names_np = [f"np-{name}" for name in names]
    imgs_np = [sly.image.read(p) for p in paths]
    np_images_info = api.image.upload_nps(dataset.id, names_np, imgs_np)
    assert (np_image_info.width, np_image_info.height) == (480, 320)
    assert [i.name for i in np_images_info] == names_np

    # Image info by id, by name, and the dataset's list
    image_info = api.image.get_info_by_id(image.id)
    assert (image_info.name, image_info.meta, image_info.dataset_id) == ("Lemons.jpeg", meta, dataset.id)
    image_info_by_name = api.image.get_info_by_name(dataset.id, get_file_name(image.name))
    assert image_info_by_name.id == image.id
    image_info_list = api.image.get_list(dataset.id)
    assert len(image_info_list) == 10 and len({i.id for i in image_info_list}) == 10

    # Download one image to a path: the very bytes uploaded
    save_path = str(result_dir / image_info.name)
    api.image.download_path(image_info.id, save_path)
    assert open(save_path, "rb").read() == open(path, "rb").read()

    # Download every image to paths: each file is what the server stores (its hash)
    image_ids = [img.id for img in image_info_list]
    save_paths = [str(result_dir / img.name) for img in image_info_list]
    api.image.download_paths(dataset.id, image_ids, save_paths)
    assert [get_file_hash(p) for p in save_paths] == [img.hash for img in image_info_list]

    # Download as RGB NumPy matrices: uploaded paths come back exactly, NumPy uploads within JPEG's rounding
    image_np = api.image.download_np(image_info.id)
    assert image_np.shape == (320, 480, 3) and (image_np == img_np).all()
    nps = api.image.download_nps(dataset.id, image_ids)
    by_id = dict(zip(image_ids, nps))
    for info, original in zip(upload_info, imgs_np):
        assert (by_id[info.id] == original).all()
    for info, original in zip(np_images_info, imgs_np):
        assert _jpeg_close(by_id[info.id], original)
    assert _jpeg_close(by_id[np_image_info.id], img_np)

    # Image meta: read it, then replace it
    assert api.image.get_info_by_id(image.id).meta == meta
    new_meta = {"my-field-3": "my-value-3", "my-field-4": "my-value-4"}
    new_image_info = api.image.update_meta(id=image.id, meta=new_meta)
    assert new_image_info["meta"] == new_meta == api.image.get_info_by_id(image.id).meta

    # Remove one image, then all the rest
    api.image.remove(image.id)
    assert api.image.get_info_by_id(image.id) is None and len(api.image.get_list(dataset.id)) == 9
    remove_ids = [img.id for img in api.image.get_list(dataset.id)]
    api.image.remove_batch(remove_ids)
    assert api.image.get_list(dataset.id) == []

    # Upload with a custom sort key taken from each image's meta
    sort_names = ["Oranges 1", "Oranges 2"]
    sort_paths = [photos["oranges-1.jpg"][0], photos["oranges-2.jpg"][0]]
    metas = [{"key-1": "a", "my-key": "b"}, {"key-1": "c", "my-key": "f"}]
    with api.image.add_custom_sort(key="my-key"):
        image_infos = api.image.upload_paths(dataset.id, names=sort_names, paths=sort_paths, metas=metas)
    assert [i.meta for i in image_infos] == [{**m, "customSort": m["my-key"]} for m in metas]

    # Upload a whole project in Supervisely format, with the same custom sort key
    project_dir = _local_project(tmp_path / "images_project", photos)
    with api.image.add_custom_sort(key="my-key"):
        upload(project_dir, api, WORKSPACE_ID, "Project with Sorting")
    project_info = api.project.get_info_by_name(WORKSPACE_ID, "Project with Sorting")
    dataset_info = api.dataset.get_list(project_info.id)[0]
    images_infos = api.image.get_list(dataset_info.id)
    assert sorted(i.name for i in images_infos) == sorted(FRUIT)
    assert {i.name: i.meta["customSort"] for i in images_infos} == {n: f"sort-{n}" for n in FRUIT}
    for info in images_infos:  # the annotations came along: one rectangle per fruit
        ann = api.annotation.download_json(info.id)
        assert len(ann["objects"]) == len(FRUIT[info.name])
    sorted_names = [i.name for i in api.image.get_list(dataset_info.id, sort="customSort")]
    assert sorted_names == sorted(FRUIT)

    # 1. put a sort value into a meta dict and send it
    new_meta = api.image.update_custom_sort({"key-1": "a", "my-key": "b"}, "sort-value")
    new_image_info = api.image.update_meta(id=images_infos[0].id, meta=new_meta)
    assert new_image_info["meta"] == {"key-1": "a", "my-key": "b", "customSort": "sort-value"}
    # 2. set it on the server directly
    api.image.set_custom_sort(new_image_info["id"], "new-sort-value")
    assert api.image.get_info_by_id(new_image_info["id"]).meta["customSort"] == "new-sort-value"
    # 3. set it on the server in bulk: the list sorted by it follows the values given
    image_ids = [img.id for img in images_infos]
    sort_values = ["1st", "2nd", "3rd", "4th", "5th"]
    api.image.set_custom_sort_bulk(image_ids, sort_values[::-1])
    images_infos = api.image.get_list(dataset_info.id)
    assert [i.meta["customSort"] for i in images_infos] == sort_values[::-1]
    by_sort = api.image.get_list(dataset_info.id, sort="customSort")
    assert [i.id for i in by_sort] == image_ids[::-1]


def _local_project(directory, photos) -> str:
    """The tutorial's src/images_project: the five photos, a rectangle per fruit, a meta file per image."""
    fruit_class = sly.ObjClass("fruit", sly.Rectangle)
    project = sly.Project(str(directory), sly.OpenMode.CREATE)
    project.set_meta(sly.ProjectMeta(obj_classes=[fruit_class], project_type=sly.ProjectType.IMAGES.value))
    dataset = project.create_dataset("original")
    for name, (path, fruits) in photos.items():
        labels = [sly.Label(sly.Rectangle(f.box[1], f.box[0], f.box[3], f.box[2]), fruit_class) for f in fruits]
        dataset.add_item_file(name, path, ann=sly.Annotation((320, 480), labels=labels))
        meta_path = dataset.get_item_meta_path(name)
        os.makedirs(os.path.dirname(meta_path), exist_ok=True)
        with open(meta_path, "w") as file:
            json.dump({"my-key": f"sort-{name}"}, file)
    return str(directory)
