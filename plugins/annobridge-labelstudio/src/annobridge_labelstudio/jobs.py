"""Jobs on Label Studio: a job is a project; its status is derived from task, annotation and review counts.

    >>> job, = backend.jobs.create(JobSpec(name="lemons", label_schema=schema, sampling="uniform"))  # doctest: +SKIP

A JobSpec with `project_id` makes a new project for the job: the source project's label config
(cut down to `classes_to_label` / `tags_to_label`, or replaced by `label_schema`) and a copy of the
data of its tasks (`item_ids`, else `item_range` [start, end) of its tasks by id, else all). The
source project is remembered in the label config, so `Job.project_id` and `jobs.list(project_id=)`
find it. On Enterprise the spec's annotators get every task assigned (AN), its reviewer too (RE).
Settings Label Studio does not enforce (objects/tags limits) are recorded, not applied.
"""

from __future__ import annotations

import contextlib
import re
from typing import Any, Iterable

from annobridge.capabilities import Capability
from annobridge.errors import ValidationError
from annobridge.models import Assignment, Id, Job, JobSpec, JobStatus, JobUpdate, ReviewStatus, Role
from annobridge.provider import JobsAPI

from .common import LabelStudioSubAPI, as_dict, as_int, as_ints, to_user
from .enterprise import add_project_member, project_members, review_counts, task_statuses
from .label_config import build_label_config, parse_label_config, read_extras, restrict_schema, write_extras
from .projects import TITLE_MAX, check_title, iter_projects, project_url

__all__ = ["SAMPLING", "LabelStudioJobs", "derive_status"]

SAMPLING = {"sequential": "Sequential sampling", "uniform": "Uniform sampling", "uncertainty": "Uncertainty sampling"}
_CARRIED = ("show_skip_button", "maximum_annotations", "sampling", "color")  # settings a restart keeps
_RECORDED = ("classes_to_label", "tags_to_label", "objects_limit_per_item", "tags_limit_per_item", "item_range")


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


