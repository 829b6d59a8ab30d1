"""Assignment plans on the Supervisely sandbox: one job per annotator (and reviewer) holding exactly their items."""

from __future__ import annotations

import pytest

from annobridge.errors import Unsupported, ValidationError
from annobridge.models import Assignment, ItemFilter, JobSpec, ReviewStatus, Role
from annobridge.sampling import plan_assignments

from .provider_support import unique


@pytest.fixture
def template(sv, world):
    (job,) = sv.jobs.create(
        JobSpec(
            name=unique("plan"),
            project_id=world.project_id,
            annotators=world.labelers[:1],
            readme="how to label",
            classes_to_label=["lemon"],
            objects_limit_per_item=4,
        )
    )
    yield job
    sv.jobs.delete_many([j.id for j in sv.assignments.jobs_of(job.id)] + [job.id])


def _plan(items, users, overlap=1):
    """Each item to `overlap` users, round robin (a stand-in for plan_assignments)."""
    return [
        Assignment(item_id=item, user_id=users[(n + k) % len(users)])
        for n, item in enumerate(items)
        for k in range(overlap)
    ]


def _pairs(assignments, role=Role.ANNOTATOR):
    return {(a.item_id, a.user_id) for a in assignments if a.role is role}


def test_a_plan_becomes_one_job_per_annotator_with_the_templates_settings(sv, world, template):
    plan = _plan(world.image_ids, world.labelers, overlap=2)
    jobs = sv.assignments.assign(template.id, plan)
    assert len(jobs) == 3 and {j.assignees[0].id for j in jobs} == set(world.labelers)
    for job in jobs:
        mine = {a.item_id for a in plan if a.user_id == job.assignees[0].id}
        assert {e.id for e in job.entities} == mine
        assert (job.readme, job.classes_to_label, job.objects_limit_per_item) == ("how to label", ["lemon"], 4)
        assert job.options.dataset_id == world.dataset_id and job.custom_data == {"annobridge": {"plan_of": template.id}}
    assert _pairs(plan) <= _pairs(sv.assignments.list(template.id))


def test_applying_a_plan_twice_makes_no_duplicates(sv, world, template):
    plan = _plan(world.image_ids, world.labelers[1:])
    first = sv.assignments.assign(template.id, plan)
    second = sv.assignments.assign(template.id, plan)
    assert sorted(j.id for j in first) == sorted(j.id for j in second)
    assert len(sv.assignments.jobs_of(template.id)) == 2


def test_reviewers_are_spread_over_the_annotators_jobs(sv, world, template):
    items = world.image_ids
    plan = [Assignment(item_id=i, user_id=world.labelers[n % 2]) for n, i in enumerate(items)]
    plan += [
        Assignment(item_id=i, user_id=world.reviewer if n < 3 else world.labelers[2], role=Role.REVIEWER)
        for n, i in enumerate(items)
    ]
    jobs = sv.assignments.assign(template.id, plan)
    reviewed = {(j.assignees[0].id, j.reviewers[0].id): {e.id for e in j.entities} for j in jobs}
    assert reviewed == {
        (world.labelers[0], world.reviewer): {items[0], items[2]},
        (world.labelers[1], world.reviewer): {items[1]},
        (world.labelers[1], world.labelers[2]): {items[3], items[5]},
        (world.labelers[0], world.labelers[2]): {items[4]},
    }
    listed = sv.assignments.list(template.id)
    assert _pairs(plan, Role.REVIEWER) <= _pairs(listed, Role.REVIEWER)


def test_reviewers_alone_review_the_templates_annotator(sv, world, template):
    plan = [Assignment(item_id=i, user_id=world.reviewer, role=Role.REVIEWER) for i in world.image_ids]
    (job,) = sv.assignments.assign(template.id, plan)
    assert job.id == template.id and job.reviewers[0].id == world.reviewer


def test_strangers_are_named_and_nothing_is_made(sv, world, template):
    plan = [
        Assignment(item_id=world.image_ids[0], user_id=world.labelers[1]),
        Assignment(item_id=world.image_ids[1], user_id=world.stranger),
    ]
    before = {j.id for j in sv.jobs.list()}
    with pytest.raises(ValidationError, match=rf"\['{world.stranger} \(stranger\)'\] is not a member"):
        sv.assignments.assign(template.id, plan)
    assert {j.id for j in sv.jobs.list()} == before


def test_items_of_another_dataset_and_double_reviews_are_refused(sv, world, template, fresh_project):
    foreign = next(iter(sv.items.list(project_id=fresh_project.id))).id
    with pytest.raises(ValidationError, match=rf"\[{foreign}\] are not images of dataset"):
        sv.assignments.assign(template.id, [Assignment(item_id=foreign, user_id=world.labelers[1])])
    twice = [Assignment(item_id=world.image_ids[0], user_id=u, role=Role.REVIEWER) for u in world.labelers[:2]]
    with pytest.raises(ValidationError, match="at most one reviewer"):
        sv.assignments.assign(template.id, twice)


