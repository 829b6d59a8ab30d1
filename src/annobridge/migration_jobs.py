"""Jobs, assignments and review statuses in a migration: carried where the target has them, else counted as dropped.

Each provider declares how its jobs relate to its projects (`Provider.job_scope`), and that alone
decides the way: the source's work is read as `Work` (who labels and reviews which items, and the
verdicts), from its jobs (one of many per project) or from the project's task assignments (a job
that is the project). The target gets it as jobs in the target project, or as assignments and
verdicts in the target project itself. Each piece of work is recorded in the ledger with its share
of the report, so a rerun neither carries nor counts it twice; verdicts go through
`reviews.set_many`, which gives none twice.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from .capabilities import Capability
from .errors import Unsupported
from .ledger import Ledger
from .migration_report import ReportPart
from .migration_users import UserMap
from .models import Assignment, Id, JobScope, JobSpec, Project, ReviewStatus, Role
from .provider import Provider

__all__ = ["Work", "carry_jobs", "read_work"]


@dataclass
class Work:
    """One piece of labeling work on the source: its ledger key, name, people (logins), items and verdicts."""

    key: str
    name: str
    annotators: list[str]
    reviewers: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)  # source item ids, as text
    verdicts: dict[str, ReviewStatus] = field(default_factory=dict)


def read_work(src: Provider, project: Project) -> list[Work]:
    """The source project's labeling work, read the way its provider's job scope says.

    Example (against a live backend)::

        [w.name for w in read_work(sv, project)]  # -> ['labeler1_lemons_task']
    """
    if src.job_scope is JobScope.IN_PROJECT and src.supports(Capability.JOBS):
        return [_work_of_job(src, j.id) for j in src.jobs.list(project_id=project.id) if not j.archived]
    if src.job_scope is JobScope.PROJECT and src.supports(Capability.ASSIGNMENTS):
        return _work_of_assignments(src, project)
    return []


def _work_of_job(src: Provider, job_id: Id) -> Work:
    job = src.jobs.get(job_id)  # jobs.list leaves out the entities (items and verdicts); jobs.get has them
    entities = job.entities or []
    return Work(
        key=str(job.id),
        name=job.name,
        annotators=[u.login or str(u.id) for u in job.assignees],
        reviewers=[u.login or str(u.id) for u in job.reviewers],
        items=[str(e.id) for e in entities],
        verdicts={str(e.id): e.review_status for e in entities if e.review_status is not ReviewStatus.NONE},
    )


def _work_of_assignments(src: Provider, project: Project) -> list[Work]:
    """A project that is a job: one Work per annotator over their items, reviewed by whoever reviews most of them."""
    annotated: dict[str, list[str]] = defaultdict(list)
    reviewer_of: dict[str, list[str]] = defaultdict(list)
    for a in src.assignments.list(project.id):
        (annotated if a.role is Role.ANNOTATOR else reviewer_of)[str(a.user_id)].append(str(a.item_id))
    verdicts = {}
    if src.supports(Capability.REVIEWS):
        verdicts = {str(e.id): e.review_status for e in src.reviews.list(project.id)}
    logins = {str(u.id): u.login or str(u.id) for u in src.users.list()}
    work = []
    for user, items in sorted(annotated.items()):
        mine = set(items)
        reviewing = Counter({r: len(mine & set(held)) for r, held in reviewer_of.items() if mine & set(held)})
        work.append(
            Work(
                key=f"assignments:{user}",
                name=f"{project.name} - {logins.get(user, user)}",
                annotators=[logins.get(user, user)],
                reviewers=[logins.get(r, r) for r, _ in reviewing.most_common(1)],
                items=items,
                verdicts={i: verdicts[i] for i in items if verdicts.get(i, ReviewStatus.NONE) is not ReviewStatus.NONE},
            )
        )
    return work


def carry_jobs(
    src: Provider,
    dst: Provider,
    project: Project,
    target: Project | None,
    users: UserMap,
    ledger: Ledger | None,
    *,
    dry_run: bool = False,
) -> list[ReportPart]:
    """Carry the source project's labeling work into the target project, count what cannot go, and record each
    piece written in the ledger with its report part; returns the parts no ledger holds (a dry run's, and those of
    work the target cannot take, which every run counts again).

    Example (against a live backend)::

        unrecorded = carry_jobs(sv, ls, project, target, users, ledger)
    """
    work = read_work(src, project)
    if not work:
        return []
    carrier = _Carrier(src, dst, target, users, ledger, dry_run)
    unrecorded = []
    for piece in work:
        if ledger is not None and ledger.target_id("job", piece.key) is not None:
            continue  # an earlier run carried it; its part is in the ledger
        part, written = carrier.carry(piece)
        if written is not None:
            ledger.finish_batch("job", written, part=part.model_dump_json())
        else:
            unrecorded.append(part)
    return unrecorded


class _Carrier:
    """Writes Work into one target project, as jobs or as the project's own assignments (its job scope)."""

    def __init__(self, src, dst, target, users: UserMap, ledger, dry_run: bool) -> None:
        self.src, self.dst, self.target, self.users = src, dst, target, users
        self.ledger, self.report, self.dry_run = ledger, ReportPart(), dry_run
        self.items = ledger.done("item") if ledger is not None else {}
        self.writing = not dry_run and target is not None
        self.as_project = dst.job_scope is JobScope.PROJECT
        need = Capability.ASSIGNMENTS if self.as_project else Capability.JOBS
        self.missing = None if dst.supports(need) else _why(dst, need)
        self.reviews = dst.supports(Capability.REVIEWS)
        self.ids = {u.login: u.id for u in dst.users.list() if u.login} if self.missing is None else {}
        self.made_before = {}
        if self.writing and not self.as_project and self.missing is None:
            self.made_before = {j.name: j.id for j in dst.jobs.list(project_id=target.id)}  # a killed run's jobs

    def person(self, login: str) -> Id | None:
        mapped = self.users.target(login)
        return self.ids.get(mapped) if mapped is not None else None

    def carry(self, work: Work) -> tuple[ReportPart, dict[str, Id] | None]:
        """Write one piece of work; returns its report part and, when written, its ledger entry (key -> target id),
        for the caller to finish with the part."""
        self.report = part = ReportPart()
        with self.users.recording(part):
            written = self._carry(work)
        return part, written

    def _carry(self, work: Work) -> dict[str, Id] | None:
        report = self.report
        items = [i for i in work.items if i in self.items]
        people = [(login, Role.ANNOTATOR) for login in work.annotators]
        people += [(login, Role.REVIEWER) for login in work.reviewers]
        if self.missing is not None:
            report.add("jobs", "dropped")
            report.add("assignments", "dropped", len(work.items) * len(people))
            report.add("reviews", "dropped", len(work.verdicts))
            report.notes.append(f"jobs: {self.missing}")
            return None
        found = {(login, role): self.person(login) for login, role in people}
        for user in found.values():  # a person the target lacks, and items that were not carried
            report.add("assignments", "dropped", len(work.items) if user is None else len(work.items) - len(items))
        verdicts = {self.items[i]: s for i, s in work.verdicts.items() if i in self.items} if self.reviews else {}
        if not self.reviews and work.verdicts:
            report.notes.append(f"reviews: {_why(self.dst, Capability.REVIEWS)}")
        if self.as_project:
            written = self._as_assignments(work, items, found, verdicts)
        else:
            written = self._as_jobs(work, items, found, verdicts)
        report.add("reviews", "carried", len(verdicts))
        report.add("reviews", "dropped", len(work.verdicts) - len(verdicts))
        return written

    def _as_assignments(self, work: Work, items: list[str], found: dict, verdicts: dict) -> dict[str, Id] | None:
        """The target project is the job (its provider says so): its id is the job id for assignments and reviews."""
        plan = [
            Assignment(item_id=self.items[i], user_id=user, role=role)
            for (_, role), user in found.items()
            if user is not None
            for i in items
        ]
        if self.writing:
            self.ledger.begin_batch("job", [work.key])
            self.dst.assignments.assign(self.target.id, plan)
            if verdicts:
                self.dst.reviews.set_many(self.target.id, verdicts)
        exact = self.src.job_scope is JobScope.PROJECT  # assignments to assignments; a job folded into one project is not
        self.report.add("jobs", "carried" if exact else "approximated")
        self.report.add("assignments", "carried", len(plan))
        return {work.key: self.target.id} if self.writing else None

    def _as_jobs(self, work: Work, items: list[str], found: dict, verdicts: dict) -> dict[str, Id] | None:
        annotators = [u for (_, role), u in found.items() if role is Role.ANNOTATOR and u is not None]
        reviewers = [u for (_, role), u in found.items() if role is Role.REVIEWER and u is not None]
        if not annotators:
            self.report.add("jobs", "dropped")
            verdicts.clear()  # counted as dropped by carry()
            self.report.notes.append(f"jobs: no annotator of {work.name!r} is a user of {self.dst.describe()}")
            return None
        if len(reviewers) > 1:  # a job has one reviewer
            self.report.add("assignments", "dropped", len(items) * (len(reviewers) - 1))
            self.report.notes.append(f"jobs: {work.name!r} has {len(reviewers)} reviewers; a job takes the first")
        written = None
        if self.writing:
            self.ledger.begin_batch("job", [work.key])
            job_ids = self._jobs_for(work, items, annotators, reviewers[:1])
            if verdicts:
                for job_id in job_ids:
                    if self.dst.supports(Capability.JOB_STATUS_CONTROL):
                        self.dst.jobs.set_status(job_id, "on_review")  # a verdict is given on review
                    self.dst.reviews.set_many(job_id, verdicts)
            written = {work.key: job_ids[0]}
        self.report.add("jobs", "carried")
        self.report.add("assignments", "carried", len(items) * (len(annotators) + len(reviewers[:1])))
        return written

    def _jobs_for(self, work: Work, items: list[str], annotators: list[Id], reviewer: list[Id]) -> list[Id]:
        name = work.name[:255]
        if name in self.made_before:
            return [self.made_before[name]]
        spec = JobSpec(
            name=name,
            project_id=self.target.id,
            annotators=annotators,
            reviewer=reviewer[0] if reviewer else None,
            item_ids=[self.items[i] for i in items],
        )
        return [job.id for job in self.dst.jobs.create(spec)]


def _why(backend: Provider, capability: Capability) -> str:
    try:
        backend.require(capability)
    except Unsupported as exc:
        return str(exc)
    return ""