class LabelStudioJobs(LabelStudioSubAPI, JobsAPI):
    """Jobs as Label Studio projects."""

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
            project_id=extras.get("source_project", pid), workspace_id=data.get("workspace"),
            created_by=to_user(data.get("created_by")), created_at=data.get("created_at"),
            items_count=tasks, finished_items_count=finished, in_progress_items_count=max(0, annotated - finished),
            accepted_items_count=reviews[1] if reviews else 0, rejected_items_count=reviews[2] if reviews else 0,
            url=project_url(self, pid), **recorded,
        )

    # ---------------------------------------------------------------- create

    def create(self, spec: JobSpec) -> list[Job]:
        """One project for the spec (see the module docstring); everything is checked before it is made."""
        check_title(spec.name)
        if spec.dataset_id is not None:
            raise ValidationError(f"dataset_id: Label Studio has no datasets (got {spec.dataset_id!r}); use project_id")
        if spec.include_items_with_tags or spec.exclude_items_with_tags:
            raise ValidationError("include/exclude_items_with_tags: Label Studio jobs take item_ids, not tag filters")
        annotators = as_ints(spec.annotators, "annotators")
        reviewer = as_int(spec.reviewer, "reviewer") if spec.reviewer is not None else None
        if annotators or reviewer is not None:
            self.backend.require(Capability.ASSIGNMENTS)
        config, source_tasks = self._plan(spec)
        settings: dict[str, Any] = {
            "title": spec.name, "description": spec.description, "expert_instruction": spec.readme,
            "label_config": config, **self._settings(spec), **spec.options,
        }
        with self.call(f"creating project {spec.name!r}"):
            created = self.sdk.projects.create(**settings)
        try:
            if source_tasks:
                self.backend.items.add(created.id, [{"data": t["data"], "meta": t.get("meta") or {}} for t in source_tasks])
            if annotators or reviewer is not None:
                self._staff(created.id, annotators, reviewer)
        except BaseException:
            with contextlib.suppress(Exception):
                self.delete(created.id)  # nothing half-made stays behind
            raise
        return [self.get(created.id)]

    def _settings(self, spec: JobSpec | JobUpdate) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in ("show_skip_button", "maximum_annotations", "model_version", "color"):
            if getattr(spec, key) is not None:
                out[key] = getattr(spec, key)
        if spec.sampling is not None:
            out["sampling"] = SAMPLING[spec.sampling]
        return out

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

    def _staff(self, pid: int, annotators: list[int], reviewer: int | None) -> None:
        """Make the spec's people members of the project and give them every task (AN / RE)."""
        tasks = self.backend.items.ids(pid)
        for user in annotators + ([reviewer] if reviewer is not None else []):
            add_project_member(self, pid, user)
        plan = [Assignment(item_id=t, user_id=u) for u in annotators for t in tasks]
        plan += [Assignment(item_id=t, user_id=reviewer, role=Role.REVIEWER) for t in tasks] if reviewer else []
        self.backend.assignments.assign(pid, plan)

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
            self.backend.require(Capability.ASSIGNMENTS)
        jobs = [self.to_job(p) for p in iter_projects(self)]
        if project_id is not None:
            jobs = [j for j in jobs if str(j.project_id) == str(project_id)]
        if created_by is not None:
            jobs = [j for j in jobs if j.created_by is not None and str(j.created_by.id) == str(created_by)]
        if user is not None:
            jobs = [j for j in jobs if user in {m.get("id") for m in project_members(self, int(j.id))}]
        return jobs

    def update(self, job_id: Id, changes: JobUpdate) -> Job:
        pid = as_int(job_id, "job_id")
        params: dict[str, Any] = {**self._settings(changes), **changes.options}
        if changes.name is not None:
            params["title"] = check_title(changes.name)
        if changes.description is not None:
            params["description"] = changes.description
        if changes.readme is not None:
            params["expert_instruction"] = changes.readme
        if changes.label_schema is not None:
            extras = {k: v for k, v in read_extras(self.backend.projects.label_config(pid)).items()
                      if k in ("source_project", "job")}
            params["label_config"] = build_label_config(changes.label_schema, extras)
        if params:
            with self.call(f"updating project {pid}"):
                self.sdk.projects.update(pid, **params)
        return self.get(pid)

    def delete(self, job_id: Id) -> None:
        self.backend.projects.delete(job_id)

    # ---------------------------------------------------------------- restart (Enterprise: it reads reviews)

    def restart(
        self,
        job_id: Id,
        *,
        assignees: list[Id] | None = None,
        reviewer: Id | None = None,
        name: str | None = None,
        only_rejected: bool = True,
    ) -> list[Job]:
        """A new job (project) over the job's rejected tasks, or every task not accepted with only_rejected=False.

        The tasks' data and meta are copied, and their annotations go along as predictions
        (model_version "restart of job N"), so the annotator starts from the rejected work. With
        `assignees` the tasks are shared among them (balanced, one each); without, every task
        keeps its annotators. `reviewer` reviews every task; without it each keeps its reviewers.
        The title defaults to the old one with "(#2)", "(#3)"... as Supervisely names restarts. The
        old project stays as it is: Label Studio has no completed state to give it. Refused
        (ValidationError) before anything is written when no task qualifies.

        >>> again, = backend.jobs.restart(job.id, assignees=[other.id])   # doctest: +SKIP
        >>> again.name                                                    # doctest: +SKIP
        'lemons (#2)'
        """
        from annobridge.sampling import plan_assignments

        pid = as_int(job_id, "job_id")
        people = as_ints(assignees, "assignees") if assignees is not None else None
        if people is not None and not people:
            raise ValidationError("assignees: an empty list leaves the tasks to nobody; pass None to keep their annotators")
        if people is not None:
            plan_assignments([], people, seed=pid)  # a repeated assignee is refused here, before any request
        chief = as_int(reviewer, "reviewer") if reviewer is not None else None
        if name is not None:
            check_title(name)
        source = self.backend.projects.params(pid)
        title = name if name is not None else _next_title(source.get("title") or f"project {pid}")
        tasks = list(self.backend.items.tasks(pid))
        statuses = task_statuses(self, pid, tasks)
        keep = {ReviewStatus.REJECTED} if only_rejected else {ReviewStatus.REJECTED, ReviewStatus.NONE}
        chosen = [t for t in tasks if statuses[t["id"]] in keep]
        if not chosen:
            what = "rejected" if only_rejected else "unaccepted"
            raise ValidationError(f"job_id: project {pid} has no {what} tasks to restart with")
        staff = self._restart_staff(pid, chosen, people, chief)
        if people is not None:
            for a in plan_assignments([t["id"] for t in chosen], people, seed=pid):
                staff[a.item_id].append((a.user_id, Role.ANNOTATOR))
        carried = [_carried(t, pid) for t in chosen]  # the task list carries whole annotations
        config = source.get("label_config") or ""
        extras = {**read_extras(config), "restart_of": pid}
        extras.setdefault("source_project", pid)
        settings = {k: source[k] for k in _CARRIED if source.get(k) is not None}
        with self.call(f"creating project {title!r}"):
            created = self.sdk.projects.create(
                title=title, description=source.get("description") or "",
                expert_instruction=source.get("expert_instruction") or "",
                label_config=write_extras(config, extras), **settings,
            )
        try:
            new_ids = self.backend.items.add(created.id, carried, batch_size=len(carried))
            plan = [Assignment(item_id=new, user_id=user, role=role)
                    for old, new in zip(chosen, new_ids) for user, role in staff[old["id"]]]
            for user in dict.fromkeys(a.user_id for a in plan):
                add_project_member(self, created.id, user)
            if plan:
                self.backend.assignments.assign(created.id, plan)
        except BaseException:
            with contextlib.suppress(Exception):
                self.delete(created.id)  # nothing half-made stays behind
            raise
        return [self.get(created.id)]

    def _restart_staff(
        self, pid: int, tasks: list[dict[str, Any]], people: list[int] | None, chief: int | None
    ) -> dict[int, list[tuple[int, Role]]]:
        """task id -> (user, role) pairs it keeps: its annotators unless `people`, its reviewers unless `chief`.
        Reads each task's assignees (the API lists them per task) only when something is kept."""
        staff: dict[int, list[tuple[int, Role]]] = {t["id"]: [] for t in tasks}
        for tid, pairs in staff.items():
            if chief is not None:
                pairs.append((chief, Role.REVIEWER))
            if people is not None and chief is not None:
                continue
            with self.call(f"listing the assignees of task {tid}"):
                current = self.sdk.projects.assignments.list(pid, tid)
            for a in current:
                role = Role.REVIEWER if a.type == "RE" else Role.ANNOTATOR
                if (role is Role.ANNOTATOR and people is None) or (role is Role.REVIEWER and chief is None):
                    pairs.append((a.assignee, role))
        return staff

    def delete_many(self, job_ids: Iterable[Id]) -> None:
        """Delete these jobs; an empty list deletes nothing (ids are all checked first)."""
        for pid in as_ints(job_ids, "job_ids"):
            self.delete(pid)

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


def _next_title(title: str) -> str:
    """'lemons' -> 'lemons (#2)', 'lemons (#2)' -> 'lemons (#3)', cut to fit Label Studio's title limit.

    >>> _next_title("lemons"), _next_title("lemons (#2)")
    ('lemons (#2)', 'lemons (#3)')
    """
    match = re.fullmatch(r"(.*) \(#(\d+)\)", title)
    stem, n = (match.group(1), int(match.group(2)) + 1) if match else (title, 2)
    suffix = f" (#{n})"
    return stem[: TITLE_MAX - len(suffix)] + suffix


def _carried(task: dict[str, Any], pid: int) -> dict[str, Any]:
    """A task to import for a restart: its data and meta, its (not skipped) annotations as predictions."""
    predictions = [{"result": a.get("result") or [], "model_version": f"restart of job {pid}"}
                   for a in task.get("annotations") or [] if not a.get("was_cancelled")]
    return {"data": task["data"], "meta": task.get("meta") or {}, "predictions": predictions}
