"""Jobs as Label Studio projects: create with settings, derived status, list without cap, update, delete, derived jobs."""

from __future__ import annotations

import uuid

import pytest

from annobridge import JobSpec, JobStatus, JobUpdate, NotFound, Unsupported, ValidationError
from annobridge.testing.conformance import SAMPLE_SCHEMA
from annobridge_labelstudio.projects import iter_projects


def _name(prefix: str = "job") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def test_create_sets_every_project_setting(backend):
    spec = JobSpec(name=_name(), label_schema=SAMPLE_SCHEMA, readme="<b>draw boxes</b>", description="lemons",
                   sampling="uniform", show_skip_button=False, maximum_annotations=2, model_version="v7",
                   color="#FF0000", options={"show_instruction": True})
    job, = backend.jobs.create(spec)
    try:
        params = backend.jobs.params(job.id)
        assert (job.name, job.readme, job.description, job.status) == (spec.name, spec.readme, "lemons", JobStatus.PENDING)
        assert params["sampling"] == "Uniform sampling" and params["show_skip_button"] is False
        assert (params["maximum_annotations"], params["model_version"], params["color"]) == (2, "v7", "#FF0000")
        assert params["show_instruction"] is True and params["expert_instruction"] == spec.readme
        assert backend.projects.get_schema(job.id) == SAMPLE_SCHEMA
    finally:
        backend.jobs.delete(job.id)


def test_bad_specs_are_refused_before_any_request(backend, counted):
    with counted(backend) as c:
        with pytest.raises(ValidationError, match="3 to 50 characters, got 'ab'"):
            backend.jobs.create(JobSpec(name="ab", label_schema=SAMPLE_SCHEMA))
        with pytest.raises(ValidationError, match="no datasets"):
            backend.jobs.create(JobSpec(name="has dataset", dataset_id=3))
        with pytest.raises(Unsupported, match="task assignment needs Label Studio Enterprise"):
            backend.jobs.create(JobSpec(name="with annotators", label_schema=SAMPLE_SCHEMA, annotators=[1]))
    assert c.count == 0


def test_status_follows_the_documented_rule(backend, job, images, choice):
    ids = backend.items.add(job.id, images(2))
    assert backend.jobs.status(job.id) is JobStatus.PENDING
    backend.annotations.create(ids[0], result=choice())
    got = backend.jobs.get(job.id)
    assert (got.status, got.items_count, got.finished_items_count) == (JobStatus.IN_PROGRESS, 2, 1)
    backend.annotations.create(ids[1], result=choice("large"))
    assert backend.jobs.wait(job.id, "completed", timeout=5, poll_interval=0.1).status is JobStatus.COMPLETED


def test_list_has_every_project_and_pages_without_a_request_past_the_end(backend, counted):
    made = [backend.projects.create(_name("page")) for _ in range(5)]
    try:
        total = len(backend.jobs.list())
        assert {p.id for p in made} <= {j.id for j in backend.jobs.list()}
        for size in (2, total, total + 3):
            with counted(backend) as c:
                listed = list(iter_projects(backend.projects, page_size=size))
            assert len(listed) == total
            assert c.count == -(-total // size)  # one request a page, none for a page past the end
    finally:
        backend.jobs.delete_many([p.id for p in made])


def test_update_changes_settings_and_schema(backend, job):
    narrower = SAMPLE_SCHEMA.model_copy(update={"tags": ()})
    updated = backend.jobs.update(job.id, JobUpdate(name="renamed job", readme="new", sampling="sequential",
                                                    label_schema=narrower, options={"enable_empty_annotation": False}))
    assert (updated.name, updated.readme) == ("renamed job", "new")
    params = backend.jobs.params(job.id)
    assert params["sampling"] == "Sequential sampling" and params["enable_empty_annotation"] is False
    assert backend.projects.get_schema(job.id) == narrower


def test_delete_and_unknown_jobs(backend, counted):
    job, = backend.jobs.create(JobSpec(name=_name(), label_schema=SAMPLE_SCHEMA))
    backend.jobs.delete(job.id)
    with pytest.raises(NotFound, match=f"reading project {job.id}"):
        backend.jobs.get(job.id)
    with counted(backend) as c:
        backend.jobs.delete_many([])
    assert c.count == 0


def test_job_from_a_project_copies_its_config_cut_down_and_the_chosen_tasks(backend, job, images):
    ids = backend.items.add(job.id, images(6))
    derived, = backend.jobs.create(JobSpec(name=_name("derived"), project_id=job.id, classes_to_label=["lemon"],
                                           tags_to_label=["size"], item_ids=ids[1:3], objects_limit_per_item=4))
    ranged, = backend.jobs.create(JobSpec(name=_name("ranged"), project_id=job.id, item_range=(2, 5)))
    try:
        assert derived.project_id == job.id and derived.classes_to_label == ["lemon"]
        assert derived.objects_limit_per_item == 4
        assert [c.name for c in backend.projects.get_schema(derived.id).classes] == ["lemon"]
        assert [i.data["n"] for i in backend.items.list(derived.id)] == [1, 2]
        assert [i.data["n"] for i in backend.items.list(ranged.id)] == [2, 3, 4]
        assert backend.projects.get_schema(ranged.id) == SAMPLE_SCHEMA
        assert {j.id for j in backend.jobs.list(project_id=job.id)} == {job.id, derived.id, ranged.id}
    finally:
        backend.jobs.delete_many([derived.id, ranged.id])


def test_unknown_item_ids_of_a_derived_job_write_nothing(backend, job, images):
    backend.items.add(job.id, images(1))
    before = len(backend.jobs.list())
    with pytest.raises(ValidationError, match=r"item_ids: \[999999\] are not tasks of project"):
        backend.jobs.create(JobSpec(name=_name(), project_id=job.id, item_ids=[999999]))
    assert len(backend.jobs.list()) == before


def test_model_versions_and_prediction_coverage(backend, job, images):
    ids = backend.items.add(job.id, images(4))
    backend.predictions.create(ids[0], "small", model_version="m1")
    backend.predictions.create(ids[1], "small", model_version="m1")
    assert backend.projects.model_versions(job.id) == {"m1": 2}
    assert backend.projects.predictions_coverage(job.id) == {"m1": 0.5}
