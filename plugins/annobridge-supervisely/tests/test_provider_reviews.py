"""Review statuses on the Supervisely sandbox: read, set each verdict, reject all or only the unmarked."""

from __future__ import annotations

import pytest

from annobridge.errors import BackendError, NotFound, ValidationError
from annobridge.models import JobSpec, ReviewStatus

from .provider_support import unique


@pytest.fixture
def job(sv, world):
    (job,) = sv.jobs.create(
        JobSpec(
            name=unique("review"),
            project_id=world.project_id,
            annotators=world.labelers[:1],
            reviewer=world.reviewer,
            item_ids=world.image_ids[:4],
        )
    )
    sv.jobs.set_status(job.id, "on_review")
    yield job
    sv.jobs.delete(job.id)


def _verdicts(sv, job):
    return {e.id: e.review_status for e in sv.reviews.list(job.id)}


def test_every_verdict_can_be_set_and_taken_back(sv, job, world):
    item = world.image_ids[0]
    for status in (ReviewStatus.ACCEPTED, "rejected", ReviewStatus.NONE):
        sv.reviews.set(job.id, item, status)
        assert _verdicts(sv, job)[item].value == getattr(status, "value", status)


def test_the_jobs_counts_follow_the_verdicts(sv, job, world):
    sv.reviews.set(job.id, world.image_ids[0], ReviewStatus.ACCEPTED)
    sv.reviews.set(job.id, world.image_ids[1], ReviewStatus.REJECTED)
    got = sv.jobs.get(job.id)
    assert (got.accepted_items_count, got.rejected_items_count) == (1, 1)


def test_reject_unmarked_keeps_the_accepted(sv, job, world):
    sv.reviews.set(job.id, world.image_ids[0], ReviewStatus.ACCEPTED)
    sv.reviews.reject(job.id, only_unmarked=True)
    verdicts = _verdicts(sv, job)
    assert verdicts.pop(world.image_ids[0]) is ReviewStatus.ACCEPTED
    assert set(verdicts.values()) == {ReviewStatus.REJECTED}


def test_reject_all_rejects_the_accepted_too(sv, job, world):
    sv.reviews.set(job.id, world.image_ids[0], ReviewStatus.ACCEPTED)
    sv.reviews.reject(job.id)
    assert set(_verdicts(sv, job).values()) == {ReviewStatus.REJECTED}


def test_an_item_outside_the_job_or_a_missing_job_is_refused(sv, job, world):
    with pytest.raises(BackendError):
        sv.reviews.set(job.id, world.image_ids[5], ReviewStatus.ACCEPTED)
    with pytest.raises(NotFound):
        sv.reviews.list(987654321)


def test_restart_shares_the_rejected_items_between_new_annotators_with_a_new_reviewer(sv, job, world):
    sv.reviews.set(job.id, world.image_ids[0], ReviewStatus.ACCEPTED)
    sv.reviews.reject(job.id, only_unmarked=True)
    again = sv.jobs.restart(job.id, assignees=world.labelers[1:3], reviewer=world.labelers[0], name=unique("again"))
    try:
        assert sorted(j.assignees[0].id for j in again) == sorted(world.labelers[1:3])
        assert {j.reviewers[0].id for j in again} == {world.labelers[0]}
        shares = [{e.id for e in j.entities} for j in again]
        assert sorted(len(s) for s in shares) == [1, 2] and set().union(*shares) == set(world.image_ids[1:4])
        assert sv.jobs.status(job.id).value == "completed"  # the old job is completed, as Supervisely does
    finally:
        sv.jobs.delete_many([j.id for j in again])


def test_restart_refuses_a_stranger_and_a_job_with_nothing_rejected(sv, job, world):
    sv.reviews.set(job.id, world.image_ids[0], ReviewStatus.REJECTED)
    with pytest.raises(ValidationError, match="stranger"):
        sv.jobs.restart(job.id, assignees=[world.stranger])
    sv.reviews.set(job.id, world.image_ids[0], ReviewStatus.ACCEPTED)
    with pytest.raises(ValidationError, match=f"labeling job {job.id} has no rejected items"):
        sv.jobs.restart(job.id)


def test_restart_of_every_unaccepted_item_rejects_the_unmarked_first(sv, sandbox, job, world):
    first, second, *rest = world.image_ids[:4]
    sv.reviews.set(job.id, first, ReviewStatus.ACCEPTED)
    sv.reviews.set(job.id, second, ReviewStatus.REJECTED)
    sv.api.labeling_job.set_entity_review_status(job.id, rest[0], "done")  # the labeler finished it, no verdict yet
    before = {m: sandbox.calls[m] for m in ("jobs.reject", "jobs.restart")}
    (again,) = sv.jobs.restart(job.id, only_rejected=False, complete_existing=False)
    try:
        assert {m: sandbox.calls[m] - before[m] for m in before} == {"jobs.reject": 1, "jobs.restart": 1}
        assert sorted(e.id for e in again.entities) == sorted([second, *rest])
        assert set(_verdicts(sv, again).values()) == {ReviewStatus.NONE}
        assert _verdicts(sv, job) == {
            first: ReviewStatus.ACCEPTED,
            **{i: ReviewStatus.REJECTED for i in [second, *rest]},
        }
        assert sv.jobs.status(job.id).value == "on_review"  # complete_existing=False leaves the old job as it was
        assert again.assignees[0].id == world.labelers[0] and again.reviewers[0].id == world.reviewer
    finally:
        sv.jobs.delete(again.id)


@pytest.mark.parametrize(
    "options, message",
    [
        ({"name": ""}, "not a job name"),
        ({"name": "x" * 256}, "at most 255"),
        ({"assignees": []}, "empty list"),
        ({"assignees": "TWICE"}, "named twice"),
        ({"assignees": "THREE"}, "3 annotators for 2 items"),
        ({"reviewer": "STRANGER"}, "reviewer: .* not a member"),
        ({"only_rejected": "no"}, "only_rejected"),
        ({"complete_existing": None}, "complete_existing"),
        ({"only_rejected": False, "EVERYTHING_ACCEPTED": True}, "no unaccepted items"),
    ],
    ids=[
        "empty name",
        "long name",
        "no assignees",
        "assignee twice",
        "more assignees than items",
        "stranger reviewer",
        "only_rejected not a bool",
        "complete_existing not a bool",
        "nothing unaccepted",
    ],
)
def test_restart_refuses_bad_input_before_anything_is_written(sv, sandbox, job, world, options, message):
    stand_ins = {"TWICE": world.labelers[:1] * 2, "THREE": world.labelers[:3], "STRANGER": world.stranger}
    options = {k: stand_ins.get(v, v) if isinstance(v, str) else v for k, v in options.items()}
    if options.pop("EVERYTHING_ACCEPTED", False):
        for item in world.image_ids[:4]:
            sv.reviews.set(job.id, item, ReviewStatus.ACCEPTED)
    else:
        sv.reviews.set(job.id, world.image_ids[0], ReviewStatus.ACCEPTED)
        sv.reviews.set(job.id, world.image_ids[1], ReviewStatus.REJECTED)
        sv.reviews.set(job.id, world.image_ids[2], ReviewStatus.REJECTED)
    verdicts = _verdicts(sv, job)
    before = {m: sandbox.calls[m] for m in ("jobs.reject", "jobs.restart", "jobs.add")}
    with pytest.raises(ValidationError, match=message):
        sv.jobs.restart(job.id, **options)
    assert {m: sandbox.calls[m] for m in before} == before, "nothing was sent that writes"
    assert _verdicts(sv, job) == verdicts and sv.jobs.status(job.id).value == "on_review"
