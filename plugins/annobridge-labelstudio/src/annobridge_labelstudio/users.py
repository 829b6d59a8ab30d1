"""Users of the Label Studio organization; membership roles and project members (Enterprise)."""

from __future__ import annotations

from typing import Any

from annobridge.capabilities import Capability
from annobridge.errors import Conflict, NotFound, ValidationError
from annobridge.models import Id, Role, User
from annobridge.provider import UsersAPI, requires

from . import enterprise
from .sdk_data import as_int, to_user
from .subapi_base import LabelStudioProvider, LabelStudioSubAPI

__all__ = ["LabelStudioUsers"]


class LabelStudioUsers(LabelStudioSubAPI, UsersAPI[LabelStudioProvider]):
    """Users: me, get by login (username or email), list, create; roles and project members on Enterprise."""

    def me(self) -> User:
        return to_user(self.conn.authenticate())  # type: ignore[return-value]

    def list(self) -> list[User]:
        with self.call("listing users"):
            return [u for u in (to_user(x) for x in self.sdk.users.list()) if u is not None]

    def get(self, login: str) -> User:
        """The user whose username or email is `login`; NotFound otherwise."""
        with self.call("listing users"):
            for raw in self.sdk.users.list():
                if login in (raw.username, raw.email):
                    return to_user(raw)  # type: ignore[return-value]
        raise NotFound(f"no user {login!r} on {self.conn.server}")

    def create(self, login: str, *, password: str | None = None, email: str | None = None) -> User:
        """Create a user in the organization; Label Studio needs an email (taken from `login` if it is one)."""
        email = email or (login if "@" in login else None)
        if not email:
            raise ValidationError(f"email: Label Studio users need an email; none given for {login!r}")
        try:
            existing = self.get(login)
        except NotFound:
            existing = None
        if existing is not None:
            raise Conflict(f"user {login!r} exists already on {self.conn.server} (id {existing.id})")
        extra: dict[str, Any] = {"password": password} if password else {}
        username = login if "@" not in login else login.split("@", 1)[0]
        with self.call(f"creating user {login!r}"):
            return to_user(self.sdk.users.create(username=username, email=email, **extra))  # type: ignore[return-value]

    def add_member(self, user_id: Id, role: Role = Role.ANNOTATOR) -> None:
        """Give the user `role` in the organization (a no-op if they have it)."""
        uid = as_int(user_id, "user_id")
        if enterprise.org_role(self, uid) != Role(role).value:
            enterprise.set_org_role(self, uid, Role(role))

    def member_role(self, user_id: Id) -> str | None:
        """The user's organization role, from the organization's membership listing; None if not a member."""
        return enterprise.org_role(self, as_int(user_id, "user_id"))

    # ---------------------------------------------------------------- project members (Enterprise)

    @requires(Capability.MEMBERS)
    def project_members(self, job_id: Id) -> list[User]:
        """The explicit members of a job's project (not those who see it through their organization role)."""
        members = enterprise.project_members(self, as_int(job_id, "job_id"))
        return [u for u in (to_user(m) for m in members) if u is not None]

    @requires(Capability.MEMBERS)
    def add_project_member(self, job_id: Id, user_id: Id) -> None:
        enterprise.add_project_member(self, as_int(job_id, "job_id"), as_int(user_id, "user_id"))

    @requires(Capability.MEMBERS)
    def remove_project_member(self, job_id: Id, user_id: Id) -> None:
        enterprise.remove_project_member(self, as_int(job_id, "job_id"), as_int(user_id, "user_id"))
