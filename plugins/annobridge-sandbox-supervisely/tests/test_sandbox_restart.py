"""jobs.restart through the real SDK: every option LabelingJobApi.restart has, the requests it sends, the refusals."""

from __future__ import annotations

import pytest
import requests
import supervisely as sly

from annobridge_sandbox_supervisely import control

Status = sly.api.labeling_job_api.LabelingJobApi.Status


@pytest.fixture
def reviewed(api, labelers, seed_ids, unique):
    """A job on review over copies of four seeded images: first accepted, second rejected, third done, fourth none.

    Returns (job id, image ids, labeler, another labeler).
    """
    labeler, other = labelers(2)
    project = api.project.create(seed_ids.workspace, f"restart {unique}")
    api.project.update_meta(project.id, api.project.get_meta(seed_ids.project))
    dataset = api.dataset.create(project.id, "ds1")
    seeded = api.image.get_list(seed_ids.dataset)[:4]
    images = [i.id for i in api.image.upload_ids(dataset.id, [i.name for i in seeded], [i.id for i in seeded])]
    job = api.labeling_job.create(
        name="kiwi job",
        dataset_id=dataset.id,
        user_ids=[labeler.id],
        classes_to_label=["kiwi"],
        tags_to_label=["size"],
        objects_limit_per_image=3,
        tags_limit_per_image=4,
        readme="# manual",
        description="kiwis only",
        reviewer_id=seed_ids.admin,
    )[0]
    control.start(api, job.id)
    control.submit(api, job.id)  # every image becomes "done"
    control.review(api, job.id, images[0], "accepted")
    control.review(api, job.id, images[1], "rejected")
    control.review(api, job.id, images[3], "none")
    return job.id, images, labeler, other


def _statuses(api, job_id):
    return {e["id"]: e["reviewStatus"] for e in api.labeling_job.get_info_by_id(job_id).entities}


def _team_job_ids(api, seed_ids):
    return {j.id for j in api.labeling_job.get_list(seed_ids.team, show_disabled=True)}


def test_only_rejected_entities_false_rejects_the_unmarked_and_takes_every_unaccepted(api, sandbox, reviewed):
    job_id, images, labeler, _ = reviewed
    assert _statuses(api, job_id) == {
        images[0]: "accepted",
        images[1]: "rejected",
        images[2]: "done",
        images[3]: "none",
    }
    before = dict(sandbox.calls)
    (made,) = api.labeling_job.restart(job_id, only_rejected_entities=False)
    sent = {m: sandbox.calls[m] - before.get(m, 0) for m in ("jobs.reject", "jobs.restart")}
    assert sent == {"jobs.reject": 1, "jobs.restart": 1}  # the SDK rejects the unmarked, then restarts
    # the old job: its unmarked entities (done and none) are rejected, the accepted one stays, and it is completed
    assert _statuses(api, job_id) == {images[0]: "accepted", **{i: "rejected" for i in images[1:]}}
    assert api.labeling_job.get_status(job_id) is Status.COMPLETED
    new = api.labeling_job.get_info_by_id(made["id"])
    assert sorted(e["id"] for e in new.entities) == sorted(images[1:])
    assert {e["reviewStatus"] for e in new.entities} == {"none"}
    assert (new.assigned_to_id, new.reviewer_id, new.status, new.name) == (labeler.id, 7, "pending", "kiwi job (#2)")


def test_only_rejected_entities_true_takes_the_rejected_and_leaves_the_unmarked(api, sandbox, reviewed):
    job_id, images, _, _ = reviewed
    before = sandbox.calls["jobs.reject"]
    (made,) = api.labeling_job.restart(job_id)
    assert sandbox.calls["jobs.reject"] == before
    assert [e["id"] for e in api.labeling_job.get_info_by_id(made["id"]).entities] == [images[1]]
    assert _statuses(api, job_id) == {
        images[0]: "accepted",
        images[1]: "rejected",
        images[2]: "done",
        images[3]: "none",
    }


def test_complete_existing_false_leaves_the_old_job_on_review(api, reviewed):
    job_id = reviewed[0]
    api.labeling_job.restart(job_id, complete_existing=False)
    info = api.labeling_job.get_info_by_id(job_id)
    assert (info.status, info.finished_at) == ("on_review", None)


def test_assignees_reviewer_and_title_of_the_new_jobs(api, seed_ids, reviewed, unique):
    job_id, images, labeler, other = reviewed
    reviewer = api.user.create(login=f"reviewer_{unique}", password="reviewer1", is_restricted=True)
    api.user.add_to_team(reviewer.id, seed_ids.team, api.role.DefaultRole.ANNOTATOR)
    api.labeling_job.set_entity_review_status(job_id, images[2], "rejected")
    api.labeling_job.set_entity_review_status(job_id, images[3], "rejected")
    made = api.labeling_job.restart(job_id, assignee_ids=[labeler.id, other.id], reviewer_id=reviewer.id, title="again")
    assert [(m["userId"], m["type"], m["name"]) for m in made] == [
        (labeler.id, "annotation", "again (#1)"),
        (other.id, "annotation", "again (#2)"),
    ]
    new = [api.labeling_job.get_info_by_id(m["id"]) for m in made]
    shares = [sorted(e["id"] for e in n.entities) for n in new]
    assert shares == [sorted(images[1:3]), [images[3]]]  # split as jobs.add splits: in dataset order, sizes 2 and 1
    assert {(n.reviewer_id, n.reviewer_login) for n in new} == {(reviewer.id, reviewer.login)}


