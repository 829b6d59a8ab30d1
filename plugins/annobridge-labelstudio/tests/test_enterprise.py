"""Enterprise-only calls, through the official SDK, against the stand-in in front of the real server."""

from __future__ import annotations

import uuid

import pytest

from annobridge import Assignment, JobSpec, JobStatus, ReviewStatus, Role, ValidationError
from annobridge.testing.conformance import SAMPLE_SCHEMA


@pytest.fixture
def ee_job(ee_backend):
    created, = ee_backend.jobs.create(JobSpec(name=f"ee-{uuid.uuid4().hex[:8]}", label_schema=SAMPLE_SCHEMA))
    yield created
    ee_backend.jobs.delete(created.id)


@pytest.fixture(scope="module")
def people(backend):
    made = []
    for name in ("ann", "rev"):
        login = f"{name}-{uuid.uuid4().hex[:6]}"
        made.append(backend.users.create(login, password="pw-12345678", email=f"{login}@example.com"))
    return made


def test_only_the_enterprise_endpoints_are_answered_by_the_stand_in(ee_backend, ee_job, standin, images):
    before = len(standin.log)
    ee_backend.items.add(ee_job.id, images(2))
    list(ee_backend.items.list(ee_job.id))
    assert all(how == "forwarded" for _, _, how in standin.log[before:])


def test_bulk_assignment_sends_at_most_1000_tasks_a_request(ee_backend, ee_job, standin, people, images):
    ids = ee_backend.items.add(ee_job.id, images(2300))
    annotator, reviewer = people
    before = len(standin.local("/tasks/assignees"))
    plan = [Assignment(item_id=t, user_id=annotator.id) for t in ids]
    plan += [Assignment(item_id=t, user_id=reviewer.id, role=Role.REVIEWER) for t in ids[:10]]
    ee_backend.assignments.assign(ee_job.id, plan)
    assert len(standin.local("/tasks/assignees")) - before == 3 + 1  # 1000 + 1000 + 300 AN, 10 RE
    assert len(standin.assignments) >= 2300
    assert ee_backend.assignments.assign_users(ee_job.id, [reviewer.id], ids[:5], Role.ANNOTATOR) == 5


def test_assign_list_unassign(ee_backend, ee_job, people, images):
    ids = ee_backend.items.add(ee_job.id, images(3))
    annotator, reviewer = people
    ee_backend.assignments.assign(ee_job.id, [Assignment(item_id=t, user_id=annotator.id) for t in ids]
                                  + [Assignment(item_id=ids[0], user_id=reviewer.id, role=Role.REVIEWER)])
    listed = set(ee_backend.assignments.list(ee_job.id))
    assert listed == {Assignment(item_id=t, user_id=annotator.id) for t in ids} | {
        Assignment(item_id=ids[0], user_id=reviewer.id, role=Role.REVIEWER)}
    ee_backend.assignments.unassign(ee_job.id, ids[:2], Role.ANNOTATOR)
    ee_backend.assignments.unassign(ee_job.id, [], Role.REVIEWER)
    assert set(ee_backend.assignments.list(ee_job.id)) == {
        Assignment(item_id=ids[2], user_id=annotator.id), Assignment(item_id=ids[0], user_id=reviewer.id, role=Role.REVIEWER)}


def test_a_job_with_annotators_and_a_reviewer_assigns_every_task(ee_backend, job, people, images):
    source = ee_backend.items.add(job.id, images(4))
    annotator, reviewer = people
    made, = ee_backend.jobs.create(JobSpec(name=f"staffed-{uuid.uuid4().hex[:6]}", project_id=job.id,
                                           item_ids=source[:3], annotators=[annotator.id], reviewer=reviewer.id))
    try:
        tasks = ee_backend.items.ids(made.id)
        assert set(ee_backend.assignments.list(made.id)) == {Assignment(item_id=t, user_id=annotator.id) for t in tasks} | {
            Assignment(item_id=t, user_id=reviewer.id, role=Role.REVIEWER) for t in tasks}
        assert {u.id for u in ee_backend.users.project_members(made.id)} == {annotator.id, reviewer.id}
        assert made.id in {j.id for j in ee_backend.jobs.list(assigned_to=annotator.id)}
    finally:
        ee_backend.jobs.delete(made.id)


