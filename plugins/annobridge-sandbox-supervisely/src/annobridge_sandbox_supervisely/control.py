"""Client-side helpers that play the labeler and the reviewer through a running sandbox's sandbox.jobs.* methods.

They post with the SDK's own transport (any `sly.Api`), so tests drive a job through its
statuses while `api.labeling_job.wait(...)` polls like it would against Supervisely:

    Example (against a running sandbox)::

        control.start(api, job_id)
        control.annotate(api, job_id, image_id, ann, done=True)
        control.submit(api, job_id); control.review(api, job_id, image_id, "accepted")
        control.complete(api, job_id)
"""

from __future__ import annotations

from typing import Any


def _post(api: Any, method: str, data: dict) -> None:
    api.post(method, data)


def _ann_json(annotation: Any) -> dict:
    """Annotation JSON as the SDK uploads it: sly.Annotation objects are shifted to subpixel like upload_ann does."""
    if hasattr(annotation, "to_json"):
        return type(annotation)._to_subpixel_coordinate_system_json(annotation.to_json())
    return annotation


def start(api: Any, job_id: int) -> None:
    """The labeler opens the job (pending -> in_progress)."""
    _post(api, "sandbox.jobs.start", {"id": job_id})


def annotate(api: Any, job_id: int, image_id: int, annotation: Any, done: bool = False) -> None:
    """The labeler saves an annotation (dict or sly.Annotation) for one job image; `done` marks it finished."""
    _post(api, "sandbox.jobs.annotate", {"id": job_id, "imageId": image_id, "annotation": _ann_json(annotation), "done": done})


def submit(api: Any, job_id: int) -> None:
    """The labeler submits the job for review (in_progress -> on_review)."""
    _post(api, "sandbox.jobs.submit", {"id": job_id})


def review(api: Any, job_id: int, image_id: int, status: str) -> None:
    """The reviewer marks one image "accepted" or "rejected"."""
    _post(api, "sandbox.jobs.review", {"id": job_id, "entityId": image_id, "status": status})


def complete(api: Any, job_id: int) -> None:
    """The reviewer completes the review (on_review -> completed, or review_completed with quality check)."""
    _post(api, "sandbox.jobs.complete", {"id": job_id})
