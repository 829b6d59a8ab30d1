"""projects.clone and the tasks API: ProjectApi.clone(_advanced), TaskApi.wait/get_status/get_info_by_id/get_list."""

from __future__ import annotations

import numpy as np
import pytest
import requests
import supervisely as sly

# what a copy is allowed to change: its own ids, the references to them and the time it was made
VOLATILE = {"id", "classId", "tagId", "figureId", "createdAt", "updatedAt", "entityId", "objectId"}


def neutral(value):
    """An annotation JSON without ids and timestamps, so a source and its copy compare equal."""
    if isinstance(value, dict):
        return {key: neutral(item) for key, item in value.items() if key not in VOLATILE}
    if isinstance(value, list):
        return [neutral(item) for item in value]
    return value


def project_contents(api, project_id: int) -> dict:
    """{dataset path: {image name: (pixels, neutral annotation)}} of a project, nested datasets included."""
    contents = {}
    for parents, dataset in api.dataset.tree(project_id):
        path = "/".join([*parents, dataset.name])
        images = api.image.get_list(dataset.id)
        annotations = api.annotation.download_json_batch(dataset.id, [image.id for image in images])
        contents[path] = {
            image.name: (api.image.download_bytes(dataset.id, [image.id])[0], neutral(annotation))
            for image, annotation in zip(images, annotations)
        }
    return contents


def clone_and_wait(api, project_id: int, workspace_id: int, name: str) -> tuple[int, int]:
    """The cloning tutorial's Option 4: (task id, new project id)."""
    task_id = api.project.clone(project_id, workspace_id, name)
    api.task.wait(task_id, api.task.Status.FINISHED)
    return task_id, api.task.get_info_by_id(task_id)["meta"]["output"]["project"]["id"]


@pytest.fixture
def tagged_project(api, seed_ids, unique):
    """A project with nested datasets, an image tag, an object tag and multiview grouping by a tag."""
    meta = sly.ProjectMeta(
        obj_classes=[sly.ObjClass("box", sly.Rectangle), sly.ObjClass("area", sly.Polygon)],
        tag_metas=[
            sly.TagMeta("weather", sly.TagValueType.ONEOF_STRING, possible_values=["sun", "rain"]),
            sly.TagMeta("score", sly.TagValueType.ANY_NUMBER),
        ],
    )
    project = api.project.create(seed_ids.workspace, f"tagged {unique}")
    stored = api.project.update_meta(project.id, meta)
    top = api.dataset.create(project.id, "top")
    inner = api.dataset.create(project.id, "inner", parent_id=top.id)
    for dataset, shade in ((top, 40), (inner, 200)):
        image = api.image.upload_np(dataset.id, f"{dataset.name}.png", np.full((30, 40, 3), shade, np.uint8))
        box = sly.Label(sly.Rectangle(2, 3, 20, 30), stored.get_obj_class("box"),
                        tags=sly.TagCollection([sly.Tag(stored.get_tag_meta("score"), 0.75)]))
        area = sly.Label(sly.Polygon([sly.PointLocation(1, 1), sly.PointLocation(1, 20), sly.PointLocation(25, 10)]),
                         stored.get_obj_class("area"))
        ann = sly.Annotation((30, 40), labels=[box, area],
                             img_tags=sly.TagCollection([sly.Tag(stored.get_tag_meta("weather"), "rain")]))
        api.annotation.upload_ann(image.id, ann)
    return project


def test_clone_copies_meta_datasets_images_and_annotations(api, seed_ids, unique):
    task_id, clone_id = clone_and_wait(api, seed_ids.project, seed_ids.workspace, f"Lemons copy {unique}")
    assert api.task.get_status(task_id) == api.task.Status.FINISHED
    clone = api.project.get_info_by_id(clone_id)
    source = api.project.get_info_by_id(seed_ids.project)
    assert (clone.name, clone.workspace_id, clone.description) == (
        f"Lemons copy {unique}", seed_ids.workspace, source.description
    )
    assert (clone.datasets_count, clone.images_count) == (source.datasets_count, source.images_count)
    source_meta, clone_meta = api.project.get_meta(seed_ids.project), api.project.get_meta(clone_id)
    assert neutral(clone_meta) == neutral(source_meta)
    assert not {c["id"] for c in clone_meta["classes"]} & {c["id"] for c in source_meta["classes"]}
    copied = project_contents(api, clone_id)
    assert copied == project_contents(api, seed_ids.project)
    assert sum(len(ann["objects"]) for images in copied.values() for _, ann in images.values()) > 0


