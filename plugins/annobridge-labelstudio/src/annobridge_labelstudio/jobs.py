"""Jobs on Label Studio: a job is a project; its status is derived from task, annotation and review counts.

Example::

    job, = backend.jobs.create(JobSpec(name="lemons", label_schema=schema,
                                       options=LabelStudioJobOptions(sampling="uniform")))

A JobSpec with `project_id` makes a new project for the job: the source project's label config
(cut down to `classes_to_label` / `tags_to_label`, or replaced by `label_schema`) and a copy of the
data of its tasks (`item_ids`, else `item_range` [start, end) of its tasks by id, else all). The
source project is remembered in the label config, so `Job.project_id` and `jobs.list(project_id=)`
find it. On Enterprise the spec's annotators get every task assigned (AN), its reviewer too (RE).
What Label Studio cannot honour (custom data, limits of objects or tags per task, items chosen by
tags, and people or workspaces on Community) is refused before anything is written.
"""

from __future__ import annotations

import contextlib
from typing import Any, Iterable

from annobridge.capabilities import Capability
from annobridge.errors import Unsupported, ValidationError
from annobridge.models import Activity, Assignment, Id, Job, JobSpec, JobStats, JobStatus, JobUpdate, Role, options_for
from annobridge.provider import JobsAPI, Restart

from .enterprise import project_members, review_counts
from .label_config import build_label_config, read_extras, restrict_schema, write_extras
from .label_config_parse import parse_label_config
from .options import ENTERPRISE_SETTINGS, SAMPLING, LabelStudioJobOptions, options_of_project, project_settings
from .projects import TITLE_MAX, check_title, iter_projects, project_url
from .sdk_data import as_dict, as_int, as_ints, to_user
from .subapi_base import LabelStudioProvider, LabelStudioSubAPI

__all__ = ["KEPT_EXTRAS", "LabelStudioJobs", "derive_status"]

_RECORDED = ("classes_to_label", "tags_to_label", "item_range")  # how a job was cut from its project
KEPT_EXTRAS = ("source_project", "job", "restart_of", "clone_of")  # extras a new label config keeps


def derive_status(
    tasks: int, finished: int, annotated: int, reviews: tuple[int, int, int] | None = None, annotations: int = 0
) -> JobStatus:
    """A Label Studio project's JobStatus, from its counts. The rule, first match wins:

    1. no tasks, or no task has an annotation yet            -> pending
    2. some task is not finished (fewer annotations than the
       project's maximum_annotations, or no completed_at)     -> in_progress
    3. all finished, reviewing in use (reviews exist, i.e.
       Enterprise) and some annotation has no review yet     -> on_review
    4. all finished and reviewed, some latest review rejects  -> review_completed
    5. all finished (and every review accepts)                -> completed

    `reviews` is (reviewed, accepted, rejected) annotations, None where the edition has no
    reviews; `annotations` the project's (not skipped) annotations. stopped never comes from
    counts: Label Studio has no stopped projects.

    >>> derive_status(10, 0, 0).value, derive_status(10, 4, 6).value, derive_status(10, 10, 10).value
    ('pending', 'in_progress', 'completed')
    >>> derive_status(2, 2, 2, reviews=(1, 1, 0), annotations=2).value
    'on_review'
    >>> derive_status(2, 2, 2, reviews=(2, 1, 1), annotations=2).value
    'review_completed'
    """
    if tasks == 0 or annotated == 0:
        return JobStatus.PENDING
    if finished < tasks:
        return JobStatus.IN_PROGRESS
    reviewed, _accepted, rejected = reviews or (0, 0, 0)
    if reviewed and reviewed < annotations:
        return JobStatus.ON_REVIEW
    if rejected:
        return JobStatus.REVIEW_COMPLETED
    return JobStatus.COMPLETED


