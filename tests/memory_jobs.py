"""The in-memory provider's jobs (one of many per project, one per annotator), assignments, reviews and pauses."""

from __future__ import annotations

from collections import Counter
from typing import Any, Iterable, Mapping

from annobridge import Assignment, Job, JobEntity, JobSpec, JobStatus, ReviewStatus, Role, Unsupported
from annobridge.errors import ValidationError
from annobridge.errors import NotFound
from annobridge.models import JobStats, JobUpdate, UserStats
from annobridge.provider import AssignmentsAPI, JobsAPI, PausesAPI, ReviewsAPI

from .memory_state import Server, StoredJob, new_id

SETTINGS = tuple(f for f in JobSpec.model_fields if f in Job.model_fields and f not in ("project_id", "custom_data", "options"))
"""The settings a spec gives its jobs as they are (name, readme, limits...)."""


def _no_options(options: Any, backend: str) -> None:
    if options is not None:
        raise ValidationError(f"options: {type(options).__name__} is for {options.provider or 'another provider'}; "
                              f"{backend} takes no provider options")


def _status(value: JobStatus | str) -> JobStatus:
    try:
        return JobStatus(getattr(value, "value", value))
    except ValueError:
        raise ValidationError(f"status: {value!r} is not one of {[s.value for s in JobStatus]}") from None


def _verdict(value: ReviewStatus | str) -> ReviewStatus:
    try:
        return ReviewStatus(getattr(value, "value", value))
    except ValueError:
        raise ValidationError(f"status: {value!r} is not one of {[s.value for s in ReviewStatus]}") from None


class _MemorySubAPI:
    @property
    def state(self) -> Server:
        return self.backend.state

    def _user_id(self, ref: Any, field: str) -> int:
        try:
            return self.state.user(getattr(ref, "id", ref)).id
        except NotFound:
            raise ValidationError(f"{field}: no user {ref!r} on {self.backend.describe()}") from None


