"""Jobs, assignments and review statuses in a migration: carried where the target has them, else counted as dropped.

Supervisely jobs (one annotator, at most one reviewer, a set of images, a verdict per image)
become task assignments (AN/RE) and reviews in the Label Studio project where the server has
those capabilities (Enterprise). Label Studio assignments become one Supervisely job per
annotator. Each job is recorded in the ledger, so a rerun does not carry it twice; verdicts go in
bulk where the target can, and a verdict the target holds already is not given twice.
"""

from __future__ import annotations

from collections import defaultdict

from .capabilities import Capability
from .errors import Unsupported
from .ledger import Ledger
from .migration_report import MigrationReport
from .migration_users import UserMap
from .models import Assignment, Job, JobSpec, Project, ReviewStatus, Role
from .provider import Provider

__all__ = ["carry_jobs"]


def carry_jobs(
    src: Provider,
    dst: Provider,
    project: Project,
    target: Project | None,
    users: UserMap,
    ledger: Ledger | None,
    report: MigrationReport,
    *,
    dry_run: bool = False,
) -> None:
    """Carry the source project's jobs (or assignments) into the target project; count what cannot go.

    >>> carry_jobs(sv, ls, project, target, users, ledger, report)   # doctest: +SKIP
    """
    items = ledger.done("item") if ledger is not None else {}
    if src.name == "supervisely" and src.supports(Capability.JOBS):
        # jobs.list leaves out the entities (items and verdicts); jobs.get has them
        jobs = [src.jobs.get(j.id) for j in src.jobs.list(project_id=project.id) if not j.archived]
        _jobs_to_assignments(jobs, dst, target, users, items, ledger, report, dry_run)
    elif src.supports(Capability.ASSIGNMENTS) and dst.supports(Capability.JOBS) and dst.name == "supervisely":
        _assignments_to_jobs(src, dst, project, target, users, items, ledger, report, dry_run)
    elif src.supports(Capability.ASSIGNMENTS):
        report.notes.append(f"assignments: {dst.describe()} keeps no per-item assignments; not carried")
    report.notes = list(dict.fromkeys(report.notes))


def _jobs_to_assignments(jobs: list[Job], dst, target, users: UserMap, items, ledger, report, dry_run) -> None:
    can_assign, can_review = dst.supports(Capability.ASSIGNMENTS), dst.supports(Capability.REVIEWS)
    ids = {u.login: u.id for u in dst.users.list() if u.login}
    for job in jobs:
        if ledger is not None and ledger.target_id("job", job.id) is not None:
            continue
        entities = job.entities or []
        people = [(u.login, Role.ANNOTATOR) for u in job.assignees] + [(u.login, Role.REVIEWER) for u in job.reviewers]
        verdicts = [e for e in entities if e.review_status is not ReviewStatus.NONE]
        if not can_assign:
            report.add("jobs", "dropped")
            report.add("assignments", "dropped", len(entities) * len(people))
            report.add("reviews", "dropped", len(verdicts))
            report.notes.append(f"jobs: {_why(dst, Capability.ASSIGNMENTS)}")
            continue
        plan = []
        for login, role in people:
            mapped = users.target(login)
            if mapped is None or mapped not in ids:
                report.add("assignments", "dropped", len(entities))
                continue
            plan += [
                Assignment(item_id=items[str(e.id)], user_id=ids[mapped], role=role)
                for e in entities
                if str(e.id) in items
            ]
        if not dry_run and target is not None:
            ledger.begin_batch("job", [job.id])
            dst.assignments.assign(target.id, plan)
        report.add("jobs", "approximated")  # a job becomes assignments in the one target project
        report.add("assignments", "carried", len(plan))
        judged = {items[str(e.id)]: e.review_status for e in verdicts if can_review and str(e.id) in items}
        if judged and not dry_run and target is not None:
            set_verdicts(dst, target.id, judged)
        report.add("reviews", "carried", len(judged))
        report.add("reviews", "dropped", len(verdicts) - len(judged))
        if not dry_run and target is not None:
            ledger.finish_batch("job", {job.id: target.id})
    if jobs and not can_review:
        report.notes.append(f"reviews: {_why(dst, Capability.REVIEWS)}")


def _assignments_to_jobs(src, dst, project, target, users: UserMap, items, ledger, report, dry_run) -> None:
    """Label Studio assignments -> one Supervisely job per annotator over their items, with the tasks' verdicts."""
    by_user: dict[str, list] = defaultdict(list)
    for a in src.assignments.list(project.id):
        if a.role is Role.ANNOTATOR and str(a.item_id) in items:
            by_user[str(a.user_id)].append(a.item_id)
    verdicts = {}
    if src.supports(Capability.REVIEWS):
        verdicts = {str(e.id): e.review_status for e in src.reviews.list(project.id)}
    logins = {str(u.id): u.login for u in src.users.list()}
    ids = {u.login: u.id for u in dst.users.list() if u.login}
    made_before = {j.name: j.id for j in dst.jobs.list(project_id=target.id)} if target is not None else {}
    for user, tasks in sorted(by_user.items()):
        mapped = users.target(logins.get(user, user))
        key = f"assignments:{user}"
        judged = [
            (items[str(t)], verdicts[str(t)]) for t in tasks if verdicts.get(str(t), ReviewStatus.NONE).value != "none"
        ]
        if mapped is None or mapped not in ids:
            report.add("assignments", "dropped", len(tasks))
            report.add("reviews", "dropped", len(judged))
            continue
        if ledger is not None and ledger.target_id("job", key) is not None:
            continue
        name = f"{project.name} - {mapped}"[:255]
        if not dry_run and target is not None:
            ledger.begin_batch("job", [key])
            job_id = made_before.get(name)  # a killed run may have made it already
            if job_id is None:
                spec = JobSpec(
                    name=name, project_id=target.id, annotators=[ids[mapped]], item_ids=[items[str(t)] for t in tasks]
                )
                job_id = dst.jobs.create(spec)[0].id
            if judged and dst.supports(Capability.REVIEWS):
                dst.jobs.set_status(job_id, "on_review")  # a verdict is given on review
                set_verdicts(dst, job_id, dict(judged))
            ledger.finish_batch("job", {key: job_id})
        report.add("jobs", "carried")
        report.add("assignments", "carried", len(tasks))
        report.add("reviews", "carried" if dst.supports(Capability.REVIEWS) else "dropped", len(judged))


def set_verdicts(backend: Provider, job_id, verdicts: dict) -> None:
    """Item -> verdict on the target: in bulk where the backend can (skipping verdicts it holds already), else one by one.

    >>> set_verdicts(ls, project.id, {101: ReviewStatus.ACCEPTED})                  # doctest: +SKIP
    """
    bulk = getattr(backend.reviews, "set_many", None)
    if bulk is not None:
        bulk(job_id, verdicts)
        return
    for item, status in verdicts.items():
        backend.reviews.set(job_id, item, status)


def _why(backend: Provider, capability: Capability) -> str:
    try:
        backend.require(capability)
    except Unsupported as exc:
        return str(exc)
    return ""
