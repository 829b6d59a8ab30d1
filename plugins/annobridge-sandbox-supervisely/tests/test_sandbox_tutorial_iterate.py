"""Supervisely's "Iterate over a project" and "Iterate over a local project" tutorials, replayed through the real SDK.

The flat case runs on the seed's "Lemons (Test)"; the nested case builds the tutorial's "Fruits (Annotated)"
(Temperate/{Apple, Pear}, Tropical/{Banana, Lemon, Mango}) through the SDK first. Each step is the
tutorial's SDK call, checked for what it means: dataset, image and label counts per class, the nesting,
and annotations equal to what was uploaded.
"""

from __future__ import annotations

import json
from collections import Counter

import numpy as np
import pytest
import supervisely as sly

PROJECT_ID, DATASET_ID = 5555, 10555  # the seed's "Lemons (Test)" and its ds1
SEED_FRUIT = {  # the seed's photos and the classes of their labels
    "IMG_4451.jpeg": ["lemon", "lemon", "kiwi"], "IMG_3861.jpeg": ["lemon", "kiwi", "kiwi"],
    "IMG_0748.jpeg": ["kiwi", "kiwi", "kiwi"], "IMG_2084.jpeg": ["lemon", "lemon"],
    "IMG_1836.jpeg": ["lemon", "kiwi"], "IMG_8144.jpeg": ["lemon", "lemon", "lemon", "kiwi"],
}
FRUITS = {"Temperate": ["Apple", "Pear"], "Tropical": ["Banana", "Lemon", "Mango"]}


@pytest.fixture
def tutorial_api(fresh_sandbox, make_api):
    """`sly.Api` on a sandbox of the test's own."""
    return make_api(fresh_sandbox)


def _labels(ann: sly.Annotation) -> list[tuple[str, list]]:
    """(class, rectangle corners) of each label, in order."""
    return [(label.obj_class.name, label.geometry.to_json()["points"]["exterior"]) for label in ann.labels]


def _fruits_project(api: sly.Api):
    """Build "Fruits (Annotated)": image k of each fruit dataset holds k + 1 boxes of its fruit; answers the uploads."""
    project = api.project.create(349, "Fruits (Annotated)")
    meta = sly.ProjectMeta(obj_classes=[sly.ObjClass(fruit.lower(), sly.Rectangle)
                                        for fruits in FRUITS.values() for fruit in fruits])
    meta = api.project.update_meta(project.id, meta)
    sent: dict[str, dict[str, sly.Annotation]] = {}
    for parent_name, children in FRUITS.items():
        parent = api.dataset.create(project.id, parent_name)
        for fruit in children:
            dataset = api.dataset.create(project.id, fruit, parent_id=parent.id)
            names = [f"{fruit.lower()}_{k}.jpg" for k in range(1, 4)]
            infos = api.image.upload_nps(dataset.id, names, [np.full((40, 60, 3), 30 * k, np.uint8) for k in range(3)])
            anns = [sly.Annotation((40, 60), labels=[
                sly.Label(sly.Rectangle(2 + 5 * j, 3, 6 + 5 * j, 9 + k), meta.get_obj_class(fruit.lower()))
                for j in range(k + 1)]) for k in range(3)]
            api.annotation.upload_anns([info.id for info in infos], anns)
            sent[fruit] = dict(zip(names, anns))
    return project, sent


def test_iterate_over_the_flat_demo_project(tutorial_api):
    api = tutorial_api
    # the tutorial's script: project info, meta, datasets (recursive), then each image's annotation
    project = api.project.get_info_by_id(PROJECT_ID)
    assert (project.name, project.images_count) == ("Lemons (Test)", 6)
    project_meta = sly.ProjectMeta.from_json(api.project.get_meta(project.id))
    assert [(c.name, c.geometry_type) for c in project_meta.obj_classes] == [("kiwi", sly.Bitmap),
                                                                             ("lemon", sly.Bitmap)]
    datasets = api.dataset.get_list(project.id, recursive=True)
    assert [(d.name, d.items_count) for d in datasets] == [("ds1", 6)]
    seen: dict[str, list[str]] = {}
    for dataset in datasets:
        images = api.image.get_list(dataset.id)
        assert len(images) == dataset.items_count
        for image in images:
            ann = sly.Annotation.from_json(api.annotation.download_json(image.id), project_meta)
            seen[image.name] = sorted(label.obj_class.name for label in ann.labels)
    assert seen == {name: sorted(fruit) for name, fruit in SEED_FRUIT.items()}
    assert Counter(c for fruit in seen.values() for c in fruit) == {"lemon": 9, "kiwi": 8}

    # step 4, the optimisation: one download_json_batch per batch gives the same annotations
    images = api.image.get_list(DATASET_ID)
    batched = {}
    for batch in sly.batched(images, batch_size=4):
        for image, ann_json in zip(batch, api.annotation.download_json_batch(DATASET_ID, [i.id for i in batch])):
            ann = sly.Annotation.from_json(ann_json, project_meta)
            batched[image.name] = sorted(label.obj_class.name for label in ann.labels)
    assert batched == seen


