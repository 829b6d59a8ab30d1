"""Inventory calls of `api.project` and `api.dataset`: each answered method called via the SDK, its meaning checked."""

from __future__ import annotations

import numpy as np
import pytest
import requests
import supervisely as sly
from supervisely.project.project_settings import LabelingInterface

from .inventory_support import World, call

# ---- setup helpers ------------------------------------------------------------------------------------------------

LEMON = sly.ObjClass("lemon", sly.Rectangle, color=[255, 200, 0])
KIWI = sly.ObjClass("kiwi", sly.Rectangle, color=[0, 160, 0])
FRESH = sly.TagMeta("fresh", sly.TagValueType.NONE)
SIDE = sly.TagMeta("side", sly.TagValueType.ANY_STRING)
META = sly.ProjectMeta(obj_classes=[LEMON, KIWI], tag_metas=[FRESH, SIDE])


def _project(w: World, prefix: str = "prj", meta: sly.ProjectMeta | None = None):
    """A new project in the seed workspace, with `meta` when given."""
    project = w.api.project.create(w.seed["workspace"], w.unique(prefix))
    if meta is not None:
        w.api.project.update_meta(project.id, meta)
    return project


def _labeled(w: World, images: int = 3, prefix: str = "lab"):
    """(project, dataset, infos, meta): `images` images, image k with k lemons and a kiwi; image 0 tagged fresh."""
    project = _project(w, prefix, META)
    meta = sly.ProjectMeta.from_json(w.api.project.get_meta(project.id))
    dataset = w.api.dataset.create(project.id, "ds")
    arrays = [np.full((20, 30, 3), 40 * k, dtype=np.uint8) for k in range(images)]
    infos = w.api.image.upload_nps(dataset.id, [f"im{k}.png" for k in range(images)], arrays)
    anns = []
    for k in range(images):
        labels = [sly.Label(sly.Rectangle(1 + j, 1, 3 + j, 4), meta.get_obj_class("lemon")) for j in range(k)]
        labels.append(sly.Label(sly.Rectangle(10, 10, 15, 18), meta.get_obj_class("kiwi"),
                                tags=sly.TagCollection([sly.Tag(meta.get_tag_meta("side"), "left")])))
        tags = sly.TagCollection([sly.Tag(meta.get_tag_meta("fresh"))]) if k == 0 else sly.TagCollection()
        anns.append(sly.Annotation((20, 30), labels=labels, img_tags=tags))
    w.api.annotation.upload_anns([info.id for info in infos], anns)
    return project, dataset, infos, meta


def _removed(w: World, project_id: int) -> bool:
    """True when projects.info answers 404 for the project (removed or deleted)."""
    return w.api.project.get_info_by_id(project_id) is None


def _rows(w: World, table: str, column: str, value: int) -> int:
    """How many rows of `table` the sandbox still stores with `column` = value."""
    return w.handle.store.scalar(f"SELECT COUNT(*) FROM {table} WHERE {column} = ?", (value,))


# ---- api.project: reading ------------------------------------------------------------------------------------------

@call("project.get_info_by_id")
def _get_info_by_id(w: World) -> None:
    with w.sent():
        info = w.api.project.get_info_by_id(w.seed["project"])
    assert (info.name, info.workspace_id, info.team_id, info.images_count, info.datasets_count) == (
        "Lemons (Test)", w.seed["workspace"], w.seed["team"], 6, 1)


@call("project.get_info_by_name")
def _get_info_by_name(w: World) -> None:
    with w.sent():
        info = w.api.project.get_info_by_name(w.seed["workspace"], "Lemons (Test)")
        missing = w.api.project.get_info_by_name(w.seed["workspace"], w.unique("none"))
    assert info.id == w.seed["project"] and missing is None


@call("project.get_list")
def _get_list(w: World) -> None:
    project = _project(w, "listed")
    with w.sent():
        by_workspace = w.api.project.get_list(w.seed["workspace"])
        filtered = w.api.project.get_list(w.seed["workspace"], filters=[{"field": "name", "operator": "=",
                                                                          "value": project.name}])
    assert {w.seed["project"], project.id} <= {p.id for p in by_workspace}
    assert [p.id for p in filtered] == [project.id]


@call("project.exists")
def _exists(w: World) -> None:
    with w.sent():
        yes = w.api.project.exists(w.seed["workspace"], "Lemons (Test)")
        no = w.api.project.exists(w.seed["workspace"], w.unique("none"))
    assert (yes, no) == (True, False)


@call("project.get_free_name")
def _get_free_name(w: World) -> None:
    with w.sent():
        taken = w.api.project.get_free_name(w.seed["workspace"], "Lemons (Test)")
        free = w.api.project.get_free_name(w.seed["workspace"], "fresh-name-xyz")
    assert (taken, free) == ("Lemons (Test)_001", "fresh-name-xyz")


@call("project.get_meta")
def _get_meta(w: World) -> None:
    with w.sent():
        meta = sly.ProjectMeta.from_json(w.api.project.get_meta(w.seed["project"]))
    assert sorted(c.name for c in meta.obj_classes) == ["kiwi", "lemon"]
    assert all(c.geometry_type == sly.Bitmap and c.sly_id for c in meta.obj_classes)


