"""Label Studio Enterprise only: task assignments (AN/RE), annotation reviews, members, pausing annotators.

Each call goes through the official SDK's method for the endpoint (projects.assignments,
annotation_reviews, projects.members, organizations.members, projects.pauses) and is gated on a
capability a Community server lacks, so there it raises Unsupported before any request:
"task assignment needs Label Studio Enterprise; this server is Community 1.23.2".
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any, Iterable, Mapping

from annobridge.capabilities import Capability
from annobridge.errors import ValidationError
from annobridge.models import Assignment, Id, JobEntity, ReviewStatus, Role
from annobridge.provider import AssignmentsAPI, PausesAPI, ReviewsAPI, requires

from .polling import wait_for
from .sdk_data import BATCH, as_dict, as_int, as_ints, chunks
from .subapi_base import LabelStudioProvider, LabelStudioSubAPI

__all__ = ["LabelStudioAssignments", "LabelStudioPauses", "LabelStudioReviews", "ROLE_CODE", "review_counts",
           "task_statuses"]

MANUAL = "assigned_only"  # AssignmentSettings.label_stream_task_distribution: the stream shows assigned tasks only
ASSIGN_TIMEOUT = 600  # seconds to wait for an asynchronous bulk assignment
ROLE_CODE = {Role.ANNOTATOR: "AN", Role.REVIEWER: "RE"}  # an assignment's type and a member's organization role
_ROLE_NAMES = {"OW": "owner", "AD": "administrator", "MA": "manager", "RE": "reviewer", "AN": "annotator",
               "DI": "deactivated", "NO": "not_activated"}


class LabelStudioAssignments(LabelStudioSubAPI, AssignmentsAPI[LabelStudioProvider]):
    """Task assignments: annotators (AN) and reviewers (RE), in bulk, 1000 tasks a request.

    As Label Studio's tutorial (Assign Users to Tasks) asks, the assignees are made members of the project first,
    and a project given annotators is switched to Manual distribution (assigned_only), where the label stream
    shows each annotator only their tasks. An answer with `async: true` is awaited: the tasks' assignees are read
    until every assignment asked for shows.
    """

    def assign(self, job_id: Id, assignments: Iterable[Assignment]) -> None:
        """Assign each (item, user, role); one bulk request per role, user and 1000 tasks."""
        pid = as_int(job_id, "job_id")
        groups: dict[tuple[str, int], list[int]] = defaultdict(list)
        for a in assignments:
            groups[(_kind(a.role), as_int(a.user_id, "user_id"))].append(as_int(a.item_id, "item_id"))
        self.prepare(pid, [user for _, user in groups], annotators="AN" in {kind for kind, _ in groups})
        for (kind, user), tasks in groups.items():
            for chunk in chunks(sorted(set(tasks)), BATCH):
                doing = f"assigning {len(chunk)} tasks of project {pid} to user {user} ({kind})"
                self._bulk(pid, chunk, kind, [user], doing)

    def assign_users(
        self, job_id: Id, users: Iterable[Any], item_ids: Iterable[Id], role: Role | str = Role.ANNOTATOR
    ) -> int:
        """Give every one of `users` every one of `item_ids` (the legacy assign_annotators): one bulk request
        per 1000 tasks for all the users at once. Returns len(users) x len(item_ids), as the core does
        (assignments a user already held count too).

        Example::

            backend.assignments.assign_users(job.id, [ann.id, bob.id], task_ids[:3], Role.REVIEWER)  # -> 6
        """
        pid, people = as_int(job_id, "job_id"), _distinct(as_ints(_ids_of(users), "users"), "users")
        tasks, kind = _distinct(as_ints(_ids_of(item_ids), "item_ids"), "item_ids"), _kind(role)
        if not people:
            return 0
        if tasks:
            self.prepare(pid, people, annotators=kind == "AN")
        for chunk in chunks(tasks, BATCH):
            self._bulk(pid, chunk, kind, people, f"assigning {len(chunk)} tasks of project {pid} ({kind})")
        return len(people) * len(tasks)

    def prepare(self, pid: int, users: list[int], *, annotators: bool) -> None:
        """Make `users` members of the project (only those who are not yet) and, for annotators, switch the
        project to Manual distribution if it is not; nothing is sent for what already holds."""
        if not users:
            return
        members = {m.get("id") for m in project_members(self, pid)}
        for user in dict.fromkeys(users):
            if user not in members:
                add_project_member(self, pid, user)
        if annotators:
            with self.call(f"reading the assignment settings of project {pid}"):
                settings = as_dict(self.sdk.projects.get(pid)).get("assignment_settings") or {}
            if settings.get("label_stream_task_distribution") != MANUAL:
                with self.call(f"switching project {pid} to Manual distribution"):
                    self.sdk.projects.update(pid, assignment_settings={"label_stream_task_distribution": MANUAL})

    def _bulk(self, pid: int, tasks: list[int], kind: str, users: list[int], doing: str) -> None:
        with self.call(doing):
            answer = self.sdk.projects.assignments.bulk_assign(
                pid, selected_items={"all": False, "included": tasks}, type=kind, users=users
            )
        if answer.async_:
            self._await(pid, tasks, kind, set(users))

    def _await(self, pid: int, tasks: list[int], kind: str, users: set[int]) -> None:
        """Read the tasks' assignees, in order and each task until it is done, until every one has `users`."""
        pending = list(tasks)

        def settled() -> bool | None:
            while pending:
                with self.call(f"reading the assignees of task {pending[0]}"):
                    held = {a.assignee for a in self.sdk.projects.assignments.list(pid, pending[0]) if a.type == kind}
                if not users <= held:
                    return None
                pending.pop(0)
            return True

        wait_for(settled, f"assigning {len(tasks)} tasks of project {pid} ({kind})", ASSIGN_TIMEOUT)

    def unassign(self, job_id: Id, item_ids: Iterable[Id], role: Role = Role.ANNOTATOR) -> None:
        """Remove every annotator (or reviewer) of these tasks; an empty list removes nothing."""
        pid, tasks = as_int(job_id, "job_id"), as_ints(item_ids, "item_ids")
        action = "delete_annotators" if Role(role) is Role.ANNOTATOR else "delete_reviewers"
        for chunk in chunks(tasks, BATCH):
            self.backend.items.run_action(pid, action, {"all": False, "included": chunk})

    def list(self, job_id: Id) -> list[Assignment]:
        """Every assignment of the job's tasks (one request per task: the API lists assignees per task)."""
        pid = as_int(job_id, "job_id")
        found = []
        for tid in self.backend.items.ids(pid):
            with self.call(f"listing the assignees of task {tid}"):
                for a in self.sdk.projects.assignments.list(pid, tid):
                    role = Role.REVIEWER if a.type == "RE" else Role.ANNOTATOR
                    found.append(Assignment(item_id=a.task, user_id=a.assignee, role=role))
        return found


