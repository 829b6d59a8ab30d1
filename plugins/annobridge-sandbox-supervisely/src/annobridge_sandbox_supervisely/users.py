"""Users, team members and roles: users.*, members.*, roles.list (UserApi, RoleApi)."""

from __future__ import annotations

from .activity import record
from .errors import bad_request, field, not_found
from .paging import page
from .store import Store, now
from .teams import free_team_name, insert_team
from .workspaces import insert_workspace

PERSONAL_WORKSPACE = "First Workspace"
"""The workspace a new user's personal team starts with, as on a real instance."""


def user_json(row: dict, team_role: dict | None = None) -> dict:
    """UserInfo fields in info_sequence order; as a member, role/roleId are the team role."""
    role, role_id = row["role"], row["role_id"]
    if team_role is not None:
        role, role_id = team_role["role"], team_role["id"]
    return {
        "id": row["id"],
        "login": row["login"],
        "role": role,
        "roleId": role_id,
        "name": row["name"],
        "email": row["email"],
        "logins": row["logins"],
        "disabled": bool(row["disabled"]),
        "lastLogin": row["last_login"],
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
    }


def get_user(store: Store, user_id: int) -> dict:
    """The users row, or 404."""
    row = store.one("SELECT * FROM users WHERE id = ?", (user_id,))
    if row is None:
        raise not_found("User", user_id)
    return row


def memberships(store: Store, user_id: int) -> list[dict]:
    """The user's teams as users.info lists them: {id, name, roleId, role}, in the order they joined (the user
    management tutorial prints a user's personal team first, before an older team they were invited to)."""
    return store.rows(
        "SELECT t.id, t.name, m.role_id AS roleId, r.role FROM members m "
        "JOIN teams t ON t.id = m.team_id JOIN roles r ON r.id = m.role_id "
        "WHERE m.user_id = ? ORDER BY m.rowid",
        (user_id,),
    )


def team_role(store: Store, user_id: int, team_id: int) -> dict | None:
    """{id, role} of the user's role in the team, or None if not a member."""
    return store.one(
        "SELECT r.id, r.role FROM members m JOIN roles r ON r.id = m.role_id "
        "WHERE m.user_id = ? AND m.team_id = ?",
        (user_id, team_id),
    )


def require_member(store: Store, user_id: int, team_id: int, what: str = "User") -> dict:
    """The users row of a member of the team, or 400 naming who is not."""
    user = get_user(store, user_id)
    if team_role(store, user_id, team_id) is None:
        raise bad_request(f"{what} {user['login']!r} (id {user_id}) is not a member of team {team_id}", field="userId")
    return user


def _role(store: Store, role_id: int) -> dict:
    role = store.one("SELECT * FROM roles WHERE id = ?", (role_id,))
    if role is None:
        raise bad_request(f"role id {role_id!r} does not exist (see roles.list)", field="roleId")
    return role


def _team(store: Store, team_id: int) -> dict:
    team = store.one("SELECT * FROM teams WHERE id = ?", (team_id,))
    if team is None:
        raise not_found("Team", team_id)
    return team


def users_list(ctx, body) -> dict:
    """users.list: every user of the instance (admin only on a real server)."""
    rows = ctx.store.rows("SELECT * FROM users")
    return page([user_json(row) for row in rows], body)


def users_info(ctx, body) -> dict:
    """users.info: UserInfo plus the user's "teams"."""
    row = get_user(ctx.store, field(body, "id", int))
    return {**user_json(row), "teams": memberships(ctx.store, row["id"])}


def users_me(ctx, body) -> dict:
    """users.me: the owner of the token."""
    return {**user_json(ctx.user), "teams": memberships(ctx.store, ctx.user["id"])}


def users_add(ctx, body) -> dict:
    """users.add {login, password, isRestricted, name, email} -> {"userId"}."""
    login = field(body, "login", str)
    password = field(body, "password", str)
    if not login.strip():
        raise bad_request("field 'login' must not be empty", field="login")
    if not password:
        raise bad_request("field 'password' must not be empty", field="password")
    if ctx.store.one("SELECT id FROM users WHERE login = ?", (login,)):
        raise bad_request(f"user with login {login!r} already exists", field="login")
    restricted = bool(field(body, "isRestricted", bool, default=False))
    stamp = now()
    user_id = ctx.store.execute(
        "INSERT INTO users (login, password, name, email, is_restricted, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            login,
            "(not stored)",  # the sandbox never keeps passwords
            field(body, "name", str, default=""),  # the user management tutorial prints name='' ...
            field(body, "email", str, default="") or None,  # ... and email=None for a user made without them
            int(restricted),
            stamp,
            stamp,
        ),
    )
    if not restricted:
        give_personal_team(ctx.store, user_id, login)
    return {"userId": user_id}


