"""Enterprise-only calls, through the official SDK, against the stand-in in front of the real server."""

from __future__ import annotations

import uuid

import pytest

import annobridge
from annobridge import Assignment, JobSpec, JobStatus, JobUpdate, ReviewStatus, Role, Unsupported, ValidationError
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


def test_an_import_is_answered_as_enterprise_does_and_polled_and_tasks_stay_real(ee_backend, ee_job, standin, images):
    before = len(standin.log)
    ids = ee_backend.items.add(ee_job.id, images(2))
    listed = [i.id for i in ee_backend.items.list(job_id=ee_job.id)]
    assert listed == ids and len(ids) == 2
    local = [(m, p) for m, p, how in standin.log[before:] if how == "local"]
    iid = max(standin.imports)  # the import the stand-in answered {"import": id} for, done by the real server
    assert local == [("POST", f"/api/projects/{ee_job.id}/import")] + [
        ("GET", f"/api/projects/{ee_job.id}/imports/{iid}/")] * 2  # "in_progress", then "completed"
    assert standin.imports[iid]["task_ids"] == ids
    assert all(how == "forwarded" for _, p, how in standin.log[before:] if "/import" not in p)


def test_assignees_become_members_and_the_project_goes_manual_once(ee_backend, ee_job, standin, people, images):
    ids = ee_backend.items.add(ee_job.id, images(3))
    annotator, reviewer = people
    assert ee_backend.jobs.sdk.projects.get(ee_job.id).assignment_settings.label_stream_task_distribution == (
        "auto_distribution")
    before = len(standin.log)
    ee_backend.assignments.assign_users(ee_job.id, [reviewer.id], ids, Role.REVIEWER)
    changes = [(m, p) for m, p, _ in standin.log[before:] if m != "GET"]
    assert changes == [("POST", f"/api/projects/{ee_job.id}/members/"),
                       ("POST", f"/api/projects/{ee_job.id}/tasks/assignees")]  # reviewers: no distribution change
    before = len(standin.log)
    ee_backend.assignments.assign_users(ee_job.id, [annotator.id, reviewer.id], ids)
    changes = [(m, p) for m, p, _ in standin.log[before:] if m != "GET"]
    assert changes == [("POST", f"/api/projects/{ee_job.id}/members/"), ("PATCH", f"/api/projects/{ee_job.id}/"),
                       ("POST", f"/api/projects/{ee_job.id}/tasks/assignees")]
    assert ee_backend.jobs.sdk.projects.get(ee_job.id).assignment_settings.label_stream_task_distribution == (
        "assigned_only")
    assert {m.id for m in ee_backend.users.project_members(ee_job.id)} == {annotator.id, reviewer.id}
    before = len(standin.log)
    ee_backend.assignments.assign_users(ee_job.id, [annotator.id], ids[:1])
    changes = [(m, p) for m, p, _ in standin.log[before:] if m != "GET"]
    assert changes == [("POST", f"/api/projects/{ee_job.id}/tasks/assignees")]  # members and Manual already


def test_an_asynchronous_bulk_assignment_is_awaited(server, people, images):
    from annobridge_labelstudio.testing.enterprise import EnterpriseStandIn

    annotator, _ = people
    with EnterpriseStandIn(server.url, async_assignments=True) as slow, \
            annobridge.connect("labelstudio+" + slow.url, token=server.token) as backend:
        job, = backend.jobs.create(JobSpec(name=f"ee-{uuid.uuid4().hex[:8]}", label_schema=SAMPLE_SCHEMA))
        ids = backend.items.add(job.id, images(3))
        backend.assignments.assign(job.id, [Assignment(item_id=t, user_id=annotator.id) for t in ids])
        assert all([a["assignee"] for a in slow.assignments.get((job.id, t), [])] == [annotator.id] for t in ids)
        reads = [p for m, p, _ in slow.log if m == "GET" and p.endswith("/assignees")]
        assert reads == [f"/api/projects/{job.id}/tasks/{ids[0]}/assignees"] * 2 + [
            f"/api/projects/{job.id}/tasks/{t}/assignees" for t in ids[1:]]  # waited once, then each task read
        assert set(backend.assignments.list(job.id)) == {Assignment(item_id=t, user_id=annotator.id) for t in ids}
        backend.jobs.delete(job.id)


def test_bulk_assignment_sends_1000_tasks_a_request(ee_backend, ee_job, standin, people, images):
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


def test_update_gives_every_task_to_the_new_reviewer(ee_backend, ee_job, people, images):
    annotator, reviewer = people
    ids = ee_backend.items.add(ee_job.id, images(2))
    ee_backend.assignments.assign_users(ee_job.id, [annotator.id], ids, Role.REVIEWER)
    ee_backend.jobs.update(ee_job.id, JobUpdate(reviewer=reviewer.id))
    assert set(ee_backend.assignments.list(ee_job.id)) == {
        Assignment(item_id=t, user_id=reviewer.id, role=Role.REVIEWER) for t in ids}
    assert reviewer.id in {u.id for u in ee_backend.users.project_members(ee_job.id)}


