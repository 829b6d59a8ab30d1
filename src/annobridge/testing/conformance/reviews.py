"""Conformance of reviews: a job's items with their verdicts, given one by one or in bulk, and the review workflow."""

from __future__ import annotations

from typing import Any

import pytest

from ...capabilities import Capability
from ...errors import ValidationError
from ...job_apis import restart_name
from ...models import Job, ReviewStatus, Role
from ...provider import Provider
from .base import ConformanceBase, assert_unsupported, lacks, needs

__all__ = ["ItemsAndReviewTests", "ReviewWorkflowTests"]


class ItemsAndReviewTests(ConformanceBase):
    """A job's items, and the reviewer's verdicts on them."""

    @needs(Capability.ITEMS)
    def test_job_has_items(self, backend, job):
        items = list(backend.items.list(job_id=job.id))
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
    def test_set_many_gives_every_verdict_and_counts_them(self, backend, job):
        first, second, *rest = [e.id for e in backend.reviews.list(job.id)]
        assert backend.reviews.set_many(job.id, {first: ReviewStatus.ACCEPTED, second: "rejected"}) == 2
        after = {e.id: e.review_status for e in backend.reviews.list(job.id)}
        assert (after[first], after[second]) == (ReviewStatus.ACCEPTED, ReviewStatus.REJECTED)
        assert {after[i] for i in rest} <= {ReviewStatus.NONE}
        assert backend.reviews.set_many(job.id, {}) == 0

    @needs(Capability.REVIEWS)
    def test_reject_unmarked_leaves_accepted_alone(self, backend, job):
        entities = backend.reviews.list(job.id)
        backend.reviews.set(job.id, entities[0].id, ReviewStatus.ACCEPTED)
        backend.reviews.reject(job.id, only_unmarked=True)
        after = {e.id: e.review_status for e in backend.reviews.list(job.id)}
        assert after[entities[0].id] is ReviewStatus.ACCEPTED
        assert all(after[e.id] is ReviewStatus.REJECTED for e in entities[1:])

    @lacks(Capability.REVIEWS)
    def test_without_reviews_listing_verdicts_is_unsupported(self, backend, job):
        assert_unsupported(backend, Capability.REVIEWS, lambda: backend.reviews.list(job.id))
        assert_unsupported(backend, Capability.REVIEWS, lambda: backend.reviews.set_many(job.id, {}))


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
        names = {i.id: i.name for i in backend.items.list(job_id=job_id)}
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
        assert {e.id for e in entities} == {i.id for i in backend.items.list(job_id=submitted_job.id)}
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
            wanted = restart_name(submitted_job.name, backend.jobs.name_limit)
            assert {j.name for j in again} == {wanted}, "a restart is named after the old job, with (#2)"
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
        before = {j.id for j in backend.jobs.list()}
        with pytest.raises(ValidationError, match="rejected"):
            backend.jobs.restart(submitted_job.id)
        assert {j.id for j in backend.jobs.list()} == before

    @needs(Capability.REVIEWS)
    @needs(Capability.JOB_RESTART)
    @pytest.mark.parametrize("bad", [{"assignees": []}, {"name": " "}, {"only_rejected": "yes"},
                                     {"no_such_option": True}], ids=["no-assignees", "blank-name", "flag", "option"])
    def test_restart_refuses_bad_arguments_before_writing(self, backend, submitted_job, bad):
        self._reject_all_but_first(backend, submitted_job)
        before = {j.id for j in backend.jobs.list()}
        with pytest.raises(ValidationError, match=next(iter(bad))):
            backend.jobs.restart(submitted_job.id, **bad)
        assert {j.id for j in backend.jobs.list()} == before