@call("project.get_datasets_count")
def _get_datasets_count(w: World) -> None:
    project = _project(w, "dscount")
    top = w.api.dataset.create(project.id, "a")
    w.api.dataset.create(project.id, "b")
    w.api.dataset.create(project.id, "nested", parent_id=top.id)
    with w.sent():
        count = w.api.project.get_datasets_count(project.id)
    assert count == 2  # top-level datasets, as the SDK counts them (datasets.list)


@call("project.get_images_count")
def _get_images_count(w: World) -> None:
    with w.sent():
        count = w.api.project.get_images_count(w.seed["project"])
    assert count == 6


@call("project.get_settings")
def _get_settings(w: World) -> None:
    project = _project(w, "settings")
    w.api.project.update_settings(project.id, {"groupImages": False, "custom": 1})
    with w.sent():
        settings = w.api.project.get_settings(project.id)
    assert settings == {"groupImages": False, "custom": 1}


@call("project.update_settings")
def _update_settings(w: World) -> None:
    project = _project(w, "settings")
    w.api.project.update_settings(project.id, {"a": {"x": 1}, "b": 2})
    with w.sent():
        w.api.project.update_settings(project.id, {"a": {"y": 3}}, merge_with_current=True)
    assert w.api.project.get_settings(project.id) == {"a": {"x": 1, "y": 3}, "b": 2}


@call("project.get_custom_data")
def _get_custom_data(w: World) -> None:
    project = w.api.project.create(w.seed["workspace"], w.unique("cd"), custom_data={"owner": "ml", "n": 3})
    with w.sent():
        data = w.api.project.get_custom_data(project.id)
    assert data == {"owner": "ml", "n": 3}


@call("project.update_custom_data")
def _update_custom_data(w: World) -> None:
    project = w.api.project.create(w.seed["workspace"], w.unique("cd"), custom_data={"old": 1})
    with w.sent():
        w.api.project.update_custom_data(project.id, {"new": [1, 2]})
    assert w.api.project.get_custom_data(project.id) == {"new": [1, 2]}


@call("project.get_activity")
def _get_activity(w: World) -> None:
    project = _project(w, "activity")
    with w.sent():
        frame = w.api.project.get_activity(project.id)
    assert "create_project" in set(frame["action"]) and set(frame["projectId"]) == {project.id}


@call("project.download_images_tags")
def _download_images_tags(w: World) -> None:
    """SDK 6.74.51's method reads .tag_metas off the dict get_meta answers: it fails on every server, after one call."""
    project, _, infos, _ = _labeled(w, 3, "imgtags")
    with w.sent() as sent:
        with pytest.raises(AttributeError, match="tag_metas"):
            w.api.project.download_images_tags(project.id)
    assert dict(sent) == {"projects.meta": 1}  # the sandbox answered the meta; the SDK broke on its own


# ---- api.project: creating and editing ----------------------------------------------------------------------------

@call("project.create")
def _create(w: World) -> None:
    name = w.unique("made")
    with w.sent():
        project = w.api.project.create(w.seed["workspace"], name, description="d", readme="r")
        again = w.api.project.create(w.seed["workspace"], name, change_name_if_conflict=True)
    assert (project.name, project.description, project.readme, project.images_count) == (name, "d", "r", 0)
    assert again.name == f"{name}_001" and w.api.project.get_info_by_id(project.id).name == name


@call("project.get_or_create")
def _get_or_create(w: World) -> None:
    name = w.unique("goc")
    with w.sent():
        made = w.api.project.get_or_create(w.seed["workspace"], name)
        found = w.api.project.get_or_create(w.seed["workspace"], name)
    assert made.id == found.id and made.name == name


@call("project.edit_info")
def _edit_info(w: World) -> None:
    project = _project(w, "edit")
    with w.sent():
        edited = w.api.project.edit_info(project.id, name=project.name + "-2", description="new", readme="# hi")
    assert (edited.name, edited.description, edited.readme) == (project.name + "-2", "new", "# hi")
    assert w.api.project.get_info_by_id(project.id).description == "new"


@call("project.update")
def _update(w: World) -> None:
    project = _project(w, "upd")
    with w.sent():
        updated = w.api.project.update(project.id, description="changed")
    assert updated.description == "changed" and w.api.project.get_info_by_id(project.id).name == project.name


@call("project.update_meta")
def _update_meta(w: World) -> None:
    project = _project(w, "meta")
    with w.sent():
        stored = w.api.project.update_meta(project.id, META)
    assert sorted(c.name for c in stored.obj_classes) == ["kiwi", "lemon"]
    assert all(c.sly_id for c in stored.obj_classes) and stored.get_tag_meta("side").sly_id


@call("project.merge_metas")
def _merge_metas(w: World) -> None:
    source = _project(w, "src", sly.ProjectMeta(obj_classes=[LEMON]))
    target = _project(w, "dst", sly.ProjectMeta(obj_classes=[KIWI], tag_metas=[FRESH]))
    with w.sent():
        merged = w.api.project.merge_metas(source.id, target.id)
    merged = sly.ProjectMeta.from_json(merged)
    assert sorted(c.name for c in merged.obj_classes) == ["kiwi", "lemon"] and merged.get_tag_meta("fresh")
    stored = sly.ProjectMeta.from_json(w.api.project.get_meta(target.id))
    assert sorted(c.name for c in stored.obj_classes) == ["kiwi", "lemon"]


