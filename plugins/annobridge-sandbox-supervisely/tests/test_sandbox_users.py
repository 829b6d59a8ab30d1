"""Users, team members, roles, teams and workspaces through UserApi, RoleApi, TeamApi and WorkspaceApi."""

from __future__ import annotations

import pytest
import requests
from supervisely.api.role_api import RoleInfo
from supervisely.api.team_api import TeamInfo, UsageInfo
from supervisely.api.user_api import UserInfo
from supervisely.api.workspace_api import WorkspaceInfo


def test_create_and_find_users(api, unique):
    user = api.user.create(login=f"ann_{unique}", password="pass1234", is_restricted=True, name="Ann", email="a@x.y")
    assert isinstance(user, UserInfo)
    assert (user.login, user.name, user.email, user.disabled, user.role, user.role_id) == (
        f"ann_{unique}", "Ann", "a@x.y", False, None, None
    )
    assert api.user.get_info_by_login(f"ann_{unique}") == user
    assert api.user.get_info_by_id(user.id) == user
    assert user.id in [u.id for u in api.user.get_list()]
    with pytest.raises(requests.exceptions.HTTPError, match="already exists"):
        api.user.create(login=f"ann_{unique}", password="pass1234")


def test_update_and_disable(api, unique):
    user = api.user.create(login=f"bob_{unique}", password="pass1234")
    assert api.user.update(user.id, name="Robert").name == "Robert"
    api.user.disable(user.id)
    assert api.user.get_info_by_id(user.id).disabled is True
    api.user.enable(user.id)
    assert api.user.get_info_by_id(user.id).disabled is False


def test_team_membership_roles(api, seed_ids, unique):
    user = api.user.create(login=f"cat_{unique}", password="pass1234", is_restricted=True)  # no personal team
    assert api.user.get_team_role(user.id, seed_ids.team) is None
    api.user.add_to_team(user.id, seed_ids.team, api.role.DefaultRole.ANNOTATOR)
    member = api.user.get_team_role(user.id, seed_ids.team)
    assert (member.id, member.name, member.role_id, member.role) == (seed_ids.team, "Demo Team", 3, "annotator")
    assert [t.id for t in api.user.get_teams(user.id)] == [seed_ids.team]
    api.user.change_team_role(user.id, seed_ids.team, api.role.DefaultRole.VIEWER)
    assert api.user.get_team_role(user.id, seed_ids.team).role == "viewer"
    members = {m.login: m for m in api.user.get_team_members(seed_ids.team)}
    assert members[f"cat_{unique}"].role == "viewer" and members["admin"].role == "admin"
    assert api.user.get_member_info_by_login(seed_ids.team, f"cat_{unique}").id == user.id
    assert api.user.get_member_info_by_id(seed_ids.team, user.id).login == f"cat_{unique}"
    api.user.remove_from_team(user.id, seed_ids.team)
    assert api.user.get_team_role(user.id, seed_ids.team) is None


def test_add_by_login_answers_the_user_id(api, seed_ids, unique):
    user = api.user.create(login=f"dan_{unique}", password="pass1234")
    assert api.user.add_to_team_by_login(f"dan_{unique}", seed_ids.team, 2) == {"userId": user.id}
    with pytest.raises(requests.exceptions.HTTPError, match="already a member"):
        api.user.add_to_team_by_login(f"dan_{unique}", seed_ids.team, 2)
    with pytest.raises(requests.exceptions.HTTPError, match="role id 99"):
        api.user.add_to_team_by_login(f"dan_{unique}", seed_ids.team, 99)


def test_roles_include_the_sdks_default_roles(api):
    roles = api.role.get_list()
    assert all(isinstance(r, RoleInfo) for r in roles)
    by_id = {r.id: r.role for r in roles}
    for role in api.role.DefaultRole:
        assert by_id[role.value] == role.name.lower()
    assert {"manager", "reviewer"} <= set(by_id.values())


def test_teams(fresh_sandbox, make_api, seed_ids, unique):
    api = make_api(fresh_sandbox)  # a second team of the admin's would make connect() ask for team_id elsewhere
    (team,) = [t for t in api.team.get_list() if t.id == seed_ids.team]
    assert isinstance(team, TeamInfo) and team.role == "admin" and team.usage == UsageInfo(plan="free")
    assert api.team.get_info_by_id(seed_ids.team) == team
    assert api.team.get_info_by_name("Demo Team") == team
    new = api.team.create(f"team {unique}", description="d")
    assert (new.name, new.description, new.role) == (f"team {unique}", "d", "admin")
    assert api.team.update(new.id, name=f"renamed {unique}").name == f"renamed {unique}"
    assert api.team.get_info_by_id(424242) is None


def test_workspaces(fresh_sandbox, make_api, seed_ids, unique):
    api = make_api(fresh_sandbox)  # another workspace in the team would make connect() ask for workspace_id elsewhere
    (seeded,) = [w for w in api.workspace.get_list(seed_ids.team) if w.id == seed_ids.workspace]
    assert isinstance(seeded, WorkspaceInfo) and seeded.name == "Testing Workspace" and seeded.team_id == seed_ids.team
    assert api.workspace.get_info_by_id(seed_ids.workspace) == seeded
    new = api.workspace.create(seed_ids.team, f"ws {unique}", description="x")
    assert api.workspace.get_info_by_name(seed_ids.team, f"ws {unique}") == new
    assert api.workspace.create(seed_ids.team, f"ws {unique}", change_name_if_conflict=True).name == f"ws {unique}_001"
    assert api.workspace.update(new.id, description="y").description == "y"