def test_reviews_set_reject_and_the_status_they_give(ee_backend, ee_job, images, choice):
    ids = ee_backend.items.add(ee_job.id, images(3))
    for tid in ids:
        ee_backend.annotations.create(tid, result=choice())
    assert ee_backend.jobs.status(ee_job.id) is JobStatus.COMPLETED  # all labeled, no review yet in use
    assert {e.review_status for e in ee_backend.reviews.list(ee_job.id)} == {ReviewStatus.NONE}
    ee_backend.reviews.set(ee_job.id, ids[0], ReviewStatus.ACCEPTED)
    assert ee_backend.jobs.status(ee_job.id) is JobStatus.ON_REVIEW
    ee_backend.reviews.reject(ee_job.id, only_unmarked=True)
    statuses = {e.id: e.review_status for e in ee_backend.reviews.list(ee_job.id)}
    assert statuses == {ids[0]: ReviewStatus.ACCEPTED, ids[1]: ReviewStatus.REJECTED, ids[2]: ReviewStatus.REJECTED}
    job = ee_backend.jobs.get(ee_job.id)
    assert (job.status, job.accepted_items_count, job.rejected_items_count) == (JobStatus.REVIEW_COMPLETED, 1, 2)
    ee_backend.reviews.set(ee_job.id, ids[1], ReviewStatus.NONE)
    ee_backend.reviews.set(ee_job.id, ids[2], ReviewStatus.ACCEPTED)
    assert ee_backend.jobs.status(ee_job.id) is JobStatus.ON_REVIEW
    annotation = ee_backend.annotations.list(ids[1])[0]["id"]
    ee_backend.reviews.review(annotation, accepted=True, comment="fine")
    assert ee_backend.reviews.of_annotation(annotation)[-1]["comment"] == "fine"
    assert ee_backend.jobs.status(ee_job.id) is JobStatus.COMPLETED


def test_a_task_without_annotations_cannot_be_reviewed(ee_backend, ee_job, images):
    tid, = ee_backend.items.add(ee_job.id, images(1))
    with pytest.raises(ValidationError, match="this task has none"):
        ee_backend.reviews.set(ee_job.id, tid, ReviewStatus.ACCEPTED)


def test_organization_roles_and_project_members(ee_backend, ee_job, people):
    annotator, reviewer = people
    assert ee_backend.users.member_role(reviewer.id) is None
    ee_backend.users.add_member(reviewer.id, Role.REVIEWER)
    ee_backend.users.add_member(reviewer.id, Role.REVIEWER)  # a no-op the second time
    assert ee_backend.users.member_role(reviewer.id) == "reviewer"
    ee_backend.users.add_project_member(ee_job.id, annotator.id)
    assert [u.id for u in ee_backend.users.project_members(ee_job.id)] == [annotator.id]
    ee_backend.users.remove_project_member(ee_job.id, annotator.id)
    assert ee_backend.users.project_members(ee_job.id) == []


def test_pausing_and_resuming_an_annotator(ee_backend, ee_job, people):
    annotator, _ = people
    assert not ee_backend.pauses.is_paused(ee_job.id, annotator.id)
    pause = ee_backend.pauses.pause(ee_job.id, annotator.id, message="too fast")
    assert (pause["reason"], pause["verbose_reason"]) == ("MANUAL", "too fast")
    assert ee_backend.pauses.is_paused(ee_job.id, annotator.id)
    assert ee_backend.pauses.resume(ee_job.id, annotator.id) == 1
    assert not ee_backend.pauses.is_paused(ee_job.id, annotator.id)