@call("project.append_classes")
def _append_classes(w: World) -> None:
    project = _project(w, "append", sly.ProjectMeta(obj_classes=[LEMON]))
    with w.sent():
        w.api.project.append_classes(project.id, [KIWI, sly.ObjClass("seed", sly.Point)])
    meta = sly.ProjectMeta.from_json(w.api.project.get_meta(project.id))
    assert sorted(c.name for c in meta.obj_classes) == ["kiwi", "lemon", "seed"]
    assert meta.get_obj_class("seed").geometry_type == sly.Point


@call("project.pull_meta_ids")
def _pull_meta_ids(w: World) -> None:
    project = _project(w, "pull", META)
    local = META.clone()
    with w.sent():
        w.api.project.pull_meta_ids(project.id, local)
    stored = sly.ProjectMeta.from_json(w.api.project.get_meta(project.id))
    assert {c.name: c.sly_id for c in local.obj_classes} == {c.name: c.sly_id for c in stored.obj_classes}
    assert local.get_tag_meta("side").sly_id == stored.get_tag_meta("side").sly_id


@call("project.remove_class")
def _remove_class(w: World) -> None:
    project, _, infos, meta = _labeled(w, 2, "rmclass")
    with w.sent():
        w.api.project.remove_class(project.id, meta.get_obj_class("kiwi").sly_id)
    after = sly.ProjectMeta.from_json(w.api.project.get_meta(project.id))
    assert [c.name for c in after.obj_classes] == ["lemon"]
    ann = sly.Annotation.from_json(w.api.annotation.download_json(infos[1].id), after)
    assert [label.obj_class.name for label in ann.labels] == ["lemon"]  # its labels went with the class


@call("project.remove_tag")
def _remove_tag(w: World) -> None:
    project, _, infos, meta = _labeled(w, 1, "rmtag")
    with w.sent():
        w.api.project.remove_tag(project.id, meta.get_tag_meta("fresh").sly_id)
    after = sly.ProjectMeta.from_json(w.api.project.get_meta(project.id))
    assert [t.name for t in after.tag_metas] == ["side"]
    ann = sly.Annotation.from_json(w.api.annotation.download_json(infos[0].id), after)
    assert len(ann.img_tags) == 0 and ann.labels[0].tags.get("side").value == "left"


@call("project.images_grouping")
def _images_grouping(w: World) -> None:
    project = _project(w, "group", sly.ProjectMeta(tag_metas=[SIDE]))
    tag_id = sly.ProjectMeta.from_json(w.api.project.get_meta(project.id)).get_tag_meta("side").sly_id
    with w.sent():
        w.api.project.images_grouping(project.id, enable=True, tag_name="side", sync=True)
    assert w.api.project.get_settings(project.id) == {"groupImages": True, "groupImagesByTagId": tag_id,
                                                      "groupImagesSync": True}


@call("project.set_multispectral_settings")
def _set_multispectral_settings(w: World) -> None:
    project = _project(w, "multispectral")
    with w.sent():
        w.api.project.set_multispectral_settings(project.id)
    meta = sly.ProjectMeta.from_json(w.api.project.get_meta(project.id))
    settings = w.api.project.get_settings(project.id)
    assert settings == {"groupImages": True, "groupImagesSync": True,
                        "groupImagesByTagId": meta.get_tag_meta("multispectral").sly_id}


@call("project.set_multiview_settings")
def _set_multiview_settings(w: World) -> None:
    project = _project(w, "multiview")
    with w.sent():
        w.api.project.set_multiview_settings(project.id)
    meta = sly.ProjectMeta.from_json(w.api.project.get_meta(project.id))
    settings = w.api.project.get_settings(project.id)
    assert settings == {"groupImages": True, "groupImagesSync": False,
                        "groupImagesByTagId": meta.get_tag_meta("multiview").sly_id}
    assert meta.get_tag_meta("@label-group-id").value_type == sly.TagValueType.ANY_STRING


@call("project.set_overlay_settings")
def _set_overlay_settings(w: World) -> None:
    project = _project(w, "overlay")
    with w.sent():
        w.api.project.set_overlay_settings(project.id)
    meta = sly.ProjectMeta.from_json(w.api.project.get_meta(project.id, with_settings=True))
    assert meta.project_settings.labeling_interface == LabelingInterface.OVERLAY


@call("project.set_read_only")
def _set_read_only(w: World) -> None:
    project = _project(w, "ro")
    w.api.project.update_settings(project.id, {"keep": 1})
    with w.sent():
        w.api.project.set_read_only(project.id, True)
    assert w.api.project.get_settings(project.id) == {"keep": 1, "advancedSettings": {"isReadOnlyProject": True}}


@call("project.is_read_only")
def _is_read_only(w: World) -> None:
    project = _project(w, "ro")
    w.api.project.set_read_only(project.id, True)
    with w.sent():
        answers = (w.api.project.is_read_only(project.id), w.api.project.is_read_only(w.seed["project"]))
    assert answers == (True, False)


