"""Workspace tasks: the record of work such as a clone, answered by tasks.info and tasks.list (TaskApi).

The sandbox does the work of a task inside the request that starts it, so a task is born
"finished" and `api.task.wait(...)` returns at its first look.
"""

from __future__ import annotations

from .errors import field, not_found
from .paging import page
from .store import Store, dumps, loads, now
from .workspaces import get_workspace

TASKS_TABLE = """
CREATE TABLE IF NOT EXISTS tasks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    type TEXT NOT NULL, status TEXT NOT NULL, description TEXT, user_id INTEGER, meta TEXT,
    started_at TEXT, finished_at TEXT)
"""
# kept here rather than in store.SCHEMA so the tasks module stays whole in one file; created on first use
FINISHED = "finished"


def _ensure_table(store: Store) -> None:
    store.execute(TASKS_TABLE)


def record_finished_task(store: Store, workspace_id: int, kind: str, user_id: int, meta: dict,
                         started_at: str) -> int:
    """Record a task of `kind` that ran from `started_at` until now and finished; returns its id."""
    _ensure_table(store)
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


def tasks_info(ctx, body) -> dict:
    """tasks.info {id}: TaskApi.get_info_by_id, get_status and wait."""
    _ensure_table(ctx.store)
    task_id = field(body, "id", int)
    row = ctx.store.one("SELECT * FROM tasks WHERE id = ?", (task_id,))
    if row is None:
        raise not_found("Task", task_id)
    return task_json(ctx.store, row)


def tasks_list(ctx, body) -> dict:
    """tasks.list {workspaceId, filter}: the workspace's tasks, oldest first."""
    _ensure_table(ctx.store)
    workspace = get_workspace(ctx.store, field(body, "workspaceId", int))
    rows = ctx.store.rows("SELECT * FROM tasks WHERE workspace_id = ? ORDER BY id", (workspace["id"],))
    return page([task_json(ctx.store, row) for row in rows], body)


ROUTES = {
    "tasks.info": tasks_info,
    "tasks.list": tasks_list,
}
