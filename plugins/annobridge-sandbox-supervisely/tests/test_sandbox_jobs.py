"""jobs.add with every create option, jobs.list filters and paging, and the refusals a real server gives."""

from __future__ import annotations

import numpy as np
import pytest
import requests
import supervisely as sly


@pytest.fixture
def tagged_project(api, seed_ids, unique):
    """A project of 5 uploaded images, some tagged "good"/"blurry" (image tags) for the tag filters."""
    project = api.project.create(seed_ids.workspace, f"tagged {unique}")
    meta = sly.ProjectMeta(
        obj_classes=[sly.ObjClass("box", sly.Rectangle)],
        tag_metas=[
            sly.TagMeta("good", sly.TagValueType.NONE, applicable_to=sly.TagApplicableTo.IMAGES_ONLY),
            sly.TagMeta("blurry", sly.TagValueType.NONE, applicable_to=sly.TagApplicableTo.IMAGES_ONLY),
        ],
    )
    meta = api.project.update_meta(project.id, meta)
    dataset = api.dataset.create(project.id, "ds")
    rng = np.random.default_rng(1)
    names = [f"img_{k}.png" for k in range(5)]
    infos = api.image.upload_nps(dataset.id, names, [rng.integers(0, 255, (20, 30, 3), dtype=np.uint8) for _ in names])
    tags = {0: ["good"], 1: ["good", "blurry"], 2: [], 3: ["blurry"], 4: ["good"]}
    for k, info in enumerate(infos):
        ann = sly.Annotation((20, 30), img_tags=[sly.Tag(meta.get_tag_meta(t)) for t in tags[k]])
        api.annotation.upload_ann(info.id, ann)
    return project, dataset, [i.id for i in infos]


def test_create_with_every_option(api, labelers, seed_ids):
    labeler, reviewer = labelers(2)
    job = api.labeling_job.create(
        name="all options", dataset_id=seed_ids.dataset, user_ids=[labeler.id], readme="# manual",
        description="short", classes_to_label=["lemon"], objects_limit_per_image=4, tags_to_label=["size"],
        tags_limit_per_image=5, images_range=(2, 4), reviewer_id=reviewer.id, dynamic_classes=True,
        dynamic_tags=True, disable_confirm=True, disable_submit=False, enable_quality_check=True, guide_id=17,
        read_only_tags=["origin"],
    )[0]
    ids = [i.id for i in api.image.get_list(seed_ids.dataset)]
    assert sorted(e["id"] for e in job.entities) == ids[1:4]  # positions 2..4 in dataset order
    assert (job.readme, job.description, job.reviewer_id, job.reviewer_login) == ("# manual", "short", reviewer.id, reviewer.login)
    assert (job.classes_to_label, job.tags_to_label, job.images_range) == (["lemon"], ["size"], (2, 4))
    assert (job.objects_limit_per_image, job.tags_limit_per_image, job.guide_id) == (4, 5, 17)
    meta = api.post("jobs.info", {"id": job.id}).json()["meta"]
    assert meta["dynamicClasses"] is True and meta["dynamicTags"] is True
    assert (meta["disableConfirm"], meta["disableSubmit"], meta["enableIntermediateReview"]) == (True, False, True)
    assert meta["readOnlyTags"] == ["origin"] and meta["allowRestore"] is False


def test_tag_filters_pick_images(api, labelers, tagged_project):
    (labeler,) = labelers(1)
    _, dataset, ids = tagged_project
    job = api.labeling_job.create(name="good only", dataset_id=dataset.id, user_ids=[labeler.id],
                                  include_images_with_tags=["good"], exclude_images_with_tags=["blurry"])[0]
    assert sorted(e["id"] for e in job.entities) == [ids[0], ids[4]]
    assert job.include_images_with_tags == ["good"] and job.exclude_images_with_tags == ["blurry"]
    assert [(f["name"], f["positive"]) for f in job.filter_images_by_tags] == [("good", True), ("blurry", False)]
    job = api.labeling_job.create(name="not blurry", dataset_id=dataset.id, user_ids=[labeler.id],
                                  exclude_images_with_tags=["blurry"])[0]
    assert sorted(e["id"] for e in job.entities) == [ids[0], ids[2], ids[4]]


def test_several_labelers_get_one_job_each_and_share_the_images(api, labelers, tagged_project):
    first, second = labelers(2)
    _, dataset, ids = tagged_project
    jobs = api.labeling_job.create(name="split", dataset_id=dataset.id, user_ids=[first.id, second.id])
    assert [(j.name, j.assigned_to_id) for j in jobs] == [("split (#1)", first.id), ("split (#2)", second.id)]
    shares = [sorted(e["id"] for e in j.entities) for j in jobs]
    assert shares == [ids[:3], ids[3:]]