SCHEMA = {"location": "", "weather": {"t": 0}}


@call("project.set_validation_schema")
def _set_validation_schema(w: World) -> None:
    project = w.api.project.create(w.seed["workspace"], w.unique("schema"), custom_data={"mine": 1})
    with w.sent():
        w.api.project.set_validation_schema(project.id, SCHEMA)
    data = w.api.project.get_custom_data(project.id)
    assert data["mine"] == 1 and SCHEMA in [value for part in data.values() if isinstance(part, dict)
                                            for value in part.values()]


@call("project.get_validation_schema")
def _get_validation_schema(w: World) -> None:
    project = _project(w, "schema")
    w.api.project.set_validation_schema(project.id, SCHEMA)
    with w.sent():
        stored, none = w.api.project.get_validation_schema(project.id), w.api.project.get_validation_schema(
            w.seed["project"])
    assert stored == SCHEMA and none is None


@call("project.remove_validation_schema")
def _remove_validation_schema(w: World) -> None:
    project = _project(w, "schema")
    w.api.project.set_validation_schema(project.id, {"k": 1})
    with w.sent():
        w.api.project.remove_validation_schema(project.id)
    assert not w.api.project.get_validation_schema(project.id)


@call("project.validate_entities_schema")
def _validate_entities_schema(w: World) -> None:
    project = _project(w, "validate")
    dataset = w.api.dataset.create(project.id, "ds")
    good, bad = w.api.image.upload_nps(dataset.id, ["good.png", "bad.png"], [np.zeros((4, 4, 3), np.uint8)] * 2,
                                       metas=[{"location": "x"}, {"other": 1}])
    w.api.project.set_validation_schema(project.id, {"location": ""})
    with w.sent():
        wrong = w.api.project.validate_entities_schema(project.id)
    assert [(e["entity_id"], e["missing_fields"]) for e in wrong] == [(bad.id, ["location"])]


@call("project.enable_embeddings")
def _enable_embeddings(w: World) -> None:
    project = _project(w, "emb")
    stamp = w.api.project.get_info_by_id(project.id).updated_at
    with w.sent():
        w.api.project.enable_embeddings(project.id, silent=False)  # not silent: updatedAt moves
    info = w.api.project.get_info_by_id(project.id)
    assert info.embeddings_enabled is True and info.updated_at >= stamp


@call("project.is_embeddings_enabled")
def _is_embeddings_enabled(w: World) -> None:
    project = _project(w, "emb")
    w.api.project.enable_embeddings(project.id)
    with w.sent():
        answers = (w.api.project.is_embeddings_enabled(project.id),
                   w.api.project.is_embeddings_enabled(w.seed["project"]))
    assert answers == (True, False)


@call("project.disable_embeddings")
def _disable_embeddings(w: World) -> None:
    project = _project(w, "emb")
    w.api.project.enable_embeddings(project.id)
    stamp = w.api.project.get_info_by_id(project.id).updated_at
    with w.sent():
        w.api.project.disable_embeddings(project.id)  # silent: updatedAt stays
    info = w.api.project.get_info_by_id(project.id)
    assert info.embeddings_enabled is False and info.updated_at == stamp


STAMP = "2025-06-01T10:30:45.123456Z"


@call("project.set_embeddings_updated_at")
def _set_embeddings_updated_at(w: World) -> None:
    project = _project(w, "emb")
    with w.sent():
        w.api.project.set_embeddings_updated_at(project.id, STAMP)
    assert w.api.project.get_info_by_id(project.id).embeddings_updated_at == STAMP


@call("project.get_embeddings_updated_at")
def _get_embeddings_updated_at(w: World) -> None:
    project = _project(w, "emb")
    w.api.project.set_embeddings_updated_at(project.id, STAMP)
    with w.sent():
        answers = (w.api.project.get_embeddings_updated_at(project.id),
                   w.api.project.get_embeddings_updated_at(w.seed["project"]))
    assert answers == (STAMP, None)


@call("project.set_embeddings_in_progress")
def _set_embeddings_in_progress(w: World) -> None:
    project = _project(w, "emb")
    with w.sent():
        w.api.project.set_embeddings_in_progress(project.id, True)
    running = w.api.project.get_info_by_id(project.id).embeddings_in_progress
    w.api.project.set_embeddings_in_progress(project.id, False, error_message="stopped")
    assert (running, w.api.project.get_info_by_id(project.id).embeddings_in_progress) == (True, False)


@call("project.get_embeddings_in_progress")
def _get_embeddings_in_progress(w: World) -> None:
    project = _project(w, "emb")
    w.api.project.set_embeddings_in_progress(project.id, True)
    with w.sent():
        answers = (w.api.project.get_embeddings_in_progress(project.id),
                   w.api.project.get_embeddings_in_progress(w.seed["project"]))
    assert answers == (True, False)


