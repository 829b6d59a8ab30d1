"""Projects, project meta (ids kept across updates) and datasets (nested too) through ProjectApi and DatasetApi."""

from __future__ import annotations

import pytest
import requests
import supervisely as sly
from supervisely.api.dataset_api import DatasetInfo
from supervisely.api.project_api import ProjectInfo


def test_seeded_project(api, seed_ids):
    project = api.project.get_info_by_id(seed_ids.project)
    assert isinstance(project, ProjectInfo)
    assert (project.name, project.workspace_id, project.team_id, project.type) == (
        "Lemons (Test)", seed_ids.workspace, seed_ids.team, "images"
    )
    assert project.datasets_count >= 1 and project.images_count == project.items_count
    assert api.project.get_info_by_name(seed_ids.workspace, "Lemons (Test)").id == seed_ids.project
    assert seed_ids.project in [p.id for p in api.project.get_list(seed_ids.workspace)]
    assert seed_ids.project in [p.id for p in api.project.get_list(team_id=seed_ids.team)]


def test_create_edit_remove_project(api, seed_ids, unique):
    project = api.project.create(seed_ids.workspace, f"p {unique}", description="d", readme="r", custom_data={"k": 1})
    assert (project.name, project.description, project.readme, project.custom_data) == (f"p {unique}", "d", "r", {"k": 1})
    assert api.project.create(seed_ids.workspace, f"p {unique}", change_name_if_conflict=True).name == f"p {unique}_001"
    with pytest.raises(requests.exceptions.HTTPError, match="already exists"):
        api.project.create(seed_ids.workspace, f"p {unique}")
    assert api.project.update(project.id, description="d2").description == "d2"
    api.project.update_custom_data(project.id, {"k": 2})
    assert api.project.get_custom_data(project.id) == {"k": 2}
    api.project.remove(project.id)
    assert api.project.get_info_by_id(project.id) is None


def test_meta_update_keeps_ids_and_answers_the_stored_meta(api, seed_ids, unique):
    project = api.project.create(seed_ids.workspace, f"meta {unique}")
    meta = sly.ProjectMeta(
        obj_classes=[sly.ObjClass("car", sly.Rectangle), sly.ObjClass("road", sly.Polygon)],
        tag_metas=[sly.TagMeta("weather", sly.TagValueType.ONEOF_STRING, possible_values=["sun", "rain"])],
    )
    stored = api.project.update_meta(project.id, meta)
    ids = {c.name: c.sly_id for c in stored.obj_classes}
    assert all(isinstance(i, int) for i in ids.values()) and stored.get_tag_meta("weather").sly_id is not None
    again = sly.ProjectMeta.from_json(api.project.get_meta(project.id))
    assert {c.name: c.sly_id for c in again.obj_classes} == ids
    grown = again.add_obj_class(sly.ObjClass("person", sly.Bitmap)).delete_obj_class("road")
    after = api.project.update_meta(project.id, grown.to_json())
    assert after.get_obj_class("car").sly_id == ids["car"] and after.get_obj_class("road") is None
    assert after.get_obj_class("person").geometry_type == sly.Bitmap
    settings = api.project.get_settings(project.id)
    assert "groupImages" in settings  # update_meta also sent projects.settings.update


def test_meta_update_refuses_bad_meta(api, seed_ids):
    before = api.project.get_meta(seed_ids.project)
    for bad, message in (
        ({"classes": [{"title": "x", "shape": "blob"}]}, "unknown shape"),
        ({"tags": [{"name": "t", "value_type": "oneof_string"}]}, "needs 'values'"),
        ({"classes": [], "tags": [{"name": "t", "value_type": "none", "classes": ["ghost"]}]}, "ghost"),
    ):
        with pytest.raises(requests.exceptions.HTTPError, match=message):
            api.post("projects.meta.update", {"id": seed_ids.project, "meta": bad})
    assert api.project.get_meta(seed_ids.project) == before


def test_datasets(api, seed_ids, unique):
    project = api.project.create(seed_ids.workspace, f"ds {unique}")
    top = api.dataset.create(project.id, "top", description="t", custom_data={"a": 1})
    assert isinstance(top, DatasetInfo)
    assert (top.name, top.description, top.project_id, top.images_count, top.custom_data) == ("top", "t", project.id, 0, {"a": 1})
    assert (top.team_id, top.workspace_id, top.parent_id) == (seed_ids.team, seed_ids.workspace, None)
    child = api.dataset.create(project.id, "child", parent_id=top.id)
    assert child.parent_id == top.id
    assert [d.name for d in api.dataset.get_list(project.id)] == ["top"]
    assert [d.name for d in api.dataset.get_list(project.id, recursive=True)] == ["top", "child"]
    assert [d.name for d in api.dataset.get_list(project.id, parent_id=top.id)] == ["child"]
    # a listed dataset carries customData only when asked (include_custom_data), datasets.info always
    by_name = api.dataset.get_info_by_name(project.id, "top")
    assert by_name.custom_data is None and by_name == api.dataset.get_info_by_id(top.id)._replace(custom_data=None)
    assert api.dataset.create(project.id, "top", change_name_if_conflict=True).name == "top_001"
    assert api.dataset.update(top.id, name="renamed").name == "renamed"
    assert api.project.get_info_by_id(project.id).datasets_count == 3
    api.dataset.remove(top.id)
    assert api.dataset.get_info_by_id(child.id) is None  # nested datasets go with their parent