def test_the_new_job_keeps_the_settings_but_not_the_old_selection(api, labelers, seed_ids):
    (labeler,) = labelers(1)
    job = api.labeling_job.create(
        name="ranged",
        dataset_id=seed_ids.dataset,
        user_ids=[labeler.id],
        images_range=(2, 5),
        classes_to_label=["lemon"],
        tags_to_label=["origin"],
        objects_limit_per_image=7,
        readme="r",
        description="d",
        exclude_images_with_tags=["size"],
    )[0]
    ranged = sorted(e["id"] for e in job.entities)
    api.labeling_job.set_entity_review_status(job.id, ranged[-1], "rejected")
    (made,) = api.labeling_job.restart(job.id)
    new = api.labeling_job.get_info_by_id(made["id"])
    assert [e["id"] for e in new.entities] == [ranged[-1]]
    assert (new.classes_to_label, new.tags_to_label, new.objects_limit_per_image) == (["lemon"], ["origin"], 7)
    assert (new.readme, new.description, new.dataset_id) == ("r", "d", seed_ids.dataset)
    # the old range and tag filter chose the old job's images; the new one holds the rejected ones by id
    assert (new.images_range, new.filter_images_by_tags) == ((None, None), [])
    # and cloning the ranged job (the SDK sends its range and its image ids together) gets the same images
    (clone,) = api.labeling_job.clone(job.id, new_title="ranged copy")
    assert sorted(e["id"] for e in clone.entities) == ranged and clone.images_range == (2, 5)


def test_default_titles_count_up(api, reviewed):
    job_id, images, _, _ = reviewed
    (second,) = api.labeling_job.restart(job_id, complete_existing=False)
    assert second["name"] == "kiwi job (#2)"
    api.labeling_job.set_entity_review_status(second["id"], images[1], "rejected")
    (third,) = api.labeling_job.restart(second["id"])
    assert third["name"] == "kiwi job (#3)"


def test_nothing_rejected_is_refused_or_ignored_as_the_sdk_asks(api, seed_ids, reviewed):
    job_id, images, _, _ = reviewed
    for image in images:
        api.labeling_job.set_entity_review_status(job_id, image, "accepted")
    jobs = _team_job_ids(api, seed_ids)
    with pytest.raises(requests.exceptions.HTTPError, match="No images found"):
        api.labeling_job.restart(job_id)
    assert api.labeling_job.restart(job_id, ignore_no_rejected_error=True) == []
    # only_rejected_entities=False has nothing unmarked to reject either, and the SDK does not ignore that error
    with pytest.raises(requests.exceptions.HTTPError, match="No images found"):
        api.labeling_job.restart(job_id, only_rejected_entities=False, ignore_no_rejected_error=True)
    assert _team_job_ids(api, seed_ids) == jobs
    assert set(_statuses(api, job_id).values()) == {"accepted"}
    assert api.labeling_job.get_status(job_id) is Status.ON_REVIEW


@pytest.mark.parametrize(
    "change, message",
    [
        ({"userIds": []}, "at least one user"),
        ({"userIds": "LABELER_TWICE"}, "lists a user twice"),
        ({"userIds": "STRANGERS"}, "not a member"),
        ({"reviewerId": "STRANGER"}, "not a member"),
        ({"userIds": "TWO_LABELERS_ONE_REJECTED"}, "No images found for every labeler"),
        ({"name": ""}, "must not be empty"),
        ({"name": "x" * 256}, "at most 255"),
        ({"completeExisting": "yes"}, "completeExisting"),
        ({"id": 987654321}, "not found"),
    ],
    ids=[
        "no labeler",
        "labeler twice",
        "stranger",
        "stranger reviewer",
        "more labelers than images",
        "empty name",
        "long name",
        "completeExisting not a boolean",
        "unknown job",
    ],
)
def test_bad_restart_fields_are_refused_before_anything_is_written(api, seed_ids, reviewed, unique, change, message):
    job_id, _, labeler, other = reviewed
    stranger = api.user.create(login=f"stranger_{unique}", password="stranger1")
    stand_ins = {
        "LABELER_TWICE": [labeler.id, labeler.id],
        "STRANGER": stranger.id,
        "STRANGERS": [stranger.id],
        "TWO_LABELERS_ONE_REJECTED": [labeler.id, other.id],
    }
    body = {"id": job_id, "userIds": [labeler.id], "reviewerId": seed_ids.admin, "completeExisting": True}
    for key, value in change.items():
        body[key] = stand_ins.get(value, value) if isinstance(value, str) else value
    jobs, statuses = _team_job_ids(api, seed_ids), _statuses(api, job_id)
    with pytest.raises(requests.exceptions.HTTPError, match=message):
        api.post("jobs.restart", body)
    assert _team_job_ids(api, seed_ids) == jobs
    assert _statuses(api, job_id) == statuses and api.labeling_job.get_status(job_id) is Status.ON_REVIEW


def test_the_sdks_title_limit_holds_for_every_job_name(api, labelers, seed_ids):
    (labeler,) = labelers(1)
    with pytest.raises(requests.exceptions.HTTPError, match="at most 255"):
        api.labeling_job.create(name="x" * 256, dataset_id=seed_ids.dataset, user_ids=[labeler.id])
    job = api.labeling_job.create(name="x" * 255, dataset_id=seed_ids.dataset, user_ids=[labeler.id])[0]
    with pytest.raises(requests.exceptions.HTTPError, match="at most 255"):
        api.post("jobs.editInfo", {"id": job.id, "name": "y" * 256})
    assert api.labeling_job.get_info_by_id(job.id).name == "x" * 255