@call("project.get_stats")
def _get_stats(w: World) -> None:
    project, dataset, infos, _ = _labeled(w, 3, "stats")
    with w.sent():
        stats = w.api.project.get_stats(project.id)
    images = {item["objectClass"]["name"]: item["total"] for item in stats["images"]["objectClasses"]}
    labels = {item["objectClass"]["name"]: item["total"] for item in stats["objects"]["items"]}
    assert images == {"lemon": 2, "kiwi": 3} and labels == {"lemon": 3, "kiwi": 3}  # images 1 and 2 hold lemons
    assert {i["tagMeta"]["name"]: i["total"] for i in stats["imageTags"]["items"]} == {"fresh": 1, "side": 0}
    assert {i["tagMeta"]["name"]: i["total"] for i in stats["objectTags"]["items"]} == {"fresh": 0, "side": 3}
    assert stats["datasets"]["items"][0]["id"] == dataset.id and stats["datasets"]["total"]["imagesCount"] == 3
    assert stats["images"]["total"] == {"imagesMarked": 3, "imagesNotMarked": 0, "imagesInDataset": 3}


# ---- api.project: cloning and structure ---------------------------------------------------------------------------

def _clone_source(w: World):
    project, dataset, infos, _ = _labeled(w, 2, "clonesrc")
    return project, infos


def _labels_per_image(w: World, project_id: int) -> list[int]:
    dataset = w.api.dataset.get_list(project_id)[0]
    return [len(w.api.annotation.download_json(i.id)["objects"]) for i in w.api.image.get_list(dataset.id)]


@call("project.clone")
def _clone(w: World) -> None:
    source, infos = _clone_source(w)
    linked = w.api.image.upload_link(w.api.dataset.get_list(source.id)[0].id, "linked.png", infos[1].full_storage_url)
    name = w.unique("copy")
    with w.sent():
        task_id = w.api.project.clone(source.id, w.seed["workspace"], name)
    w.api.task.wait(task_id, w.api.task.Status.FINISHED)
    copy = w.api.project.get_info_by_name(w.seed["workspace"], name)
    assert copy.id != source.id and copy.images_count == 3
    assert _labels_per_image(w, copy.id) == _labels_per_image(w, source.id) == [1, 2, 0]
    copied = {i.name: i for i in w.api.image.get_list(w.api.dataset.get_list(copy.id)[0].id)}
    # an image added by link keeps its link in the copy, as on a real instance; uploaded ones have none
    assert w.api.image.get_info_by_id(copied["linked.png"].id).link == linked.link == infos[1].full_storage_url
    assert w.api.image.get_info_by_id(copied["im0.png"].id).link is None
    assert copied["linked.png"].hash == infos[1].hash


@call("project.clone_advanced")
def _clone_advanced(w: World) -> None:
    source, _ = _clone_source(w)
    name = w.unique("copy")
    with w.sent():
        task_id = w.api.project.clone_advanced(source.id, w.seed["workspace"], name, with_annotations=False)
    w.api.task.wait(task_id, w.api.task.Status.FINISHED)
    copy = w.api.project.get_info_by_name(w.seed["workspace"], name)
    assert copy.images_count == 2 and _labels_per_image(w, copy.id) == [0, 0]
    assert sorted(c.name for c in sly.ProjectMeta.from_json(w.api.project.get_meta(copy.id)).obj_classes) == [
        "kiwi", "lemon"]


def _refused_clone(w: World, clone) -> None:
    """The sandbox keeps no shared links or Explore: a clear 400, and no project is made."""
    name = w.unique("copy")
    assert w.api.instance_version  # read once: the SDK asks for it when a request fails
    with w.sent():
        with pytest.raises(requests.HTTPError) as refused:
            clone(name)
    assert refused.value.response.status_code == 400
    assert "by 'id' only" in refused.value.response.json()["error"]
    assert not w.api.project.exists(w.seed["workspace"], name)


@call("project.clone_by_shared_link")
def _clone_by_shared_link(w: World) -> None:
    _refused_clone(w, lambda name: w.api.project.clone_by_shared_link("https://x/share/abc", w.seed["workspace"], name))


@call("project.clone_from_explore")
def _clone_from_explore(w: World) -> None:
    _refused_clone(w, lambda name: w.api.project.clone_from_explore("projects/lemons", w.seed["workspace"], name))


@call("project.get_or_clone_from_explore")
def _get_or_clone_from_explore(w: World) -> None:
    with w.sent():  # the project exists by that name: found, nothing is cloned
        found = w.api.project.get_or_clone_from_explore("projects/lemons", w.seed["workspace"], "Lemons (Test)")
    assert found.id == w.seed["project"]


@call("project.recreate_structure")
def _recreate_structure(w: World) -> None:
    source = _project(w, "struct")
    top = w.api.dataset.create(source.id, "top")
    w.api.dataset.create(source.id, "inner", parent_id=top.id)
    w.api.dataset.create(source.id, "other")
    name = w.unique("struct-copy")
    with w.sent():
        pairs = w.api.project.recreate_structure(source.id, dst_project_name=name)
    target = w.api.project.get_info_by_name(w.seed["workspace"], name)
    assert sorted((s.name, d.name) for s, d in pairs) == [("inner", "inner"), ("other", "other"), ("top", "top")]
    by_id = {d.id: d for d in w.api.dataset.get_list(target.id, recursive=True)}
    assert {d.name: (by_id[d.parent_id].name if d.parent_id else None) for d in by_id.values()} == {
        "top": None, "inner": "top", "other": None}


