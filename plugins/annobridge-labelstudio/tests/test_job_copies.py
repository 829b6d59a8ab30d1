"""jobs.clone on the real server (Community) and through the Enterprise stand-in; jobs and projects found by name."""

from __future__ import annotations

import uuid

import pytest

from annobridge import Assignment, Conflict, JobSpec, NotFound, Role, Unsupported, ValidationError
from annobridge.testing.conformance import SAMPLE_SCHEMA
from annobridge_labelstudio import LabelStudioJobOptions


def _name(prefix: str = "clone") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def source(backend, images, choice):
    """A job with settings, three tasks (data and meta) and two annotations on the first (one skipped)."""
    options = LabelStudioJobOptions(sampling="uniform", maximum_annotations=2, show_skip_button=False, color="#00FF00")
    job, = backend.jobs.create(JobSpec(name=_name("source"), label_schema=SAMPLE_SCHEMA, readme="look", options=options))
    ids = backend.items.add(job.id, [{"data": d, "meta": {"n": d["n"]}} for d in images(3)])
    backend.annotations.create_json(ids[0], result=choice(), lead_time=3.0)
    backend.annotations.create_json(ids[0], result=[], was_cancelled=True)
    yield job
    backend.jobs.delete(job.id)


def _tasks(backend, job_id):
    return sorted(backend.items.tasks(job_id), key=lambda t: t["data"]["n"])


@pytest.mark.parametrize("with_annotations", [None, False])
def test_clone_copies_config_settings_and_tasks_without_annotations(backend, source, with_annotations):
    copy, = backend.jobs.clone(source.id, with_annotations=with_annotations)
    try:
        assert copy.id != source.id and copy.name == f"{source.name} (copy)" and copy.readme == "look"
        assert copy.options == source.options
        assert backend.projects.get_schema(copy.id) == SAMPLE_SCHEMA
        tasks = _tasks(backend, copy.id)
        assert [(t["data"], t["meta"]) for t in tasks] == [(t["data"], t["meta"]) for t in _tasks(backend, source.id)]
        assert all(t["annotations"] == [] for t in tasks)
        assert copy.project_id == source.id and copy.id in {j.id for j in backend.jobs.list(project_id=source.id)}
    finally:
        backend.jobs.delete(copy.id)


def test_clone_with_annotations_copies_them_with_their_authors_and_flags(backend, source):
    copy, = backend.jobs.clone(source.id, name=_name(), with_annotations=True)
    try:
        old, new = _tasks(backend, source.id)[0], _tasks(backend, copy.id)[0]
        kept = ("result", "completed_by", "was_cancelled", "lead_time")
        assert [{k: a[k] for k in kept} for a in new["annotations"]] == [{k: a[k] for k in kept} for a in old["annotations"]]
        assert new["annotations"][0]["completed_by"] == backend.users.me().id
        assert backend.jobs.stats(copy.id).annotations == 1  # the skipped one is copied, and not counted
    finally:
        backend.jobs.delete(copy.id)


def test_clone_refuses_before_making_anything(backend, source, counted):
    backend.edition  # noqa: B018 - known before counting
    before = len(backend.jobs.list())
    with counted(backend) as c:
        with pytest.raises(Unsupported, match="assignees: task assignment needs Label Studio Enterprise"):
            backend.jobs.clone(source.id, assignees=[1])
        with pytest.raises(Unsupported, match="reviewer: task assignment needs Label Studio Enterprise"):
            backend.jobs.clone(source.id, reviewer=1)
        with pytest.raises(ValidationError, match="name: Label Studio project titles have 3 to 50 characters"):
            backend.jobs.clone(source.id, name="ab")
        with pytest.raises(ValidationError, match="with_annotations: True, False or None, not 'yes'"):
            backend.jobs.clone(source.id, with_annotations="yes")
    assert c.count == 0
    with pytest.raises(NotFound):
        backend.jobs.clone(987654321, name=_name())
    assert len(backend.jobs.list()) == before


def test_clone_on_enterprise_keeps_the_staff_or_gives_the_tasks_to_others(ee_backend, images):
    people = [ee_backend.users.create(login, password="pw-12345678", email=f"{login}@example.com")
              for login in (_name("ann"), _name("bob"), _name("rev"))]
    ann, bob, rev = (u.id for u in people)
    job, = ee_backend.jobs.create(JobSpec(name=_name("staffed"), label_schema=SAMPLE_SCHEMA))
    made = []
    try:
        ids = ee_backend.items.add(job.id, images(2))
        ee_backend.assignments.assign_users(job.id, [ann], ids)
        ee_backend.assignments.assign_users(job.id, [rev], ids[:1], Role.REVIEWER)
        same, = ee_backend.jobs.clone(job.id, name=_name())
        made.append(same.id)
        new = ee_backend.items.ids(same.id)
        assert set(ee_backend.assignments.list(same.id)) == {Assignment(item_id=t, user_id=ann) for t in new} | {
            Assignment(item_id=new[0], user_id=rev, role=Role.REVIEWER)}
        other, = ee_backend.jobs.clone(job.id, name=_name(), assignees=[bob], reviewer=ann)
        made.append(other.id)
        new = ee_backend.items.ids(other.id)
        assert set(ee_backend.assignments.list(other.id)) == {Assignment(item_id=t, user_id=bob) for t in new} | {
            Assignment(item_id=t, user_id=ann, role=Role.REVIEWER) for t in new}
        assert {u.id for u in ee_backend.users.project_members(other.id)} == {bob, ann}
        with pytest.raises(ValidationError, match=r"assignees: \[.*\] appear more than once"):
            ee_backend.jobs.clone(job.id, assignees=[bob, bob])
    finally:
        ee_backend.jobs.delete_many([job.id, *made])


def test_find_and_free_name_on_jobs_and_projects(backend):
    name = _name("named")
    first, = backend.jobs.create(JobSpec(name=name, label_schema=SAMPLE_SCHEMA))
    try:
        assert backend.jobs.find(name).id == first.id and backend.projects.find(name).id == first.id
        assert backend.jobs.find(name, project_id=first.id).id == first.id
        assert backend.jobs.find(_name("none")) is None and backend.projects.find(_name("none")) is None
        assert backend.jobs.free_name(name) == f"{name}_001" == backend.projects.free_name(name)
        twin, = backend.jobs.create(JobSpec(name=name, label_schema=SAMPLE_SCHEMA))
        try:
            with pytest.raises(Conflict, match=f"2 jobs are named '{name}'.*{first.id}.*{twin.id}"):
                backend.jobs.find(name)
        finally:
            backend.jobs.delete(twin.id)
    finally:
        backend.jobs.delete(first.id)
