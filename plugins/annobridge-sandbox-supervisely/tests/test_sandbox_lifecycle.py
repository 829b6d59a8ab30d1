"""A job's life without a browser: sandbox.jobs.* play labeler and reviewer while the SDK polls, reviews, restarts."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import requests
import supervisely as sly
from supervisely.api.module_api import WaitingTimeExceeded

from annobridge_sandbox_supervisely import control

Status = sly.api.labeling_job_api.LabelingJobApi.Status


@pytest.fixture
def job_setup(api, labelers, seed_ids, unique):
    """A pending kiwi job for a new labeler over copies of three seeded images (the seed stays as it is)."""
    labeler, other = labelers(2)
    project = api.project.create(seed_ids.workspace, f"lifecycle {unique}")
    meta = api.project.update_meta(project.id, api.project.get_meta(seed_ids.project))
    dataset = api.dataset.create(project.id, "ds1")
    seeded = api.image.get_list(seed_ids.dataset)[:3]
    images = [i.id for i in api.image.upload_ids(dataset.id, [i.name for i in seeded], [i.id for i in seeded])]
    job = api.labeling_job.create(
        name="kiwi job", dataset_id=dataset.id, user_ids=[labeler.id], images_ids=images,
        classes_to_label=["kiwi"], tags_to_label=["size"], objects_limit_per_image=2, tags_limit_per_image=2,
    )[0]
    return job, images, labeler, other, meta


def _kiwi_annotation(meta, height=480, width=640, count=1, size="small"):
    labels = []
    for k in range(count):
        mask = np.zeros((height, width), bool)
        mask[10 + 30 * k : 30 + 30 * k, 10:40] = True
        tag = sly.Tag(meta.get_tag_meta("size"), size)
        labels.append(sly.Label(sly.Bitmap(mask), meta.get_obj_class("kiwi"), tags=[tag]))
    return sly.Annotation((height, width), labels)


def _when_polled(sandbox, times, action):
    """Run `action` in a thread once jobs.info has been asked `times` more times (no clocks involved)."""
    start = sandbox.calls["jobs.info"]
    done = threading.Event()

    def run():
        while sandbox.calls["jobs.info"] - start < times:
            done.wait(0.005)
        action()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_wait_sees_the_labeler_submit_and_the_reviewer_complete(api, sandbox, job_setup, make_api):
    job, images, labeler, _, meta = job_setup
    actor = make_api(sandbox)  # the labeler's and reviewer's own client
    ann = _kiwi_annotation(meta)

    def labeler_works():
        control.start(actor, job.id)
        for image_id in images:
            control.annotate(actor, job.id, image_id, ann, done=True)
        control.submit(actor, job.id)

    polls = sandbox.calls["jobs.info"]
    thread = _when_polled(sandbox, 2, labeler_works)
    api.labeling_job.wait(job.id, target_status=Status.ON_REVIEW, wait_attempts=500, wait_attempt_timeout_sec=0.01)
    thread.join()
    assert sandbox.calls["jobs.info"] - polls >= 3  # it polled while pending, then saw on_review

    info = api.labeling_job.get_info_by_id(job.id)
    assert info.started_at is not None and info.finished_at is None
    assert (info.finished_images_count, info.progress_images_count) == (3, 3)

    def reviewer_works():
        control.review(actor, job.id, images[0], "accepted")
        control.review(actor, job.id, images[1], "rejected")
        control.complete(actor, job.id)

    thread = _when_polled(sandbox, 1, reviewer_works)
    api.labeling_job.wait(job.id, target_status=Status.COMPLETED, wait_attempts=500, wait_attempt_timeout_sec=0.01)
    thread.join()
    info = api.labeling_job.get_info_by_id(job.id)
    assert info.finished_at is not None
    assert (info.accepted_images_count, info.rejected_images_count) == (1, 1)

    anns = api.labeling_job.get_annotations(job.id, image_ids=images)
    assert [len(a.labels) for a in anns] == [1, 1, 1]
    assert all(a.labels[0].obj_class.name == "kiwi" for a in anns)
    assert anns[0].labels[0].tags.get("size").value == "small"
    raw = api.annotation.download(images[0]).annotation
    assert raw["objects"][0]["labelerLogin"] == labeler.login


def test_wait_gives_up_with_the_sdks_error(api, job_setup):
    job = job_setup[0]
    with pytest.raises(WaitingTimeExceeded):
        api.labeling_job.wait(job.id, Status.COMPLETED, wait_attempts=2, wait_attempt_timeout_sec=0.01)


def test_wait_needs_the_status_member_not_its_string(api, job_setup):
    """An SDK trait worth knowing: wait() compares with `is`, so "pending" never matches Status.PENDING."""
    job = job_setup[0]
    assert api.labeling_job.get_status(job.id) is Status.PENDING
    with pytest.raises(WaitingTimeExceeded):
        api.labeling_job.wait(job.id, "pending", wait_attempts=1, wait_attempt_timeout_sec=0.01)
    api.labeling_job.wait(job.id, Status.PENDING, wait_attempts=1)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda meta, ann: ann.clone(labels=[ann.labels[0].clone(obj_class=meta.get_obj_class("lemon"))]),
         "not one this job labels"),
        (lambda meta, ann: _kiwi_annotation(meta, count=3), "allows 2 objects per image"),
        (lambda meta, ann: ann.clone(labels=[ann.labels[0].clone(tags=[sly.Tag(meta.get_tag_meta("origin"), "NZ")])]),
         "not one this job labels"),
    ],
    ids=["class outside the job", "objects limit", "tag outside the job"],
)
def test_annotations_must_obey_the_job(api, job_setup, change, message):
    job, images, _, _, meta = job_setup
    with pytest.raises(requests.exceptions.HTTPError) as caught:
        control.annotate(api, job.id, images[0], change(meta, _kiwi_annotation(meta)))
    assert caught.value.response.status_code == 400 and message in caught.value.response.json()["error"]
    assert api.labeling_job.get_status(job.id) is Status.PENDING  # a refused step changes nothing


def test_lifecycle_steps_refuse_the_wrong_state(api, job_setup, seed_ids):
    job, images, _, _, meta = job_setup
    with pytest.raises(requests.exceptions.HTTPError, match="pending"):
        control.submit(api, job.id)
    outside = api.image.get_list(seed_ids.dataset)[-1].id
    with pytest.raises(requests.exceptions.HTTPError) as caught:
        control.annotate(api, job.id, outside, _kiwi_annotation(meta))
    assert caught.value.response.status_code == 404
    api.labeling_job.stop(job.id)
    with pytest.raises(requests.exceptions.HTTPError, match="stopped"):
        control.annotate(api, job.id, images[0], _kiwi_annotation(meta))


def test_quality_check_adds_review_completed(api, labelers, seed_ids):
    (labeler,) = labelers(1)
    job = api.labeling_job.create(name="qc", dataset_id=seed_ids.dataset, user_ids=[labeler.id], enable_quality_check=True)[0]
    control.start(api, job.id)
    control.submit(api, job.id)
    control.complete(api, job.id)
    assert api.labeling_job.get_status(job.id) is Status.REVIEW_COMPLETED
    control.complete(api, job.id)
    assert api.labeling_job.get_status(job.id) is Status.COMPLETED


def test_entity_review_status_and_reject_modes(api, job_setup):
    job, images, *_ = job_setup
    api.labeling_job.set_entity_review_status(job.id, images[0], "accepted")
    api.labeling_job.set_entity_review_status(job.id, images[1], "done")
    statuses = lambda: {e["id"]: e["reviewStatus"] for e in api.labeling_job.get_info_by_id(job.id).entities}  # noqa: E731
    assert statuses() == {images[0]: "accepted", images[1]: "done", images[2]: "none"}
    api.labeling_job.reject_annotations(job.id, mode="unmarked")
    assert statuses() == {images[0]: "accepted", images[1]: "rejected", images[2]: "rejected"}
    api.labeling_job.reject_annotations(job.id, mode="all")
    assert set(statuses().values()) == {"rejected"}
    with pytest.raises(requests.exceptions.HTTPError, match="400"):
        api.labeling_job.set_entity_review_status(job.id, images[0], "great")


def test_restart_takes_the_rejected_images(api, job_setup):
    job, images, labeler, other, _ = job_setup
    with pytest.raises(requests.exceptions.HTTPError, match="No images found"):
        api.labeling_job.restart(job.id)
    assert api.labeling_job.restart(job.id, ignore_no_rejected_error=True) == []
    api.labeling_job.set_entity_review_status(job.id, images[0], "accepted")
    api.labeling_job.set_entity_review_status(job.id, images[1], "rejected")
    restarted = api.labeling_job.restart(job.id, assignee_ids=[other.id], title="second pass", complete_existing=False)
    new = api.labeling_job.get_info_by_id(restarted[0]["id"])
    assert (new.name, new.assigned_to_id, [e["id"] for e in new.entities]) == ("second pass", other.id, [images[1]])
    assert new.classes_to_label == ["kiwi"] and new.objects_limit_per_image == 2
    assert api.labeling_job.get_status(job.id) is Status.PENDING  # complete_existing=False

    # only_rejected_entities=False: every image not accepted goes again, the old job completes
    again = api.labeling_job.restart(job.id, only_rejected_entities=False)
    new = api.labeling_job.get_info_by_id(again[0]["id"])
    assert sorted(e["id"] for e in new.entities) == sorted(images[1:])
    assert new.assigned_to_id == labeler.id
    assert api.labeling_job.get_status(job.id) is Status.COMPLETED


def test_custom_data_update_and_replace(api, job_setup):
    job = job_setup[0]
    assert api.labeling_job.get_custom_data(job.id) == {}
    api.labeling_job.set_custom_data(job.id, {"a": 1})
    api.labeling_job.set_custom_data(job.id, {"b": 2})
    assert api.labeling_job.get_custom_data(job.id) == {"a": 1, "b": 2}
    api.labeling_job.set_custom_data(job.id, {"c": 3}, update=False)
    assert api.labeling_job.get_custom_data(job.id) == {"c": 3}


def test_set_assignees_checks_membership(api, job_setup, unique):
    job, _, labeler, other, _ = job_setup
    info = api.labeling_job.set_assignees(job.id, annotator_id=other.id, reviewer_id=labeler.id)
    assert (info.assigned_to_id, info.reviewer_id, info.reviewer_login) == (other.id, labeler.id, labeler.login)
    outsider = api.user.create(login=f"outsider_{unique}", password="outsider1")
    with pytest.raises(RuntimeError, match="not a member"):
        api.labeling_job.set_assignees(job.id, annotator_id=outsider.id)
    with pytest.raises(requests.exceptions.HTTPError, match="not a member"):
        api.labeling_job.set_assignees(job.id, annotator_id=outsider.id, check_membership=False)


def test_clone_copies_the_settings(api, job_setup):
    job, images, labeler, other, _ = job_setup
    (clone,) = api.labeling_job.clone(job.id, new_title="kiwi job copy", assignee_ids=[other.id])
    original = api.labeling_job.get_info_by_id(job.id)
    assert clone.name == "kiwi job copy" and clone.assigned_to_id == other.id
    for name in ("classes_to_label", "tags_to_label", "objects_limit_per_image", "tags_limit_per_image",
                 "reviewer_id", "readme", "description", "dataset_id"):
        assert getattr(clone, name) == getattr(original, name), name
    assert sorted(e["id"] for e in clone.entities) == sorted(images)


def test_job_project_meta_has_the_jobs_classes_and_tags(api, job_setup):
    job = job_setup[0]
    meta = api.labeling_job.get_project_meta(job.id)
    assert [c.name for c in meta.obj_classes] == ["kiwi"]
    assert [t.name for t in meta.tag_metas] == ["size"]