@call("project.recreate_structure_generator")
def _recreate_structure_generator(w: World) -> None:
    source = _project(w, "struct")
    top = w.api.dataset.create(source.id, "top")
    w.api.dataset.create(source.id, "inner", parent_id=top.id)
    target = _project(w, "struct-into")
    with w.sent():
        pairs = list(w.api.project.recreate_structure_generator(source.id, dst_project_id=target.id))
    assert [(s.name, d.name, d.project_id) for s, d in pairs] == [("top", "top", target.id),
                                                                  ("inner", "inner", target.id)]
    assert pairs[1][1].parent_id == pairs[0][1].id


# ---- api.project: moving, listing across teams, removing ----------------------------------------------------------

def _other_workspace(w: World) -> int:
    return w.api.workspace.create(w.seed["team"], w.unique("ws")).id


@call("project.move")
def _move(w: World) -> None:
    project = _project(w, "mover")
    target = _other_workspace(w)
    with w.sent():
        w.api.project.move(project.id, target)
    assert w.api.project.get_info_by_id(project.id).workspace_id == target
    assert [p.id for p in w.api.project.get_list(target)] == [project.id]


@call("project.get_list_all")
def _get_list_all(w: World) -> None:
    team = w.api.team.create(w.unique("team"))
    workspace = w.api.workspace.create(team.id, "w")
    elsewhere = w.api.project.create(workspace.id, "far")
    with w.sent():
        everything = w.api.project.get_list_all()
        in_team = w.api.project.get_list_all(filters=[{"field": "groupId", "operator": "=", "value": team.id}])
        by_page = w.api.project.get_list_all(per_page=1, page=2, sort="id", sort_order="asc")
    ids = [p.id for p in everything["entities"]]
    assert {w.seed["project"], elsewhere.id} <= set(ids) and everything["total"] == len(ids)
    assert [p.id for p in in_team["entities"]] == [elsewhere.id] and in_team["entities"][0].team_id == team.id
    assert [p.id for p in by_page["entities"]] == [sorted(ids)[1]]


@call("project.get_archivation_list")
def _get_archivation_list(w: World) -> None:
    project = _project(w, "old")
    with w.sent():
        stale = w.api.project.get_archivation_list(to_day=0)  # not updated since now: every project
        recent = w.api.project.get_archivation_list(from_day=0)  # updated since now: none
    assert project.id in [p.id for p in stale] and recent == []


@call("project.remove")
def _remove(w: World) -> None:
    project = _project(w, "rm")
    with w.sent():
        w.api.project.remove(project.id)
    assert _removed(w, project.id) and project.id not in [p.id for p in w.api.project.get_list(w.seed["workspace"])]
    assert _rows(w, "projects", "id", project.id) == 1  # archived: hidden, kept until deleted for good
    assert w.api.project.create(w.seed["workspace"], project.name).name == project.name  # the name is free again


@call("project.remove_batch")
def _remove_batch(w: World) -> None:
    projects = [_project(w, "rm") for _ in range(2)]
    with w.sent():
        w.api.project.remove_batch([p.id for p in projects])
    assert all(_removed(w, p.id) for p in projects)


@call("project.remove_permanently")
def _remove_permanently(w: World) -> None:
    project, dataset, _, _ = _labeled(w, 1, "perm")
    alive = _project(w, "perm-alive")
    with pytest.raises(requests.HTTPError, match="must be removed"):
        w.api.project.remove_permanently(alive.id)  # not removed first: refused, as a real server does
    w.api.project.remove(project.id)
    with w.sent():
        answers = w.api.project.remove_permanently([project.id])
    assert answers == [{"success": True}]
    assert _rows(w, "projects", "id", project.id) == 0 and _rows(w, "images", "dataset_id", dataset.id) == 0
    assert w.api.project.get_info_by_id(alive.id) is not None


@call("project.archive")
def _archive(w: World) -> None:
    project, dataset, _, _ = _labeled(w, 1, "backup")
    with w.sent():
        w.api.project.archive(project.id, "https://backups/x.tar", "https://backups/x-ann.tar")
    info = w.api.project.get_info_by_id(project.id)
    assert info.backup_archive == {"url": "https://backups/x.tar", "annotationsUrl": "https://backups/x-ann.tar"}
    assert (info.images_count, info.datasets_count) == (0, 0) and _rows(w, "datasets", "id", dataset.id) == 0
    listed = w.api.project.get_list_all(skip_exported=True)["entities"]
    assert project.id not in [p.id for p in listed]  # skipExported leaves the archived card out


@call("project.archive_batch")
def _archive_batch(w: World) -> None:
    projects = [_project(w, "backup") for _ in range(2)]
    with w.sent():
        w.api.project.archive_batch([p.id for p in projects], ["https://b/1", "https://b/2"])
    assert [w.api.project.get_info_by_id(p.id).backup_archive["url"] for p in projects] == ["https://b/1",
                                                                                           "https://b/2"]


# ---- api.dataset --------------------------------------------------------------------------------------------------

