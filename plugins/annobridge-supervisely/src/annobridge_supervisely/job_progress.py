"""Where a labeling job stands: JobStats from jobs.stats (LabelingJobApi.get_stats), Activity from teams.activity.

| jobs.stats | JobStats |
|---|---|
| images.total | items |
| images[].reviewStatus accepted / rejected | accepted / rejected |
| images with labels, or marked done / accepted / rejected | annotated |
| sum of images[].labelsCount | annotations (labeled objects) |
| the job's annotator and reviewer (jobs.info) | users: one UserStats each |
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from annobridge.models import Activity, JobStats, Role, UserStats

__all__ = ["activity_from_event", "stats_from_sly"]


def stats_from_sly(stats: dict[str, Any], info) -> JobStats:
    """The JobStats of a jobs.stats document and the job's LabelingJobInfo (for its people).

    >>> from types import SimpleNamespace as NS
    >>> doc = {"images": {"total": 2, "images": [{"id": 1, "reviewStatus": "accepted", "labelsCount": 3},
    ...                                           {"id": 2, "reviewStatus": "none", "labelsCount": 0}]}}
    >>> info = NS(id=9, assigned_to_id=101, assigned_to_login="anna", reviewer_id=None, reviewer_login=None)
    >>> stats = stats_from_sly(doc, info)
    >>> (stats.items, stats.annotated, stats.accepted, stats.annotations, [u.login for u in stats.users])
    (2, 1, 1, 3, ['anna'])
    """
    images = (stats.get("images") or {}).get("images") or []
    statuses = [image.get("reviewStatus") or "none" for image in images]
    annotated = sum(bool(image.get("labelsCount")) or status != "none" for image, status in zip(images, statuses))
    accepted, rejected = statuses.count("accepted"), statuses.count("rejected")
    users = []
    if info.assigned_to_id is not None:
        users.append(
            UserStats(
                user_id=info.assigned_to_id,
                login=info.assigned_to_login,
                items=len(images),
                annotated=annotated,
                accepted=accepted,
                rejected=rejected,
            )
        )
    if info.reviewer_id is not None:
        users.append(
            UserStats(
                user_id=info.reviewer_id,
                login=info.reviewer_login,
                role=Role.REVIEWER,
                items=len(images),
                annotated=accepted + rejected,  # a reviewer's work: the verdicts given
                accepted=accepted,
                rejected=rejected,
            )
        )
    return JobStats(
        job_id=info.id,
        items=(stats.get("images") or {}).get("total", len(images)),
        annotated=annotated,
        accepted=accepted,
        rejected=rejected,
        annotations=sum(int(image.get("labelsCount") or 0) for image in images),
        users=users,
    )


def _value(event: dict[str, Any], key: str) -> Any:
    value = event.get(key)
    return None if value in (None, "None", "") else value  # the SDK's examples print a missing value as "None"


def activity_from_event(event: dict[str, Any]) -> Activity:
    """An Activity of one teams.activity event (keys of the SDK's example output).

    >>> activity_from_event({"userId": 7, "action": "create_figure", "date": "2021-01-15T15:11:55.985Z",
    ...     "user": "cxnt", "imageId": 726985, "class": "lemon", "tag": "None", "meta": {}}).detail
    'class lemon'
    """
    meta = event.get("meta") or {}
    parts = [
        f"class {_value(event, 'class')}" if _value(event, "class") else "",
        f"tag {_value(event, 'tag')}" if _value(event, "tag") else "",
        f"value {meta['value']}" if meta.get("value") is not None else "",
        f"review {meta['reviewStatus']}" if meta.get("reviewStatus") else "",
    ]
    date = _value(event, "date")
    return Activity(
        action=event["action"],
        at=datetime.fromisoformat(date.replace("Z", "+00:00")) if date else None,
        user_id=_value(event, "userId"),
        login=_value(event, "user"),
        item_id=_value(event, "imageId"),
        detail=", ".join(p for p in parts if p),
    )
