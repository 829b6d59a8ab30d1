"""The SDK's info tuples (LabelingJobInfo, ImageInfo, VideoInfo, ProjectInfo, UserInfo) as annobridge models.

| Supervisely | annobridge |
|---|---|
| job status pending / in_progress / on_review / review_completed / completed / stopped | the JobStatus of the same name |
| job disabled | Job.archived (an archived job is a disabled one) |
| job assigned_to / reviewer | Job.assignees / Job.reviewers (one each at most) |
| images_range (start, end) | item_range; (None, None) is no range |
| objects/tags limit 0 or None | no limit (the SDK sends 0 for "no limit") |
| entity reviewStatus none / done / accepted / rejected | ReviewStatus none / none / accepted / rejected ("done" is the labeler's mark, not a verdict) |
| dataset, workspace, team; dynamic classes/tags, guide... (jobs.info meta) | Job.options, a SuperviselyJobDetails |
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from fractions import Fraction
from typing import Any

from annobridge.errors import ValidationError
from annobridge.ids import backend_id
from annobridge.models import Item, Job, JobEntity, JobStatus, Project, ReviewStatus, User

from .options import SuperviselyProjectDetails

REVIEW_FROM_SLY = {
    "none": ReviewStatus.NONE,
    "done": ReviewStatus.NONE,
    "accepted": ReviewStatus.ACCEPTED,
    "rejected": ReviewStatus.REJECTED,
}
REVIEW_TO_SLY = {ReviewStatus.NONE: "none", ReviewStatus.ACCEPTED: "accepted", ReviewStatus.REJECTED: "rejected"}


def sly_id(value: Any, field: str) -> int:
    """A Supervisely id (a positive int) from an int or a string of digits; ValidationError naming the field otherwise.

    >>> sly_id("42", "job_id")
    42
    """
    return backend_id(value, field, "Supervisely")


def job_status(value: Any) -> JobStatus:
    """A JobStatus from an enum of either library or a string; ValidationError naming a bad one.

    >>> job_status("on_review"), job_status(JobStatus.STOPPED)
    (<JobStatus.ON_REVIEW: 'on_review'>, <JobStatus.STOPPED: 'stopped'>)
    """
    raw = getattr(value, "value", value)
    try:
        return JobStatus(str(raw))
    except ValueError:
        known = ", ".join(s.value for s in JobStatus)
        raise ValidationError(f"status: {raw!r} is not a job status; expected one of {known}") from None


def review_status(value: Any) -> ReviewStatus:
    """A ReviewStatus from an enum or string; ValidationError naming a bad one."""
    raw = getattr(value, "value", value)
    try:
        return ReviewStatus(str(raw))
    except ValueError:
        known = ", ".join(s.value for s in ReviewStatus)
        raise ValidationError(f"review status: {raw!r} is not one of {known}") from None


def when(value: str | None) -> datetime | None:
    """A datetime from Supervisely's ISO 8601 text ('2022-10-05T08:42:30.588Z'); None stays None."""
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _limit(value: int | None) -> int | None:
    return value or None


def _user(user_id: Any, login: str | None) -> User | None:
    return User(id=user_id, login=login) if user_id is not None else None


def entities(raw: list[dict[str, Any]] | None) -> list[JobEntity] | None:
    """A job's entities as JobEntity, with the reviewer's verdict on each."""
    if raw is None:
        return None
    return [
        JobEntity(
            id=e["id"],
            name=e.get("name"),
            review_status=REVIEW_FROM_SLY.get(e.get("reviewStatus") or "none", ReviewStatus.NONE),
        )
        for e in raw
    ]


def job_from_info(
    info, *, backend: str = "supervisely", custom_data: dict[str, Any] | None = None, meta: dict[str, Any] | None = None
) -> Job:
    """A Job from a LabelingJobInfo; where it lives and the settings of its jobs.info `meta` go to Job.options.

    >>> from types import SimpleNamespace as NS
    >>> info = NS(id=1, name="lemons", readme="", description="", team_id=8, workspace_id=9, workspace_name="w",
    ...     project_id=5, project_name="p", dataset_id=6, dataset_name="ds1", created_by_id=7, created_by_login="me",
    ...     assigned_to_id=101, assigned_to_login="labeler_1", reviewer_id=None, reviewer_login=None,
    ...     created_at="2022-10-05T08:42:30.588Z", started_at=None, finished_at=None, status="pending",
    ...     disabled=True, images_count=6, finished_images_count=0, rejected_images_count=0,
    ...     accepted_images_count=0, progress_images_count=0, classes_to_label=["lemon"], tags_to_label=[],
    ...     images_range=(None, None), objects_limit_per_image=0, tags_limit_per_image=None,
    ...     include_images_with_tags=[], exclude_images_with_tags=[], entities=None, priority=2)
    >>> job = job_from_info(info)
    >>> job.status.value, job.archived, [u.login for u in job.assignees], job.objects_limit_per_item
    ('pending', True, ['labeler_1'], None)
    >>> job.options.dataset_name, job.options.team_id
    ('ds1', 8)
    """
    from .options import details_from_info

    start, end = tuple(info.images_range or (None, None))
    return Job(
        id=info.id,
        backend=backend,
        name=info.name,
        readme=info.readme or "",
        description=info.description or "",
        status=job_status(info.status),
        archived=bool(info.disabled),
        project_id=info.project_id,
        project_name=info.project_name,
        created_by=_user(info.created_by_id, info.created_by_login),
        assignees=[u for u in [_user(info.assigned_to_id, info.assigned_to_login)] if u],
        reviewers=[u for u in [_user(info.reviewer_id, info.reviewer_login)] if u],
        created_at=when(info.created_at),
        started_at=when(info.started_at),
        finished_at=when(info.finished_at),
        items_count=info.images_count or 0,
        finished_items_count=info.finished_images_count or 0,
        accepted_items_count=info.accepted_images_count or 0,
        rejected_items_count=info.rejected_images_count or 0,
        in_progress_items_count=info.progress_images_count or 0,
        classes_to_label=list(info.classes_to_label or []),
        tags_to_label=list(info.tags_to_label or []),
        objects_limit_per_item=_limit(info.objects_limit_per_image),
        tags_limit_per_item=_limit(info.tags_limit_per_image),
        include_items_with_tags=list(info.include_images_with_tags or []),
        exclude_items_with_tags=list(info.exclude_images_with_tags or []),
        item_range=(start, end) if start is not None and end is not None else None,
        entities=entities(info.entities),
        priority=info.priority,
        custom_data=dict(custom_data or {}),
        options=details_from_info(info, meta),
    )