def _tree_project(w: World):
    """(project, {name: DatasetInfo}): a/ (with a1/ holding a11/), b/; one image in a11."""
    project = _project(w, "tree")
    a = w.api.dataset.create(project.id, "a")
    a1 = w.api.dataset.create(project.id, "a1", parent_id=a.id)
    a11 = w.api.dataset.create(project.id, "a11", parent_id=a1.id)
    b = w.api.dataset.create(project.id, "b")
    w.api.image.upload_np(a11.id, "deep.png", np.zeros((5, 5, 3), np.uint8))
    return project, {"a": a, "a1": a1, "a11": a11, "b": b}


@call("dataset.get_list")
def _ds_get_list(w: World) -> None:
    project, ds = _tree_project(w)
    with w.sent():
        top = w.api.dataset.get_list(project.id)
        every = w.api.dataset.get_list(project.id, recursive=True)
        under_a = w.api.dataset.get_list(project.id, parent_id=ds["a"].id)
    assert [d.name for d in top] == ["a", "b"] and sorted(d.name for d in every) == ["a", "a1", "a11", "b"]
    assert [d.name for d in under_a] == ["a1"]


@call("dataset.get_info_by_id")
def _ds_get_info_by_id(w: World) -> None:
    with w.sent():
        info = w.api.dataset.get_info_by_id(w.seed["dataset"])
    assert (info.name, info.project_id, info.images_count, info.parent_id) == ("ds1", w.seed["project"], 6, None)


@call("dataset.get_info_by_name")
def _ds_get_info_by_name(w: World) -> None:
    project, ds = _tree_project(w)
    with w.sent():
        top = w.api.dataset.get_info_by_name(project.id, "b")
        nested = w.api.dataset.get_info_by_name(project.id, "a1", parent_id=ds["a"].id)
    assert (top.id, nested.id) == (ds["b"].id, ds["a1"].id)


@call("dataset.exists")
def _ds_exists(w: World) -> None:
    with w.sent():
        answers = (w.api.dataset.exists(w.seed["project"], "ds1"), w.api.dataset.exists(w.seed["project"], "nope"))
    assert answers == (True, False)


@call("dataset.get_free_name")
def _ds_get_free_name(w: World) -> None:
    with w.sent():
        names = (w.api.dataset.get_free_name(w.seed["project"], "ds1"),
                 w.api.dataset.get_free_name(w.seed["project"], "ds9"))
    assert names == ("ds1_001", "ds9")


@call("dataset.create")
def _ds_create(w: World) -> None:
    project = _project(w, "dsc")
    with w.sent():
        made = w.api.dataset.create(project.id, "train", description="d", custom_data={"split": 0.8})
        renamed = w.api.dataset.create(project.id, "train", change_name_if_conflict=True)
    assert (made.name, made.description, made.custom_data, renamed.name) == ("train", "d", {"split": 0.8},
                                                                             "train_001")
    assert sorted(d.name for d in w.api.dataset.get_list(project.id)) == ["train", "train_001"]


@call("dataset.get_or_create")
def _ds_get_or_create(w: World) -> None:
    project = _project(w, "dsgoc")
    with w.sent():
        made = w.api.dataset.get_or_create(project.id, "val")
        found = w.api.dataset.get_or_create(project.id, "val")
    assert made.id == found.id and len(w.api.dataset.get_list(project.id)) == 1


@call("dataset.update")
def _ds_update(w: World) -> None:
    project = _project(w, "dsu")
    dataset = w.api.dataset.create(project.id, "x")
    with w.sent():
        updated = w.api.dataset.update(dataset.id, name="y", description="dd")
    assert (updated.name, updated.description) == ("y", "dd") and w.api.dataset.get_info_by_id(dataset.id).name == "y"


@call("dataset.update_custom_data")
def _ds_update_custom_data(w: World) -> None:
    project = _project(w, "dsu")
    dataset = w.api.dataset.create(project.id, "x", custom_data={"a": 1})
    with w.sent():
        w.api.dataset.update_custom_data(dataset.id, {"b": 2})
    assert w.api.dataset.get_info_by_id(dataset.id).custom_data == {"b": 2}


@call("dataset.get_nested")
def _ds_get_nested(w: World) -> None:
    project, ds = _tree_project(w)
    with w.sent():
        nested = w.api.dataset.get_nested(project.id, ds["a"].id)
    assert sorted(d.name for d in nested) == ["a1", "a11"]


@call("dataset.get_tree")
def _ds_get_tree(w: World) -> None:
    project, ds = _tree_project(w)
    with w.sent():
        tree = w.api.dataset.get_tree(project.id)

    def names(node: dict) -> dict:
        return {info.name: names(children) for info, children in node.items()}

    assert names(tree) == {"a": {"a1": {"a11": {}}}, "b": {}}


@call("dataset.tree")
def _ds_tree(w: World) -> None:
    project, ds = _tree_project(w)
    with w.sent():
        walked = [(tuple(path), info.name, info.images_count) for path, info in w.api.dataset.tree(project.id)]
    assert walked == [((), "a", 0), (("a",), "a1", 0), (("a", "a1"), "a11", 1), ((), "b", 0)]


