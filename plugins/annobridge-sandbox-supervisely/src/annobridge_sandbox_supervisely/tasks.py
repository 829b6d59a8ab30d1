"""Workspace tasks: the record of work such as a clone: tasks.info/list, its context, meta, status, stop (TaskApi).

The sandbox does the work of a task inside the request that starts it, so a task is born
"finished" and `api.task.wait(...)` returns at its first look. A script may still move a
recorded task's status and meta as an app would; the sandbox runs no apps or agents, so
starting one, talking to its server or sending it files is refused.
"""

from __future__ import annotations

from .errors import bad_request, field, not_found
from .paging import page
from .store import Store, dumps, loads, now
from .workspaces import get_workspace

TABLES = """
CREATE TABLE IF NOT EXISTS tasks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    type TEXT NOT NULL, status TEXT NOT NULL, description TEXT, user_id INTEGER, meta TEXT,
    started_at TEXT, finished_at TEXT);
"""
FINISHED = "finished"
STATUSES = ("queued", "consumed", "started", "deployed", "error", "finished", "terminating", "stopped")
"""TaskApi.Status values."""
ENDED = ("error", "finished", "stopped")
NO_APPS = "the sandbox runs no apps or agents"


def record_finished_task(store: Store, workspace_id: int, kind: str, user_id: int, meta: dict,
                         started_at: str) -> int:
    """Record a task of `kind` that ran from `started_at` until now and finished; returns its id."""
    return store.execute(
        "INSERT INTO tasks (workspace_id, type, status, description, user_id, meta, started_at, finished_at) "
        "VALUES (?, ?, ?, '', ?, ?, ?, ?)",
        (workspace_id, kind, FINISHED, user_id, dumps(meta), started_at, now()),
    )


def task_json(store: Store, row: dict) -> dict:
    """The task as tasks.info answers it (the fields of the SDK's TaskApi.get_info_by_id example)."""
    user_login = store.scalar("SELECT login FROM users WHERE id = ?", (row["user_id"],))
    team_id = store.scalar("SELECT team_id FROM workspaces WHERE id = ?", (row["workspace_id"],))
    return {
        "id": row["id"],
        "workspaceId": row["workspace_id"],
        "description": row["description"],
        "type": row["type"],
        "status": row["status"],
        "startedAt": row["started_at"],
        "finishedAt": row["finished_at"],
        "userId": row["user_id"],
        "meta": loads(row["meta"], {}),
        "settings": {},
        "agentName": None,
        "userLogin": user_login,
        "teamId": team_id,
        "agentId": None,
    }


def get_task(store: Store, task_id: int) -> dict:
    """The tasks row, or 404."""
    row = store.one("SELECT * FROM tasks WHERE id = ?", (task_id,))
    if row is None:
        raise not_found("Task", task_id)
    return row


def tasks_info(ctx, body) -> dict:
    """tasks.info {id}: TaskApi.get_info_by_id, get_status and wait."""
    return task_json(ctx.store, get_task(ctx.store, field(body, "id", int)))


def task_context(ctx, body) -> dict:
    """GetTaskContext {id}: the task's team and workspace, {id, name} each."""
    task = get_task(ctx.store, field(body, "id", int))
    place = ctx.store.one(
        "SELECT t.id AS team_id, t.name AS team, w.id AS workspace_id, w.name AS workspace FROM workspaces w "
        "JOIN teams t ON t.id = w.team_id WHERE w.id = ?",
        (task["workspace_id"],),
    )
    return {
        "team": {"id": place["team_id"], "name": place["team"]},
        "workspace": {"id": place["workspace_id"], "name": place["workspace"]},
    }


def update_meta(ctx, body) -> dict:
    """tasks.meta.update {id, ...}: the other top-level keys replace those of the task's meta."""
    task = get_task(ctx.store, field(body, "id", int))
    changes = {key: value for key, value in body.items() if key != "id"}
    if not changes:
        raise bad_request("tasks.meta.update needs a meta field besides 'id'")
    meta = {**loads(task["meta"], {}), **changes}
    ctx.store.execute("UPDATE tasks SET meta = ? WHERE id = ?", (dumps(meta), task["id"]))
    return {"success": True}


def set_status(store: Store, task: dict, status: str) -> None:
    """Move a task to `status`; an ended status stamps finishedAt, any other clears it."""
    if status not in STATUSES:
        raise bad_request(f"status must be one of {list(STATUSES)}, got {status!r}", field="status")
    finished = (task["finished_at"] or now()) if status in ENDED else None
    store.execute("UPDATE tasks SET status = ?, finished_at = ? WHERE id = ?", (status, finished, task["id"]))


def update_status(ctx, body) -> dict:
    """tasks.status.update {id, status}."""
    set_status(ctx.store, get_task(ctx.store, field(body, "id", int)), field(body, "status", str))
    return {"success": True}


def stop(ctx, body) -> dict:
    """tasks.stop {id} -> {status}: a task that has not ended becomes stopped; an ended one keeps its status."""
    task = get_task(ctx.store, field(body, "id", int))
    if task["status"] not in ENDED:
        set_status(ctx.store, task, "stopped")
    return {"status": get_task(ctx.store, task["id"])["status"]}


def tasks_list(ctx, body) -> dict:
    """tasks.list {workspaceId, filter}: the workspace's tasks, oldest first."""
    workspace = get_workspace(ctx.store, field(body, "workspaceId", int))
    rows = ctx.store.rows("SELECT * FROM tasks WHERE workspace_id = ? ORDER BY id", (workspace["id"],))
    return page([task_json(ctx.store, row) for row in rows], body)


ROUTES = {
    "tasks.info": tasks_info,
    "tasks.list": tasks_list,
    "GetTaskContext": task_context,
    "tasks.meta.update": update_meta,
    "tasks.status.update": update_status,
    "tasks.stop": stop,
}

REFUSED = {
    "tasks.run.app": NO_APPS,
    "tasks.request.direct": "it talks to a running app's own server, and " + NO_APPS,
    "tasks.files.bulk.add-by-hash": "task files go to the agent that runs the task: " + NO_APPS,
    "tasks.files.bulk.upload": "task files go to the agent that runs the task: " + NO_APPS,
}