def test_reviews_set_reject_and_the_status_they_give(ee_backend, ee_job, images, choice):
    ids = ee_backend.items.add(ee_job.id, images(3))
    for tid in ids:
        ee_backend.annotations.create_json(tid, result=choice())
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
    annotation = ee_backend.annotations.list_json(ids[1])[0]["id"]
    made = ee_backend.reviews.review(annotation, accepted=True, comment="fine")
    # AnnotationReview has no comment; AnnotationHistory has one
    assert "comment" not in made and "comment" not in ee_backend.reviews.of_annotation(annotation)[-1]
    history = ee_backend.reviews.sdk.annotation_history.list_for_project(ee_job.id, page_size=1000).results
    assert [e.comment for e in history if e.review_id == made["id"]] == ["fine"]  # AnnotationHistory.comment
    assert ee_backend.jobs.status(ee_job.id) is JobStatus.COMPLETED


def test_a_task_without_annotations_cannot_be_reviewed(ee_backend, ee_job, images):
    tid, = ee_backend.items.add(ee_job.id, images(1))
    with pytest.raises(ValidationError, match="this task has none"):
        ee_backend.reviews.set(ee_job.id, tid, ReviewStatus.ACCEPTED)


def test_organization_roles_and_project_members(ee_backend, ee_job, people, standin):
    annotator, reviewer = people
    me, sdk = ee_backend.users.me(), ee_backend.users.sdk
    org = int(sdk.users.whoami().active_organization)
    assert ee_backend.users.member_role(me.id) == "owner"  # the organization's creator
    assert ee_backend.users.member_role(reviewer.id) == "not_activated"  # the stand-in's role when given none
    assert ee_backend.users.member_role(10**9) is None  # nobody
    before = len([m for m, _ in standin.local("/memberships") if m == "PATCH"])
    ee_backend.users.add_member(reviewer.id, Role.REVIEWER)
    ee_backend.users.add_member(reviewer.id, Role.REVIEWER)  # a no-op the second time
    patches = len([m for m, _ in standin.local("/memberships") if m == "PATCH"])
    assert patches - before == 1
    assert ee_backend.users.member_role(reviewer.id) == "reviewer"
    member = sdk.organizations.members.get(org, reviewer.id)  # the documented OrganizationMember: no role
    assert (member.user, member.organization) == (reviewer.id, org) and "role" not in member.model_dump()

    ee_backend.users.add_project_member(ee_job.id, annotator.id)
    assert [u.id for u in ee_backend.users.project_members(ee_job.id)] == [annotator.id]
    listed = {m.id: m.implicit_member for m in sdk.projects.members.paginated.list(ee_job.id).items}
    assert listed == {me.id: True, annotator.id: False}  # the owner sees the project without being a member
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
    assert ee_backend.pauses.sdk.projects.pauses.list(ee_job.id, annotator.id) == []  # resumed: only on request
    (resumed,) = ee_backend.pauses.list(ee_job.id, annotator.id)
    assert resumed["id"] == pause["id"] and resumed["deleted_at"]


# ---------------------------------------------------------------- sampling, and the review workflow's restart


@pytest.fixture(scope="module")
def crew(backend):
    """Ten annotators."""
    made = []
    for n in range(10):
        login = f"crew{n}-{uuid.uuid4().hex[:6]}"
        made.append(backend.users.create(login, password="pw-12345678", email=f"{login}@example.com"))
    return [u.id for u in made]


