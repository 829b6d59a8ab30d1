"""The jobs sub-API: create, find and steer labeling jobs through their lifecycle; restart as one template."""

from __future__ import annotations

import inspect
import re
import time
from dataclasses import dataclass
from typing import Any, Callable, ClassVar, Iterable

from .capabilities import Capability
from .errors import BackendError, TimedOut, Unsupported, ValidationError
from .models import Activity, Id, Job, JobScope, JobSpec, JobStats, JobStatus, JobUpdate
from .subapi import P, SubAPI, free_name, one_named, requires

__all__ = ["JobsAPI", "Restart", "restart_name"]


@dataclass(frozen=True)
class Restart:
    """A checked restart request: the old job, who gets the items, and the new job's name."""

    job: Job
    assignees: list[Id] | None  # None: each item keeps its annotator
    reviewer: Id | None  # None: the old reviewer
    name: str
    only_rejected: bool


def restart_name(name: str, limit: int) -> str:
    """'lemons' -> 'lemons (#2)', 'lemons (#2)' -> 'lemons (#3)', cut to fit `limit` characters.

    >>> restart_name("lemons", 255), restart_name("lemons (#2)", 255), restart_name("x" * 60, 50)[-8:]
    ('lemons (#2)', 'lemons (#3)', 'xxx (#2)')
    """
    match = re.fullmatch(r"(.*) \(#(\d+)\)", name)
    stem, n = (match.group(1), int(match.group(2)) + 1) if match else (name, 2)
    suffix = f" (#{n})"
    return stem[: limit - len(suffix)] + suffix


class JobsAPI(SubAPI[P]):
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
    name_limit: ClassVar[int] = 255  # the longest job name the backend keeps

    def check_name(self, name: object) -> str:
        """`name` if the backend takes it as a job's name (a non-blank string of at most name_limit characters).

        >>> JobsAPI(None).check_name("x" * 256)
        Traceback (most recent call last):
        annobridge.errors.ValidationError: name: 256 characters; a job name has at most 255
        """
        if not isinstance(name, str) or not name.strip():
            raise ValidationError(f"name: {name!r} is not a job name (a non-blank string)")
        if len(name) > self.name_limit:
            raise ValidationError(f"name: {len(name)} characters; a job name has at most {self.name_limit}")
        return name

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
        return one_named(name, [j for j in self.list(project_id=project_id) if j.name == name], "jobs")

    @requires(Capability.JOBS)
    def free_name(self, name: str, *, project_id: Id | None = None) -> str:
        """`name`, or the first of "name_001", "name_002"... no job (in the project, when given) has."""
        return free_name(name, {j.name for j in self.list(project_id=project_id, include_archived=True)})

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
        **options: Any,
    ) -> list[Job]:
        """New job(s) over the rejected items (all unaccepted with only_rejected=False), for these assignees.

        `assignees` share the items (default: each item's annotator), `reviewer` reviews them (default: the
        old reviewer), `name` defaults to the old name with "(#2)", "(#3)"... `options` are the backend's
        own (Supervisely's complete_existing); one it does not offer is refused. Everything here is checked
        before the old job is read, and the provider's create_restart checks the rest before it writes.

        Example (against a live backend)::

            again, = backend.jobs.restart(job.id, assignees=[other.id])
            again.name  # -> 'lemons (#2)'
        """
        if not isinstance(only_rejected, bool):
            raise ValidationError(f"only_rejected: {only_rejected!r} is not True or False")
        if name is not None:
            self.check_name(name)
        if assignees is not None:
            if isinstance(assignees, (str, int)) or not list(assignees):
                raise ValidationError(
                    "assignees: a non-empty list is needed (an empty one leaves the items to nobody; "
                    "pass None to keep the annotators)"
                )
            twice = next((a for n, a in enumerate(assignees) if a in list(assignees)[:n]), None)
            if twice is not None:
                raise ValidationError(f"assignees: {twice!r} is named twice; each gets one share")
        self._check_options("jobs.restart", self.create_restart, options)
        old = self.get(job_id)
        request = Restart(
            job=old,
            assignees=None if assignees is None else list(assignees),
            reviewer=reviewer,
            name=name if name is not None else restart_name(old.name, self.name_limit),
            only_rejected=only_rejected,
        )
        return self.create_restart(request, **options)

    def create_restart(self, request: Restart) -> list[Job]:
        """The provider's half of restart: check what needs the server, then make the new job(s)."""
        raise self._missing("jobs.restart")

    def _check_options(self, what: str, hook: Callable[..., Any], options: dict[str, Any]) -> None:
        unknown = sorted(set(options) - set(list(inspect.signature(hook).parameters)[1:]))
        if unknown:
            raise ValidationError(f"{what}: {unknown[0]!r} is not an option {self.backend.describe()} offers")

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

