"""The conformance suite every provider passes: abstract test classes grouped by capability.

A provider's tests subclass the classes in one line each and supply two fixtures:

    class TestJobs(JobsLifecycleTests):
        @pytest.fixture
        def backend(self, my_server): return annobridge.connect(my_server.url, token=my_server.token)
        @pytest.fixture
        def job_spec(self, backend): return JobSpec(name="conformance", label_schema=SCHEMA)

`item_payloads` (items to add to a new job; empty where the job's items come from its
dataset) may be overridden too. A test needing a capability the backend lacks is
skipped with a sentence naming the backend and the reason.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from ..capabilities import Capability
from ..errors import NotFound, Unsupported
from ..models import ExportStatus, Job, JobSpec, JobStatus, JobUpdate, ReviewStatus, Role
from ..provider import Provider
from ..schema import LabelSchema, ObjectClass, ShapeKind, TagSpec, TagTarget, TagValueType


def needs(capability: Capability) -> pytest.MarkDecorator:
    """Mark a test as needing `capability`."""
    return pytest.mark.annobridge_capability(capability)


def skip_unless(backend: Provider, capability: Capability) -> None:
    """Skip the running test, in a sentence naming the backend and why, if it lacks `capability`."""
    if not backend.supports(capability):
        pytest.skip(f"{backend.describe()} lacks {capability.value}: {backend.unsupported_reason(capability)}")


SAMPLE_SCHEMA = LabelSchema(
    classes=(
        ObjectClass(name="lemon", shape=ShapeKind.RECTANGLE, color="#FFD700"),
        ObjectClass(name="kiwi", shape=ShapeKind.POLYGON, color="#8B4513"),
    ),
    tags=(
        TagSpec(name="size", value_type=TagValueType.ONEOF_STRING, values=("small", "large"),
                applies_to=TagTarget.ITEMS_ONLY),
    ),
)


class ConformanceBase:
    """Fixtures every suite class shares; `backend` and `job_spec` come from the provider."""

    @pytest.fixture
    def backend(self) -> Provider:
        raise NotImplementedError("a provider's conformance tests must define the `backend` fixture")

    @pytest.fixture
    def job_spec(self, backend: Provider) -> JobSpec:
        raise NotImplementedError("a provider's conformance tests must define the `job_spec` fixture")

    @pytest.fixture
    def item_payloads(self) -> list[dict[str, Any]]:
        return []

    @pytest.fixture(autouse=True)
    def _skip_without_capability(self, request: pytest.FixtureRequest) -> None:
        marks = list(request.node.iter_markers("annobridge_capability"))
        if not marks:
            return
        backend: Provider = request.getfixturevalue("backend")
        for mark in marks:
            skip_unless(backend, mark.args[0])

    @pytest.fixture
    def jobs(self, backend: Provider, job_spec: JobSpec, item_payloads: list[dict[str, Any]]):
        """The jobs created from `job_spec` under a unique name, with `item_payloads` added; removed after."""
        spec = job_spec.model_copy(update={"name": f"{job_spec.name}-{uuid.uuid4().hex[:8]}"})
        created = backend.jobs.create(spec)
        if item_payloads:
            backend.items.add(created[0].id, item_payloads)
        yield created
        for job in created:
            try:
                backend.jobs.delete(job.id)
            except NotFound:
                pass

    @pytest.fixture
    def job(self, jobs: list[Job]) -> Job:
        return jobs[0]


class JobsLifecycleTests(ConformanceBase):
    """Create, read, list, update, wait for and remove jobs."""

    @needs(Capability.JOBS)
    def test_create_gives_pending_jobs_named_as_asked(self, jobs, job_spec):
        assert jobs, "create returned no job"
        for job in jobs:
            assert job.name.startswith(job_spec.name)
            assert job.status is JobStatus.PENDING

    @needs(Capability.JOBS)
    def test_get_returns_the_created_job(self, backend, job):
        fetched = backend.jobs.get(job.id)
        assert (fetched.id, fetched.name, fetched.status) == (job.id, job.name, job.status)

    @needs(Capability.JOBS)
    def test_list_includes_created_jobs(self, backend, jobs):
        listed = {j.id for j in backend.jobs.list()}
        assert {j.id for j in jobs} <= listed

    @needs(Capability.JOBS)
    def test_update_changes_description(self, backend, job):
        try:
            updated = backend.jobs.update(job.id, JobUpdate(description="changed by conformance"))
        except Unsupported as exc:
            pytest.skip(str(exc))
        assert updated.description == "changed by conformance"
        assert backend.jobs.get(job.id).description == "changed by conformance"

    @needs(Capability.JOBS)
    def test_status_and_wait_agree(self, backend, job):
        status = backend.jobs.status(job.id)
        assert isinstance(status, JobStatus)
        assert backend.jobs.wait(job.id, status.value, timeout=5, poll_interval=0.1).status is status
        other = next(s for s in JobStatus if s is not status)
        with pytest.raises(TimeoutError):
            backend.jobs.wait(job.id, other, timeout=0.2, poll_interval=0.1)

    @needs(Capability.JOBS)
    def test_delete_then_get_is_not_found(self, backend, jobs):
        backend.jobs.delete_many([j.id for j in jobs])
        for job in jobs:
            with pytest.raises(NotFound):
                backend.jobs.get(job.id)

    @needs(Capability.JOBS)
    def test_delete_many_of_nothing_deletes_nothing(self, backend, jobs):
        before = {j.id for j in backend.jobs.list()}
        backend.jobs.delete_many([])
        assert {j.id for j in backend.jobs.list()} == before

    @needs(Capability.JOBS)
    def test_get_unknown_job_is_not_found(self, backend):
        with pytest.raises(NotFound):
            backend.jobs.get(987654321)

    @needs(Capability.JOB_STATUS_CONTROL)
    def test_stop_and_set_status(self, backend, job):
        backend.jobs.set_status(job.id, JobStatus.IN_PROGRESS)
        assert backend.jobs.status(job.id) is JobStatus.IN_PROGRESS
        backend.jobs.stop(job.id)
        assert backend.jobs.status(job.id) is JobStatus.STOPPED

    @needs(Capability.JOB_ARCHIVE)
    def test_archived_jobs_leave_the_default_list(self, backend, job):
        backend.jobs.archive(job.id)
        assert job.id not in {j.id for j in backend.jobs.list()}
        assert job.id in {j.id for j in backend.jobs.list(include_archived=True)}

    @needs(Capability.JOB_CUSTOM_DATA)
    def test_custom_data_updates_and_replaces(self, backend, job):
        backend.jobs.set_custom_data(job.id, {"a": 1})
        backend.jobs.set_custom_data(job.id, {"b": 2})
        assert backend.jobs.get_custom_data(job.id) == {"a": 1, "b": 2}
        backend.jobs.set_custom_data(job.id, {"c": 3}, replace=True)
        assert backend.jobs.get_custom_data(job.id) == {"c": 3}


class ItemsAndReviewTests(ConformanceBase):
    """A job's items, and the reviewer's verdicts on them."""

    @needs(Capability.ITEMS)
    def test_job_has_items(self, backend, job):
        items = list(backend.items.list(job.id))
        assert items, "the job has no items; supply item_payloads or a job_spec with items"
        assert len({i.id for i in items}) == len(items)

    @needs(Capability.REVIEWS)
    def test_review_statuses_start_unmarked_and_can_be_set(self, backend, job):
        entities = backend.reviews.list(job.id)
        assert entities and all(e.review_status is ReviewStatus.NONE for e in entities)
        first = entities[0]
        backend.reviews.set(job.id, first.id, ReviewStatus.ACCEPTED)
        after = {e.id: e.review_status for e in backend.reviews.list(job.id)}
        assert after[first.id] is ReviewStatus.ACCEPTED

    @needs(Capability.REVIEWS)
    def test_reject_unmarked_leaves_accepted_alone(self, backend, job):
        entities = backend.reviews.list(job.id)
        backend.reviews.set(job.id, entities[0].id, ReviewStatus.ACCEPTED)
        backend.reviews.reject(job.id, only_unmarked=True)
        after = {e.id: e.review_status for e in backend.reviews.list(job.id)}
        assert after[entities[0].id] is ReviewStatus.ACCEPTED
        assert all(after[e.id] is ReviewStatus.REJECTED for e in entities[1:])


class AssignmentTests(ConformanceBase):
    """Giving items to users as annotators and reviewers."""

    @pytest.fixture
    def assignees(self, backend, job_spec) -> list:
        """Users to assign; by default the spec's annotators."""
        return list(job_spec.annotators)

    @needs(Capability.ASSIGNMENTS)
    def test_assign_then_list(self, backend, job, assignees):
        from ..models import Assignment

        items = [i.id for i in backend.items.list(job.id)]
        if not items or not assignees:
            pytest.skip(f"{backend.describe()}: the job has no items or no users to assign")
        plan = [Assignment(item_id=item, user_id=assignees[n % len(assignees)]) for n, item in enumerate(items)]
        backend.assignments.assign(job.id, plan)
        listed = {(a.item_id, a.user_id) for a in backend.assignments.list(job.id) if a.role is Role.ANNOTATOR}
        assert {(a.item_id, a.user_id) for a in plan} <= listed