class MemoryJobs(_MemorySubAPI, JobsAPI):
    """Jobs in a project: a spec with k annotators makes k jobs over the same items, as Supervisely does."""

    def to_job(self, job: StoredJob, *, entities: bool = False) -> Job:
        state = self.state
        items = state.items.get(job.project_id, {})
        people = [state.user(u) for u in dict.fromkeys(
            [*job.annotators, *(a.user_id for a in sorted(job.assignments, key=str) if a.role is Role.ANNOTATOR)])]
        reviewers = [state.user(u) for u in dict.fromkeys(
            [*([job.reviewer] if job.reviewer is not None else []),
             *(a.user_id for a in sorted(job.assignments, key=str) if a.role is Role.REVIEWER)])]
        verdicts = Counter(job.verdicts.get(i, ReviewStatus.NONE) for i in job.items)
        return Job(
            id=job.id, backend=self.backend.name, status=JobStatus(job.status), archived=job.archived,
            project_id=job.project_id, project_name=state.projects[job.project_id].name,
            created_by=state.user(job.created_by) if job.created_by is not None else None,
            assignees=people, reviewers=reviewers, created_at=job.created_at, items_count=len(job.items),
            finished_items_count=sum(bool(items[i].annotations) for i in job.items if i in items),
            accepted_items_count=verdicts[ReviewStatus.ACCEPTED], rejected_items_count=verdicts[ReviewStatus.REJECTED],
            custom_data=dict(job.custom_data),
            entities=[JobEntity(id=i, name=items[i].name, review_status=job.verdicts.get(i, ReviewStatus.NONE))
                      for i in job.items if i in items] if entities else None,
            **job.settings,
        )

    def _plan(self, spec: JobSpec) -> tuple[int, list[int], list[int | None], int | None]:
        """(project, items, annotators, reviewer) of a spec, checked before anything is made."""
        _no_options(spec.options, self.backend.describe())
        if spec.project_id is None:
            raise ValidationError("project_id: a memory job is one of many jobs in a project; give its project_id")
        project = self.state.project(spec.project_id)
        if spec.label_schema is not None and spec.label_schema != project.schema_:
            raise ValidationError(f"label_schema: a memory job labels its project's schema; project {project.id} "
                                  "has another (change it with projects.set_schema)")
        stored = self.state.project_items(project.id)
        known = {i.id for i in stored}
        if spec.item_ids:
            wanted = [int(i) if str(i).isdigit() else i for i in spec.item_ids]
            missing = [i for i in wanted if i not in known]
            if missing:
                raise ValidationError(f"item_ids: {missing} are not items of project {project.id}")
            items = list(dict.fromkeys(wanted))
        else:
            items = [i.id for i in stored]
        if spec.item_range is not None:
            items = items[spec.item_range[0]:spec.item_range[1]]
        by_id = {i.id: i for i in stored}

        def tagged(item: int, names: list[str]) -> bool:
            return any(t.name in names for a in by_id[item].annotations for t in a.tags)

        if spec.include_items_with_tags:
            items = [i for i in items if tagged(i, spec.include_items_with_tags)]
        if spec.exclude_items_with_tags:
            items = [i for i in items if not tagged(i, spec.exclude_items_with_tags)]
        annotators = [self._user_id(u, "annotators") for u in spec.annotators] or [None]
        reviewer = self._user_id(spec.reviewer, "reviewer") if spec.reviewer is not None else None
        return project.id, items, annotators, reviewer

    def _make(self, project_id: int, settings: dict, items: list[int], annotators: list[int | None],
              reviewer: int | None, custom_data: dict, op: str = "jobs.create") -> list[Job]:
        me = self.backend.users.me().id
        made = [
            StoredJob(id=new_id(), project_id=project_id, settings=dict(settings), items=list(items),
                      annotators=[a] if a is not None else [], reviewer=reviewer, created_by=me,
                      custom_data=dict(custom_data))
            for a in annotators
        ]
        for job in made:
            job.assignments = {Assignment(item_id=i, user_id=u, role=Role.ANNOTATOR) for u in job.annotators
                               for i in items}
            if reviewer is not None:
                job.assignments |= {Assignment(item_id=i, user_id=reviewer, role=Role.REVIEWER) for i in items}
            job.log("created", me)

        def apply():
            for job in made:
                self.state.jobs[job.id] = job

        self.state.write(op, apply)
        return [self.to_job(job) for job in made]

    def create(self, spec: JobSpec) -> list[Job]:
        self.check_settings(spec)
        project, items, annotators, reviewer = self._plan(spec)
        settings = spec.model_dump(include=set(SETTINGS))
        return self._make(project, settings, items, annotators, reviewer, spec.custom_data)

    def get(self, job_id):
        return self.to_job(self.state.job(job_id), entities=True)

    def list(self, *, project_id=None, dataset_id=None, created_by=None, assigned_to=None, include_archived=False):
        if dataset_id is not None:
            raise ValidationError(f"dataset_id: memory servers have no datasets (got {dataset_id!r})")
        with self.state.lock:
            stored = list(self.state.jobs.values())
        found = []
        for job in stored:
            if (job.archived and not include_archived) or (
                project_id is not None and str(job.project_id) != str(project_id)) or (
                created_by is not None and str(job.created_by) != str(created_by)):
                continue
            listed = self.to_job(job)
            people = {str(u.id) for u in [*listed.assignees, *listed.reviewers]}
            if assigned_to is None or str(assigned_to) in people:
                found.append(listed)
        return found

    def update(self, job_id, changes: JobUpdate):
        job = self.state.job(job_id)
        _no_options(changes.options, self.backend.describe())
        if changes.label_schema is not None and changes.label_schema != self.state.project(job.project_id).schema_:
            raise ValidationError("label_schema: a memory job labels its project's schema (change it with "
                                  "projects.set_schema)")
        reviewer = self._user_id(changes.reviewer, "reviewer") if changes.reviewer is not None else None
        fields = changes.model_dump(exclude_none=True, include={"name", "readme", "description"})

        def apply():
            job.settings.update(fields)
            if reviewer is not None:
                job.assignments = {a for a in job.assignments if a.role is not Role.REVIEWER}
                job.assignments |= {Assignment(item_id=i, user_id=reviewer, role=Role.REVIEWER) for i in job.items}
                job.reviewer = reviewer

        self.state.write("jobs.update", apply)
        return self.get(job_id)

    def delete(self, job_id):
        job = self.state.job(job_id)
        self.state.write("jobs.delete", lambda: self.state.jobs.pop(job.id, None))

    def set_status(self, job_id, status):
        job, wanted = self.state.job(job_id), _status(status)

        def apply():
            job.status = wanted.value
            job.log("status", self.backend.users.me().id, detail=wanted.value)

        self.state.write("jobs.set_status", apply)

    def stop(self, job_id):
        self.set_status(job_id, JobStatus.STOPPED)

    def archive(self, job_id):
        job = self.state.job(job_id)
        self.state.write("jobs.archive", lambda: setattr(job, "archived", True))

    def get_custom_data(self, job_id):
        return dict(self.state.job(job_id).custom_data)

    def set_custom_data(self, job_id, data, *, replace=False):
        job = self.state.job(job_id)
        if not isinstance(data, dict):
            raise ValidationError(f"data: custom data is a JSON object, not {type(data).__name__}")
        self.state.write("jobs.set_custom_data",
                         lambda: setattr(job, "custom_data", dict(data) if replace else {**job.custom_data, **data}))

    def stats(self, job_id) -> JobStats:
        job, state = self.state.job(job_id), self.state
        items = state.items.get(job.project_id, {})
        held = [i for i in job.items if i in items]
        verdicts = [job.verdicts.get(i, ReviewStatus.NONE) for i in held]
        people: dict[tuple[int, Role], list[int]] = {}
        for a in job.assignments:
            if a.item_id in items:
                people.setdefault((a.user_id, a.role), []).append(a.item_id)
        users = []
        for (user_id, role), mine in sorted(people.items(), key=lambda p: (str(p[0][0]), p[0][1].value)):
            login = state.user(user_id).login
            users.append(UserStats(
                user_id=user_id, login=login, role=role, items=len(mine),
                annotated=sum(any(a.author == login for a in items[i].annotations) for i in mine),
                accepted=sum(job.verdicts.get(i) is ReviewStatus.ACCEPTED for i in mine),
                rejected=sum(job.verdicts.get(i) is ReviewStatus.REJECTED for i in mine),
            ))
        return JobStats(
            job_id=job.id, items=len(held), annotated=sum(bool(items[i].annotations) for i in held),
            accepted=verdicts.count(ReviewStatus.ACCEPTED), rejected=verdicts.count(ReviewStatus.REJECTED),
            annotations=sum(len(items[i].annotations) for i in held), users=users,
        )

    def activity(self, job_id):
        return list(self.state.job(job_id).activity)

    def _people(self, assignees, reviewer, job: StoredJob) -> tuple[list[int | None], int | None]:
        if assignees is not None:
            if not assignees:
                raise ValidationError("assignees: an empty list leaves the items to nobody; pass None to keep them")
            people = [self._user_id(u, "assignees") for u in assignees]
            twice = sorted({str(p) for p in people if people.count(p) > 1})
            if twice:
                raise ValidationError(f"assignees: user {twice[0]} is named twice; each gets one job")
        else:
            people = list(job.annotators) or [None]
        chief = self._user_id(reviewer, "reviewer") if reviewer is not None else job.reviewer
        return people, chief

    def create_restart(self, request):
        """New jobs over the rejected items (every unaccepted one with only_rejected=False), shared among the
        assignees (default: the old annotators); the old job is completed."""
        job, only_rejected = self.state.job(request.job.id), request.only_rejected
        people, chief = self._people(request.assignees, request.reviewer, job)
        keep = {ReviewStatus.REJECTED} if only_rejected else {ReviewStatus.REJECTED, ReviewStatus.NONE}
        chosen = [i for i in job.items if job.verdicts.get(i, ReviewStatus.NONE) in keep]
        if not chosen:
            raise ValidationError(f"job_id: job {job.id} has no {'rejected' if only_rejected else 'unaccepted'} "
                                  "items to restart with")
        if len(people) > len(chosen):
            raise ValidationError(f"assignees: {len(people)} annotators for {len(chosen)} items; each needs one")
        settings = {**job.settings, "name": request.name}
        made = []
        for n, person in enumerate(people):
            made += self._make(job.project_id, settings, chosen[n::len(people)], [person], chief, job.custom_data,
                               op="jobs.restart")
        self.state.write("jobs.set_status", lambda: setattr(job, "status", JobStatus.COMPLETED.value))
        return made

    def clone(self, job_id, *, name=None, assignees=None, reviewer=None, with_annotations=None):
        """Copies over the same items; the items are the project's, so their annotations come along."""
        job = self.state.job(job_id)
        if with_annotations is False:
            raise Unsupported("jobs.clone with_annotations=False", self.backend.describe(),
                              "jobs over one project's items share its items' annotations; a copy cannot leave them out")
        people, chief = self._people(assignees, reviewer, job)
        settings = {**job.settings, "name": name or f"{job.settings['name']} (copy)"}
        return self._make(job.project_id, settings, job.items, people, chief, job.custom_data, op="jobs.clone")


