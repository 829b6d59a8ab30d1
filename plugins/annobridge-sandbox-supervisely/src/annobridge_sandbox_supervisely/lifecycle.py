"""Sandbox-only methods that stand in for the labeling UI: a labeler starts, annotates, submits; a reviewer reviews, completes.

They live under the "sandbox." prefix, which no real Supervisely method uses:

    sandbox.jobs.start    {id}                                     pending -> in_progress
    sandbox.jobs.annotate {id, imageId, annotation, done?}         labels one job image (starts a pending job)
    sandbox.jobs.submit   {id}                                     in_progress -> on_review; unmarked images -> done
    sandbox.jobs.review   {id, entityId, status}                   accepted / rejected / done / none, while on_review
    sandbox.jobs.complete {id}                                     on_review -> completed (review_completed first
                                                                   when the job has enableIntermediateReview)

Annotations obey the job: its classes (all project classes when none are listed), its tags,
objects and tags limits per image.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

from .annotation_store import write_annotation
from .errors import bad_request, field, not_found
from .images import get_image
from .job_actions import set_entity_status, set_status
from .jobs import get_job, job_entities
from .project_meta import classes
from .store import Store, loads


def _atomic(action: Callable) -> Callable:
    """Run the action in one transaction, so a refused step changes nothing (also when called from Python)."""

    @functools.wraps(action)
    def run(store: Store, *args, **kwargs):
        with store.transaction():
            return action(store, *args, **kwargs)

    return run


def _require(job: dict, *statuses: str) -> None:
    if job["status"] not in statuses:
        raise bad_request(
            f"labeling job {job['id']} is {job['status']}, this needs it {' or '.join(statuses)}", field="status"
        )


@_atomic
def start(store: Store, job_id: int) -> None:
    """The labeler opens the job: pending -> in_progress."""
    job = get_job(store, job_id)
    _require(job, "pending")
    set_status(store, job, "in_progress")


@_atomic
def annotate(store: Store, job_id: int, image_id: int, annotation: Any, done: bool = False) -> None:
    """The labeler saves one image's annotation (and marks it done when `done`)."""
    job = get_job(store, job_id)
    if job["status"] == "pending":
        set_status(store, job, "in_progress")
        job = get_job(store, job_id)
    _require(job, "in_progress")
    if store.one("SELECT 1 FROM job_entities WHERE job_id = ? AND image_id = ?", (job_id, image_id)) is None:
        raise not_found(f"Entity of labeling job {job_id}", image_id)
    meta = loads(job["meta"])
    _check_limits(meta, annotation)
    allowed = set(meta["classes"]) or {c["title"] for c in classes(store, job["project_id"])}
    login = store.scalar("SELECT login FROM users WHERE id = ?", (job["assigned_to"],))
    write_annotation(store, get_image(store, image_id), _only_job_tags(meta, annotation), login, allowed, job_id)
    store.execute("UPDATE job_entities SET touched = 1 WHERE job_id = ? AND image_id = ?", (job_id, image_id))
    if done:
        set_entity_status(store, job, image_id, "done", job["assigned_to"])


def _check_limits(meta: dict, annotation: Any) -> None:
    if not isinstance(annotation, dict):
        raise bad_request("field 'annotation' must be an annotation JSON object", field="annotation")
    objects = annotation.get("objects") or []
    limit = meta.get("imageFiguresLimit") or 0
    if limit and len(objects) > limit:
        raise bad_request(f"the job allows {limit} objects per image, got {len(objects)}", field="annotation")
    tags = len(annotation.get("tags") or []) + sum(len(o.get("tags") or []) for o in objects if isinstance(o, dict))
    limit = meta.get("imageTagsLimit") or 0
    if limit and tags > limit:
        raise bad_request(f"the job allows {limit} tags per image, got {tags}", field="annotation")


def _only_job_tags(meta: dict, annotation: dict) -> dict:
    """400 if a tag outside the job's tags (when it lists any) is used."""
    allowed = set(meta["projectTags"])
    if allowed:
        used = [t.get("name") for t in annotation.get("tags") or [] if isinstance(t, dict)]
        for obj in annotation.get("objects") or []:
            used += [t.get("name") for t in obj.get("tags") or [] if isinstance(t, dict)]
        stray = [name for name in used if name not in allowed]
        if stray:
            raise bad_request(f"tag {stray[0]!r} is not one this job labels", field="tags")
    return annotation


@_atomic
def submit(store: Store, job_id: int) -> None:
    """The labeler submits: in_progress -> on_review; images not yet marked become done."""
    job = get_job(store, job_id)
    _require(job, "in_progress")
    for entity in job_entities(store, job_id):
        if entity["review_status"] == "none":
            set_entity_status(store, job, entity["image_id"], "done", job["assigned_to"])
    set_status(store, job, "on_review")


@_atomic
def review(store: Store, job_id: int, image_id: int, status: str) -> None:
    """The reviewer marks one image accepted or rejected (or back to done/none)."""
    job = get_job(store, job_id)
    _require(job, "on_review", "review_completed")
    set_entity_status(store, job, image_id, status, job["reviewer_id"])


@_atomic
def complete(store: Store, job_id: int) -> None:
    """The reviewer finishes: on_review -> completed, or -> review_completed when quality check is on."""
    job = get_job(store, job_id)
    _require(job, "on_review", "review_completed")
    quality_check = loads(job["meta"]).get("enableIntermediateReview")
    target = "review_completed" if quality_check and job["status"] == "on_review" else "completed"
    set_status(store, job, target)


def _handler(action):
    def handle(ctx, body) -> dict:
        action(ctx.store, body)
        return {"success": True}

    handle.__doc__ = action.__doc__
    return handle


ROUTES = {
    "sandbox.jobs.start": _handler(lambda s, b: start(s, field(b, "id", int))),
    "sandbox.jobs.annotate": _handler(
        lambda s, b: annotate(
            s, field(b, "id", int), field(b, "imageId", int), field(b, "annotation", dict),
            field(b, "done", bool, default=False),
        )
    ),
    "sandbox.jobs.submit": _handler(lambda s, b: submit(s, field(b, "id", int))),
    "sandbox.jobs.review": _handler(
        lambda s, b: review(s, field(b, "id", int), field(b, "entityId", int), field(b, "status", str))
    ),
    "sandbox.jobs.complete": _handler(lambda s, b: complete(s, field(b, "id", int))),
}
