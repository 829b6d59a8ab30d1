"""Workspaces: workspaces.list/info/add/editInfo, visibility.set, archive, remove.permanently (WorkspaceApi).

Hidden is a mark the web UI reads to keep a workspace out of sight; the API lists hidden
workspaces as before. An archived workspace leaves workspaces.list but still answers
workspaces.info; only an archived workspace can be removed for good, with all it holds.
"""

from __future__ import annotations

from .errors import bad_request, field, int_list, not_found
from .paging import page
from .store import Store, now
from .teams import get_team

TABLES = """
CREATE TABLE IF NOT EXISTS workspace_flags (
    workspace_id INTEGER PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
    hidden INTEGER NOT NULL DEFAULT 0, archived_at TEXT);
"""
MAX_REMOVE_BATCH = 50  # WorkspaceApi.remove_permanently sends at most 50 ids a call


def workspace_json(row: dict) -> dict:
    """WorkspaceInfo fields in info_sequence order."""
    return {
        "id": row["id"],
        "name": row["name"],
        "description": row["description"],
        "teamId": row["team_id"],
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
    }


def get_workspace(store: Store, workspace_id: int) -> dict:
    """The workspaces row, or 404."""
    row = store.one("SELECT * FROM workspaces WHERE id = ?", (workspace_id,))
    if row is None:
        raise not_found("Workspace", workspace_id)
    return row


def workspaces_list(ctx, body) -> dict:
    """workspaces.list {teamId, filter}: archived workspaces left out."""
    team = get_team(ctx.store, field(body, "teamId", int))
    rows = ctx.store.rows(
        "SELECT * FROM workspaces WHERE team_id = ? AND id NOT IN "
        "(SELECT workspace_id FROM workspace_flags WHERE archived_at IS NOT NULL)",
        (team["id"],),
    )
    return page([workspace_json(row) for row in rows], body)


def workspaces_info(ctx, body) -> dict:
    """workspaces.info {id}."""
    return workspace_json(get_workspace(ctx.store, field(body, "id", int)))


def workspaces_add(ctx, body) -> dict:
    """workspaces.add {teamId, name, description}."""
    team = get_team(ctx.store, field(body, "teamId", int))
    name = field(body, "name", str)
    if ctx.store.one("SELECT id FROM workspaces WHERE team_id = ? AND name = ?", (team["id"], name)):
        raise bad_request(f"workspace {name!r} already exists in team {team['id']}", field="name")
    workspace_id = insert_workspace(ctx.store, team["id"], name, field(body, "description", str, default=""))
    return workspace_json(get_workspace(ctx.store, workspace_id))


def insert_workspace(store: Store, team_id: int, name: str, description: str = "") -> int:
    """A new workspace in the team; returns its id."""
    stamp = now()
    return store.execute(
        "INSERT INTO workspaces (team_id, name, description, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
        (team_id, name, description, stamp, stamp),
    )


def workspaces_edit(ctx, body) -> dict:
    """workspaces.editInfo {id, name?, description?}."""
    row = get_workspace(ctx.store, field(body, "id", int))
    ctx.store.execute(
        "UPDATE workspaces SET name = ?, description = ?, updated_at = ? WHERE id = ?",
        (
            field(body, "name", str, default=row["name"]),
            field(body, "description", str, default=row["description"]),
            now(),
            row["id"],
        ),
    )
    return workspace_json(get_workspace(ctx.store, row["id"]))


def _flag(store: Store, workspace_id: int, column: str, value) -> None:
    store.execute("INSERT OR IGNORE INTO workspace_flags (workspace_id) VALUES (?)", (workspace_id,))
    store.execute(f"UPDATE workspace_flags SET {column} = ? WHERE workspace_id = ?", (value, workspace_id))


def is_hidden(store: Store, workspace_id: int) -> bool:
    """Whether workspaces.visibility.set hid the workspace."""
    return bool(store.scalar("SELECT hidden FROM workspace_flags WHERE workspace_id = ?", (workspace_id,)))


def workspaces_visibility(ctx, body) -> dict:
    """workspaces.visibility.set {id, hidden}."""
    row = get_workspace(ctx.store, field(body, "id", int))
    _flag(ctx.store, row["id"], "hidden", int(field(body, "hidden", bool)))
    return {"success": True}


def workspaces_archive(ctx, body) -> dict:
    """workspaces.archive {id}: the workspace leaves workspaces.list; archiving twice keeps the first date."""
    row = get_workspace(ctx.store, field(body, "id", int))
    stamp = ctx.store.scalar("SELECT archived_at FROM workspace_flags WHERE workspace_id = ?", (row["id"],))
    _flag(ctx.store, row["id"], "archived_at", stamp or now())
    return {"success": True}


def workspaces_remove_permanently(ctx, body) -> dict:
    """workspaces.remove.permanently {workspacesIds}: instance admin only; each must exist and be archived."""
    if ctx.user["role"] != "admin":
        raise bad_request("only the instance administrator removes workspaces permanently", field="workspacesIds")
    ids = int_list(body, "workspacesIds")
    if not 1 <= len(ids) <= MAX_REMOVE_BATCH:
        raise bad_request(
            f"field 'workspacesIds' takes 1 to {MAX_REMOVE_BATCH} ids, got {len(ids)}", field="workspacesIds"
        )
    for workspace_id in ids:
        get_workspace(ctx.store, workspace_id)
        archived = ctx.store.scalar("SELECT archived_at FROM workspace_flags WHERE workspace_id = ?", (workspace_id,))
        if archived is None:
            raise bad_request(
                f"workspace {workspace_id} is not archived: archive it before removing it", field="workspacesIds"
            )
    for workspace_id in ids:
        ctx.store.execute("DELETE FROM workspaces WHERE id = ?", (workspace_id,))  # cascades to its projects
    return {"success": True}


ROUTES = {
    "workspaces.list": workspaces_list,
    "workspaces.info": workspaces_info,
    "workspaces.add": workspaces_add,
    "workspaces.editInfo": workspaces_edit,
    "workspaces.visibility.set": workspaces_visibility,
    "workspaces.archive": workspaces_archive,
    "workspaces.remove.permanently": workspaces_remove_permanently,
}
