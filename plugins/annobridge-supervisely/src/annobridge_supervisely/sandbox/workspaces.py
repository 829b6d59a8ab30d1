"""Workspaces: workspaces.list, workspaces.info, workspaces.add, workspaces.editInfo (WorkspaceApi)."""

from __future__ import annotations

from .errors import bad_request, field, not_found
from .paging import page
from .store import Store, now
from .teams import get_team


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
    """workspaces.list {teamId, filter}."""
    team = get_team(ctx.store, field(body, "teamId", int))
    rows = ctx.store.rows("SELECT * FROM workspaces WHERE team_id = ?", (team["id"],))
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


ROUTES = {
    "workspaces.list": workspaces_list,
    "workspaces.info": workspaces_info,
    "workspaces.add": workspaces_add,
    "workspaces.editInfo": workspaces_edit,
}