def test_iterate_over_the_nested_demo_project(tutorial_api):
    api = tutorial_api
    project, sent = _fruits_project(api)
    project_meta = sly.ProjectMeta.from_json(api.project.get_meta(project.id))

    # top level only by default; recursive=True includes the nested datasets
    assert [d.name for d in api.dataset.get_list(project.id)] == ["Temperate", "Tropical"]
    datasets = api.dataset.get_list(project.id, recursive=True)
    by_id = {d.id: d for d in datasets}
    assert sorted((d.name, by_id[d.parent_id].name if d.parent_id else None) for d in datasets) == sorted(
        [(parent, None) for parent in FRUITS] + [(f, p) for p, fruits in FRUITS.items() for f in fruits])
    # parents hold no images of their own: their items live in the nested datasets
    assert {d.name: d.items_count for d in datasets} == {"Temperate": 0, "Tropical": 0, "Apple": 3, "Pear": 3,
                                                        "Banana": 3, "Lemon": 3, "Mango": 3}

    # the tutorial's loop: every image's annotation equals the one uploaded
    labels_per_class: Counter = Counter()
    for dataset in datasets:
        for image in api.image.get_list(dataset.id):
            ann = sly.Annotation.from_json(api.annotation.download_json(image.id), project_meta)
            assert _labels(ann) == _labels(sent[dataset.name][image.name])
            labels_per_class.update(label.obj_class.name for label in ann.labels)
    assert labels_per_class == {fruit.lower(): 6 for fruits in FRUITS.values() for fruit in fruits}  # 1 + 2 + 3

    # the same walk through api.dataset.tree: each dataset with the path of its parents
    walked = [(tuple(path), info.name) for path, info in api.dataset.tree(project.id)]
    assert walked == [((), "Temperate"), (("Temperate",), "Apple"), (("Temperate",), "Pear"), ((), "Tropical"),
                      (("Tropical",), "Banana"), (("Tropical",), "Lemon"), (("Tropical",), "Mango")]
    # "to get all parent dataset images including nested ones": recursive image listing of a parent
    tropical = next(d for d in datasets if d.name == "Tropical")
    assert sorted(i.name for i in api.image.get_list(tropical.id, recursive=True)) == sorted(
        name for fruit in FRUITS["Tropical"] for name in sent[fruit])
    assert api.project.get_info_by_id(project.id).images_count == 15


def test_iterate_over_the_nested_project_downloaded(tutorial_api, tmp_path):
    """"Iterate over a local project": the project downloaded in Supervisely format, then read from disk."""
    api = tutorial_api
    project_info, sent = _fruits_project(api)
    sly.Project.download(api, project_info.id, str(tmp_path / "fruits"))

    project = sly.Project(str(tmp_path / "fruits"), sly.OpenMode.READ)
    assert project.total_items == 15
    assert sorted(c.name for c in project.meta.obj_classes) == ["apple", "banana", "lemon", "mango", "pear"]
    local: dict[str, dict[str, list]] = {}
    for dataset in project.datasets:
        for item_name, image_path, ann_path in dataset.items():
            with open(ann_path) as file:
                ann = sly.Annotation.from_json(json.load(file), project.meta)
            assert sly.image.read(image_path).shape == (40, 60, 3)
            local.setdefault(dataset.short_name, {})[item_name] = _labels(ann)
    assert local == {fruit: {name: _labels(ann) for name, ann in anns.items()} for fruit, anns in sent.items()}
