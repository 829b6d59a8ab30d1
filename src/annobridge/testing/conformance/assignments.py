"""Conformance of assignments (who labels and reviews which items of a job) and of pausing one annotator."""

from __future__ import annotations

import pytest

from ...capabilities import Capability
from ...errors import ValidationError
from ...models import Assignment, ItemFilter, Role
from ...sampling import plan_assignments
from .base import ConformanceBase, assert_unsupported, lacks, needs

__all__ = ["AssignmentTests", "PauseTests"]


def _annotated(backend, job_id) -> set[tuple[str, str]]:
    return {(str(a.item_id), str(a.user_id)) for a in backend.assignments.list(job_id) if a.role is Role.ANNOTATOR}


def _pairs(plan) -> set[tuple[str, str]]:
    return {(str(a.item_id), str(a.user_id)) for a in plan}


class AssignmentTests(ConformanceBase):
    """Giving items to users as annotators and reviewers. `assignees` are users to assign (by default the spec's
    annotators); the job needs items and at least one of them."""

    @pytest.fixture
    def assignees(self, backend, job_spec) -> list:
        return list(job_spec.annotators)

    @pytest.fixture
    def items(self, backend, job, assignees) -> list:
        ids = [i.id for i in backend.items.list(job_id=job.id)]
        assert ids and assignees, "the job needs items (item_payloads) and the spec annotators to assign"
        return ids

    @needs(Capability.ASSIGNMENTS)
    def test_assign_then_list(self, backend, job, items, assignees):
        plan = [Assignment(item_id=item, user_id=assignees[n % len(assignees)]) for n, item in enumerate(items)]
        backend.assignments.assign(job.id, plan)
        assert _pairs(plan) <= _annotated(backend, job.id)

    @needs(Capability.ASSIGNMENTS)
    def test_assign_by_sampling_applies_the_seeded_plan(self, backend, job, items, assignees):
        overlap = min(2, len(assignees))
        plan = backend.assignments.assign_by_sampling(job.id, assignees, overlap=overlap, seed=11)
        assert plan == plan_assignments(items, assignees, overlap=overlap, seed=11)
        assert {a.item_id for a in plan} == set(items)
        assert all(sum(a.item_id == item for a in plan) == overlap for item in items)
        assert _pairs(plan) <= _annotated(backend, job.id)

    @needs(Capability.ASSIGNMENTS)
    def test_assign_by_sampling_takes_only_the_items_the_filter_selects(self, backend, job, items, assignees):
        first = next(i for i in backend.items.list(job_id=job.id) if i.id == items[0])
        assert first.name, "item names are needed to select by name"
        chosen = [i.id for i in backend.items.list(job_id=job.id) if first.name in (i.name or "")]
        plan = backend.assignments.assign_by_sampling(job.id, assignees[:1], seed=3,
                                                      where=ItemFilter(name_contains=first.name))
        assert sorted(str(a.item_id) for a in plan) == sorted(str(i) for i in chosen)
        assert _pairs(plan) <= _annotated(backend, job.id)

    @needs(Capability.ASSIGNMENTS)
    def test_assign_by_sampling_refuses_bad_arguments_before_writing(self, backend, job, items, assignees):
        before = set(backend.assignments.list(job.id))
        with pytest.raises(ValidationError, match="fraction"):
            backend.assignments.assign_by_sampling(job.id, assignees, fraction=0)
        with pytest.raises(ValidationError, match="overlap"):
            backend.assignments.assign_by_sampling(job.id, assignees, overlap=len(assignees) + 1)
        assert set(backend.assignments.list(job.id)) == before

    @needs(Capability.ASSIGNMENTS)
    def test_assign_users_gives_everyone_every_item(self, backend, job, items, assignees):
        chosen = items[:2]
        assert backend.assignments.assign_users(job.id, assignees[:1], chosen, Role.ANNOTATOR) == len(chosen)
        assert {(str(i), str(assignees[0])) for i in chosen} <= _annotated(backend, job.id)

    @needs(Capability.UNASSIGN)
    def test_unassign_takes_the_items_back(self, backend, job, items, assignees):
        backend.assignments.assign_users(job.id, assignees[:1], items[:2], Role.ANNOTATOR)
        backend.assignments.unassign(job.id, items[:1], Role.ANNOTATOR)
        held = {item for item, _ in _annotated(backend, job.id)}
        assert str(items[0]) not in held

    @lacks(Capability.ASSIGNMENTS)
    def test_without_assignments_listing_them_is_unsupported(self, backend, job):
        assert_unsupported(backend, Capability.ASSIGNMENTS, lambda: backend.assignments.list(job.id))

    @lacks(Capability.UNASSIGN)
    def test_without_unassign_taking_items_back_is_unsupported(self, backend, job):
        some = [i.id for i in backend.items.list(job_id=job.id)][:1]
        assert_unsupported(backend, Capability.UNASSIGN, lambda: backend.assignments.unassign(job.id, some))


class PauseTests(ConformanceBase):
    """Pausing one annotator of a job, and resuming them. `paused_user` is a user of the job (its annotator)."""

    @pytest.fixture
    def paused_user(self, job_spec):
        assert job_spec.annotators, "the job spec needs an annotator to pause"
        return job_spec.annotators[0]

    @needs(Capability.PAUSE_ANNOTATORS)
    def test_pause_then_resume(self, backend, job, paused_user):
        assert not backend.pauses.is_paused(job.id, paused_user)
        backend.pauses.pause(job.id, paused_user, message="conformance")
        assert backend.pauses.is_paused(job.id, paused_user)
        assert backend.pauses.resume(job.id, paused_user) == 1
        assert not backend.pauses.is_paused(job.id, paused_user)
        assert backend.pauses.resume(job.id, paused_user) == 0

    @lacks(Capability.PAUSE_ANNOTATORS)
    def test_without_pauses_pausing_is_unsupported(self, backend, job):
        me = backend.users.me().id
        assert_unsupported(backend, Capability.PAUSE_ANNOTATORS, lambda: backend.pauses.pause(job.id, me))
