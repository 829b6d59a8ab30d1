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
from ..errors import BackendError, NotFound, Unsupported, ValidationError
from ..models import ExportStatus, Job, JobSpec, JobStatus, JobUpdate, ReviewStatus, Role
from ..provider import Provider
from ..schema import LabelSchema, ObjectClass, ShapeKind, TagSpec, TagTarget, TagValueType


def needs(capability: Capability) -> pytest.MarkDecorator:
    """Mark a test as needing `capability`.

    >>> needs(Capability.REVIEWS).args
    (<Capability.REVIEWS: 'reviews'>,)
    """
    return pytest.mark.annobridge_capability(capability)


def skip_unless(backend: Provider, capability: Capability) -> None:
    """Skip the running test, in a sentence naming the backend and why, if it lacks `capability`.

    >>> skip_unless(ls, Capability.JOB_ARCHIVE)     # doctest: +SKIP
    SKIPPED: labelstudio (labelstudio+http://127.0.0.1:8080) lacks job_archive: the labelstudio provider does not offer it
    """
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


class ReviewWorkflowTests(ConformanceBase):
    """The review workflow, vendor-neutral: a job's items with their verdicts, accept and reject them,
    reject all that are unmarked, restart the job with only its rejected items for the same or another
    annotator.

    A provider may override `submitted_job` (the job once its items are labeled and handed in for
    review; by default `job`, whose `item_payloads` carry annotations) and supplies `other_annotator`
    (a user, not the job's annotator, who may label it) for the restart to someone else.
    """

    @pytest.fixture
    def submitted_job(self, job: Job) -> Job:
        return job

    @pytest.fixture
    def other_annotator(self, backend):
        pytest.skip(f"{backend.describe()}: the provider's tests supply no other_annotator fixture")

    @staticmethod
    def _verdicts(backend: Provider, job_id: Any) -> dict[Any, ReviewStatus]:
        return {e.id: e.review_status for e in backend.reviews.list(job_id)}

    @staticmethod
    def _names(backend: Provider, job_id: Any) -> dict[Any, str]:
        """item id -> name: a restart may copy items (new ids), so they are compared by name."""
        names = {i.id: i.name for i in backend.items.list(job_id)}
        assert len(set(names.values())) == len(names), f"item names must be distinct to follow items: {names}"
        return names

    @staticmethod
    def _annotators(backend: Provider, job_id: Any) -> set:
        return {a.user_id for a in backend.assignments.list(job_id) if a.role is Role.ANNOTATOR}

    def _reject_all_but_first(self, backend: Provider, job: Job) -> list:
        """Accept the first item, reject every other (unmarked) one; returns the rejected ids."""
        ids = list(self._verdicts(backend, job.id))
        assert len(ids) >= 2, "the review workflow needs a job of at least two items"
        backend.reviews.set(job.id, ids[0], ReviewStatus.ACCEPTED)
        backend.reviews.reject(job.id, only_unmarked=True)
        return ids[1:]

    @needs(Capability.ITEMS)
    @needs(Capability.REVIEWS)
    def test_items_are_listed_with_their_review_status(self, backend, submitted_job):
        entities = backend.reviews.list(submitted_job.id)
        assert len({e.id for e in entities}) == len(entities)
        assert {e.id for e in entities} == {i.id for i in backend.items.list(submitted_job.id)}
        assert {e.review_status for e in entities} == {ReviewStatus.NONE}

    @needs(Capability.REVIEWS)
    def test_accept_reject_and_take_back(self, backend, submitted_job):
        first, second, *rest = self._verdicts(backend, submitted_job.id)
        backend.reviews.set(submitted_job.id, first, ReviewStatus.ACCEPTED)
        backend.reviews.set(submitted_job.id, second, "rejected")
        verdicts = self._verdicts(backend, submitted_job.id)
        assert (verdicts.pop(first), verdicts.pop(second)) == (ReviewStatus.ACCEPTED, ReviewStatus.REJECTED)
        assert set(verdicts.values()) <= {ReviewStatus.NONE} and len(verdicts) == len(rest)
        backend.reviews.set(submitted_job.id, first, ReviewStatus.NONE)
        assert self._verdicts(backend, submitted_job.id)[first] is ReviewStatus.NONE

    @needs(Capability.REVIEWS)
    def test_reject_unmarked_keeps_the_verdicts_given_and_the_job_counts_them(self, backend, submitted_job):
        rejected = self._reject_all_but_first(backend, submitted_job)
        verdicts = self._verdicts(backend, submitted_job.id)
        assert [v for k, v in verdicts.items() if k not in rejected] == [ReviewStatus.ACCEPTED]
        assert {verdicts[k] for k in rejected} == {ReviewStatus.REJECTED}
        job = backend.jobs.get(submitted_job.id)
        assert (job.accepted_items_count, job.rejected_items_count) == (1, len(rejected))

    @needs(Capability.REVIEWS)
    def test_reject_all_rejects_the_accepted_too(self, backend, submitted_job):
        first = next(iter(self._verdicts(backend, submitted_job.id)))
        backend.reviews.set(submitted_job.id, first, ReviewStatus.ACCEPTED)
        backend.reviews.reject(submitted_job.id)
        assert set(self._verdicts(backend, submitted_job.id).values()) == {ReviewStatus.REJECTED}

    def _restart(self, backend: Provider, job: Job, **options: Any) -> tuple[set, list[Job]]:
        """Reject all but the first item and restart; (the rejected items' names, the new jobs)."""
        names = self._names(backend, job.id)
        rejected = {names[i] for i in self._reject_all_but_first(backend, job)}
        return rejected, backend.jobs.restart(job.id, **options)

    def _check_restarted(self, backend: Provider, again: list[Job], rejected: set, annotators: set) -> None:
        assert again, "restart made no job"
        got: list[str] = []
        for new in again:
            got += self._names(backend, new.id).values()
            assert set(self._verdicts(backend, new.id).values()) == {ReviewStatus.NONE}
        assert sorted(got) == sorted(rejected), "the restarted job holds exactly the rejected items"
        assert set().union(*(self._annotators(backend, new.id) for new in again)) == annotators

    @needs(Capability.REVIEWS)
    @needs(Capability.JOB_RESTART)
    @needs(Capability.ASSIGNMENTS)
    def test_restart_gives_the_same_annotator_only_the_rejected_items(self, backend, submitted_job):
        annotators = self._annotators(backend, submitted_job.id)
        assert annotators, "the job needs an annotator to restart for"
        rejected, again = self._restart(backend, submitted_job)
        try:
            self._check_restarted(backend, again, rejected, annotators)
        finally:
            backend.jobs.delete_many([j.id for j in again])

    @needs(Capability.REVIEWS)
    @needs(Capability.JOB_RESTART)
    @needs(Capability.ASSIGNMENTS)
    def test_restart_gives_another_annotator_only_the_rejected_items(self, backend, submitted_job, other_annotator):
        assert other_annotator not in self._annotators(backend, submitted_job.id)
        rejected, again = self._restart(backend, submitted_job, assignees=[other_annotator])
        try:
            self._check_restarted(backend, again, rejected, {other_annotator})
        finally:
            backend.jobs.delete_many([j.id for j in again])

    @needs(Capability.REVIEWS)
    @needs(Capability.JOB_RESTART)
    def test_restart_with_nothing_rejected_is_refused(self, backend, submitted_job):
        with pytest.raises((ValidationError, BackendError), match="rejected"):
            backend.jobs.restart(submitted_job.id)


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

    @needs(Capability.ASSIGNMENTS)
    def test_assign_by_sampling_applies_the_seeded_plan(self, backend, job, assignees):
        from ..sampling import plan_assignments

        if not assignees:
            pytest.skip(f"{backend.describe()}: no users to assign")
        overlap = min(2, len(assignees))
        plan = backend.assignments.assign_by_sampling(job.id, assignees, overlap=overlap, seed=11)
        items = [i.id for i in backend.items.list(job.id)]
        assert plan == plan_assignments(items, assignees, overlap=overlap, seed=11)
        assert {a.item_id for a in plan} == set(items)
        assert all(sum(a.item_id == item for a in plan) == overlap for item in items)
        listed = {(a.item_id, a.user_id) for a in backend.assignments.list(job.id) if a.role is Role.ANNOTATOR}
        assert {(a.item_id, a.user_id) for a in plan} <= listed

    @needs(Capability.ASSIGNMENTS)
    def test_assign_by_sampling_refuses_bad_arguments_before_writing(self, backend, job, assignees):
        if not assignees:
            pytest.skip(f"{backend.describe()}: no users to assign")
        before = set(backend.assignments.list(job.id))
        with pytest.raises(ValidationError, match="fraction"):
            backend.assignments.assign_by_sampling(job.id, assignees, fraction=0)
        with pytest.raises(ValidationError, match="overlap"):
            backend.assignments.assign_by_sampling(job.id, assignees, overlap=len(assignees) + 1)
        assert set(backend.assignments.list(job.id)) == before

    @needs(Capability.ASSIGNMENTS)
    def test_assign_users_gives_everyone_every_item(self, backend, job, assignees):
        items = [i.id for i in backend.items.list(job.id)][:2]
        if not items or not assignees:
            pytest.skip(f"{backend.describe()}: the job has no items or no users to assign")
        assert backend.assignments.assign_users(job.id, assignees[:1], items, Role.ANNOTATOR) == len(items)
        listed = {(a.item_id, a.user_id) for a in backend.assignments.list(job.id) if a.role is Role.ANNOTATOR}
        assert {(item, assignees[0]) for item in items} <= listed


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
    ReviewWorkflowTests,
    AssignmentTests,
    ExportTests,
    StorageTests,
    SchemaRoundTripTests,
)
