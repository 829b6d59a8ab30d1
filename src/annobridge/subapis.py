"""The capability-gated sub-API base classes (projects, jobs, items, assignments, reviews, exports, storages, users).

Each method declares the capability it needs with `@requires`; the check runs in one place,
before the backend's own code, even when a provider's subclass overrides the method. A method a
provider does not implement raises Unsupported naming it.
"""

from __future__ import annotations

import functools
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Iterable, Iterator, Mapping, TypeVar

from .capabilities import Capability
from .errors import BackendError, Conflict, TimedOut, Unsupported, ValidationError
from .fidelity import FidelityReport
from .models import (
    Activity,
    Assignment,
    Export,
    ExportStatus,
    Id,
    Item,
    ItemFilter,
    Job,
    JobEntity,
    JobScope,
    JobSpec,
    JobStats,
    JobStatus,
    JobUpdate,
    Project,
    ProviderOptions,
    ReviewStatus,
    Role,
    Storage,
    StorageSpec,
    User,
)
from .schema import LabelSchema

if TYPE_CHECKING:
    from .provider import Provider

__all__ = [
    "AssignmentsAPI",
    "ExportsAPI",
    "ItemsAPI",
    "JobsAPI",
    "ProjectsAPI",
    "ReviewsAPI",
    "StoragesAPI",
    "SubAPI",
    "UsersAPI",
    "requires",
]

F = TypeVar("F", bound=Callable[..., Any])
_GATE = "__annobridge_capability__"


def requires(capability: Capability) -> Callable[[F], F]:
    """Mark a sub-API method as needing `capability`; calls raise Unsupported without it.

    >>> class Reviews(SubAPI):
    ...     @requires(Capability.REVIEWS)
    ...     def list(self, job_id): return []
    >>> getattr(Reviews.list, "__annobridge_capability__").value
    'reviews'
    """

    def mark(fn: F) -> F:
        setattr(fn, _GATE, capability)
        return _gated(fn, capability)

    return mark


def _gated(fn: F, capability: Capability) -> F:
    @functools.wraps(fn)
    def wrapper(self: SubAPI, *args: Any, **kwargs: Any) -> Any:
        self.backend.require(capability)
        return fn(self, *args, **kwargs)

    setattr(wrapper, _GATE, capability)
    return wrapper  # type: ignore[return-value]


def _one_named(name: str, found: list[Any], what: str) -> Any:
    if len(found) > 1:
        raise Conflict(f"{len(found)} {what} are named {name!r} (ids {sorted(str(x.id) for x in found)}); use an id")
    return found[0] if found else None


def _free_name(name: str, taken: set[str]) -> str:
    """The first of name, name_001, name_002... not in `taken`.

    >>> _free_name("lemons", {"lemons", "lemons_001"})
    'lemons_002'
    """
    candidate, n = name, 0
    while candidate in taken:
        n += 1
        candidate = f"{name}_{n:03d}"
    return candidate


class SubAPI:
    """One area of a backend's API; overriding a gated method keeps its gate."""

    def __init__(self, backend: Provider) -> None:
        self.backend = backend

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name, attr in list(vars(cls).items()):
            if not callable(attr) or hasattr(attr, _GATE):
                continue
            for base in cls.__mro__[1:]:
                capability = getattr(base.__dict__.get(name), _GATE, None)
                if capability is not None:
                    setattr(cls, name, _gated(attr, capability))
                    break

    def _missing(self, what: str) -> Unsupported:
        return Unsupported(what, self.backend.describe(), "this provider does not implement it")


class ProjectsAPI(SubAPI):
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
        return _one_named(name, [p for p in self.list() if p.name == name], "projects")

    @requires(Capability.PROJECTS)
    def free_name(self, name: str) -> str:
        """`name`, or the first of "name_001", "name_002"... no project has (Supervisely's get_free_name)."""
        return _free_name(name, {p.name for p in self.list()})

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


