"""New projects made from a job: a restart over its rejected tasks (Enterprise), and a clone of it.

A restart (jobs.restart) imports the rejected tasks with their work as predictions; a clone
(jobs.clone) copies the label config, settings and tasks, with their annotations when asked::

    copy, = backend.jobs.clone(job.id, name="lemons again", with_annotations=True)
    copy.items_count == job.items_count  # -> True
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from annobridge.capabilities import Capability
from annobridge.errors import ValidationError
from annobridge.models import Assignment, Id, Job, ReviewStatus, Role

from .enterprise import task_statuses
from .label_config import read_extras, write_extras
from .options import options_of_project, project_settings
from .projects import TITLE_MAX, check_title
from .sdk_data import as_int, as_ints

if TYPE_CHECKING:
    from annobridge.provider import Restart

    from .jobs import LabelStudioJobs

__all__ = ["clone_job", "restart_job"]

_KEPT = ("result", "completed_by", "was_cancelled", "ground_truth", "lead_time")  # what a cloned annotation carries


def restart_job(jobs: LabelStudioJobs, request: Restart) -> list[Job]:
    """A new job (project) over the old job's rejected tasks, or every task not accepted with only_rejected=False.

    The tasks' data and meta are copied, and their annotations go along as predictions
    (model_version "restart of job N"), so the annotator starts from the rejected work. With
    `assignees` the tasks are shared among them (balanced, one each); without, every task
    keeps its annotators. `reviewer` reviews every task; without it each keeps its reviewers.
    The old project stays as it is: Label Studio has no completed state to give it. Refused
    (ValidationError) before anything is written when no task qualifies. The template
    (JobsAPI.restart) has checked the name and the shape of the assignees list; the project's
    parameters are read here for the copy.
    """
    from annobridge.sampling import plan_assignments

    pid = as_int(request.job.id, "job_id")
    people = as_ints(request.assignees, "assignees") if request.assignees is not None else None
    if people is not None:
        plan_assignments([], people, seed=pid)  # "7" and 7 are one assignee twice: refused before the tasks are read
    reviewer_id = as_int(request.reviewer, "reviewer") if request.reviewer is not None else None
    source = jobs.backend.projects.params(pid)
    tasks = list(jobs.backend.items.tasks(pid))
    statuses = task_statuses(jobs, pid, tasks)
    keep = {ReviewStatus.REJECTED} if request.only_rejected else {ReviewStatus.REJECTED, ReviewStatus.NONE}
    chosen = [t for t in tasks if statuses[t["id"]] in keep]
    if not chosen:
        what = "rejected" if request.only_rejected else "unaccepted"
        raise ValidationError(f"job_id: project {pid} has no {what} tasks to restart with")
    staff = _kept_staff(jobs, pid, chosen, people, reviewer_id)
    if people is not None:
        for a in plan_assignments([t["id"] for t in chosen], people, seed=pid):
            staff[a.item_id].append((a.user_id, Role.ANNOTATOR))
    carried = [_as_predictions(t, pid) for t in chosen]  # the task list carries whole annotations
    return [_made(jobs, source, title=request.name, mark={"restart_of": pid}, carried=carried, old=chosen,
                  staff=staff)]


def clone_job(
    jobs: LabelStudioJobs,
    job_id: Id,
    *,
    name: str | None = None,
    assignees: list[Id] | None = None,
    reviewer: Id | None = None,
    with_annotations: bool | None = None,
) -> list[Job]:
    """A new project with the job's label config, settings (all but the task data password, which the server
    never reports) and tasks (their data and meta).

    with_annotations=True copies the tasks' annotations (results, authors, flags); False or None
    (a job that is a project naturally starts empty) copies none. On Enterprise `assignees` get
    every task (AN) and `reviewer` reviews every task (RE); left None, each task keeps its own
    annotators or reviewers. On Community, assignees or a reviewer are Unsupported. The title
    defaults to the old one with " (copy)". Everything is checked before the project is made, and
    a failure after it removes it again.

    Example::

        copy, = backend.jobs.clone(job.id)
        copy.name  # -> 'lemons (copy)'
    """
    pid = as_int(job_id, "job_id")
    if with_annotations not in (None, True, False):
        raise ValidationError(f"with_annotations: True, False or None, not {with_annotations!r}")
    people = as_ints(assignees, "assignees") if assignees is not None else None
    if people:
        jobs.needs(Capability.ASSIGNMENTS, "assignees")
        repeated = sorted({u for u in people if people.count(u) > 1})
        if repeated:
            raise ValidationError(f"assignees: {repeated} appear more than once")
    reviewer_id = as_int(reviewer, "reviewer") if reviewer is not None else None
    if reviewer_id is not None:
        jobs.needs(Capability.ASSIGNMENTS, "reviewer")
    if name is not None:
        check_title(name)
    source = jobs.backend.projects.params(pid)
    title = name if name is not None else _copy_title(source.get("title") or f"project {pid}")
    if with_annotations:
        tasks = list(jobs.backend.items.tasks(pid))
    else:
        tasks = list(jobs.backend.items.tasks(pid, fields="task_only", include=("id", "data", "meta")))
    staff: dict[int, list[tuple[int, Role]]] = {t["id"]: [] for t in tasks}
    if jobs.backend.supports(Capability.ASSIGNMENTS) and (people is None or reviewer_id is None):
        staff = _kept_staff(jobs, pid, tasks, people, reviewer_id)
    for tid, pairs in staff.items():
        pairs += [(u, Role.ANNOTATOR) for u in people or []]
        if reviewer_id is not None and (reviewer_id, Role.REVIEWER) not in pairs:
            pairs.append((reviewer_id, Role.REVIEWER))
    carried = [_copied(t, bool(with_annotations)) for t in tasks]
    return [_made(jobs, source, title=title, mark={"clone_of": pid}, carried=carried, old=tasks, staff=staff)]


def _made(
    jobs: LabelStudioJobs,
    source: dict[str, Any],
    *,
    title: str,
    mark: dict[str, Any],
    carried: list[dict[str, Any]],
    old: list[dict[str, Any]],
    staff: dict[int, list[tuple[int, Role]]],
) -> Job:
    """The new project: the source's config (extras kept, `mark` added) and settings, the carried tasks, the staff."""
    config = source.get("label_config") or ""
    extras = {**read_extras(config), **mark}
    extras.setdefault("source_project", source["id"])
    settings = project_settings(options_of_project(source))
    if not jobs.backend.edition.enterprise:
        settings.pop("workspace", None)
    with jobs.call(f"creating project {title!r}"):
        created = jobs.sdk.projects.create(
            title=title, description=source.get("description") or "",
            expert_instruction=source.get("expert_instruction") or "",
            label_config=write_extras(config, extras), **settings,
        )
    try:
        new_ids = jobs.backend.items.add(created.id, carried) if carried else []
        plan = [Assignment(item_id=new, user_id=user, role=role)
                for task, new in zip(old, new_ids) for user, role in staff.get(task["id"], [])]
        if plan:  # the assignees become members first (assignments.prepare)
            jobs.backend.assignments.assign(created.id, plan)
    except BaseException:
        with contextlib.suppress(Exception):
            jobs.delete(created.id)  # nothing half-made stays behind
        raise
    return jobs.get(created.id)