def test_list_of_a_plain_job_is_its_annotator_and_reviewer(sv, world):
    (job,) = sv.jobs.create(
        JobSpec(
            name=unique("plain"),
            project_id=world.project_id,
            annotators=world.labelers[2:],
            reviewer=world.reviewer,
            item_ids=world.image_ids[:2],
        )
    )
    try:
        listed = sv.assignments.list(job.id)
        assert _pairs(listed) == {(i, world.labelers[2]) for i in world.image_ids[:2]}
        assert _pairs(listed, Role.REVIEWER) == {(i, world.reviewer) for i in world.image_ids[:2]}
        with pytest.raises(Unsupported):
            sv.assignments.unassign(job.id, world.image_ids[:1])
    finally:
        sv.jobs.delete(job.id)


# ---------------------------------------------------------------- assign_by_sampling


def test_sampling_gives_each_annotator_one_job_of_their_sampled_items(sv, world, template):
    logins = ["labeler_1", "labeler_2", "labeler_3"]  # users by login, as the tutorial names them
    plan = sv.assignments.assign_by_sampling(template.id, logins, fraction=0.5, overlap=2, seed=9)
    items = [i.id for i in sv.items.list(job_id=template.id)]  # the job's order, which the plan follows
    assert sorted(items) == sorted(world.image_ids)
    assert plan == plan_assignments(items, logins, fraction=0.5, overlap=2, seed=9)
    picked = {a.item_id for a in plan}
    assert len(picked) == 3 and len(plan) == 6  # half of the six images, two labelers each
    by_login = dict(zip(logins, world.labelers))
    jobs = sv.assignments.jobs_of(template.id)
    assert len(jobs) == 3
    for job in jobs:
        full = sv.jobs.get(job.id)
        mine = {a.item_id for a in plan if by_login[a.user_id] == full.assignees[0].id}
        assert {e.id for e in full.entities} == mine and full.readme == "how to label"
    expected = {(a.item_id, by_login[a.user_id]) for a in plan}
    assert expected <= _pairs(sv.assignments.list(template.id))


def test_sampling_takes_only_the_items_where_asks(sv, world, template):
    rejected = world.image_ids[1:4]
    sv.reviews.set_many(template.id, {i: ReviewStatus.REJECTED for i in rejected})
    where = ItemFilter(review_status=ReviewStatus.REJECTED)
    plan = sv.assignments.assign_by_sampling(template.id, world.labelers[1:], where=where, seed=4)
    assert {a.item_id for a in plan} == set(rejected) and len(plan) == 3
    held = [{e.id for e in sv.jobs.get(j.id).entities} for j in sv.assignments.jobs_of(template.id)]
    assert set().union(*held) == set(rejected) and sorted(map(len, held)) == [1, 2]
    assert sv.assignments.assign_by_sampling(template.id, world.labelers, where=ItemFilter(annotated=False)) == []
    assert len(sv.assignments.jobs_of(template.id)) == 2, "an empty plan makes no job: the seeded images are labeled"
    named = ItemFilter(name_contains=sv.items.get(world.image_ids[0]).name)
    assert [a.item_id for a in sv.assignments.assign_by_sampling(template.id, world.labelers[:1], where=named)] == [
        world.image_ids[0]
    ]


def test_sampled_reviewers_are_spread_over_the_templates_annotator(sv, world, template):
    reviewers = [world.reviewer, world.labelers[2]]
    plan = sv.assignments.assign_by_sampling(template.id, reviewers, role=Role.REVIEWER, seed=3)
    assert {a.role for a in plan} == {Role.REVIEWER} and len(plan) == len(world.image_ids)
    jobs = [sv.jobs.get(j.id) for j in sv.assignments.jobs_of(template.id)]
    held = {j.reviewers[0].id: {e.id for e in j.entities} for j in jobs}
    assert {j.assignees[0].id for j in jobs} == {world.labelers[0]}
    assert held == {u: {a.item_id for a in plan if a.user_id == u} for u in reviewers}
    assert sorted(len(items) for items in held.values()) == [3, 3]


def test_sampling_names_a_stranger_and_bad_arguments_and_makes_nothing(sv, world, template):
    before = {j.id for j in sv.jobs.list()}
    with pytest.raises(ValidationError, match=rf"\['{world.stranger} \(stranger\)'\] is not a member"):
        sv.assignments.assign_by_sampling(template.id, [world.labelers[1], world.stranger], seed=1)
    sent = []
    post = sv.api.post
    sv.api.post = lambda method, *args, **kwargs: sent.append(method) or post(method, *args, **kwargs)
    try:  # the arguments are refused before the job's items are even read
        with pytest.raises(ValidationError, match="overlap: 3 distinct users per item, but only 2 users"):
            sv.assignments.assign_by_sampling(template.id, world.labelers[:2], overlap=3)
        with pytest.raises(ValidationError, match="users: duplicate ids"):
            sv.assignments.assign_by_sampling(template.id, [world.labelers[1]] * 2)
        with pytest.raises(ValidationError, match="fraction: must be a number in"):
            sv.assignments.assign_by_sampling(template.id, world.labelers, fraction=1.5)
    finally:
        del sv.api.post
    assert sent == []
    assert {j.id for j in sv.jobs.list()} == before


def test_assign_users_gives_each_user_a_job_of_the_items(sv, world, template):
    assert sv.assignments.assign_users(template.id, world.labelers[1:], world.image_ids[:2]) == 4
    jobs = [sv.jobs.get(j.id) for j in sv.assignments.jobs_of(template.id)]
    assert {(j.assignees[0].id, frozenset(e.id for e in j.entities)) for j in jobs} == {
        (u, frozenset(world.image_ids[:2])) for u in world.labelers[1:]
    }