class JobsAPI(SubAPI):
    """Labeling jobs: create, find, steer through their lifecycle, remove."""

    settings_needing: ClassVar[dict[str, Capability]] = {  # JobSpec settings only some backends can honour
        "objects_limit_per_item": Capability.JOB_LIMITS,
        "tags_limit_per_item": Capability.JOB_LIMITS,
        "include_items_with_tags": Capability.JOB_LIMITS,
        "exclude_items_with_tags": Capability.JOB_LIMITS,
        "custom_data": Capability.JOB_CUSTOM_DATA,
        "annotators": Capability.ASSIGNMENTS,
        "reviewer": Capability.ASSIGNMENTS,
    }

    def check_settings(self, spec: JobSpec) -> None:
        """Refuse (Unsupported naming the setting and the backend) a setting of `spec` this backend cannot honour,
        before anything is written; providers call it first thing in create.

        >>> from annobridge.provider import Provider
        >>> JobsAPI(Provider("x://h")).check_settings(JobSpec(name="j", project_id=1, objects_limit_per_item=5))
        Traceback (most recent call last):
        annobridge.errors.Unsupported: job_limits is not supported by provider (x://h): objects_limit_per_item: the provider provider does not offer it
        """
        for field, capability in self.settings_needing.items():
            if getattr(spec, field) not in (None, [], {}):
                self.needs(capability, field)

    def needs(self, capability: Capability, field: str) -> None:
        """Unsupported naming the setting `field` and why this backend lacks `capability`, when it does."""
        if not self.backend.supports(capability):
            raise Unsupported(capability, self.backend.describe(), f"{field}: {self.backend.unsupported_reason(capability)}")

    @requires(Capability.JOBS)
    def create(self, spec: JobSpec) -> list[Job]:
        """Create the job(s) `spec` asks for; Supervisely gives one per annotator."""
        raise self._missing("jobs.create")

    @requires(Capability.JOBS)
    def get(self, job_id: Id) -> Job:
        """The job with this id; NotFound if there is none."""
        raise self._missing("jobs.get")

    @requires(Capability.JOBS)
    def list(
        self,
        *,
        project_id: Id | None = None,
        dataset_id: Id | None = None,
        created_by: Id | None = None,
        assigned_to: Id | None = None,
        include_archived: bool = False,
    ) -> list[Job]:
        """Jobs, filtered by project, dataset, creator or assignee; archived ones only when asked."""
        raise self._missing("jobs.list")

    @requires(Capability.JOBS)
    def project_of(self, job_id: Id) -> Id:
        """The project holding the job's items (where annotations.write and predictions.write address them):
        the job itself where a job is a project (JobScope.PROJECT), else the project the job belongs to."""
        if self.backend.job_scope is JobScope.PROJECT:
            return job_id
        project = self.get(job_id).project_id
        if project is None:
            raise BackendError(f"job {job_id} on {self.backend.describe()} names no project")
        return project

    @requires(Capability.JOBS)
    def find(self, name: str, *, project_id: Id | None = None) -> Job | None:
        """The job named `name` (in the project, when given), or None; Conflict naming their ids when several have it."""
        return _one_named(name, [j for j in self.list(project_id=project_id) if j.name == name], "jobs")

    @requires(Capability.JOBS)
    def free_name(self, name: str, *, project_id: Id | None = None) -> str:
        """`name`, or the first of "name_001", "name_002"... no job (in the project, when given) has."""
        return _free_name(name, {j.name for j in self.list(project_id=project_id, include_archived=True)})

    @requires(Capability.JOBS)
    def stats(self, job_id: Id) -> JobStats:
        """Where the job's work stands: items per review status, annotations, each person's share."""
        job = self.get(job_id)
        return JobStats(
            job_id=job.id,
            items=job.items_count,
            annotated=job.finished_items_count,
            accepted=job.accepted_items_count,
            rejected=job.rejected_items_count,
        )

    @requires(Capability.JOB_ACTIVITY)
    def activity(self, job_id: Id) -> list[Activity]:
        """What happened in the job, oldest first: who did what to which item, and when."""
        raise self._missing("jobs.activity")

    @requires(Capability.JOBS)
    def update(self, job_id: Id, changes: JobUpdate) -> Job:
        """Change the fields `changes` sets (name, description, readme...); returns the job after."""
        raise self._missing("jobs.update")

    @requires(Capability.JOBS)
    def delete(self, job_id: Id) -> None:
        """Delete the job; NotFound if there is none."""
        raise self._missing("jobs.delete")

    @requires(Capability.JOBS)
    def delete_many(self, job_ids: Iterable[Id]) -> None:
        """Delete these jobs (one request where the backend has a bulk call); none deletes nothing."""
        for job_id in job_ids:
            self.delete(job_id)

    @requires(Capability.JOBS)
    def status(self, job_id: Id) -> JobStatus:
        """The job's JobStatus."""
        return self.get(job_id).status

    @requires(Capability.JOB_STATUS_CONTROL)
    def set_status(self, job_id: Id, status: JobStatus | str) -> None:
        """Move the job to `status` (enum or string), as the backend allows."""
        raise self._missing("jobs.set_status")

    @requires(Capability.JOB_STATUS_CONTROL)
    def stop(self, job_id: Id) -> None:
        """Stop the job: its annotators can no longer work on it."""
        raise self._missing("jobs.stop")

    @requires(Capability.JOB_ARCHIVE)
    def archive(self, job_id: Id) -> None:
        """Archive the job: it leaves the default job list."""
        raise self._missing("jobs.archive")

    @requires(Capability.JOB_RESTART)
    def restart(
        self,
        job_id: Id,
        *,
        assignees: list[Id] | None = None,
        reviewer: Id | None = None,
        name: str | None = None,
        only_rejected: bool = True,
    ) -> list[Job]:
        """New job(s) over the rejected items (all unaccepted with only_rejected=False), for these assignees."""
        raise self._missing("jobs.restart")

    @requires(Capability.JOB_CLONE)
    def clone(
        self,
        job_id: Id,
        *,
        name: str | None = None,
        assignees: list[Id] | None = None,
        reviewer: Id | None = None,
        with_annotations: bool | None = None,
    ) -> list[Job]:
        """Copies of the job (same items, classes, tags, limits) for other assignees or under a new name.

        with_annotations: True copies the items' annotations, False leaves them out, None does what the
        backend does (a job that is a project copies none; jobs over one project's items share them).
        A choice the backend cannot make is refused with Unsupported.
        """
        raise self._missing("jobs.clone")

    @requires(Capability.JOB_CUSTOM_DATA)
    def get_custom_data(self, job_id: Id) -> dict[str, Any]:
        """The job's custom data (a JSON object)."""
        raise self._missing("jobs.get_custom_data")

    @requires(Capability.JOB_CUSTOM_DATA)
    def set_custom_data(self, job_id: Id, data: dict[str, Any], *, replace: bool = False) -> None:
        """Merge `data` into the job's custom data, or replace it whole with replace=True."""
        raise self._missing("jobs.set_custom_data")

    @requires(Capability.JOBS)
    def wait(self, job_id: Id, status: JobStatus | str, *, timeout: float = 60.0, poll_interval: float = 1.0) -> Job:
        """Poll until the job reaches `status` (enum or string); TimedOut after `timeout` seconds."""
        target = JobStatus(getattr(status, "value", status))
        deadline = time.monotonic() + timeout
        while True:
            job = self.get(job_id)
            if job.status is target:
                return job
            if time.monotonic() >= deadline:
                raise TimedOut(f"job {job_id} is {job.status.value}, not {target.value}, after {timeout}s")
            time.sleep(poll_interval)