def test_the_clone_is_independent_of_its_source(api, seed_ids, unique):
    _, clone_id = clone_and_wait(api, seed_ids.project, seed_ids.workspace, f"scratch {unique}")
    before = project_contents(api, seed_ids.project)
    (dataset,) = api.dataset.get_list(clone_id)
    first = api.image.get_list(dataset.id)[0]
    api.annotation.upload_ann(first.id, sly.Annotation((first.height, first.width)))
    api.image.remove(api.image.get_list(dataset.id)[-1].id)
    assert project_contents(api, seed_ids.project) == before
    assert api.project.get_info_by_id(clone_id).images_count == len(before["ds1"]) - 1


def test_clone_keeps_nesting_image_tags_object_tags_and_settings(api, seed_ids, unique, tagged_project):
    weather_id = api.project.get_meta(tagged_project.id)["tags"][0]["id"]
    api.project.update_settings(tagged_project.id, {"groupImages": True, "groupImagesByTagId": weather_id})
    _, clone_id = clone_and_wait(api, tagged_project.id, seed_ids.workspace, f"tagged copy {unique}")
    contents = project_contents(api, clone_id)
    assert contents == project_contents(api, tagged_project.id)
    assert sorted(contents) == ["top", "top/inner"]
    (_, ann), = contents["top/inner"].values()
    assert [(t["name"], t["value"]) for t in ann["tags"]] == [("weather", "rain")]
    assert [(t["name"], t["value"]) for t in ann["objects"][0]["tags"]] == [("score", 0.75)]
    clone_meta = sly.ProjectMeta.from_json(api.project.get_meta(clone_id, with_settings=True))
    assert clone_meta.project_settings.multiview_tag_name == "weather"
    assert clone_meta.project_settings.multiview_tag_id == clone_meta.get_tag_meta("weather").sly_id != weather_id


@pytest.mark.parametrize(
    "options, images, objects, image_tags",
    [
        ({"with_annotations": False}, 2, 0, 2),  # image tags go with the items (include.imagesTags = with_items)
        ({"with_items": False, "with_annotations": False}, 0, 0, 0),
    ],
)
def test_clone_advanced_leaves_out_what_it_is_told_to(
    api, seed_ids, unique, tagged_project, options, images, objects, image_tags
):
    task_id = api.project.clone_advanced(tagged_project.id, seed_ids.workspace, f"part {unique}", **options)
    api.task.wait(task_id, api.task.Status.FINISHED)
    clone_id = api.task.get_info_by_id(task_id)["meta"]["output"]["project"]["id"]
    assert api.project.get_info_by_id(clone_id).images_count == images
    assert [d.name for d in api.dataset.get_list(clone_id, recursive=True)] == ["top", "inner"]
    assert len(sly.ProjectMeta.from_json(api.project.get_meta(clone_id)).obj_classes) == 2
    contents = project_contents(api, clone_id)
    annotations = [ann for d in contents.values() for _, ann in d.values()]
    assert (sum(len(a["objects"]) for a in annotations), sum(len(a["tags"]) for a in annotations)) == (
        objects, image_tags
    )


def test_task_info_and_list(api, seed_ids, unique):
    task_id, clone_id = clone_and_wait(api, seed_ids.project, seed_ids.workspace, f"listed {unique}")
    info = api.task.get_info_by_id(task_id)
    admin = api.user.get_my_info()
    assert (info["id"], info["type"], info["status"], info["workspaceId"], info["teamId"]) == (
        task_id, "clone", "finished", seed_ids.workspace, seed_ids.team
    )
    assert (info["userId"], info["userLogin"]) == (admin.id, admin.login)
    assert info["startedAt"] <= info["finishedAt"]
    listed = api.task.get_list(seed_ids.workspace, filters=[{"field": "id", "operator": "=", "value": task_id}])
    assert [(t["id"], t["meta"]["output"]["project"]["id"]) for t in listed] == [(task_id, clone_id)]
    assert api.task.get_info_by_id(task_id + 10_000) is None


def test_clone_refusals(api, seed_ids, unique):
    clone_and_wait(api, seed_ids.project, seed_ids.workspace, f"twice {unique}")
    before = len(api.project.get_list(seed_ids.workspace))
    with pytest.raises(requests.exceptions.HTTPError, match="already exists"):
        api.project.clone(seed_ids.project, seed_ids.workspace, f"twice {unique}")
    with pytest.raises(requests.exceptions.HTTPError, match="Project with id 999999 not found"):
        api.project.clone(999999, seed_ids.workspace, f"ghost {unique}")
    with pytest.raises(requests.exceptions.HTTPError, match="Workspace with id 999999 not found"):
        api.project.clone(seed_ids.project, 999999, f"ghost {unique}")
    with pytest.raises(requests.exceptions.HTTPError, match="shared links"):
        api.project.clone_by_shared_link("a" * 64, seed_ids.workspace, f"ghost {unique}")
    assert len(api.project.get_list(seed_ids.workspace)) == before