def _kind(role: Role | str) -> str:
    try:
        return ROLE_CODE[Role(role)]
    except ValueError:
        raise ValidationError(f"role: {role!r} is not one of {[r.value for r in Role]}") from None


def _ids_of(values: Any) -> Any:
    """Users or items as given: ids, or objects with an `.id` (User, Item)."""
    if isinstance(values, (str, bytes, int)) or not isinstance(values, Iterable):
        return values
    return [getattr(v, "id", v) for v in values]


def _distinct(ids: list[int], field: str) -> list[int]:
    repeated = sorted(i for i, n in Counter(ids).items() if n > 1)
    if repeated:
        raise ValidationError(f"{field}: duplicate ids {repeated}; each may appear once")
    return ids


def project_reviews(api: LabelStudioSubAPI, pid: int) -> list[dict[str, Any]]:
    """Every annotation review of the project, as plain dicts (one listing)."""
    with api.call(f"listing the annotation reviews of project {pid}"):
        return [as_dict(r) for r in api.sdk.annotation_reviews.list(annotation_task_project=pid)]


def latest_verdicts(reviews: list[dict[str, Any]]) -> dict[int, bool]:
    """annotation id -> accepted?, by each annotation's latest review.

    >>> latest_verdicts([{"id": 1, "annotation": 5, "accepted": False}, {"id": 2, "annotation": 5, "accepted": True}])
    {5: True}
    """
    latest: dict[int, dict[str, Any]] = {}
    for review in sorted(reviews, key=lambda r: (str(r.get("created_at") or ""), r.get("id") or 0)):
        latest[review["annotation"]] = review
    return {a: bool(r.get("accepted")) for a, r in latest.items()}