def item_from_info(info, *, review: ReviewStatus = ReviewStatus.NONE) -> Item:
    """An Item from an ImageInfo; its tags and meta are kept in Item.meta."""
    return Item(
        id=info.id,
        name=info.name,
        project_id=getattr(info, "project_id", None),
        dataset_id=info.dataset_id,
        url=info.full_storage_url or info.link or None,
        width=info.width,
        height=info.height,
        meta={"image": info.meta or {}, "tags": info.tags or [], "hash": info.hash, "mime": info.mime},
        source_key=_source_key(info.meta),
        annotations_count=info.labels_count,
        review_status=review,
        created_at=when(info.created_at),
        updated_at=when(info.updated_at),
    )


def video_fps(file_meta: dict[str, Any] | None, frames_count: int | None = None) -> Fraction | None:
    """A video's exact frame rate from its file meta: a stream's avgFrameRate ("30000/1001") where the server
    gives one, else framesCount / duration, which Supervisely rounds to 6 decimals: the whole rate, or the NTSC
    one (n * 1000/1001), that the rounding allows, else the nearest fraction with a denominator up to 1001.

    >>> video_fps({"framesCount": 7, "duration": 0.291958}), video_fps({"framesCount": 48, "duration": 2.0})
    (Fraction(24000, 1001), Fraction(24, 1))
    """
    meta = file_meta or {}
    for stream in (meta, *(meta.get("streams") or [])):
        given = stream.get("avgFrameRate") if isinstance(stream, dict) else None
        with contextlib.suppress(ValueError, TypeError, ZeroDivisionError):
            if given and Fraction(str(given)) > 0:
                return Fraction(str(given))
    frames, duration = frames_count or meta.get("framesCount"), meta.get("duration")
    try:
        frames, duration = int(frames), Fraction(str(duration))
    except (TypeError, ValueError):
        return None
    if frames <= 0 or duration <= 0:
        return None
    rate = frames / duration
    slack = Fraction(1, 2_000_000)  # half the last of the 6 decimals
    low, high = frames / (duration + slack), frames / max(duration - slack, slack)
    for candidate in (Fraction(round(rate)), Fraction(round(rate * Fraction(1001, 1000)) * 1000, 1001)):
        if candidate > 0 and low <= candidate <= high:
            return candidate
    return rate.limit_denominator(1001)


def item_from_video_info(info, *, review: ReviewStatus = ReviewStatus.NONE) -> Item:
    """An Item from a VideoInfo: its frame size, frames count and exact rate (video_fps); tags and meta in meta."""
    meta = info.file_meta or {}
    return Item(
        id=info.id,
        name=info.name,
        project_id=info.project_id,
        dataset_id=info.dataset_id,
        url=info.link or None,
        width=info.frame_width or meta.get("width"),
        height=info.frame_height or meta.get("height"),
        frames_count=info.frames_count or meta.get("framesCount") or None,
        fps=video_fps(meta, info.frames_count),
        meta={"video": info.meta or {}, "tags": info.tags or [], "hash": info.hash, "mime": meta.get("mime")},
        source_key=_source_key(info.meta),
        review_status=review,
        created_at=when(info.created_at),
        updated_at=when(info.updated_at),
    )


def _source_key(meta: dict[str, Any] | None) -> str | None:
    """The source key a migration stamped in an image's or video's meta, as text."""
    from annobridge.transfer import SOURCE_KEY

    key = (meta or {}).get(SOURCE_KEY)
    return str(key) if key is not None else None


def project_from_info(info, *, server: str, team_id: Any = None) -> Project:
    """A Project from a ProjectInfo; `server` is the HTTP address its URL starts with."""
    return Project(
        id=info.id,
        name=info.name,
        description=info.description or "",
        workspace_id=info.workspace_id,
        options=SuperviselyProjectDetails(team_id=getattr(info, "team_id", None) or team_id),
        items_count=info.items_count if info.items_count is not None else info.images_count,
        created_at=when(info.created_at),
        updated_at=when(info.updated_at),
        url=f"{server}/projects/{info.id}/datasets",
    )


def user_from_info(info, *, role: str | None = None) -> User:
    """A User from a UserInfo; `role` overrides the info's (a team role rather than a global one)."""
    return User(
        id=info.id,
        login=info.login,
        email=info.email or None,
        name=info.name or None,
        role=role or info.role,
        disabled=bool(info.disabled),
    )
