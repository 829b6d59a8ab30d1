"""Team activity: events recorded as the sandbox changes things, answered by teams.activity (TeamApi/LabelingJobApi.get_activity).

An event has the keys of the SDK's example output: userId, action, date, user, projectId,
project, datasetId, dataset, imageId, image, classId, class, figureId, job, jobId, tag,
tagId, meta. Filters use the SDK's field names: userId, projectId, jobId, type (the action),
date (>= / <=), labelerId and reviewStatus (read from meta).
"""

from __future__ import annotations

from typing import Any

from .errors import bad_request, field
from .paging import page
from .store import Store, dumps, loads, now


def record(store: Store, action: str, *, user_id: int, project_id: int | None = None, dataset_id: int | None = None,
           image_id: int | None = None, class_id: int | None = None, figure_id: int | None = None,
           job_id: int | None = None, tag_id: int | None = None, team_id: int | None = None,
           meta: dict | None = None) -> None:
    """Keep one event; the team comes from the project unless given."""
    if team_id is None and project_id is not None:
        team_id = store.scalar(
            "SELECT w.team_id FROM projects p JOIN workspaces w ON w.id = p.workspace_id WHERE p.id = ?", (project_id,)
        )
    store.execute(
        "INSERT INTO events (team_id, user_id, action, date, project_id, dataset_id, image_id, class_id, figure_id, "
        "job_id, tag_id, meta) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (team_id, user_id, action, now(), project_id, dataset_id, image_id, class_id, figure_id, job_id, tag_id,
         dumps(meta or {})),
    )


_NAMES = {
    "user": "SELECT login FROM users WHERE id = ?",
    "project": "SELECT name FROM projects WHERE id = ?",
    "dataset": "SELECT name FROM datasets WHERE id = ?",
    "image": "SELECT name FROM images WHERE id = ?",
    "class": "SELECT json_extract(data, '$.title') FROM obj_classes WHERE id = ?",
    "job": "SELECT name FROM jobs WHERE id = ?",
    "tag": "SELECT json_extract(data, '$.name') FROM tag_metas WHERE id = ?",
}


def _name(store: Store, kind: str, id_: int | None) -> Any:
    return None if id_ is None else store.scalar(_NAMES[kind], (id_,))


def event_json(store: Store, row: dict) -> dict:
    """One event in the SDK's example key order."""
    return {
        "userId": row["user_id"],
        "action": row["action"],
        "date": row["date"],
        "user": _name(store, "user", row["user_id"]),
        "projectId": row["project_id"],
        "project": _name(store, "project", row["project_id"]),
        "datasetId": row["dataset_id"],
        "dataset": _name(store, "dataset", row["dataset_id"]),
        "imageId": row["image_id"],
        "image": _name(store, "image", row["image_id"]),
        "classId": row["class_id"],
        "class": _name(store, "class", row["class_id"]),
        "figureId": row["figure_id"],
        "job": _name(store, "job", row["job_id"]),
        "jobId": row["job_id"],
        "tag": _name(store, "tag", row["tag_id"]),
        "tagId": row["tag_id"],
        "meta": loads(row["meta"], {}),
    }


_FILTER_KEYS = {"userId": "userId", "projectId": "projectId", "jobId": "jobId", "type": "action", "date": "date"}
_META_KEYS = {"labelerId", "reviewStatus"}


def teams_activity(ctx, body) -> dict:
    """teams.activity {teamId, filter}: the team's events, newest first, paged."""
    team_id = field(body, "teamId", int)
    rows = ctx.store.rows("SELECT * FROM events WHERE team_id = ? ORDER BY id", (team_id,))
    events = [event_json(ctx.store, row) for row in rows]
    filters = []
    for flt in field(body, "filter", list, default=[]):
        name = flt.get("field") if isinstance(flt, dict) else None
        if name in _META_KEYS:
            events = [e for e in events if e["meta"].get(name) == flt.get("value")]
        elif name in _FILTER_KEYS:
            filters.append({**flt, "field": _FILTER_KEYS[name]})
        else:
            raise bad_request(f"teams.activity cannot filter by {name!r}", field="filter")
    for position, event in enumerate(events):
        event["_order"] = position  # ties in date keep recording order
    answer = page(events, {"sort": "_order", "sort_order": "desc", **body, "filter": filters})
    for event in answer["entities"]:
        event.pop("_order", None)
    return answer


ROUTES = {"teams.activity": teams_activity}
