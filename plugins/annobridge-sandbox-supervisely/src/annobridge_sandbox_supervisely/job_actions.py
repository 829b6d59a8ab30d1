"""What a manager does to existing jobs: stop, archive, set-status, reject, restart, editInfo, review status, remove."""

from __future__ import annotations

import re

from .activity import record
from .errors import bad_request, field, int_list, not_found
from .jobs import REVIEW_STATUSES, STATUSES, get_job, insert_job, job_entities, job_name, labeler_ids, split
from .store import Store, dumps, loads, now
from .users import require_member


def set_status(store: Store, job: dict, status: str) -> None:
    """Move a job to `status`, stamping startedAt/finishedAt the way the lifecycle does."""
    if status not in STATUSES:
        raise bad_request(f"status must be one of {list(STATUSES)}, got {status!r}", field="status")
    started, finished = job["started_at"], job["finished_at"]
    if status != "pending" and started is None:
        started = now()
    if status == "completed":
        finished = finished or now()
    elif status in ("pending", "in_progress", "on_review"):
        finished = None
    store.execute(
        "UPDATE jobs SET status = ?, started_at = ?, finished_at = ? WHERE id = ?",
        (status, started, finished, job["id"]),
    )


def stop(ctx, body) -> dict:
    """jobs.stop {id}: the job becomes unavailable to its labeler."""
    job = get_job(ctx.store, field(body, "id", int))
    if job["status"] == "completed":
        raise bad_request(f"labeling job {job['id']} is completed and cannot be stopped", field="id")
    ctx.store.execute("UPDATE jobs SET status = 'stopped' WHERE id = ?", (job["id"],))
    return {"success": True}


def archive(ctx, body) -> dict:
    """jobs.archive {id}: hidden from jobs.list unless showDisabled; jobs.info still answers."""
    job = get_job(ctx.store, field(body, "id", int))
    ctx.store.execute("UPDATE jobs SET disabled = 1 WHERE id = ?", (job["id"],))
    return {"success": True}


def set_status_endpoint(ctx, body) -> dict:
    """jobs.set-status {id, status}."""
    job = get_job(ctx.store, field(body, "id", int))
    set_status(ctx.store, job, field(body, "status", str))
    return {"success": True}


def reject(ctx, body) -> dict:
    """jobs.reject {id, mode: all | unmarked}: entities become rejected (unmarked = not accepted or rejected yet)."""
    job = get_job(ctx.store, field(body, "id", int))
    mode = field(body, "mode", str, default="all")
    if mode not in ("all", "unmarked"):
        raise bad_request(f"mode must be 'all' or 'unmarked', got {mode!r}", field="mode")
    for entity in job_entities(ctx.store, job["id"]):
        if mode == "all" or entity["review_status"] in ("none", "done"):
            set_entity_status(ctx.store, job, entity["image_id"], "rejected", ctx.user["id"])
    return {"success": True}


def restart(ctx, body) -> list[dict]:
    """jobs.restart {id, userIds, reviewerId, completeExisting, name?}: new jobs over the rejected entities.

    These are all the fields LabelingJobApi.restart sends. Its only_rejected_entities=False is
    done by the SDK before this call: jobs.reject mode "unmarked" turns every entity not yet
    accepted or rejected into a rejected one, so this method always takes the rejected ones.
    The new jobs keep the old one's classes, tags, limits, readme and description, and hold
    exactly those entities (their review status back to none); the old job's range and tag
    filters are left out, as they chose the old job's images, not these. With several userIds
    the entities are split as jobs.add splits images, and the names get " (#k)".
    completeExisting (default true) completes the old job; false leaves its status as it is.

    Answers [{id, userId, type, name}] like the seed; 400 "No images found ..." when nothing
    was rejected (the SDK's ignore_no_rejected_error looks for that text).
    """
    job = get_job(ctx.store, field(body, "id", int))
    user_ids = int_list(body, "userIds", default=None)
    user_ids = labeler_ids(ctx.store, [job["assigned_to"]] if user_ids is None else user_ids, job["team_id"])
    reviewer_id = field(body, "reviewerId", int, default=job["reviewer_id"])
    require_member(ctx.store, reviewer_id, job["team_id"], "Reviewer")
    complete_existing = field(body, "completeExisting", bool, default=True)
    title = job_name(body, default=None) or _next_title(job["name"])
    rejected = sorted(e["image_id"] for e in job_entities(ctx.store, job["id"]) if e["review_status"] == "rejected")
    if not rejected:
        raise bad_request(f"No images found to restart labeling job {job['id']}: none is rejected", field="id")
    shares = split(rejected, len(user_ids))
    if not all(shares):
        raise bad_request(
            f"No images found for every labeler: {len(rejected)} rejected images for {len(user_ids)} labelers",
            field="userIds",
        )
    meta = {**loads(job["meta"]), "imageTags": []}
    meta.pop("range", None)
    created = []
    for k, (user_id, share) in enumerate(zip(user_ids, shares), start=1):
        name = title if len(user_ids) == 1 else f"{title} (#{k})"
        new_id = insert_job(
            ctx.store,
            name=name,
            dataset_id=job["dataset_id"],
            created_by=ctx.user["id"],
            assigned_to=user_id,
            reviewer_id=reviewer_id,
            meta={**meta, "entityIds": share},
            image_ids=share,
            readme=job["readme"],
            description=job["description"],
        )
        created.append({"id": new_id, "userId": user_id, "type": "annotation", "name": name})
    if complete_existing:
        set_status(ctx.store, job, "completed")
    return created