def give_personal_team(store: Store, user_id: int, login: str) -> int:
    """What signing up gives a full-scope user: a team named after the login, the user its admin, and
    its "First Workspace" (a restricted user gets none). Returns the team id."""
    team_id = insert_team(store, free_team_name(store, login), "", user_id)
    insert_workspace(store, team_id, PERSONAL_WORKSPACE)
    return team_id


def users_edit(ctx, body) -> dict:
    """users.editInfo {id, name?, password?}."""
    row = get_user(ctx.store, field(body, "id", int))
    name = field(body, "name", str, default=row["name"])
    ctx.store.execute("UPDATE users SET name = ?, updated_at = ? WHERE id = ?", (name, now(), row["id"]))
    return {"success": True}


def users_disable(ctx, body) -> dict:
    """users.disable {id, disable}."""
    row = get_user(ctx.store, field(body, "id", int))
    disable = field(body, "disable", bool)
    ctx.store.execute("UPDATE users SET disabled = ?, updated_at = ? WHERE id = ?", (int(disable), now(), row["id"]))
    return {"success": True}


def members_list(ctx, body) -> dict:
    """members.list {teamId, filter}: the team's users, role = their team role."""
    team = _team(ctx.store, field(body, "teamId", int))
    rows = ctx.store.rows(
        "SELECT u.*, r.id AS team_role_id, r.role AS team_role FROM members m "
        "JOIN users u ON u.id = m.user_id JOIN roles r ON r.id = m.role_id WHERE m.team_id = ?",
        (team["id"],),
    )
    entities = [
        user_json(row, {"id": row["team_role_id"], "role": row["team_role"]}) for row in rows
    ]
    return page(entities, body)


def members_add(ctx, body) -> dict:
    """members.add {login, teamId, roleId} -> {"userId"}."""
    login = field(body, "login", str)
    team = _team(ctx.store, field(body, "teamId", int))
    role = _role(ctx.store, field(body, "roleId", int))
    user = ctx.store.one("SELECT * FROM users WHERE login = ?", (login,))
    if user is None:
        raise bad_request(f"user with login {login!r} does not exist", field="login")
    if team_role(ctx.store, user["id"], team["id"]) is not None:
        raise bad_request(f"user {login!r} is already a member of team {team['id']}", field="login")
    ctx.store.execute(
        "INSERT INTO members (team_id, user_id, role_id) VALUES (?, ?, ?)", (team["id"], user["id"], role["id"])
    )
    record(ctx.store, "add_member", user_id=ctx.user["id"], team_id=team["id"],
           meta={"memberId": user["id"], "roleId": role["id"]})
    return {"userId": user["id"]}


def members_edit(ctx, body) -> dict:
    """members.editInfo {id, teamId, roleId}: change a member's role."""
    user = get_user(ctx.store, field(body, "id", int))
    team = _team(ctx.store, field(body, "teamId", int))
    role = _role(ctx.store, field(body, "roleId", int))
    require_member(ctx.store, user["id"], team["id"])
    ctx.store.execute(
        "UPDATE members SET role_id = ? WHERE team_id = ? AND user_id = ?", (role["id"], team["id"], user["id"])
    )
    return {"success": True}


def members_remove(ctx, body) -> dict:
    """members.remove {id, teamId}."""
    user = get_user(ctx.store, field(body, "id", int))
    team = _team(ctx.store, field(body, "teamId", int))
    require_member(ctx.store, user["id"], team["id"])
    ctx.store.execute("DELETE FROM members WHERE team_id = ? AND user_id = ?", (team["id"], user["id"]))
    return {"success": True}


def roles_list(ctx, body) -> dict:
    """roles.list: RoleInfo {id, role, createdAt, updatedAt}."""
    rows = ctx.store.rows("SELECT id, role, created_at AS createdAt, updated_at AS updatedAt FROM roles")
    return page(rows, body)


ROUTES = {
    "users.list": users_list,
    "users.info": users_info,
    "users.me": users_me,
    "users.add": users_add,
    "users.editInfo": users_edit,
    "users.disable": users_disable,
    "members.list": members_list,
    "members.add": members_add,
    "members.editInfo": members_edit,
    "members.remove": members_remove,
    "roles.list": roles_list,
}

REFUSED = {
    "users.ssh-keys": "the sandbox keeps no SSH keys: they reach the agents and dev containers it does not run",
}
