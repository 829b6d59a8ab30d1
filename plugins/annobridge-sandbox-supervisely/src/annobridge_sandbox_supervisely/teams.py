"""Teams: teams.list, teams.info, teams.add, teams.editInfo, teams.archive, teams.remove.permanently (TeamApi).

An archived team leaves teams.list but still answers teams.info; only an archived team can be
removed for good, and its workspaces, projects, jobs, members and events go with it.
"""

from __future__ import annotations

from .errors import bad_request, field, int_list, not_found
from .paging import page
from .store import Store, now

TABLES = """
CREATE TABLE IF NOT EXISTS team_archive (
    team_id INTEGER PRIMARY KEY REFERENCES teams(id) ON DELETE CASCADE, archived_at TEXT NOT NULL);
"""
MAX_REMOVE_BATCH = 50  # TeamApi.remove_permanently sends at most 50 ids a call


def team_json(store: Store, row: dict, user_id: int) -> dict:
    """TeamInfo fields; "role" is the asking user's role in the team."""
    role = store.scalar(
        "SELECT r.role FROM members m JOIN roles r ON r.id = m.role_id WHERE m.team_id = ? AND m.user_id = ?",
        (row["id"], user_id),
    )
    return {
        "id": row["id"],
        "name": row["name"],
        "description": row["description"],
        "role": role,
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
        "usage": {"plan": "free"},
    }


def get_team(store: Store, team_id: int) -> dict:
    """The teams row, or 404."""
    row = store.one("SELECT * FROM teams WHERE id = ?", (team_id,))
    if row is None:
        raise not_found("Team", team_id)
    return row


def teams_list(ctx, body) -> dict:
    """teams.list: the teams the token's owner belongs to, archived ones left out."""
    rows = ctx.store.rows(
        "SELECT t.* FROM teams t JOIN members m ON m.team_id = t.id WHERE m.user_id = ? "
        "AND t.id NOT IN (SELECT team_id FROM team_archive)",
        (ctx.user["id"],),
    )
    return page([team_json(ctx.store, row, ctx.user["id"]) for row in rows], body)


def teams_info(ctx, body) -> dict:
    """teams.info {id}."""
    return team_json(ctx.store, get_team(ctx.store, field(body, "id", int)), ctx.user["id"])


def teams_add(ctx, body) -> dict:
    """teams.add {name, description}: the creator becomes its admin."""
    name = field(body, "name", str)
    if ctx.store.one("SELECT id FROM teams WHERE name = ?", (name,)):
        raise bad_request(f"team {name!r} already exists", field="name")
    team_id = insert_team(ctx.store, name, field(body, "description", str, default=""), ctx.user["id"])
    return team_json(ctx.store, get_team(ctx.store, team_id), ctx.user["id"])


def insert_team(store: Store, name: str, description: str, admin_id: int) -> int:
    """A new team with `admin_id` as its admin; returns its id."""
    stamp = now()
    team_id = store.execute(
        "INSERT INTO teams (name, description, created_at, updated_at) VALUES (?, ?, ?, ?)",
        (name, description, stamp, stamp),
    )
    store.execute("INSERT INTO members (team_id, user_id, role_id) VALUES (?, ?, 1)", (team_id, admin_id))
    return team_id


def free_team_name(store: Store, wanted: str) -> str:
    """`wanted`, or `wanted_2`, `wanted_3`... when a team has that name (team names are unique here)."""
    name, suffix = wanted, 1
    while store.one("SELECT id FROM teams WHERE name = ?", (name,)):
        suffix += 1
        name = f"{wanted}_{suffix}"
    return name


def teams_edit(ctx, body) -> dict:
    """teams.editInfo {id, name?, description?}."""
    row = get_team(ctx.store, field(body, "id", int))
    ctx.store.execute(
        "UPDATE teams SET name = ?, description = ?, updated_at = ? WHERE id = ?",
        (
            field(body, "name", str, default=row["name"]),
            field(body, "description", str, default=row["description"]),
            now(),
            row["id"],
        ),
    )
    return team_json(ctx.store, get_team(ctx.store, row["id"]), ctx.user["id"])


def teams_archive(ctx, body) -> dict:
    """teams.archive {id}: the team leaves teams.list; archiving twice changes nothing."""
    team = get_team(ctx.store, field(body, "id", int))
    ctx.store.execute("INSERT OR IGNORE INTO team_archive (team_id, archived_at) VALUES (?, ?)", (team["id"], now()))
    return {"success": True}


def teams_remove_permanently(ctx, body) -> dict:
    """teams.remove.permanently {teamsIds}: instance admin only; every team must exist and be archived."""
    if ctx.user["role"] != "admin":
        raise bad_request("only the instance administrator removes teams permanently", field="teamsIds")
    ids = int_list(body, "teamsIds")
    if not 1 <= len(ids) <= MAX_REMOVE_BATCH:
        raise bad_request(f"field 'teamsIds' takes 1 to {MAX_REMOVE_BATCH} ids, got {len(ids)}", field="teamsIds")
    for team_id in ids:
        get_team(ctx.store, team_id)
        if ctx.store.one("SELECT 1 FROM team_archive WHERE team_id = ?", (team_id,)) is None:
            raise bad_request(f"team {team_id} is not archived: archive it before removing it", field="teamsIds")
    for team_id in ids:
        ctx.store.execute("DELETE FROM events WHERE team_id = ?", (team_id,))
        ctx.store.execute("DELETE FROM teams WHERE id = ?", (team_id,))  # cascades to all the team holds
    return {"success": True}


ROUTES = {
    "teams.list": teams_list,
    "teams.info": teams_info,
    "teams.add": teams_add,
    "teams.editInfo": teams_edit,
    "teams.archive": teams_archive,
    "teams.remove.permanently": teams_remove_permanently,
}
