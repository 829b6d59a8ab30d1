"""jobs.stats on the real server (Community: people are the authors) and through the Enterprise stand-in
(people are the task assignments, verdicts from the reviews); jobs.activity (Enterprise: the annotation history)."""

from __future__ import annotations

import uuid

import pytest

from annobridge import JobSpec, NotFound, ReviewStatus, Role, Unsupported
from annobridge.models import UserStats
from annobridge.testing.conformance import SAMPLE_SCHEMA


def _people(backend, *names):
    return [backend.users.create(login, password="pw-12345678", email=f"{login}@example.com")
            for login in (f"{n}-{uuid.uuid4().hex[:6]}" for n in names)]


def test_community_stats_count_tasks_annotations_and_each_author(backend, job, images, choice, counted):
    ann, bob = _people(backend, "ann", "bob")
    ids = backend.items.add(job.id, images(4))
    backend.annotations.create_json(ids[0], result=choice(), completed_by=ann.id)
    backend.annotations.create_json(ids[0], result=choice("large"), completed_by=bob.id)
    backend.annotations.create_json(ids[1], result=choice(), completed_by=ann.id)
    backend.annotations.create_json(ids[2], result=[], was_cancelled=True, completed_by=bob.id)  # skipped
    with counted(backend) as c:
        stats = backend.jobs.stats(job.id)
    assert c.count == 2  # the task listing, the users
    assert (stats.job_id, stats.items, stats.annotated, stats.annotations) == (job.id, 4, 2, 3)
    assert (stats.accepted, stats.rejected, stats.unreviewed) == (0, 0, 4)
    assert stats.users == [
        UserStats(user_id=ann.id, login=ann.login, role=Role.ANNOTATOR, items=2, annotated=2),
        UserStats(user_id=bob.id, login=bob.login, role=Role.ANNOTATOR, items=1, annotated=1),
    ]
    with pytest.raises(NotFound):
        backend.jobs.stats(987654321)


def test_enterprise_stats_give_each_assigned_person_their_share_and_verdicts(ee_backend, images, choice):
    ann, bob, rev = _people(ee_backend, "ann", "bob", "rev")
    job, = ee_backend.jobs.create(JobSpec(name=f"stats-{uuid.uuid4().hex[:6]}", label_schema=SAMPLE_SCHEMA))
    try:
        ids = ee_backend.items.add(job.id, images(4))
        ee_backend.assignments.assign_users(job.id, [ann.id], ids[:3])
        ee_backend.assignments.assign_users(job.id, [bob.id], ids[3:])
        ee_backend.assignments.assign_users(job.id, [rev.id], ids, Role.REVIEWER)
        for tid in ids[:3]:
            ee_backend.annotations.create_json(tid, result=choice(), completed_by=ann.id)
        ee_backend.reviews.set_many(job.id, {ids[0]: ReviewStatus.ACCEPTED, ids[1]: ReviewStatus.REJECTED})
        stats = ee_backend.jobs.stats(job.id)
        assert (stats.items, stats.annotated, stats.annotations, stats.accepted, stats.rejected) == (4, 3, 3, 1, 1)
        assert stats.users == [
            UserStats(user_id=ann.id, login=ann.login, items=3, annotated=3, accepted=1, rejected=1),
            UserStats(user_id=bob.id, login=bob.login, items=1),
            UserStats(user_id=rev.id, login=rev.login, role=Role.REVIEWER, items=4, annotated=3, accepted=1, rejected=1),
        ]
    finally:
        ee_backend.jobs.delete(job.id)


def test_activity_needs_enterprise(backend, job, counted):
    backend.edition  # noqa: B018 - known before counting
    with counted(backend) as c, pytest.raises(
            Unsupported, match=r"a job.s activity \(the annotation history\) needs Label Studio Enterprise; this server is Community"):
        backend.jobs.activity(job.id)
    assert c.count == 0


def test_enterprise_activity_is_the_annotation_history_oldest_first(ee_backend, standin, images, choice):
    ann, = _people(ee_backend, "ann")
    job, = ee_backend.jobs.create(JobSpec(name=f"history-{uuid.uuid4().hex[:6]}", label_schema=SAMPLE_SCHEMA))
    try:
        ids = ee_backend.items.add(job.id, images(2))
        first = ee_backend.annotations.create_json(ids[0], result=choice(), completed_by=ann.id)
        ee_backend.annotations.create_json(ids[1], result=[], was_cancelled=True, completed_by=ann.id)
        ee_backend.reviews.set(job.id, ids[0], ReviewStatus.REJECTED)
        events = ee_backend.jobs.activity(job.id)
        assert [(e.action, e.item_id) for e in events] == [("submitted", ids[0]), ("skipped", ids[1]), ("rejected", ids[0])]
        assert (events[0].user_id, events[0].login, events[0].detail) == (ann.id, ann.login, f"annotation {first['id']}")
        assert [e.at for e in events] == sorted(e.at for e in events)
        assert standin.local(f"/api/projects/{job.id}/annotation-history/")
    finally:
        ee_backend.jobs.delete(job.id)
