"""Users on the Supervisely sandbox: the tutorial's step 1 (create labelers, add them to the team) and lookups."""

from __future__ import annotations

import pytest

from annobridge.errors import Conflict, NotFound, ValidationError
from annobridge.models import Role

from .provider_support import unique


def test_me_is_the_admin(sv, world):
    me = sv.users.me()
    assert me.id == world.admin_id and me.login


def test_create_then_add_to_the_team_as_the_tutorial_does(sv):
    login = unique("labeler")
    user = sv.users.create(login, password="11111abc")
    assert sv.users.get(login).id == user.id and sv.users.get_by_id(user.id).login == login
    assert sv.users.member_role(user.id) is None and user.id not in {u.id for u in sv.users.list()}
    sv.users.add_member(user.id, Role.ANNOTATOR)
    sv.users.add_member(user.id, Role.ANNOTATOR)  # a member already: nothing happens
    assert sv.users.member_role(user.id) == "annotator"
    assert user.id in {u.id for u in sv.users.list()}


def test_ensure_member_is_idempotent(sv):
    login = unique("again")
    first = sv.users.ensure_member(login, password="abc12345")
    second = sv.users.ensure_member(login, password="abc12345")
    assert first.id == second.id and sv.users.member_role(login) == "annotator"


def test_clear_refusals(sv, world):
    with pytest.raises(Conflict, match="labeler_1"):
        sv.users.create("labeler_1", password="whatever1")
    with pytest.raises(ValidationError, match="password"):
        sv.users.create(unique("nopass"))
    with pytest.raises(NotFound, match="'nobody-here'"):
        sv.users.get("nobody-here")
    with pytest.raises(ValidationError, match="'overlord'"):
        sv.users.add_member(world.stranger, "overlord")


def test_the_teams_are_the_servers_the_seeded_one_among_them(sv, world, sandbox, make_api):
    listed = {t["id"] for t in sv.users.teams()}  # other tests may add teams to the shared sandbox
    assert world.team_id in listed and listed == {t.id for t in make_api(sandbox).team.get_list()}
    logins = {u.login for u in sv.users.list()}
    assert {"labeler_1", "labeler_2", "labeler_3", "reviewer_1"} <= logins and "stranger" not in logins