class ExportTests(ConformanceBase):
    """Exporting a job's annotations to a file."""

    @needs(Capability.EXPORTS)
    def test_export_completes_and_downloads_inside_the_directory(self, backend, job, tmp_path):
        export = backend.exports.wait(backend.exports.create(job.id, format="JSON"), timeout=120, poll_interval=0.5)
        assert export.status is ExportStatus.COMPLETED
        path = backend.exports.download(export, tmp_path)
        assert path.exists() and path.stat().st_size > 0
        assert path.resolve().is_relative_to(tmp_path.resolve())


class StorageTests(ConformanceBase):
    """Connecting and syncing a storage; the provider supplies a reachable `storage_spec`."""

    @pytest.fixture
    def storage_spec(self):
        pytest.skip("the provider supplies no storage_spec fixture")

    @needs(Capability.STORAGES)
    def test_connect_list_sync(self, backend, job, storage_spec):
        storage = backend.storages.connect(job.id, storage_spec)
        assert storage.id in {s.id for s in backend.storages.list(job.id)}
        synced = backend.storages.sync(storage)
        assert synced.id == storage.id


class SchemaRoundTripTests(ConformanceBase):
    """A label schema written to a project reads back the same."""

    @pytest.fixture
    def schema(self) -> LabelSchema:
        return SAMPLE_SCHEMA

    @needs(Capability.SCHEMA)
    def test_schema_round_trip(self, backend, schema):
        project = backend.projects.create(f"schema-{uuid.uuid4().hex[:8]}", schema=schema)
        try:
            assert backend_picks_colors(schema, backend.projects.get_schema(project.id)) == schema
        finally:
            backend.projects.delete(project.id)


