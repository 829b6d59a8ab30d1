"""Users and team membership on Supervisely, including the tutorial's "create labelers and add them to the team"."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable

from annobridge.errors import Conflict, ValidationError
from annobridge.ids import id_if_numeric
from annobridge.models import Id, Role, User
from annobridge.provider import UsersAPI

from .convert import user_from_info

if TYPE_CHECKING:
    from .provider import SuperviselyProvider


def team_members(backend: SuperviselyProvider) -> dict[int, Any]:
    """The team's members by id (UserInfo), from one members.list request (all pages)."""
    with backend.errors():
        return {m.id: m for m in backend.api.user.get_team_members(backend.team_id)}


def resolve_members(
    backend: SuperviselyProvider, refs: Iterable[Id], field: str, members: dict[int, Any] | None = None
) -> list[int]:
    """User ids for `refs` (ids, or logins), all members of the backend's team; else ValidationError naming them.

    One members.list request (all pages) whatever the number of refs, none if `members` is given.
    """
    refs = list(refs)
    if not refs:
        return []
    members = team_members(backend) if members is None else members
    by_login = {m.login: m.id for m in members.values()}
    resolved, strangers = [], []
    for ref in refs:
        user_id = id_if_numeric(ref)
        if user_id is None:
            user_id = by_login.get(str(ref))
        if user_id is None or user_id not in members:
            strangers.append(ref)
        else:
            resolved.append(user_id)
    if strangers:
        named = [_named(backend, ref) for ref in strangers]
        raise ValidationError(
            f"{field}: {named} {'is not a member' if len(named) == 1 else 'are not members'} of team "
            f"{backend.team_id} on {backend.describe()}; add them with users.add_member first"
        )
    return resolved


def _named(backend: SuperviselyProvider, ref: Id) -> Id | str:
    """`ref`, with the login of the user when it is an id the server knows (on the error path only)."""
    user_id = id_if_numeric(ref)
    if user_id is None:
        return ref
    try:
        with backend.errors():
            info = backend.api.user.get_info_by_id(user_id)
    except Exception:  # noqa: BLE001 - naming is a courtesy; the refusal stands either way
        info = None
    return f"{user_id} ({info.login})" if info is not None else user_id


class SuperviselyUsers(UsersAPI["SuperviselyProvider"]):
    """Users of the instance and members of the team (api.user)."""

    def me(self) -> User:
        with self.backend.errors():
            return user_from_info(self.backend.api.user.get_my_info())

    def get(self, login: str) -> User:
        """The user with this login (needs admin rights on Supervisely); NotFound if there is none."""
        with self.backend.errors():
            info = self.backend.api.user.get_info_by_login(login)
        if info is None:
            raise self.backend.not_found(f"user {login!r}")
        return user_from_info(info)

    def get_by_id(self, user_id: Id) -> User:
        """The user with this id; NotFound if there is none."""
        with self.backend.errors():
            info = self.backend.api.user.get_info_by_id(int(user_id))
        if info is None:
            raise self.backend.not_found(f"user {user_id}")
        return user_from_info(info)

    def list(self) -> list[User]:
        """Every member of the team, with their team role (all pages)."""
        with self.backend.errors():
            members = self.backend.api.user.get_team_members(self.backend.team_id)
        return [user_from_info(m) for m in members]

    def create(
        self,
        login: str,
        *,
        password: str | None = None,
        email: str | None = None,
        name: str = "",
        restricted: bool = True,
    ) -> User:
        """Create a user (admin only); restricted by default, as the tutorial's labelers. Conflict if taken.

        Example::

            sv.users.create("labeler_1", password="11111abc")  # -> User(id=101, login='labeler_1', ...)
        """
        if not password:
            raise ValidationError("password: Supervisely needs a password to create a user")
        with self.backend.errors():
            if self.backend.api.user.get_info_by_login(login) is not None:
                raise Conflict(f"user {login!r} exists already on {self.backend.describe()}")
            info = self.backend.api.user.create(
                login=login, password=password, is_restricted=restricted, name=name, email=email or ""
            )
        return user_from_info(info)

    def add_member(self, user_id: Id, role: Role | str = Role.ANNOTATOR) -> None:
        """Add the user to the team with `role`; a no-op if they are a member already.

        Role.ANNOTATOR and Role.REVIEWER are both the team role "annotator": the SDK's default
        roles have no reviewer, and a job's reviewer may be any team member. Other team role
        names (admin, developer, viewer, or one the server defines) are accepted as they are.
        """
        user = self._user_id(user_id)
        with self.backend.errors():
            if self.backend.api.user.get_team_role(user, self.backend.team_id) is not None:
                return
            self.backend.api.user.add_to_team(user, self.backend.team_id, self._role_id(role))

    def member_role(self, user_id: Id) -> str | None:
        """The user's role in the team ('annotator', ...), or None if they are not a member."""
        with self.backend.errors():
            membership = self.backend.api.user.get_team_role(self._user_id(user_id), self.backend.team_id)
        return membership.role if membership is not None else None

    def ensure_member(self, login: str, *, password: str, role: Role | str = Role.ANNOTATOR) -> User:
        """The tutorial's step 1 in one call: get or create the user, then make them a team member, e.g.
        `sv.users.ensure_member("labeler_1", password="11111abc")`."""
        with self.backend.errors():
            info = self.backend.api.user.get_info_by_login(login)
        user = user_from_info(info) if info is not None else self.create(login, password=password)
        self.add_member(user.id, role)
        return user

    def teams(self) -> list[dict[str, Any]]:
        """The teams the token's user belongs to, as {id, name, role}."""
        with self.backend.errors():
            teams = self.backend.api.team.get_list()
        return [{"id": t.id, "name": t.name, "role": t.role} for t in teams]

    def _user_id(self, ref: Id) -> int:
        user_id = id_if_numeric(ref)
        if user_id is not None:
            return user_id
        return int(self.get(str(ref)).id)

    def _role_id(self, role: Role | str) -> int:
        default = self.backend.api.role.DefaultRole
        name = {Role.ANNOTATOR: "annotator", Role.REVIEWER: "annotator"}.get(role, str(getattr(role, "value", role)))
        if name.upper() in default.__members__:
            return int(default[name.upper()])
        with self.backend.errors():
            roles = {r.role.lower(): r.id for r in self.backend.api.role.get_list()}
        if name.lower() not in roles:
            raise ValidationError(f"role: {self.backend.describe()} has no team role {name!r}; it has {sorted(roles)}")
        return roles[name.lower()]