def _next_title(name: str) -> str:
    """'Annotation Job' -> 'Annotation Job (#2)', 'Annotation Job (#2)' -> 'Annotation Job (#3)'."""
    match = re.fullmatch(r"(.*) \(#(\d+)\)", name)
    if match:
        return f"{match.group(1)} (#{int(match.group(2)) + 1})"
    return f"{name} (#2)"


def edit_info(ctx, body) -> dict:
    """jobs.editInfo {id, customData?, userId?, reviewerId?, name?, description?, readme?}."""
    job = get_job(ctx.store, field(body, "id", int))
    updates = {}
    if "customData" in body:
        updates["custom_data"] = dumps(field(body, "customData", dict))
    if "userId" in body:
        updates["assigned_to"] = require_member(ctx.store, field(body, "userId", int), job["team_id"], "Labeler")["id"]
    if "reviewerId" in body:
        updates["reviewer_id"] = require_member(ctx.store, field(body, "reviewerId", int), job["team_id"], "Reviewer")[
            "id"
        ]
    if "name" in body:
        updates["name"] = job_name(body)
    for key in ("description", "readme"):
        if key in body:
            updates[key] = field(body, key, str)
    if not updates:
        raise bad_request("jobs.editInfo needs a field to change (customData, userId, reviewerId, name, ...)")
    assignments = ", ".join(f"{column} = ?" for column in updates)
    ctx.store.execute(f"UPDATE jobs SET {assignments} WHERE id = ?", (*updates.values(), job["id"]))
    return {"success": True}


def update_review_status(ctx, body) -> dict:
    """jobs.entities.update-review-status {jobId, entityId, status}."""
    job = get_job(ctx.store, field(body, "jobId", int))
    set_entity_status(ctx.store, job, field(body, "entityId", int), field(body, "status", str), ctx.user["id"])
    return {"success": True}


def set_entity_status(store: Store, job: dict, image_id: int, status: str, actor_id: int) -> None:
    """Set one entity's review status (an image_review_status_updated event by `actor_id`), or 400/404."""
    if status not in REVIEW_STATUSES:
        raise bad_request(f"status must be one of {list(REVIEW_STATUSES)}, got {status!r}", field="status")
    if store.one("SELECT 1 FROM job_entities WHERE job_id = ? AND image_id = ?", (job["id"], image_id)) is None:
        raise not_found(f"Entity of labeling job {job['id']}", image_id)
    store.execute(
        "UPDATE job_entities SET review_status = ? WHERE job_id = ? AND image_id = ?", (status, job["id"], image_id)
    )
    record(
        store,
        "image_review_status_updated",
        user_id=actor_id,
        project_id=job["project_id"],
        dataset_id=job["dataset_id"],
        image_id=image_id,
        job_id=job["id"],
        meta={"reviewStatus": status, "labelerId": job["assigned_to"]},
    )


def bulk_remove(ctx, body) -> dict:
    """jobs.bulk.remove {ids}: removes the jobs for good; all ids must exist."""
    ids = int_list(body, "ids")
    for job_id in ids:
        get_job(ctx.store, job_id)
    for job_id in ids:
        ctx.store.execute("DELETE FROM jobs WHERE id = ?", (job_id,))
    return {"success": True}


ROUTES = {
    "jobs.stop": stop,
    "jobs.archive": archive,
    "jobs.set-status": set_status_endpoint,
    "jobs.reject": reject,
    "jobs.restart": restart,
    "jobs.editInfo": edit_info,
    "jobs.entities.update-review-status": update_review_status,
    "jobs.bulk.remove": bulk_remove,
}