def review_counts(api: LabelStudioSubAPI, pid: int) -> tuple[int, int, int]:
    """(reviewed, accepted, rejected) annotations of a project, by each annotation's latest review.

    Example::

        review_counts(ls.jobs, 12)  # -> (3, 2, 1)
    """
    verdicts = latest_verdicts(project_reviews(api, pid))
    accepted = sum(verdicts.values())
    return len(verdicts), accepted, len(verdicts) - accepted


class LabelStudioReviews(LabelStudioSubAPI, ReviewsAPI[LabelStudioProvider]):
    """Reviews of a job's annotations; a task's status is its annotations' latest verdicts
    (any rejected: rejected; else any accepted: accepted; else none)."""

    def _annotations(self, pid: int) -> dict[int, list[int]]:
        """task id -> its annotation ids: the task listing with annotations as bare ids, the cheapest it has."""
        return {t["id"]: [a["id"] for a in t.get("annotations") or []]
                for t in self.backend.items.tasks(pid, include=("id", "annotations"))}

    def list(self, job_id: Id) -> list[JobEntity]:
        """Every task of the job with its review status (two listings: tasks, then reviews)."""
        pid = as_int(job_id, "job_id")
        tasks, verdicts = self._annotations(pid), latest_verdicts(project_reviews(self, pid))
        return [JobEntity(id=tid, review_status=task_review_status(anns, verdicts)) for tid, anns in tasks.items()]

    def set(self, job_id: Id, item_id: Id, status: ReviewStatus) -> None:
        """Accept or reject every annotation of the task; NONE removes their reviews.

        An annotation whose latest verdict is already `status` gets no second review, so setting
        it again (a resumed migration) adds nothing: one task read and one listing of the project's reviews.
        """
        pid, tid, status = as_int(job_id, "job_id"), as_int(item_id, "item_id"), ReviewStatus(status)
        annotations = [a["id"] for a in self.backend.items.task(tid).get("annotations") or []]
        if not annotations:
            raise ValidationError(f"item {tid}: Label Studio reviews annotations, and this task has none")
        # The project's reviews, as list() reads them: the same source for "already given" and for the status shown.
        reviews = [review for review in project_reviews(self, pid) if review["annotation"] in annotations]
        self._apply(pid, {tid: annotations}, {tid: status}, reviews)

    def set_many(self, job_id: Id, verdicts: Mapping[Id, ReviewStatus | str]) -> int:
        """Give many tasks their verdicts: two listings (the tasks' annotation ids, the project's reviews), then
        one request per review that is not already the latest verdict. Returns how many reviews were made or removed.

        Every task is checked (in the project, annotated) before the first review is written.

        Example::

            backend.reviews.set_many(job.id, {101: ReviewStatus.ACCEPTED, 102: ReviewStatus.REJECTED})  # -> 2
        """
        pid = as_int(job_id, "job_id")
        wanted = {as_int(t, "item_id"): ReviewStatus(s) for t, s in dict(verdicts).items()}
        if not wanted:
            return 0
        tasks = {t: anns for t, anns in self._annotations(pid).items() if t in wanted}
        strangers = sorted(set(wanted) - set(tasks))
        if strangers:
            raise ValidationError(f"verdicts: tasks {strangers[:5]} are not in project {pid}")
        bare = sorted(t for t, anns in tasks.items() if not anns)
        if bare:
            raise ValidationError(f"verdicts: tasks {bare[:5]} have no annotation (Label Studio reviews annotations)")
        return self._apply(pid, tasks, wanted, project_reviews(self, pid))

    def _apply(self, pid: int, tasks: dict[int, list[int]], wanted: dict[int, ReviewStatus], reviews) -> int:
        """Write only the reviews that change a verdict; returns how many were made or removed."""
        latest, changed = latest_verdicts(reviews), 0
        for tid, annotation_ids in tasks.items():
            if wanted[tid] is ReviewStatus.NONE:
                for review in reviews:
                    if review["annotation"] in annotation_ids:
                        with self.call(f"deleting review {review['id']} of project {pid}"):
                            self.sdk.annotation_reviews.delete(review["id"])
                        changed += 1
                continue
            accepted = wanted[tid] is ReviewStatus.ACCEPTED
            for annotation in annotation_ids:
                if latest.get(annotation) is not accepted:  # no review yet, or the other verdict
                    self.review(annotation, accepted=accepted)
                    changed += 1
        return changed

    def reject(self, job_id: Id, *, only_unmarked: bool = False) -> None:
        """Reject the annotations of every task (only of tasks nobody reviewed yet with only_unmarked)."""
        pid = as_int(job_id, "job_id")
        tasks, verdicts = self._annotations(pid), latest_verdicts(project_reviews(self, pid))
        for anns in tasks.values():
            if anns and not (only_unmarked and task_review_status(anns, verdicts) is not ReviewStatus.NONE):
                for annotation in anns:
                    self.review(annotation, accepted=False)

    @requires(Capability.REVIEWS)
    def review(self, annotation_id: Id, *, accepted: bool, comment: str | None = None) -> dict[str, Any]:
        """Accept or reject one annotation, with an optional comment.

        The comment is a documented field of the request (AnnotationReviewRequest.comment); the answer
        (AnnotationReview) has none, so the dict returned carries no comment: the annotation history shows it.
        """
        aid = as_int(annotation_id, "annotation_id")
        extra = {"comment": comment} if comment else {}
        with self.call(f"reviewing annotation {aid}"):
            return as_dict(self.sdk.annotation_reviews.create(annotation=aid, accepted=accepted, **extra))

    @requires(Capability.REVIEWS)
    def of_annotation(self, annotation_id: Id) -> list[dict[str, Any]]:
        """Every review of one annotation."""
        aid = as_int(annotation_id, "annotation_id")
        with self.call(f"listing the reviews of annotation {aid}"):
            return [as_dict(r) for r in self.sdk.annotation_reviews.list(annotation=aid)]


