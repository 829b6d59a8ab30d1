"""images.list's typed filters (ImageApi.get_filtered_list, get_list(only_labelled=...)) through the real SDK.

Each filter type the SDK allows is either answered as the web app's image filters mean it, or refused with a 400
that names the type and why.
"""

from __future__ import annotations

import numpy as np
import pytest
import requests
import supervisely as sly


@pytest.fixture(scope="module")
def world(sandbox, make_api):
    """A project of its own: 4 images; im0 has 2 boxes (one tagged "good"), im1 one box; image tags on im0..im2."""
    api = make_api(sandbox)
    project = api.project.create(349, f"filters {np.random.default_rng().integers(1 << 30)}")
    ds = api.dataset.create(project.id, "ds")
    names = ["alpha.png", "Beta_2008.png", "gamma_2008.png", "delta.png"]
    rng = np.random.default_rng(3)
    infos = api.image.upload_nps(ds.id, names, [rng.integers(0, 255, (12, 16, 3), dtype=np.uint8) for _ in names])
    box = sly.ObjClass("box", sly.Rectangle)
    weather = sly.TagMeta("weather", sly.TagValueType.ANY_STRING, applicable_to=sly.TagApplicableTo.IMAGES_ONLY)
    score = sly.TagMeta("score", sly.TagValueType.ANY_NUMBER, applicable_to=sly.TagApplicableTo.IMAGES_ONLY)
    good = sly.TagMeta("good", sly.TagValueType.NONE, applicable_to=sly.TagApplicableTo.OBJECTS_ONLY)
    api.project.update_meta(project.id, sly.ProjectMeta(obj_classes=[box], tag_metas=[weather, score, good]))
    meta = sly.ProjectMeta.from_json(api.project.get_meta(project.id))
    box, good = meta.get_obj_class("box"), meta.get_tag_meta("good")
    tagged = sly.Label(sly.Rectangle(1, 1, 5, 5), box, tags=[sly.Tag(good)])
    labels = [tagged, sly.Label(sly.Rectangle(2, 2, 8, 9), box)]
    api.annotation.upload_anns([infos[0].id, infos[1].id], [
        sly.Annotation((12, 16), labels=labels), sly.Annotation((12, 16), labels=[labels[1]])
    ])
    weather, score = meta.get_tag_meta("weather"), meta.get_tag_meta("score")
    api.image.add_tag(infos[0].id, weather.sly_id, "sunny")
    api.image.add_tag(infos[1].id, weather.sly_id, "rain")
    api.image.add_tag(infos[0].id, score.sly_id, 3)
    api.image.add_tag(infos[2].id, score.sly_id, 8)
    return dict(api=api, ds=ds, ids=[i.id for i in infos], meta=meta, sandbox=sandbox)


def _names(world, *filters) -> list[str]:
    images = world["api"].image.get_filtered_list(world["ds"].id, filters=list(filters))
    index = {image_id: k for k, image_id in enumerate(world["ids"])}
    return [f"im{index[i.id]}" for i in images]


def test_images_filename_finds_names_containing_the_text_ignoring_case(world):
    assert _names(world, {"type": "images_filename", "data": {"value": "2008"}}) == ["im1", "im2"]
    assert _names(world, {"type": "images_filename", "data": {"value": "BETA"}}) == ["im1"]


def test_images_tag_with_and_without_a_tag_and_by_value(world):
    weather, score = world["meta"].get_tag_meta("weather").sly_id, world["meta"].get_tag_meta("score").sly_id
    assert _names(world, {"type": "images_tag", "data": {"tagId": weather, "include": True}}) == ["im0", "im1"]
    assert _names(world, {"type": "images_tag", "data": {"tagId": weather, "include": False}}) == ["im2", "im3"]
    assert _names(world, {"type": "images_tag", "data": {"tagId": weather, "include": True, "value": "rain"}}) == [
        "im1"
    ]
    in_range = {"type": "images_tag", "data": {"tagId": score, "include": True, "value": {"from": "5", "to": "10"}}}
    assert _names(world, in_range) == ["im2"]


def test_objects_class_and_only_labelled(world):
    box = world["meta"].get_obj_class("box").sly_id
    assert _names(world, {"type": "objects_class", "data": {"classId": box, "from": 2, "to": 9999}}) == ["im0"]
    labelled = world["api"].image.get_list(world["ds"].id, only_labelled=True)
    assert [i.id for i in labelled] == world["ids"][:2]


def test_objects_tag_counts_the_objects_carrying_it(world):
    good = world["meta"].get_tag_meta("good").sly_id
    assert _names(world, {"type": "objects_tag", "data": {"tagId": good, "include": True, "from": 1, "to": 9}}) == [
        "im0"
    ]


def test_objects_annotator_counts_the_users_objects(world):
    api = world["api"]
    me = api.user.get_my_info().id
    assert _names(world, {"type": "objects_annotator", "data": {"userId": me, "from": 1, "to": 9999}}) == ["im0", "im1"]
    assert _names(world, {"type": "objects_annotator", "data": {"userId": me, "from": 2, "to": 9999}}) == ["im0"]
    other = api.user.create(login=f"nobody_{np.random.default_rng().integers(1 << 30)}", password="abc12345")
    assert _names(world, {"type": "objects_annotator", "data": {"userId": other.id, "from": 1, "to": 9999}}) == []
    assert _names(world, {"type": "objects_annotator", "data": {"from": 0, "to": 0}}) == ["im2", "im3"]


@pytest.mark.parametrize("kind, data", [
    ("tagged_by_annotator", {"from": 1, "to": 9999, "userId": 7}),
    ("issues_count", {"from": 1, "to": 9999, "status": "open"}),
    ("job", {"jobId": 1}),
    ("entities_collection", {"collectionId": 1, "include": True}),
])
def test_filter_types_the_sandbox_cannot_honour_are_refused_by_name(world, kind, data):
    with pytest.raises(requests.HTTPError) as refusal:
        world["api"].image.get_filtered_list(world["ds"].id, filters=[{"type": kind, "data": data}])
    assert refusal.value.response.status_code == 400
    assert f"filter type {kind!r} is not served by the sandbox" in refusal.value.response.json()["error"]


def test_ai_search_collection_filter_is_refused_by_name(world):
    with pytest.raises(requests.HTTPError) as refusal:
        world["api"].image.get_list(world["ds"].id, ai_search_collection_id=1)
    assert "'entities_ai_search_collection' is not served" in refusal.value.response.json()["error"]
