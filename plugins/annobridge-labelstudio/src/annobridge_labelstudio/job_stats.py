"""Where a Label Studio job stands: counts per task, verdict and person (jobs.stats), and its history (jobs.activity).

Example::

    stats = backend.jobs.stats(job.id)
    stats.items, stats.annotated, stats.annotations  # -> (6, 4, 5)
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from annobridge.capabilities import Capability
from annobridge.models import Activity, Id, JobStats, ReviewStatus, Role, UserStats

from .annotation_io import logins
from .enterprise import latest_verdicts, project_reviews, task_review_status
from .sdk_data import as_dict, as_int

if TYPE_CHECKING:
    from .jobs import LabelStudioJobs

__all__ = ["job_activity", "job_stats"]

_FIELDS = ("id", "annotations", "completed_by", "was_cancelled")  # the task listing asks only for these


def job_stats(jobs: LabelStudioJobs, job_id: Id) -> JobStats:
    """The job's tasks, annotated tasks, (not skipped) annotations and, on Enterprise, verdicts; and per person.

    On Enterprise the people are those with task assignments: an annotator's assigned tasks, how many of
    them they annotated and the verdicts on their annotations; a reviewer's assigned tasks, how many of
    them are annotated and their verdicts. On Community (no assignments) they are the annotations'
    authors, each with the tasks they annotated. One paged task listing and one users list; on
    Enterprise also the reviews, and the task assignments (which the API lists one task a request).
    """
    backend = jobs.backend
    pid = as_int(job_id, "job_id")
    tasks = list(backend.items.tasks(pid, include=_FIELDS))
    verdicts = latest_verdicts(project_reviews(jobs, pid)) if backend.supports(Capability.REVIEWS) else {}
    given: dict[tuple[int, Role], set[int]] = defaultdict(set)
    done: dict[tuple[int, Role], set[int]] = defaultdict(set)
    verdict: dict[tuple[int, Role], list[ReviewStatus]] = defaultdict(list)
    status: dict[int, ReviewStatus] = {}
    mine: dict[tuple[int, int], ReviewStatus] = {}  # (author, task) -> the verdict on their annotations of it
    annotated: set[int] = set()
    annotations = 0
    for task in tasks:
        kept = [a for a in task.get("annotations") or [] if not a.get("was_cancelled")]
        status[task["id"]] = task_review_status([a["id"] for a in kept], verdicts)
        annotated |= {task["id"]} if kept else set()
        annotations += len(kept)
        for author in {_author(a) for a in kept} - {None}:
            mine[(author, task["id"])] = task_review_status([a["id"] for a in kept if _author(a) == author], verdicts)
    if backend.supports(Capability.ASSIGNMENTS):
        for a in backend.assignments.list(pid):
            key, tid = (int(a.user_id), a.role), int(a.item_id)
            given[key].add(tid)
            if a.role is Role.REVIEWER and tid in annotated:
                done[key].add(tid)
                verdict[key].append(status[tid])
            elif a.role is Role.ANNOTATOR and (key[0], tid) in mine:
                done[key].add(tid)
                verdict[key].append(mine[(key[0], tid)])
    else:
        for (author, tid), their in mine.items():
            key = (author, Role.ANNOTATOR)
            given[key].add(tid)
            done[key].add(tid)
            verdict[key].append(their)
    names = logins(jobs)
    people = [
        UserStats(user_id=user, login=names.get(user), role=role, items=len(given[(user, role)]),
                  annotated=len(done[(user, role)]), accepted=verdict[(user, role)].count(ReviewStatus.ACCEPTED),
                  rejected=verdict[(user, role)].count(ReviewStatus.REJECTED))
        for user, role in sorted(given, key=lambda k: (k[1].value, k[0]))
    ]
    return JobStats(
        job_id=pid, items=len(tasks), annotated=len(annotated), annotations=annotations,
        accepted=sum(s is ReviewStatus.ACCEPTED for s in status.values()),
        rejected=sum(s is ReviewStatus.REJECTED for s in status.values()), users=people,
    )


def _author(annotation: dict[str, Any]) -> int | None:
    who = annotation.get("completed_by")
    who = who.get("id") if isinstance(who, dict) else who
    return int(who) if who is not None else None


def job_activity(jobs: LabelStudioJobs, job_id: Id, page_size: int = 100) -> list[Activity]:
    """The project's annotation history (Enterprise: submitted, updated, skipped, accepted, rejected...), oldest
    first, page by page; each entry names the user (id and login), the task and the annotation."""
    pid = as_int(job_id, "job_id")
    entries: list[dict[str, Any]] = []
    page = 1
    while True:
        with jobs.call(f"reading the annotation history of project {pid}"):
            answer = jobs.sdk.annotation_history.list_for_project(pid, page=page, page_size=page_size)
        results = [as_dict(r) for r in answer.results or []]
        entries += results
        if not results or not answer.next:
            break
        page += 1
    names = logins(jobs)
    entries.sort(key=lambda e: (str(e.get("created_at") or ""), e.get("id") or 0))
    return [
        Activity(
            action=str(e.get("action") or "changed"), at=e.get("created_at"), user_id=e.get("created_by"),
            login=names.get(e["created_by"]) if e.get("created_by") is not None else None, item_id=e.get("task_id"),
            detail="; ".join(x for x in (_annotation(e), e.get("comment") or "") if x),
        )
        for e in entries
    ]


def _annotation(entry: dict[str, Any]) -> str:
    return f"annotation {entry['annotation_id']}" if entry.get("annotation_id") is not None else ""