class MemoryAssignments(_MemorySubAPI, AssignmentsAPI):
    """Who labels and reviews which items of a job; an item may have several annotators."""

    def assign(self, job_id, assignments: Iterable[Assignment]):
        job = self.state.job(job_id)
        plan = list(assignments)
        for a in plan:
            if not isinstance(a, Assignment):
                raise ValidationError(f"assignments: {a!r} is not an Assignment")
            if (int(a.item_id) if str(a.item_id).isdigit() else a.item_id) not in job.items:
                raise ValidationError(f"assignments: item {a.item_id} is not in job {job.id}")
        resolved = [Assignment(item_id=int(a.item_id), user_id=self._user_id(a.user_id, "assignments"), role=a.role)
                    for a in plan]

        def apply():
            job.assignments |= set(resolved)
            job.log("assigned", self.backend.users.me().id, detail=f"{len(resolved)} assignments")

        self.state.write("assignments.assign", apply)

    def unassign(self, job_id, item_ids, role=Role.ANNOTATOR):
        job, gone = self.state.job(job_id), {str(i) for i in item_ids}
        kind = Role(getattr(role, "value", role))
        self.state.write("assignments.unassign", lambda: setattr(job, "assignments", {
            a for a in job.assignments if not (a.role is kind and str(a.item_id) in gone)}))

    def list(self, job_id):
        job = self.state.job(job_id)
        return sorted(job.assignments, key=lambda a: (a.item_id, str(a.user_id), a.role.value))