class ItemsAPI(SubAPI):
    """Items (images, tasks): list them by job, project or dataset; add, fetch, remove."""

    @requires(Capability.ITEMS)
    def list(
        self, job_id: Id | None = None, *, project_id: Id | None = None, dataset_id: Id | None = None
    ) -> Iterator[Item]:
        """Every item of the job, or of the project / dataset, page by page; never capped."""
        raise self._missing("items.list")

    @requires(Capability.ITEMS)
    def select(
        self, job_id: Id | None = None, *, project_id: Id | None = None, where: ItemFilter | None = None
    ) -> Iterator[Item]:
        """The items of the job (or project) that meet `where` (all without it); providers may filter on the server."""
        for item in self.list(job_id, project_id=project_id):
            if where is None or where.matches(item):
                yield item

    @requires(Capability.ITEMS)
    def download(
        self,
        job_id: Id | None = None,
        *,
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


class AssignmentsAPI(SubAPI):
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

        >>> backend.assignments.assign_users(job.id, [ann.id, bob.id], [101, 102], Role.REVIEWER)  # doctest: +SKIP
        4
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

        >>> plan = backend.assignments.assign_by_sampling(job.id, [ann.id, bob.id, cat.id], overlap=2, seed=7)  # doctest: +SKIP
        >>> sorted({a.user_id for a in plan}) == sorted([ann.id, bob.id, cat.id])                            # doctest: +SKIP
        True
        """
        from .sampling import plan_assignments

        people = list(users) if isinstance(users, Iterable) and not isinstance(users, (str, bytes)) else users
        options = dict(role=role, fraction=fraction, overlap=overlap, seed=seed)
        plan_assignments([], people, **options)  # bad arguments fail here, before the items are read
        items = [item.id for item in self.backend.items.select(job_id, where=where)]
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


class ReviewsAPI(SubAPI):
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


class ExportsAPI(SubAPI):
    """Exports of a job's annotations."""

    @requires(Capability.EXPORTS)
    def create(self, job_id: Id, *, format: str = "JSON", title: str | None = None) -> Export:
        """Start an export of the job's annotations in `format`; wait() until it completes."""
        raise self._missing("exports.create")

    @requires(Capability.EXPORTS)
    def get(self, job_id: Id, export_id: Id) -> Export:
        """The export as it is now (its status changes until it completes or fails)."""
        raise self._missing("exports.get")

    @requires(Capability.EXPORT_SNAPSHOTS)
    def list(self, job_id: Id) -> list[Export]:
        """The job's export snapshots the server keeps (made by anyone, at any time)."""
        raise self._missing("exports.list")

    @requires(Capability.EXPORTS)
    def download(self, export: Export, directory: str | Path) -> Path:
        """Write the completed export's file into `directory` (never outside it); returns its path."""
        raise self._missing("exports.download")

    @staticmethod
    def check_directory(directory: str | Path) -> Path:
        """`directory` as the Path download() writes into; ValidationError naming it, in one line and before
        anything is downloaded or written, if it is blank, holds a NUL, is too long for the file system,
        or is (or lies under) a file.

        >>> ExportsAPI.check_directory("exports/lemons")
        PosixPath('exports/lemons')
        >>> ExportsAPI.check_directory("exports\\x00")
        Traceback (most recent call last):
        annobridge.errors.ValidationError: export directory 'exports\\x00': holds a NUL character
        """
        import errno
        import os
        import stat

        try:
            text = os.fsdecode(os.fspath(directory))
        except TypeError:
            raise ValidationError(f"export directory: a path is needed, got {directory!r}") from None
        shown = repr(text if len(text) <= 120 else f"{text[:60]}...{text[-40:]}")
        if not text.strip():
            raise ValidationError(f"export directory {shown}: a path is needed")
        if "\x00" in text:
            raise ValidationError(f"export directory {shown}: holds a NUL character")
        path = Path(text)
        for place in (path, *path.parents):  # the directory, else its nearest existing parent
            try:
                found = os.stat(place)
            except OSError as exc:
                if exc.errno == errno.ENAMETOOLONG:
                    raise ValidationError(
                        f"export directory {shown}: too long for the file system ({len(text)} characters)"
                    ) from None
                if exc.errno in (errno.ENOENT, errno.ENOTDIR):
                    continue
                raise ValidationError(f"export directory {shown}: cannot be used ({exc.strerror})") from None
            if not stat.S_ISDIR(found.st_mode):
                where = "is a file, not a directory" if place == path else f"cannot be made: {str(place)!r} is a file"
                raise ValidationError(f"export directory {shown}: {where}")
            if not os.access(place, os.W_OK | os.X_OK):
                raise ValidationError(f"export directory {shown}: {str(place)!r} is not writable")
            break
        return path

    @requires(Capability.EXPORTS)
    def delete(self, export: Export) -> None:
        """Delete the export (its snapshot on the backend, where it keeps one)."""
        raise self._missing("exports.delete")

    @requires(Capability.EXPORTS)
    def wait(self, export: Export, *, timeout: float = 300.0, poll_interval: float = 1.0) -> Export:
        """Poll until the export is completed; BackendError if it failed, TimedOut after `timeout`."""
        deadline = time.monotonic() + timeout
        while export.status not in (ExportStatus.COMPLETED, ExportStatus.FAILED):
            if time.monotonic() >= deadline:
                raise TimedOut(f"export {export.id} is still {export.status.value} after {timeout}s")
            time.sleep(poll_interval)
            export = self.get(export.job_id, export.id)
        if export.status is ExportStatus.FAILED:
            raise BackendError(f"export {export.id} of job {export.job_id} failed on {self.backend.describe()}")
        return export


class StoragesAPI(SubAPI):
    """Cloud and local storages connected to a job."""

    options_model: ClassVar[type[ProviderOptions] | None] = None  # StorageSpec.options this backend takes

    @requires(Capability.STORAGES)
    def connect(self, job_id: Id, spec: StorageSpec) -> Storage:
        """Connect the storage `spec` describes to the job's project; credentials never come back."""
        raise self._missing("storages.connect")

    @requires(Capability.STORAGES)
    def list(self, job_id: Id) -> list[Storage]:
        """The storages connected to the job's project."""
        raise self._missing("storages.list")

    @requires(Capability.STORAGES)
    def sync(self, storage: Storage) -> Storage:
        """Sync the storage (import its new files, or export the annotations); returns it after."""
        raise self._missing("storages.sync")

    @requires(Capability.STORAGES)
    def delete(self, storage: Storage) -> None:
        """Disconnect the storage; the files in it stay."""
        raise self._missing("storages.delete")


class UsersAPI(SubAPI):
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