def _kept_staff(
    jobs: LabelStudioJobs, pid: int, tasks: list[dict[str, Any]], people: list[int] | None, reviewer_id: int | None
) -> dict[int, list[tuple[int, Role]]]:
    """task id -> (user, role) pairs it keeps: its annotators unless `people`, its reviewers unless `reviewer_id`.
    Reads each task's assignees (the API lists them per task) only when something is kept."""
    staff: dict[int, list[tuple[int, Role]]] = {t["id"]: [] for t in tasks}
    for tid, pairs in staff.items():
        if reviewer_id is not None:
            pairs.append((reviewer_id, Role.REVIEWER))
        if people is not None and reviewer_id is not None:
            continue
        with jobs.call(f"listing the assignees of task {tid}"):
            current = jobs.sdk.projects.assignments.list(pid, tid)
        for a in current:
            role = Role.REVIEWER if a.type == "RE" else Role.ANNOTATOR
            if (role is Role.ANNOTATOR and people is None) or (role is Role.REVIEWER and reviewer_id is None):
                pairs.append((a.assignee, role))
    return staff


def _copy_title(title: str) -> str:
    """'lemons' -> 'lemons (copy)', cut to fit Label Studio's title limit.

    >>> _copy_title("x" * 50)[-10:]
    'xxx (copy)'
    """
    return title[: TITLE_MAX - len(" (copy)")] + " (copy)"


def _as_predictions(task: dict[str, Any], pid: int) -> dict[str, Any]:
    """A task to import for a restart: its data and meta, its (not skipped) annotations as predictions."""
    predictions = [{"result": a.get("result") or [], "model_version": f"restart of job {pid}"}
                   for a in task.get("annotations") or [] if not a.get("was_cancelled")]
    return {"data": task["data"], "meta": task.get("meta") or {}, "predictions": predictions}


def _copied(task: dict[str, Any], with_annotations: bool) -> dict[str, Any]:
    """A task to import for a clone: its data and meta, and its annotations when asked."""
    out: dict[str, Any] = {"data": task["data"], "meta": task.get("meta") or {}}
    if with_annotations:
        out["annotations"] = [{k: a[k] for k in _KEPT if a.get(k) is not None} for a in task.get("annotations") or []]
    return out
