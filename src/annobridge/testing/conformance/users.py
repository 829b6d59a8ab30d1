"""Conformance of users: who the token is, finding users by login, listing and creating them, membership."""

from __future__ import annotations

import pytest

from ...capabilities import Capability
from ...errors import Conflict, NotFound
from ...models import User
from .base import ConformanceBase, assert_unsupported, lacks, needs, unique

__all__ = ["UserTests"]


class UserTests(ConformanceBase):
    """Users through `backend.users`; a test creates a user with a unique login (backends keep users)."""

    @pytest.fixture
    def new_user(self, backend) -> User:
        login = unique("conformance").replace("-", "_")
        return backend.users.create(login, password="Conformance-123", email=f"{login}@example.com")

    @needs(Capability.USERS)
    def test_me_is_listed_and_found_by_login(self, backend):
        me = backend.users.me()
        assert me.login
        assert str(backend.users.get(me.login).id) == str(me.id)
        assert str(me.id) in {str(u.id) for u in backend.users.list()}

    @needs(Capability.USERS)
    def test_create_then_get(self, backend, new_user):
        assert new_user.login.startswith("conformance_")
        assert str(backend.users.get(new_user.login).id) == str(new_user.id)

    @needs(Capability.USERS)
    @lacks(Capability.MEMBERS)
    def test_a_new_user_is_listed(self, backend, new_user):
        assert str(new_user.id) in {str(u.id) for u in backend.users.list()}

    @needs(Capability.MEMBERS)
    def test_a_new_member_is_listed(self, backend, new_user):
        """Where users are members of a team or organization, the list is of its members: those work can go to."""
        backend.users.add_member(new_user.id)
        assert str(new_user.id) in {str(u.id) for u in backend.users.list()}

    @needs(Capability.USERS)
    def test_create_with_a_taken_login_is_a_conflict(self, backend, new_user):
        with pytest.raises(Conflict):
            backend.users.create(new_user.login, password="Conformance-123", email=f"other-{new_user.email}")

    @needs(Capability.USERS)
    def test_get_unknown_login_is_not_found(self, backend):
        with pytest.raises(NotFound):
            backend.users.get(unique("nobody"))

    @needs(Capability.MEMBERS)
    def test_add_member_gives_a_role(self, backend, new_user):
        backend.users.add_member(new_user.id)
        assert backend.users.member_role(new_user.id) is not None
        backend.users.add_member(new_user.id)  # a member already: nothing changes
        assert backend.users.member_role(new_user.id) is not None

    @lacks(Capability.MEMBERS)
    def test_without_members_adding_one_is_unsupported(self, backend, new_user):
        assert_unsupported(backend, Capability.MEMBERS, lambda: backend.users.add_member(new_user.id))

    @lacks(Capability.USERS)
    def test_without_users_listing_them_is_unsupported(self, backend):
        assert_unsupported(backend, Capability.USERS, backend.users.list)
