"""Conformance of jobs: their lifecycle, lookup by name, stats and activity, and clones."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest

from ...capabilities import Capability
from ...errors import Conflict, NotFound, Unsupported
from ...models import Activity, Job, JobStats, JobStatus, JobUpdate, ReviewStatus, Role
from ...provider import Provider
from .base import ConformanceBase, assert_unsupported, lacks, needs, unique

__all__ = ["JobCloneTests", "JobLookupTests", "JobStatsTests", "JobsLifecycleTests"]


def _annotators(backend: Provider, job_id: Any) -> set[str]:
    return {str(a.user_id) for a in backend.assignments.list(job_id) if a.role is Role.ANNOTATOR}


def _item_names(backend: Provider, job_id: Any) -> list[str]:
    return sorted(i.name or "" for i in backend.items.list(job_id=job_id))


class JobsLifecycleTests(ConformanceBase):
    """Create, read, list, update, wait for and remove jobs; steer their status where the backend can."""

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
        updated = backend.jobs.update(job.id, JobUpdate(description="changed by conformance"))
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

    @lacks(Capability.JOB_STATUS_CONTROL)
    def test_without_status_control_setting_a_status_is_unsupported(self, backend, job):
        assert_unsupported(backend, Capability.JOB_STATUS_CONTROL,
                           lambda: backend.jobs.set_status(job.id, JobStatus.IN_PROGRESS))
        assert backend.jobs.status(job.id) is job.status

    @needs(Capability.JOB_ARCHIVE)
    def test_archived_jobs_leave_the_default_list(self, backend, job):
        backend.jobs.archive(job.id)
        assert job.id not in {j.id for j in backend.jobs.list()}
        assert job.id in {j.id for j in backend.jobs.list(include_archived=True)}

    @lacks(Capability.JOB_ARCHIVE)
    def test_without_archives_archiving_is_unsupported(self, backend, job):
        assert_unsupported(backend, Capability.JOB_ARCHIVE, lambda: backend.jobs.archive(job.id))

    @needs(Capability.JOB_CUSTOM_DATA)
    def test_custom_data_updates_and_replaces(self, backend, job):
        backend.jobs.set_custom_data(job.id, {"a": 1})
        backend.jobs.set_custom_data(job.id, {"b": 2})
        assert backend.jobs.get_custom_data(job.id) == {"a": 1, "b": 2}
        backend.jobs.set_custom_data(job.id, {"c": 3}, replace=True)
        assert backend.jobs.get_custom_data(job.id) == {"c": 3}

    @needs(Capability.JOB_CUSTOM_DATA)
    def test_custom_data_of_the_spec_is_kept(self, backend, job_spec):
        made = backend.jobs.create(job_spec.model_copy(update={"name": unique(job_spec.name),
                                                               "custom_data": {"batch": 7}}))
        try:
            assert {str(k): v for k, v in backend.jobs.get_custom_data(made[0].id).items()} == {"batch": 7}
        finally:
            backend.jobs.delete_many([j.id for j in made])

    @lacks(Capability.JOB_CUSTOM_DATA)
    def test_without_custom_data_a_spec_with_some_is_refused_before_writing(self, backend, job_spec):
        spec = job_spec.model_copy(update={"name": unique(job_spec.name), "custom_data": {"batch": 7}})
        assert_unsupported(backend, Capability.JOB_CUSTOM_DATA, lambda: backend.jobs.create(spec))
        assert backend.jobs.find(spec.name) is None
        assert_unsupported(backend, Capability.JOB_CUSTOM_DATA, lambda: backend.jobs.get_custom_data(1))

    @lacks(Capability.JOB_RESTART)
    def test_without_restart_restarting_is_unsupported(self, backend, job):
        assert_unsupported(backend, Capability.JOB_RESTART, lambda: backend.jobs.restart(job.id))

    @lacks(Capability.JOBS)
    def test_without_jobs_listing_them_is_unsupported(self, backend):
        assert_unsupported(backend, Capability.JOBS, backend.jobs.list)


class JobLookupTests(ConformanceBase):
    """Finding a job by name, and a name no job has."""

    @pytest.fixture
    def single(self, backend, job_spec):
        """One job (one annotator at most, so that no sibling shares its name); removed after."""
        made = backend.jobs.create(job_spec.model_copy(update={"name": unique(job_spec.name),
                                                               "annotators": job_spec.annotators[:1]}))
        assert len(made) == 1
        yield made[0]
        with contextlib.suppress(NotFound):
            backend.jobs.delete(made[0].id)

    @needs(Capability.JOBS)
    def test_find_by_name(self, backend, single):
        assert backend.jobs.find(single.name).id == single.id
        if single.project_id is not None:
            assert backend.jobs.find(single.name, project_id=single.project_id).id == single.id
        assert backend.jobs.find(unique("no-such-job")) is None

    @needs(Capability.JOBS)
    def test_free_name_is_the_name_unless_a_job_has_it(self, backend, single):
        unused = unique("no-such-job")
        assert backend.jobs.free_name(unused) == unused
        free = backend.jobs.free_name(single.name)
        assert free != single.name and free.startswith(single.name)
        assert backend.jobs.find(free) is None

    @needs(Capability.JOBS)
    def test_find_names_every_job_when_several_share_the_name(self, backend, job_spec, single):
        twin = backend.jobs.create(job_spec.model_copy(update={"name": single.name,
                                                               "annotators": job_spec.annotators[:1]}))
        try:
            with pytest.raises(Conflict, match=str(single.id)):
                backend.jobs.find(single.name)
        finally:
            backend.jobs.delete_many([j.id for j in twin])


class JobStatsTests(ConformanceBase):
    """Where a job's work stands, and what happened in it."""

    @needs(Capability.JOBS)
    @needs(Capability.ITEMS)
    def test_stats_count_the_jobs_items(self, backend, job):
        stats = backend.jobs.stats(job.id)
        assert isinstance(stats, JobStats) and str(stats.job_id) == str(job.id)
        assert stats.items == len(list(backend.items.list(job_id=job.id))) > 0
        assert 0 <= stats.annotated <= stats.items
        assert stats.accepted == stats.rejected == 0 and stats.unreviewed == stats.items

    @needs(Capability.REVIEWS)
    def test_stats_follow_the_verdicts(self, backend, job):
        first, second, *_ = [e.id for e in backend.reviews.list(job.id)]
        backend.reviews.set_many(job.id, {first: ReviewStatus.ACCEPTED, second: ReviewStatus.REJECTED})
        stats = backend.jobs.stats(job.id)
        assert (stats.accepted, stats.rejected) == (1, 1)

    @needs(Capability.ASSIGNMENTS)
    def test_stats_give_each_annotator_their_share(self, backend, job):
        given: dict[str, int] = {}
        for a in backend.assignments.list(job.id):
            if a.role is Role.ANNOTATOR:
                given[str(a.user_id)] = given.get(str(a.user_id), 0) + 1
        assert given, "the job needs an annotator with items"
        stats = backend.jobs.stats(job.id)
        shares = {str(u.user_id): u.items for u in stats.users if u.role is Role.ANNOTATOR}
        assert shares == given
        assert all(u.annotated <= u.items and u.accepted + u.rejected <= u.items for u in stats.users)

    @needs(Capability.JOBS)
    def test_stats_of_an_unknown_job_is_not_found(self, backend):
        with pytest.raises(NotFound):
            backend.jobs.stats(987654321)

    @needs(Capability.JOB_ACTIVITY)
    def test_activity_is_oldest_first(self, backend, job):
        events = backend.jobs.activity(job.id)
        assert all(isinstance(e, Activity) for e in events)
        times = [e.at for e in events if e.at is not None]
        assert times == sorted(times)

    @lacks(Capability.JOB_ACTIVITY)
    def test_without_activity_reading_it_is_unsupported(self, backend, job):
        assert_unsupported(backend, Capability.JOB_ACTIVITY, lambda: backend.jobs.activity(job.id))


