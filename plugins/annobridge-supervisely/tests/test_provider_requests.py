"""How many requests each call makes: counted on the SDK's transport, stable where a time is not."""

from __future__ import annotations

import contextlib

import pytest

from annobridge.models import Assignment, JobSpec
from annobridge_supervisely import SuperviselyJobOptions

from .provider_support import counted, unique


@pytest.fixture
def jobs(sv, world):
    made = sv.jobs.create(JobSpec(name=unique("count"), project_id=world.project_id, annotators=world.labelers))
    yield made
    with contextlib.suppress(Exception):
        sv.jobs.delete_many([j.id for j in made] + [j.id for j in sv.assignments.jobs_of(made[0].id)])


def test_reading_a_job_is_one_request(sv, jobs):
    for call in (sv.jobs.get, sv.jobs.status, sv.jobs.get_custom_data, sv.reviews.list):
        with counted(sv) as seen:
            call(jobs[0].id)
        assert seen == {"jobs.info": 1}, call.__name__


def test_a_jobs_items_are_two_requests(sv, jobs):
    with counted(sv) as seen:
        list(sv.items.list(job_id=jobs[0].id))
    assert seen == {"jobs.info": 1, "images.list": 1}


def test_create_for_k_annotators_checks_once_then_adds_once(sv, world):
    assert sv.team_id == world.team_id  # resolved once per connection (teams.list), not per call
    schema = sv.projects.get_schema(world.project_id)
    with counted(sv) as seen:
        made = sv.jobs.create(
            JobSpec(
                name=unique("k"),
                label_schema=schema,  # a job placed by its dataset alone (options) and the project's schema
                options=SuperviselyJobOptions(dataset_id=world.dataset_id),
                annotators=world.labelers,
                reviewer=world.reviewer,
                custom_data={"a": 1},
            )
        )
    sv.jobs.delete_many([j.id for j in made])
    k = len(world.labelers)
    assert seen == {
        "datasets.info": 1,
        "projects.meta": 1,
        "members.list": 1,
        "jobs.add": 1,
        "jobs.info": k,
        "jobs.editInfo": k,
    }, "the SDK reads each new job; custom data is one write each"


def test_delete_many_is_one_request_per_fifty(sv, world):
    made = sv.jobs.create(JobSpec(name=unique("del"), project_id=world.project_id, annotators=world.labelers))
    with counted(sv) as seen:
        sv.jobs.delete_many([j.id for j in made])
    assert seen == {"jobs.bulk.remove": 1}


def test_a_plan_costs_the_same_whatever_its_size(sv, world, jobs):
    items = [e.id for e in jobs[0].entities]
    plan = [Assignment(item_id=i, user_id=world.labelers[n % 2]) for n, i in enumerate(items)]
    with counted(sv) as seen:
        made = sv.assignments.assign(jobs[0].id, plan)
    assert len(made) == 2
    assert seen["members.list"] == 1 and seen["images.list"] == 1 and seen["jobs.add"] == 2