@pytest.mark.parametrize(
    "options, message",
    [
        ({"classes_to_label": ["banana"]}, "class 'banana' is not in the project meta"),
        ({"tags_to_label": ["ripeness"]}, "tag 'ripeness' is not in the project meta"),
        ({"images_ids": [1]}, "are not in dataset"),
        ({"images_range": (9, 12)}, "No images found"),
        ({"reviewer_id": 999999}, "User with id 999999 not found"),
    ],
    ids=["unknown class", "unknown tag", "foreign image", "empty range", "unknown reviewer"],
)
def test_create_refuses_bad_options_before_writing(api, labelers, seed_ids, options, message):
    (labeler,) = labelers(1)
    before = len(api.labeling_job.get_list(seed_ids.team, show_disabled=True))
    with pytest.raises(requests.exceptions.HTTPError) as caught:
        api.labeling_job.create(name="bad", dataset_id=seed_ids.dataset, user_ids=[labeler.id], **options)
    assert caught.value.response.status_code in (400, 404) and message in caught.value.response.json()["error"]
    assert len(api.labeling_job.get_list(seed_ids.team, show_disabled=True)) == before


def test_labelers_must_be_team_members(api, seed_ids, unique):
    stranger = api.user.create(login=f"stranger_{unique}", password="stranger1")
    with pytest.raises(requests.exceptions.HTTPError, match="not a member of team 8"):
        api.labeling_job.create(name="x", dataset_id=seed_ids.dataset, user_ids=[stranger.id])
    with pytest.raises(requests.exceptions.HTTPError, match="userIds"):
        api.labeling_job.create(name="x", dataset_id=seed_ids.dataset, user_ids=[])


def test_list_filters(api, labelers, tagged_project, seed_ids):
    first, second = labelers(2)
    project, dataset, _ = tagged_project
    a = api.labeling_job.create(name="a", dataset_id=dataset.id, user_ids=[first.id], reviewer_id=second.id)[0]
    b = api.labeling_job.create(name="b", dataset_id=dataset.id, user_ids=[second.id])[0]
    team = seed_ids.team
    ids = lambda jobs: [j.id for j in jobs]  # noqa: E731
    assert ids(api.labeling_job.get_list(team, project_id=project.id)) == [a.id, b.id]
    assert ids(api.labeling_job.get_list(team, dataset_id=dataset.id, assigned_to_id=second.id)) == [b.id]
    assert ids(api.labeling_job.get_list(team, project_id=project.id, reviewer_id=second.id)) == [a.id]
    api.labeling_job.set_status(b.id, "on_review")
    assert ids(api.labeling_job.get_list(team, project_id=project.id, exclude_statuses=["on_review"])) == [a.id]
    assert ids(api.labeling_job.get_list(team, project_id=project.id, is_part_of_queue=False)) == [a.id, b.id]
    assert api.labeling_job.get_list(team, project_id=project.id, queue_ids=[1]) == []
    api.labeling_job.archive(a.id)
    assert ids(api.labeling_job.get_list(team, project_id=project.id)) == [b.id]
    assert ids(api.labeling_job.get_list(team, project_id=project.id, show_disabled=True)) == [a.id, b.id]
    assert api.labeling_job.get_list(123456) == []


def test_list_pages_through_the_sdk(api, labelers, tagged_project, seed_ids):
    (labeler,) = labelers(1)
    project, dataset, _ = tagged_project
    made = [api.labeling_job.create(name=f"p{k}", dataset_id=dataset.id, user_ids=[labeler.id])[0].id for k in range(3)]
    data = {"teamId": seed_ids.team, "filter": [{"field": "projectId", "operator": "=", "value": project.id}], "per_page": 1}
    infos, first = api.labeling_job.get_list_all_pages("jobs.list", data, return_first_response=True)
    assert (first["total"], first["perPage"], first["pagesCount"]) == (3, 1, 3)
    assert [i.id for i in infos] == made


def test_bulk_remove_refuses_unknown_ids_and_keeps_the_rest(api, labelers, seed_ids):
    (labeler,) = labelers(1)
    job = api.labeling_job.create(name="keep", dataset_id=seed_ids.dataset, user_ids=[labeler.id])[0]
    with pytest.raises(requests.exceptions.HTTPError, match="404"):
        api.labeling_job.remove_batch([job.id, 999999])
    assert api.labeling_job.get_info_by_id(job.id) is not None
