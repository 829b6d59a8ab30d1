"""A job's whole life on the Supervisely sandbox: a labeler and a reviewer work (sandbox-only actions) while wait() polls."""

from __future__ import annotations

import threading

import pytest

from annobridge.models import JobSpec, JobStatus, ReviewStatus

from annobridge_sandbox_supervisely import control

from .provider_support import unique


def _meanwhile(work):
    """Run `work` in a thread; join it (and re-raise what it raised) when the block ends."""
    failures = []

    def run():
        try:
            work()
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            failures.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, failures


def _finish(thread, failures):
    thread.join()
    if failures:
        raise failures[0]


@pytest.fixture
def job(sv, world):
    (job,) = sv.jobs.create(
        JobSpec(
            name=unique("life"),
            project_id=world.project_id,
            annotators=world.labelers[:1],
            reviewer=world.reviewer,
            item_ids=world.image_ids[:3],
            classes_to_label=["lemon"],
        )
    )
    yield job
    sv.jobs.delete(job.id)


def test_labeler_then_reviewer_while_waiting(sv, world, job):
    items = world.image_ids[:3]

    def labeler():
        control.start(sv.api, job.id)
        for item in items:
            size = sv.items.get(item)
            control.annotate(
                sv.api,
                job.id,
                item,
                {"size": {"height": size.height, "width": size.width}, "tags": [], "objects": []},
                done=True,
            )
        control.submit(sv.api, job.id)

    work = _meanwhile(labeler)
    on_review = sv.jobs.wait(job.id, "on_review", timeout=60, poll_interval=0.05)
    _finish(*work)
    assert on_review.status is JobStatus.ON_REVIEW and on_review.started_at is not None
    assert on_review.finished_items_count == 3

    def reviewer():
        control.review(sv.api, job.id, items[0], "accepted")
        control.review(sv.api, job.id, items[1], "accepted")
        control.review(sv.api, job.id, items[2], "rejected")
        control.complete(sv.api, job.id)

    work = _meanwhile(reviewer)
    done = sv.jobs.wait(job.id, sv.api.labeling_job.Status.COMPLETED, timeout=60, poll_interval=0.05)
    _finish(*work)
    assert (done.accepted_items_count, done.rejected_items_count) == (2, 1) and done.finished_at is not None
    assert {e.id: e.review_status for e in done.entities}[items[2]] is ReviewStatus.REJECTED

    (again,) = sv.jobs.restart(job.id, name=unique("again"))
    try:
        assert [e.id for e in again.entities] == [items[2]] and again.status is JobStatus.PENDING
    finally:
        sv.jobs.delete(again.id)


def test_submitted_items_read_as_unreviewed_and_reject_unmarked_takes_them(sv, world, job):
    control.start(sv.api, job.id)
    control.submit(sv.api, job.id)
    assert {e.review_status for e in sv.reviews.list(job.id)} == {ReviewStatus.NONE}
    sv.reviews.set(job.id, world.image_ids[0], "accepted")
    sv.reviews.reject(job.id, only_unmarked=True)
    verdicts = [e.review_status for e in sv.reviews.list(job.id)]
    assert sorted(v.value for v in verdicts) == ["accepted", "rejected", "rejected"]