def task_statuses(api: LabelStudioSubAPI, pid: int, tasks: list[dict[str, Any]]) -> dict[int, ReviewStatus]:
    """task id -> its review status, for tasks read with their annotations (one request for the reviews).

    Example::

        task_statuses(ls.reviews, 12, [{"id": 88, "annotations": [{"id": 501}]}])
        # -> {88: <ReviewStatus.ACCEPTED: 'accepted'>}
    """
    verdicts = latest_verdicts(project_reviews(api, pid))
    return {t["id"]: task_review_status([a["id"] for a in t.get("annotations") or []], verdicts) for t in tasks}


def task_review_status(annotations: list[int], verdicts: dict[int, bool]) -> ReviewStatus:
    """A task's status from its annotations' latest verdicts: any rejected, rejected; else any accepted, accepted.

    >>> task_review_status([5, 6], {5: True, 6: False}).value, task_review_status([7], {5: True}).value
    ('rejected', 'none')
    """
    seen = [verdicts[a] for a in annotations if a in verdicts]
    if not seen:
        return ReviewStatus.NONE
    return ReviewStatus.ACCEPTED if all(seen) else ReviewStatus.REJECTED


# ---------------------------------------------------------------- members


def organization_id(api: LabelStudioSubAPI) -> int:
    """The id of the token's user's active organization (one whoami request).

    Example::

        organization_id(ls.users)  # -> 1
    """
    with api.call("reading the current user"):
        return int(api.sdk.users.whoami().active_organization)


def org_role(api: LabelStudioSubAPI, user_id: int) -> str | None:
    """The user's organization role ("annotator", "reviewer", ...), or None if not a member.

    Read from the organization's membership listing (LseOrganizationMemberList.role): the documented answer for
    one member (OrganizationMember, memberships/{user}/) has no role. Pages are read until the user is found.

    Example::

        org_role(ls.users, 7)  # -> 'annotator'
    """
    from .paging import all_pages

    org = organization_id(api)
    with api.call(f"reading the organization role of user {user_id}"):
        for member in all_pages(lambda page: api.sdk.organizations.members.list(org, page=page, page_size=100)):
            member = as_dict(member)
            user = member.get("user")
            if (user.get("id") if isinstance(user, dict) else user) == user_id:
                role = member.get("role")
                return _ROLE_NAMES.get(role, role.lower() if isinstance(role, str) else None)
    return None


