"""The sub-APIs of projects, items, assignments, reviews and users (jobs, exports and storages have their own).

Their base, `SubAPI[P]` and `@requires`, is in subapi.py; providers import them all from annobridge.provider.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, Iterable, Iterator, Mapping

from .capabilities import Capability
from .errors import ValidationError
from .fidelity import FidelityReport
from .models import Assignment, Id, Item, ItemFilter, JobEntity, Project, ReviewStatus, Role, User
from .schema import LabelSchema
from .subapi import P, SubAPI, free_name, keyword_ids, one_named, requires

__all__ = ["AssignmentsAPI", "ItemsAPI", "ProjectsAPI", "ReviewsAPI", "UsersAPI"]


class ProjectsAPI(SubAPI[P]):
    """Projects and their label schemas."""

    name_limit: ClassVar[int | None] = None  # the longest project name the backend keeps; None: no known limit

    def check_name(self, name: object) -> str:
        """`name` as the backend keeps it (surrounding blanks stripped); ValidationError if it would refuse it.

        Runs before anything is created, so a name the backend refuses never leaves a project half-made.

        >>> ProjectsAPI(None).check_name("  Lemons ")
        'Lemons'
        """
        text = name.strip() if isinstance(name, str) else ""
        where = f" on {self.backend.describe()}" if self.backend is not None else ""
        if not text:
            raise ValidationError(f"project name: a non-blank name is needed, got {name!r}")
        if any(ord(c) < 32 or ord(c) == 127 for c in text):
            raise ValidationError(f"project name: {text!r} holds a control character")
        if self.name_limit is not None and len(text) > self.name_limit:
            raise ValidationError(
                f"project name: {text!r} has {len(text)} characters; projects{where} keep at most {self.name_limit}"
            )
        return text

    @requires(Capability.PROJECTS)
    def list(self) -> list[Project]:
        """Every project the token can see."""
        raise self._missing("projects.list")

    @requires(Capability.PROJECTS)
    def get(self, project_id: Id) -> Project:
        """The project with this id; NotFound if there is none."""
        raise self._missing("projects.get")

    @requires(Capability.PROJECTS)
    def create(self, name: str, schema: LabelSchema | None = None, description: str = "") -> Project:
        """Create a project, with `schema` as its label schema when given."""
        raise self._missing("projects.create")

    @requires(Capability.PROJECTS)
    def delete(self, project_id: Id) -> None:
        """Delete the project and everything in it."""
        raise self._missing("projects.delete")

    @requires(Capability.PROJECTS)
    def find(self, name: str) -> Project | None:
        """The project named `name`, or None; Conflict naming their ids when several have it."""
        return one_named(name, [p for p in self.list() if p.name == name], "projects")

    @requires(Capability.PROJECTS)
    def free_name(self, name: str) -> str:
        """`name`, or the first of "name_001", "name_002"... no project has (Supervisely's get_free_name)."""
        return free_name(name, {p.name for p in self.list()})

    @requires(Capability.SCHEMA)
    def get_schema(self, project_id: Id) -> LabelSchema:
        """The project's label schema, read from the backend's own form (ProjectMeta, label config)."""
        raise self._missing("projects.get_schema")

    @requires(Capability.SCHEMA)
    def schema_report(self, project_id: Id) -> tuple[LabelSchema, FidelityReport]:
        """The project's label schema and what reading it from the backend's form approximated or dropped."""
        return self.get_schema(project_id), FidelityReport()

    @requires(Capability.SCHEMA)
    def set_schema(self, project_id: Id, schema: LabelSchema) -> LabelSchema:
        """Replace the project's label schema; returns it as the backend now holds it."""
        raise self._missing("projects.set_schema")



class ItemsAPI(SubAPI[P]):
    """Items (images, tasks): list them by job, project or dataset; add, fetch, remove."""

    @keyword_ids("job_id")
    @requires(Capability.ITEMS)
    def list(
        self, *, job_id: Id | None = None, project_id: Id | None = None, dataset_id: Id | None = None
    ) -> Iterator[Item]:
        """Every item of the job, or of the project / dataset, page by page; never capped."""
        raise self._missing("items.list")

    @keyword_ids("job_id")
    @requires(Capability.ITEMS)
    def select(
        self, *, job_id: Id | None = None, project_id: Id | None = None, where: ItemFilter | None = None
    ) -> Iterator[Item]:
        """The items of the job (or project) that meet `where` (all without it); providers may filter on the server."""
        for item in self.list(job_id=job_id, project_id=project_id):
            if where is None or where.matches(item):
                yield item

    @keyword_ids("job_id")
    @requires(Capability.ITEMS)
    def download(
        self,
        *,
        job_id: Id | None = None,
        project_id: Id | None = None,
        directory: str | Path,
        item_ids: Iterable[Id] | None = None,
    ) -> list[Path]:
        """Write the media of the job's (or project's) items, or only `item_ids`, into `directory`; their paths."""
        raise self._missing("items.download")

    @requires(Capability.ITEMS)
    def get(self, item_id: Id) -> Item:
        """The item with this id; NotFound if there is none."""
        raise self._missing("items.get")

    @requires(Capability.ITEMS)
    def add(self, project_id: Id, items: Iterable[dict[str, Any]], *, dataset_id: Id | None = None) -> list[Id]:
        """Add items (backend-shaped payloads, or files by path) in bulk; returns their ids in order."""
        raise self._missing("items.add")

    @requires(Capability.ITEMS)
    def delete(self, item_ids: Iterable[Id]) -> None:
        """Delete these items; an empty list deletes nothing."""
        raise self._missing("items.delete")


class AssignmentsAPI(SubAPI[P]):
    """Who works on which items of a job, as annotator or reviewer."""

    @requires(Capability.ASSIGNMENTS)
    def assign(self, job_id: Id, assignments: Iterable[Assignment]) -> Any:
        """Apply a plan of (item, user, role) natively; what comes back is the backend's (None, or jobs made)."""
        raise self._missing("assignments.assign")

    @requires(Capability.ASSIGNMENTS)
    def assign_users(
        self, job_id: Id, users: Iterable[Any], item_ids: Iterable[Id], role: Role | str = Role.ANNOTATOR
    ) -> int:
        """Give every one of `users` every one of `item_ids` in `role`; returns the number of assignments made.

        Users and items are ids (or objects with `.id`); a duplicate or a non-id is a ValidationError
        before anything is written, and no items or no users assign nothing.

        Example (against a live backend)::

            backend.assignments.assign_users(job.id, [ann.id, bob.id], [101, 102], Role.REVIEWER)  # -> 4
        """
        from .ids import neutral_ids
        from .sampling import as_role

        people, items, kind = neutral_ids("users", users), neutral_ids("item_ids", item_ids), as_role(role)
        plan = [Assignment(item_id=item, user_id=user, role=kind) for user in people for item in items]
        if plan:
            self.assign(job_id, plan)
        return len(plan)

    @requires(Capability.ASSIGNMENTS)
    def assign_by_sampling(
        self,
        job_id: Id,
        users: Iterable[Any],
        *,
        role: Role | str = Role.ANNOTATOR,
        fraction: float = 1.0,
        overlap: int = 1,
        seed: int | str | bytes | None = None,
        where: ItemFilter | None = None,
    ) -> list[Assignment]:
        """Plan with `plan_assignments` over the job's items (those meeting `where`, when given) and apply the
        plan with `assign`; returns the plan.

        The arguments are checked (ValidationError naming the bad one) before the job's items are
        read, and the plan is made before anything is written. What `assign` returns (on
        Supervisely, the jobs the plan became) is reachable through `assignments.list(job_id)`.

        Example (against a live backend)::

            plan = backend.assignments.assign_by_sampling(job.id, [ann.id, bob.id, cat.id], overlap=2, seed=7)
            sorted({a.user_id for a in plan}) == sorted([ann.id, bob.id, cat.id])  # -> True
        """
        from .sampling import plan_assignments

        people = list(users) if isinstance(users, Iterable) and not isinstance(users, (str, bytes)) else users
        options = dict(role=role, fraction=fraction, overlap=overlap, seed=seed)
        plan_assignments([], people, **options)  # bad arguments fail here, before the items are read
        items = [item.id for item in self.backend.items.select(job_id=job_id, where=where)]
        plan = plan_assignments(items, people, **options)
        if plan:
            self.assign(job_id, plan)
        return plan

    @requires(Capability.UNASSIGN)
    def unassign(self, job_id: Id, item_ids: Iterable[Id], role: Role = Role.ANNOTATOR) -> None:
        """Take the items of the job away from whoever holds them in `role`."""
        raise self._missing("assignments.unassign")

    @requires(Capability.ASSIGNMENTS)
    def list(self, job_id: Id) -> list[Assignment]:
        """The job's assignments: (item, user, role) for every annotator and reviewer."""
        raise self._missing("assignments.list")


class ReviewsAPI(SubAPI[P]):
    """Reviewers' verdicts on the items of a job."""

    @requires(Capability.REVIEWS)
    def list(self, job_id: Id) -> list[JobEntity]:
        """The job's items with their review status."""
        raise self._missing("reviews.list")

    @requires(Capability.REVIEWS)
    def set(self, job_id: Id, item_id: Id, status: ReviewStatus) -> None:
        """Give one item of the job a verdict: accepted, rejected, or none to take it back."""
        raise self._missing("reviews.set")

    @requires(Capability.REVIEWS)
    def set_many(self, job_id: Id, verdicts: Mapping[Id, ReviewStatus | str]) -> int:
        """Give many items of the job their verdicts (in bulk where the backend can); returns how many were set."""
        for item_id, status in verdicts.items():
            self.set(job_id, item_id, ReviewStatus(getattr(status, "value", status)))
        return len(verdicts)

    @requires(Capability.REVIEWS)
    def reject(self, job_id: Id, *, only_unmarked: bool = False) -> None:
        """Reject every item of the job (only those without a verdict with only_unmarked=True)."""
        raise self._missing("reviews.reject")



class UsersAPI(SubAPI[P]):
    """Users, and their membership of the team or organization."""

    @requires(Capability.USERS)
    def me(self) -> User:
        """The user the token belongs to."""
        raise self._missing("users.me")

    @requires(Capability.USERS)
    def get(self, login: str) -> User:
        """The user with this login (Label Studio also matches the email); NotFound if there is none."""
        raise self._missing("users.get")

    @requires(Capability.USERS)
    def list(self) -> list[User]:
        """Every user the token can see."""
        raise self._missing("users.list")

    @requires(Capability.USERS)
    def create(self, login: str, *, password: str | None = None, email: str | None = None) -> User:
        """Create a user (the tutorial's labelers); Conflict if the login is taken."""
        raise self._missing("users.create")

    @requires(Capability.MEMBERS)
    def add_member(self, user_id: Id, role: Role = Role.ANNOTATOR) -> None:
        """Make the user a member of the team / project with `role`; a no-op if they already are."""
        raise self._missing("users.add_member")

    @requires(Capability.MEMBERS)
    def member_role(self, user_id: Id) -> str | None:
        """The user's role in the team / project, or None if not a member."""
        raise self._missing("users.member_role")