class LabelStudioJobs(LabelStudioSubAPI, JobsAPI[LabelStudioProvider]):
    """Jobs as Label Studio projects; `Job.options` holds the project's LabelStudioJobOptions."""

    name_limit = TITLE_MAX  # a job's name is its project's title

    def check_name(self, name: object) -> str:
        """`name` if Label Studio takes it as a project title (3 to 50 characters, once stripped).

        >>> LabelStudioJobs(None).check_name("ab")
        Traceback (most recent call last):
        annobridge.errors.ValidationError: name: Label Studio project titles have 3 to 50 characters, got 'ab' (2)
        """
        return check_title(name)  # type: ignore[arg-type]  # check_title refuses a non-string too

    def to_job(self, raw: Any) -> Job:
        """The neutral Job for a Label Studio project (dict or SDK model), its status derived from the counts."""
        data = as_dict(raw)
        pid = data["id"]
        extras = read_extras(data.get("label_config") or "")
        recorded = {k: v for k, v in (extras.get("job") or {}).items() if k in _RECORDED}
        reviews = review_counts(self, pid) if self.backend.supports(Capability.REVIEWS) else None
        tasks, finished = data.get("task_number") or 0, data.get("finished_task_number") or 0
        annotated = data.get("num_tasks_with_annotations") or 0
        status = derive_status(tasks, finished, annotated, reviews, data.get("total_annotations_number") or 0)
        return Job(
            id=pid, name=data.get("title") or f"project {pid}", readme=data.get("expert_instruction") or "",
            description=data.get("description") or "", backend=self.backend.name, status=status,
            project_id=extras.get("source_project", pid), created_by=to_user(data.get("created_by")),
            created_at=data.get("created_at"), items_count=tasks, finished_items_count=finished,
            in_progress_items_count=max(0, annotated - finished),
            accepted_items_count=reviews[1] if reviews else 0, rejected_items_count=reviews[2] if reviews else 0,
            url=project_url(self, pid), options=options_of_project(data), **recorded,
        )

    # ---------------------------------------------------------------- what a project cannot hold

    def settings_of(self, options: Any) -> dict[str, Any]:
        """The project settings of LabelStudioJobOptions (refusing another vendor's, and Enterprise-only ones here)."""
        chosen = options_for(options, LabelStudioJobOptions, self.backend.describe())
        settings = project_settings(chosen)
        for key, what in ENTERPRISE_SETTINGS.items():
            if key in settings and not self.backend.edition.enterprise:
                raise Unsupported(f"options.{key}", self.backend.describe(),
                                  f"{what} need Label Studio Enterprise; this server is {self.backend.edition_name()}")
        return settings

    def _refuse(self, spec: JobSpec) -> None:
        self.check_settings(spec)
        if spec.item_range is not None and spec.project_id is None:
            raise ValidationError(f"item_range: {spec.item_range} counts the tasks of project_id, and none is given")
        if spec.item_range is not None and spec.item_ids:
            raise ValidationError("item_range and item_ids: give one of them, not both")

    # ---------------------------------------------------------------- create

    def create(self, spec: JobSpec) -> list[Job]:
        """One project for the spec (see the module docstring); everything is checked before it is made."""
        check_title(spec.name)
        self._refuse(spec)
        settings = self.settings_of(spec.options)
        annotators = as_ints(spec.annotators, "annotators")
        reviewer = as_int(spec.reviewer, "reviewer") if spec.reviewer is not None else None
        config, source_tasks = self._plan(spec)
        with self.call(f"creating project {spec.name!r}"):
            created = self.sdk.projects.create(
                title=spec.name, description=spec.description, expert_instruction=spec.readme,
                label_config=config, **settings,
            )
        try:
            if source_tasks:
                self.backend.items.add(created.id, [{"data": t["data"], "meta": t.get("meta") or {}} for t in source_tasks])
            if annotators or reviewer is not None:
                self.staff(created.id, annotators, reviewer)
        except BaseException:
            with contextlib.suppress(Exception):
                self.delete(created.id)  # nothing half-made stays behind
            raise
        return [self.get(created.id)]

    def _plan(self, spec: JobSpec) -> tuple[str, list[dict[str, Any]]]:
        """The job's label config and the source tasks to copy, read before anything is written."""
        extras: dict[str, Any] = {}
        recorded = {k: getattr(spec, k) for k in _RECORDED if getattr(spec, k) not in (None, [], ())}
        if recorded:
            extras["job"] = {k: list(v) if isinstance(v, tuple) else v for k, v in recorded.items()}
        source_config = None
        if spec.project_id is not None:
            source = as_int(spec.project_id, "project_id")
            extras["source_project"] = source
            source_config = self.backend.projects.label_config(source)
        restricting = bool(spec.classes_to_label or spec.tags_to_label)
        if spec.label_schema is not None or restricting or source_config is None:
            schema = spec.label_schema or parse_label_config(source_config or "").schema
            config = build_label_config(restrict_schema(schema, spec.classes_to_label, spec.tags_to_label), extras)
        else:
            config = write_extras(source_config, {**read_extras(source_config), **extras})
        return config, self._source_tasks(spec)

    def _source_tasks(self, spec: JobSpec) -> list[dict[str, Any]]:
        wanted = as_ints(spec.item_ids, "item_ids")
        if spec.project_id is None:
            return [self.backend.items.task(t) for t in wanted]
        source = as_int(spec.project_id, "project_id")
        tasks = list(self.backend.items.tasks(source, fields="task_only", selected_ids=wanted or None))
        if wanted:
            missing = sorted(set(wanted) - {t["id"] for t in tasks})
            if missing:
                raise ValidationError(f"item_ids: {missing} are not tasks of project {source}")
        elif spec.item_range is not None:
            start, end = spec.item_range
            tasks = sorted(tasks, key=lambda t: t["id"])[start:end]
        return tasks

    def staff(self, pid: int, annotators: list[int], reviewer: int | None) -> None:
        """Make the people members of the project and give them every task (AN / RE)."""
        tasks = self.backend.items.ids(pid)
        plan = [Assignment(item_id=t, user_id=u) for u in annotators for t in tasks]
        plan += [Assignment(item_id=t, user_id=reviewer, role=Role.REVIEWER) for t in tasks] if reviewer else []
        if plan:
            self.backend.assignments.assign(pid, plan)
        else:  # no tasks yet: members all the same
            people = annotators + ([reviewer] if reviewer is not None else [])
            self.backend.assignments.prepare(pid, people, annotators=bool(annotators))

    # ---------------------------------------------------------------- read, change, remove

    def get(self, job_id: Id) -> Job:
        pid = as_int(job_id, "job_id")
        with self.call(f"reading project {pid}"):
            return self.to_job(self.sdk.projects.get(pid))

    def list(
        self,
        *,
        project_id: Id | None = None,
        dataset_id: Id | None = None,
        created_by: Id | None = None,
        assigned_to: Id | None = None,
        include_archived: bool = False,
    ) -> list[Job]:
        """Every project as a job (no cap); `project_id` keeps the project and the jobs made from it.

        `assigned_to` needs Enterprise (project members); Label Studio archives workspaces, not
        projects, so `include_archived` changes nothing.
        """
        if dataset_id is not None:
            raise ValidationError(f"dataset_id: Label Studio has no datasets (got {dataset_id!r})")
        user = as_int(assigned_to, "assigned_to") if assigned_to is not None else None
        if user is not None:
            self.needs(Capability.ASSIGNMENTS, "assigned_to")
        jobs = [self.to_job(p) for p in iter_projects(self)]
        if project_id is not None:
            jobs = [j for j in jobs if str(j.project_id) == str(project_id)]
        if created_by is not None:
            jobs = [j for j in jobs if j.created_by is not None and str(j.created_by.id) == str(created_by)]
        if user is not None:
            jobs = [j for j in jobs if user in {m.get("id") for m in project_members(self, int(j.id))}]
        return jobs

    def update(self, job_id: Id, changes: JobUpdate) -> Job:
        """Change the project's title, description, instructions, label config, settings (`options`) and, on
        Enterprise, its reviewer (every task's RE assignment goes to them); all checked before the first write."""
        pid = as_int(job_id, "job_id")
        params: dict[str, Any] = self.settings_of(changes.options) if changes.options is not None else {}
        reviewer = as_int(changes.reviewer, "reviewer") if changes.reviewer is not None else None
        if reviewer is not None:
            self.needs(Capability.ASSIGNMENTS, "reviewer")
        if changes.name is not None:
            params["title"] = check_title(changes.name)
        if changes.description is not None:
            params["description"] = changes.description
        if changes.readme is not None:
            params["expert_instruction"] = changes.readme
        if changes.label_schema is not None:
            extras = {k: v for k, v in read_extras(self.backend.projects.label_config(pid)).items() if k in KEPT_EXTRAS}
            params["label_config"] = build_label_config(changes.label_schema, extras)
        if params:
            with self.call(f"updating project {pid}"):
                self.sdk.projects.update(pid, **params)
        if reviewer is not None:
            self.backend.assignments.unassign(pid, self.backend.items.ids(pid), Role.REVIEWER)
            self.staff(pid, [], reviewer)
        return self.get(pid)

    def delete(self, job_id: Id) -> None:
        self.backend.projects.delete(job_id)

    def delete_many(self, job_ids: Iterable[Id]) -> None:
        """Delete these jobs; an empty list deletes nothing (ids are all checked first)."""
        for pid in as_ints(job_ids, "job_ids"):
            self.delete(pid)

    # ---------------------------------------------------------------- copies, stats, activity (own modules)

    def create_restart(self, request: Restart) -> list[Job]:
        """A new job over the rejected (or every unaccepted) tasks; see job_copies.restart_job."""
        from .job_copies import restart_job

        return restart_job(self, request)

    def clone(self, job_id: Id, *, name: str | None = None, assignees: list[Id] | None = None,
              reviewer: Id | None = None, with_annotations: bool | None = None) -> list[Job]:
        """A new project with the job's config, settings and tasks; see job_copies.clone_job."""
        from .job_copies import clone_job

        return clone_job(self, job_id, name=name, assignees=assignees, reviewer=reviewer,
                         with_annotations=with_annotations)

    def stats(self, job_id: Id) -> JobStats:
        """Tasks, annotations, verdicts and each person's share; see job_stats.job_stats."""
        from .job_stats import job_stats

        return job_stats(self, job_id)

    def activity(self, job_id: Id) -> list[Activity]:
        """The project's annotation history (Enterprise), oldest first; see job_stats.job_activity."""
        from .job_stats import job_activity

        return job_activity(self, job_id)

    # ---------------------------------------------------------------- Label Studio extras

    def params(self, job_id: Id) -> dict[str, Any]:
        """Every parameter of the job's project (sampling, show_skip_button, maximum_annotations, ...)."""
        return self.backend.projects.params(job_id)

    def set_params(self, job_id: Id, **params: Any) -> dict[str, Any]:
        """Change project parameters as the server names them (the legacy SDK's set_params)."""
        pid = as_int(job_id, "job_id")
        if "sampling" in params and params["sampling"] in SAMPLING:
            params["sampling"] = SAMPLING[params["sampling"]]
        with self.call(f"updating project {pid}"):
            return as_dict(self.sdk.projects.update(pid, **params))