class MemoryReviews(_MemorySubAPI, ReviewsAPI):
    """Verdicts per item of a job."""

    def list(self, job_id):
        job = self.state.job(job_id)
        items = self.state.items.get(job.project_id, {})
        return [JobEntity(id=i, name=items[i].name, review_status=job.verdicts.get(i, ReviewStatus.NONE))
                for i in job.items if i in items]

    def set(self, job_id, item_id, status):
        self.set_many(job_id, {item_id: status})

    def set_many(self, job_id, verdicts: Mapping[Any, ReviewStatus | str]) -> int:
        """Every verdict in one write (checked first: items of the job, known statuses)."""
        job = self.state.job(job_id)
        given = {}
        for item, status in verdicts.items():
            key = int(item) if str(item).isdigit() else item
            if key not in job.items:
                raise ValidationError(f"item_id: {item} is not in job {job.id}")
            given[key] = _verdict(status)

        def apply():
            for item, status in given.items():
                job.verdicts[item] = status
                job.log("reviewed", self.backend.users.me().id, item, status.value)

        if given:
            self.state.write("reviews.set_many", apply)
        return len(given)

    def reject(self, job_id, *, only_unmarked=False):
        job = self.state.job(job_id)
        chosen = {i: ReviewStatus.REJECTED for i in job.items
                  if not only_unmarked or job.verdicts.get(i, ReviewStatus.NONE) is ReviewStatus.NONE}
        self.set_many(job_id, chosen)


class MemoryPauses(_MemorySubAPI, PausesAPI):
    """Pausing one annotator of a job."""

    def pause(self, job_id, user_id, *, reason="MANUAL", message=None):
        job, user = self.state.job(job_id), self._user_id(user_id, "user_id")

        def apply():
            job.pauses[str(user)] = job.pauses.get(str(user), 0) + 1
            job.log("paused", user, detail=message or reason)

        self.state.write("pauses.pause", apply)
        return {"job": job.id, "user": user, "reason": reason, "message": message}

    def is_paused(self, job_id, user_id):
        return self.state.job(job_id).pauses.get(str(self._user_id(user_id, "user_id")), 0) > 0

    def resume(self, job_id, user_id):
        job, user = self.state.job(job_id), self._user_id(user_id, "user_id")
        lifted = job.pauses.get(str(user), 0)
        if lifted:
            self.state.write("pauses.resume", lambda: job.pauses.pop(str(user), None))
        return lifted