def backend_picks_colors(written: LabelSchema, read: LabelSchema) -> LabelSchema:
    """`read` with its colours cleared wherever `written` left them None: None means "the backend picks one".

    Supervisely gives every class, node and tag a colour, so a None cannot read back as None; a colour
    that was given must still read back exactly.

    >>> a = LabelSchema(tags=[TagSpec(name="size")])
    >>> backend_picks_colors(a, LabelSchema(tags=[TagSpec(name="size", color="#FF0000")])) == a
    True
    """
    classes = {c.name: c for c in written.classes}
    tags = {t.name: t for t in written.tags}

    def picked(given, got):
        return got.model_copy(update={"color": None}) if given is not None and given.color is None else got

    def with_nodes(given, got):
        nodes = {n.name: n for n in given.nodes} if given is not None else {}
        return picked(given, got).model_copy(update={"nodes": tuple(picked(nodes.get(n.name), n) for n in got.nodes)})

    return read.model_copy(
        update={
            "classes": tuple(with_nodes(classes.get(c.name), c) for c in read.classes),
            "tags": tuple(picked(tags.get(t.name), t) for t in read.tags),
        }
    )


ALL_SUITES = (
    JobsLifecycleTests,
    ItemsAndReviewTests,
    AssignmentTests,
    ExportTests,
    StorageTests,
    SchemaRoundTripTests,
)