class JobCloneTests(ConformanceBase):
    """Copies of a job: the same items and settings, for the same or other people, with or without annotations.

    A provider overrides `clone_choices` with the `with_annotations` values its backend honours
    besides None (its natural way); any other is refused with Unsupported before anything is made,
    `annotated_job` is a job over a new project's sample items, each annotated through `backend.annotations`.
    """

    @pytest.fixture
    def clone_choices(self) -> set[bool]:
        return set()

    @pytest.fixture
    def other_annotator(self, backend):
        pytest.skip(f"{backend.describe()}: the provider's tests supply no other_annotator fixture")

    @pytest.fixture
    def annotated_job(self, backend, project, item_ids, project_job, annotation_for, author) -> Job:
        backend.annotations.write(project.id, [annotation_for(i, author, n) for n, i in enumerate(item_ids)])
        return project_job

    @staticmethod
    def _clone(backend: Provider, job: Job, **options: Any) -> list[Job]:
        copies = backend.jobs.clone(job.id, **options)
        assert copies, "clone made no job"
        return copies

    @needs(Capability.JOB_CLONE)
    def test_clone_copies_the_items_under_the_new_name(self, backend, job):
        name = unique("clone")
        copies = self._clone(backend, job, name=name)
        try:
            for copy in copies:
                assert copy.id != job.id and copy.name == name
                assert _item_names(backend, copy.id) == _item_names(backend, job.id)
            if backend.supports(Capability.ASSIGNMENTS):
                annotators = set().union(*(_annotators(backend, c.id) for c in copies))
                assert annotators == _annotators(backend, job.id)
        finally:
            backend.jobs.delete_many([c.id for c in copies])

    @needs(Capability.JOB_CLONE)
    @needs(Capability.ASSIGNMENTS)
    def test_clone_for_another_annotator(self, backend, job, other_annotator):
        copies = self._clone(backend, job, name=unique("clone"), assignees=[other_annotator])
        try:
            assert set().union(*(_annotators(backend, c.id) for c in copies)) == {str(other_annotator)}
        finally:
            backend.jobs.delete_many([c.id for c in copies])

    @needs(Capability.JOB_CLONE)
    @needs(Capability.ANNOTATIONS)
    @pytest.mark.parametrize("with_annotations", [True, False])
    def test_clone_with_or_without_annotations(self, backend, annotated_job, clone_choices, with_annotations):
        name = unique("clone")
        held = {n: len(self._annotations_by_name(backend, annotated_job).get(n, [])) for n in
                _item_names(backend, annotated_job.id)}
        assert any(held.values()), "the job's items need annotations"
        if with_annotations not in clone_choices:
            with pytest.raises(Unsupported, match="with_annotations"):
                backend.jobs.clone(annotated_job.id, name=name, with_annotations=with_annotations)
            assert backend.jobs.find(name) is None
            return
        copies = self._clone(backend, annotated_job, name=name, with_annotations=with_annotations)
        try:
            for copy in copies:
                got = self._annotations_by_name(backend, copy)
                expected = held if with_annotations else {n: 0 for n in held}
                assert {n: len(got.get(n, [])) for n in held} == expected
        finally:
            backend.jobs.delete_many([c.id for c in copies])

    @staticmethod
    def _annotations_by_name(backend: Provider, job: Job) -> dict[str, list]:
        names = {str(i.id): i.name for i in backend.items.list(job_id=job.id)}
        found: dict[str, list] = {}
        for ann in backend.annotations.list(job_id=job.id):
            found.setdefault(names[str(ann.item)], []).extend(ann.objects)
        return found

    @needs(Capability.JOB_CLONE)
    def test_clone_of_an_unknown_job_is_not_found(self, backend):
        with pytest.raises(NotFound):
            backend.jobs.clone(987654321, name=unique("clone"))

    @lacks(Capability.JOB_CLONE)
    def test_without_clone_cloning_is_unsupported(self, backend, job):
        assert_unsupported(backend, Capability.JOB_CLONE, lambda: backend.jobs.clone(job.id, name=unique("clone")))