def test_sampling_10000_tasks_over_10_annotators_with_overlap_2(ee_backend, ee_job, standin, crew, images, counted):
    before = len(standin.log)
    ids = ee_backend.items.add(ee_job.id, images(10_000), batch_size=10_000)
    imports = [path for method, path, _ in standin.log[before:] if method == "POST" and path.rstrip("/").endswith("/import")]
    assert len(ids) == 10_000 and len(imports) == 1  # one bulk import into the real server

    bulk_before = len(standin.local("/tasks/assignees"))
    with counted(ee_backend) as c:
        plan = ee_backend.assignments.assign_by_sampling(ee_job.id, crew, overlap=2, seed=2024)
    bulk = len(standin.local("/tasks/assignees")) - bulk_before

    loads = {user: sum(a.user_id == user for a in plan) for user in crew}
    assert set(loads.values()) == {2000}  # 20,000 assignments, balanced over 10 annotators
    assert bulk == sum(-(-load // 1000) for load in loads.values()) == 20  # one request per annotator and 1000 tasks
    # and the 10 pages (1000 tasks each) of the job's task list; once: the members listed, the 10 annotators made
    # members, the assignment settings read and switched to Manual
    assert c.count == bulk + 10 + 1 + 10 + 2
    print(f"\n10,000 tasks x 10 annotators, overlap 2: {bulk} bulk-assignment requests, {c.count} HTTP requests in all")

    planned: dict[int, set[int]] = {}
    for a in plan:
        planned.setdefault(a.item_id, set()).add(a.user_id)
    held = {t: {a["assignee"] for a in standin.assignments.get((ee_job.id, t), []) if a["type"] == "AN"} for t in ids}
    assert all(len(users) == 2 for users in held.values())
    assert held == planned


@pytest.mark.parametrize(
    ("call", "sentence"),
    [
        (lambda b: b.assignments.assign_by_sampling(1, [1, 2]), "task assignment needs Label Studio Enterprise"),
        (lambda b: b.assignments.assign_users(1, [1], [1]), "task assignment needs Label Studio Enterprise"),
        (lambda b: b.jobs.restart(1), "restarting a job with its rejected tasks .* needs Label Studio Enterprise"),
    ],
)
def test_sampling_and_restart_on_community_are_unsupported_before_any_request(backend, counted, call, sentence):
    backend.edition  # noqa: B018 - known before counting, as after any earlier call
    with counted(backend) as c, pytest.raises(Unsupported, match=f"{sentence}; this server is Community 1.23.2"):
        call(backend)
    assert c.count == 0


@pytest.fixture
def reviewed(ee_backend, ee_job, people, images, choice):
    """Three labeled tasks of the annotator, reviewed by the reviewer: accepted, rejected, unmarked."""
    annotator, reviewer = people
    ids = ee_backend.items.add(ee_job.id, images(3))
    for tid, size in zip(ids, ("small", "large", "small")):
        ee_backend.annotations.create_json(tid, result=choice(size))
    ee_backend.assignments.assign_users(ee_job.id, [annotator.id], ids)
    ee_backend.assignments.assign_users(ee_job.id, [reviewer.id], ids, Role.REVIEWER)
    ee_backend.reviews.set(ee_job.id, ids[0], ReviewStatus.ACCEPTED)
    ee_backend.reviews.set(ee_job.id, ids[1], ReviewStatus.REJECTED)
    return ids


def test_restart_carries_the_rejected_work_as_predictions_and_keeps_the_staff(ee_backend, ee_job, people, reviewed):
    annotator, reviewer = people
    (again,) = ee_backend.jobs.restart(ee_job.id)
    try:
        assert again.name == f"{ee_job.name} (#2)" and again.status is JobStatus.PENDING
        (task,) = list(ee_backend.items.tasks(again.id))
        assert task["data"]["n"] == 1 and task["annotations"] == []
        (prediction,) = task["predictions"]
        assert prediction["model_version"] == f"restart of job {ee_job.id}"
        assert prediction["result"][0]["value"] == {"choices": ["large"]}
        assert set(ee_backend.assignments.list(again.id)) == {
            Assignment(item_id=task["id"], user_id=annotator.id),
            Assignment(item_id=task["id"], user_id=reviewer.id, role=Role.REVIEWER),
        }
        assert ee_backend.jobs.get(again.id).project_id == ee_job.id
    finally:
        ee_backend.jobs.delete(again.id)


def test_restart_of_every_unaccepted_task_shared_between_new_annotators(ee_backend, ee_job, people, crew, reviewed):
    _, reviewer = people
    (again,) = ee_backend.jobs.restart(ee_job.id, assignees=crew[:2], reviewer=crew[2], name="second round",
                                       only_rejected=False)
    try:
        tasks = {t["data"]["n"]: t["id"] for t in ee_backend.items.tasks(again.id)}
        assert sorted(tasks) == [1, 2] and again.name == "second round"
        listed = ee_backend.assignments.list(again.id)
        annotators = sorted(a.user_id for a in listed if a.role is Role.ANNOTATOR)
        assert annotators == sorted(crew[:2])  # one task each
        assert {(a.item_id, a.user_id) for a in listed if a.role is Role.REVIEWER} == {(t, crew[2]) for t in tasks.values()}
        assert reviewer.id not in {a.user_id for a in listed}
    finally:
        ee_backend.jobs.delete(again.id)


def test_restart_refuses_bad_input_before_writing(ee_backend, ee_job, reviewed, counted):
    with counted(ee_backend) as c:
        with pytest.raises(ValidationError, match="assignees: a non-empty list is needed"):
            ee_backend.jobs.restart(ee_job.id, assignees=[])
        with pytest.raises(ValidationError, match="name: Label Studio project titles"):
            ee_backend.jobs.restart(ee_job.id, name="ab")
    assert c.count == 0
    with counted(ee_backend) as read:
        ee_backend.jobs.get(ee_job.id)
    with counted(ee_backend) as c, pytest.raises(ValidationError, match="assignees: 'x'"):
        ee_backend.jobs.restart(ee_job.id, assignees=["x"])
    assert c.count == read.count  # only the restart template's read of the old job
    ee_backend.reviews.set(ee_job.id, reviewed[1], ReviewStatus.ACCEPTED)
    before = {j.id for j in ee_backend.jobs.list()}
    with pytest.raises(ValidationError, match="has no rejected tasks"):
        ee_backend.jobs.restart(ee_job.id)
    assert {j.id for j in ee_backend.jobs.list()} == before