def set_org_role(api: LabelStudioSubAPI, user_id: int, role: Role) -> None:
    """Give the user `role` in the organization (Enterprise).

    Example::

        set_org_role(ls.users, 7, Role.REVIEWER)
    """
    org = organization_id(api)
    with api.call(f"giving user {user_id} the {Role(role).value} role"):
        api.sdk.organizations.members.update(org, user_id=user_id, role=ROLE_CODE[Role(role)])


def project_members(api: LabelStudioSubAPI, pid: int, *, implicit: bool = False) -> list[dict[str, Any]]:
    """The project's explicit members, page by page (Enterprise); with `implicit`, also those who see it through
    their organization role or workspace (Owners, Administrators), which the server lists unless told not to.

    Example::

        [m["id"] for m in project_members(ls.users, 12)]  # -> [1, 7]
    """
    from .paging import all_pages

    def page_of(page: int) -> Any:
        return api.sdk.projects.members.paginated.list(pid, page=page, **({} if implicit else {"implicit": False}))

    with api.call(f"listing the members of project {pid}"):
        return [as_dict(m) for m in all_pages(page_of)]


def add_project_member(api: LabelStudioSubAPI, pid: int, user_id: int) -> None:
    """Make the user a member of the project (Enterprise).

    Example::

        add_project_member(ls.users, 12, 7)
    """
    with api.call(f"adding user {user_id} to project {pid}"):
        api.sdk.projects.members.add(pid, user=user_id)


def remove_project_member(api: LabelStudioSubAPI, pid: int, user_id: int) -> None:
    """Take the user out of the project's members (Enterprise).

    Example::

        remove_project_member(ls.users, 12, 7)
    """
    with api.call(f"removing user {user_id} from project {pid}"):
        api.sdk.projects.members.remove(pid, user=user_id)


# ---------------------------------------------------------------- pauses


class LabelStudioPauses(LabelStudioSubAPI, PausesAPI[LabelStudioProvider]):
    """Pausing an annotator in a project (they see no tasks until resumed); `list` is a Label Studio extra."""

    def pause(self, job_id: Id, user_id: Id, *, reason: str = "MANUAL", message: str | None = None) -> dict[str, Any]:
        """Pause the user in the job's project, with a reason and an optional message they see."""
        pid, uid = as_int(job_id, "job_id"), as_int(user_id, "user_id")
        extra = {"verbose_reason": message} if message else {}
        with self.call(f"pausing user {uid} in project {pid}"):
            return as_dict(self.sdk.projects.pauses.create(pid, uid, reason=reason, **extra))

    @requires(Capability.PAUSE_ANNOTATORS)
    def list(self, job_id: Id, user_id: Id) -> list[dict[str, Any]]:
        """The user's pauses in the job's project, resumed ones included (they carry deleted_at)."""
        return self._pauses(job_id, user_id, resumed_too=True)

    @requires(Capability.PAUSE_ANNOTATORS)
    def _pauses(self, job_id: Id, user_id: Id, *, resumed_too: bool) -> list[dict[str, Any]]:
        """The server lists resumed (soft-deleted) pauses only when asked with include_deleted."""
        pid, uid = as_int(job_id, "job_id"), as_int(user_id, "user_id")
        extra = {"include_deleted": True} if resumed_too else {}
        with self.call(f"listing the pauses of user {uid} in project {pid}"):
            return [as_dict(p) for p in self.sdk.projects.pauses.list(pid, uid, **extra)]

    def is_paused(self, job_id: Id, user_id: Id) -> bool:
        """Whether the user has a pause in the job's project that is not resumed."""
        return any(not p.get("deleted_at") for p in self._pauses(job_id, user_id, resumed_too=False))

    def resume(self, job_id: Id, user_id: Id) -> int:
        """Lift every active pause of the user in the project; returns how many."""
        pid, uid = as_int(job_id, "job_id"), as_int(user_id, "user_id")
        active = [p for p in self._pauses(pid, uid, resumed_too=False) if not p.get("deleted_at")]
        for pause in active:
            with self.call(f"resuming user {uid} in project {pid}"):
                self.sdk.projects.pauses.delete(pid, uid, pause["id"])
        return len(active)