@call("dataset.copy")
def _ds_copy(w: World) -> None:
    source, dataset, infos, meta = _labeled(w, 2, "dscopy")
    target = _project(w, "dscopy-into", META)
    with w.sent():
        copy = w.api.dataset.copy(target.id, dataset.id, new_name="copied", with_annotations=True)
    images = w.api.image.get_list(copy.id)
    assert (copy.name, copy.project_id, [i.name for i in images]) == ("copied", target.id, ["im0.png", "im1.png"])
    assert [len(w.api.annotation.download_json(i.id)["objects"]) for i in images] == [1, 2]
    assert w.api.image.get_list(dataset.id)[0].id == infos[0].id  # the source stays


@call("dataset.copy_batch")
def _ds_copy_batch(w: World) -> None:
    source, dataset, _, _ = _labeled(w, 1, "dscopy")
    other = w.api.dataset.create(source.id, "other")
    target = _project(w, "dscopy-into", META)
    with w.sent():
        copies = w.api.dataset.copy_batch(target.id, [dataset.id, other.id], new_names=["c1", "c2"])
    # the SDK answers each dataset as made, before its images were copied in: read them back
    assert [(c.name, w.api.dataset.get_info_by_id(c.id).images_count) for c in copies] == [("c1", 1), ("c2", 0)]
    assert len(w.api.annotation.download_json(w.api.image.get_list(copies[0].id)[0].id)["objects"]) == 0


@call("dataset.move")
def _ds_move(w: World) -> None:
    source, dataset, _, _ = _labeled(w, 2, "dsmove")
    target = _project(w, "dsmove-into", META)
    with w.sent():
        moved = w.api.dataset.move(target.id, dataset.id, new_name="moved", with_annotations=True)
    assert (moved.name, moved.project_id, w.api.dataset.get_info_by_id(moved.id).images_count) == (
        "moved", target.id, 2)
    assert w.api.dataset.get_info_by_id(dataset.id) is None and w.api.dataset.get_list(source.id) == []


@call("dataset.move_batch")
def _ds_move_batch(w: World) -> None:
    source = _project(w, "dsmove")
    first, second = (w.api.dataset.create(source.id, name) for name in ("m1", "m2"))
    target = _project(w, "dsmove-into")
    with w.sent():
        moved = w.api.dataset.move_batch(target.id, [first.id, second.id])
    assert [m.name for m in moved] == ["m1", "m2"] and w.api.dataset.get_list(source.id) == []
    assert sorted(d.name for d in w.api.dataset.get_list(target.id)) == ["m1", "m2"]


@call("dataset.move_to_dataset")
def _ds_move_to_dataset(w: World) -> None:
    project, ds = _tree_project(w)
    with w.sent():
        w.api.dataset.move_to_dataset(ds["b"].id, ds["a11"].id)
    assert w.api.dataset.get_info_by_id(ds["b"].id).parent_id == ds["a11"].id
    assert [d.name for d in w.api.dataset.get_list(project.id)] == ["a"]
    with pytest.raises(requests.HTTPError, match="into itself"):
        w.api.dataset.move_to_dataset(ds["a"].id, ds["b"].id)  # b is nested in a now: no cycles


@call("dataset.remove")
def _ds_remove(w: World) -> None:
    project, ds = _tree_project(w)
    with w.sent():
        w.api.dataset.remove(ds["a"].id)
    assert [d.name for d in w.api.dataset.get_list(project.id, recursive=True)] == ["b"]
    assert w.api.dataset.get_info_by_id(ds["a11"].id) is None  # nested datasets are hidden with their parent
    assert w.api.project.get_info_by_id(project.id).images_count == 0
    assert _rows(w, "datasets", "id", ds["a11"].id) == 1  # archived, not deleted
    assert w.api.dataset.create(project.id, "a").name == "a"  # the name is free again


@call("dataset.remove_batch")
def _ds_remove_batch(w: World) -> None:
    project, ds = _tree_project(w)
    with w.sent():
        w.api.dataset.remove_batch([ds["a1"].id, ds["b"].id])
    assert [d.name for d in w.api.dataset.get_list(project.id, recursive=True)] == ["a"]


@call("dataset.remove_permanently")
def _ds_remove_permanently(w: World) -> None:
    project, ds = _tree_project(w)
    with pytest.raises(requests.HTTPError, match="must be removed"):
        w.api.dataset.remove_permanently(ds["b"].id)
    w.api.dataset.remove(ds["a"].id)
    with w.sent():
        answers = w.api.dataset.remove_permanently([ds["a"].id])
    assert answers == [{"success": True}]
    assert _rows(w, "datasets", "project_id", project.id) == 1 and _rows(w, "images", "dataset_id", ds["a11"].id) == 0


@call("dataset.get_list_all")
def _ds_get_list_all(w: World) -> None:
    project, ds = _tree_project(w)
    with w.sent():
        mine = w.api.dataset.get_list_all(filters=[{"field": "projectId", "operator": "=", "value": project.id}])
        with_custom = w.api.dataset.get_list_all(
            filters=[{"field": "id", "operator": "in", "value": [ds["b"].id]}], include_custom_data=True)
        everywhere = w.api.dataset.get_list_all()
    assert sorted(d.name for d in mine["entities"]) == ["a", "a1", "a11", "b"] and mine["total"] == 4
    assert with_custom["entities"][0].custom_data == {} and mine["entities"][0].custom_data is None
    assert {w.seed["dataset"], ds["a11"].id} <= {d.id for d in everywhere["entities"]}
