"""Neutral jobs on Supervisely's LabelingJobApi: create (one job per annotator), find, steer, clone, remove."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable

from annobridge.errors import NotFound, Unsupported, ValidationError
from annobridge.ids import id_if_numeric, optional_backend_id
from annobridge.models import Activity, Id, Job, JobSpec, JobStats, JobStatus, JobUpdate, ReviewStatus
from annobridge.provider import JobsAPI, Restart
from annobridge.schema import LabelSchema

from .convert import job_from_info, job_status, sly_id
from .job_create import create_plan, json_object, update_plan
from .job_progress import activity_from_event, stats_from_sly
from .options import META_KEYS
from .users import resolve_members, team_members

if TYPE_CHECKING:
    from .provider import SuperviselyProvider


class SuperviselyJobs(JobsAPI["SuperviselyProvider"]):
    """Labeling jobs (api.labeling_job). What only Supervisely has goes in SuperviselyJobOptions (create),
    SuperviselyJobChanges (update) and comes back in Job.options (SuperviselyJobDetails); see options.py."""

    @property
    def _sdk(self):
        return self.backend.api.labeling_job

    # -- reading ---------------------------------------------------------------------------

    def fetch(self, job_id: Id) -> tuple[Any, dict[str, Any]]:
        """The job's LabelingJobInfo (with entities) and its custom data, from one jobs.info request."""
        info, payload = self.fetch_payload(job_id)
        return info, payload.get("customData") or {}

    def fetch_payload(self, job_id: Id) -> tuple[Any, dict[str, Any]]:
        """The job's LabelingJobInfo and the jobs.info JSON it was read from (custom data, meta)."""
        ident = sly_id(job_id, "job_id")
        try:
            with self.backend.errors():
                payload = self.backend.api.post("jobs.info", {"id": ident}).json()
                # the SDK's private parser of jobs.info on purpose: the one its get_info_by_id uses
                return self._sdk._convert_json_info(payload), payload
        except NotFound:
            raise self.backend.not_found(f"labeling job {job_id}") from None

    def get(self, job_id: Id) -> Job:
        """The job with its entities (items and their review statuses), custom data and Supervisely details."""
        info, payload = self.fetch_payload(job_id)
        return job_from_info(
            info, backend=self.backend.name, custom_data=payload.get("customData") or {}, meta=payload.get("meta")
        )

    def list(
        self,
        *,
        project_id: Id | None = None,
        dataset_id: Id | None = None,
        created_by: Id | None = None,
        assigned_to: Id | None = None,
        include_archived: bool = False,
    ) -> list[Job]:
        """Every job of the team matching the filters (all pages); archived ones only if asked.

        Listed jobs carry no entities and no custom data (jobs.list has neither); get() has them.
        """
        creator, assignee = (
            self._user(ref, field) for ref, field in ((created_by, "created_by"), (assigned_to, "assigned_to"))
        )
        with self.backend.errors():
            infos = self._sdk.get_list(
                self.backend.team_id,
                created_by_id=creator,
                assigned_to_id=assignee,
                project_id=optional_backend_id(project_id, "project_id", "Supervisely"),
                dataset_id=optional_backend_id(dataset_id, "dataset_id", "Supervisely"),
                show_disabled=include_archived,
            )
        return [job_from_info(info, backend=self.backend.name) for info in infos]

    def status(self, job_id: Id) -> JobStatus:
        return job_status(self.fetch(job_id)[0].status)

    def wait(self, job_id: Id, status: JobStatus | str, *, timeout: float = 60.0, poll_interval: float = 1.0) -> Job:
        """Poll until the job reaches `status` (a JobStatus, the SDK's Status, or its string); TimedOut after `timeout`.

        The SDK's own wait compares with `is`, so a string target never matches; this one does, e.g.
        `sv.jobs.wait(job.id, "on_review", timeout=600)`.
        """
        return super().wait(job_id, job_status(status), timeout=timeout, poll_interval=poll_interval)

    def stats(self, job_id: Id) -> JobStats:
        """Items per review status, labeled objects, and the annotator's and reviewer's shares, from jobs.stats
        (job_progress.stats_from_sly)."""
        info, _ = self.fetch(job_id)
        with self.backend.errors():
            return stats_from_sly(self._sdk.get_stats(info.id), info)

    def activity(self, job_id: Id) -> list[Activity]:
        """What happened in the job, oldest first: the team's activity filtered by the job (teams.activity).

        LabelingJobApi.get_activity sends the same request and wraps the answer in a pandas
        DataFrame; TeamApi.get_activity hands back the events themselves.
        """
        info, _ = self.fetch(job_id)
        with self.backend.errors():
            events = self.backend.api.team.get_activity(info.team_id, filter_job_id=info.id)
        # the server answers newest first: reversed, a stable sort by date keeps ties in the order they happened
        return [activity_from_event(e) for e in sorted(reversed(events), key=lambda e: e.get("date") or "")]

    def label_schema(self, job_id: Id) -> LabelSchema:
        """The classes and tags the job labels (LabelingJobApi.get_project_meta) as a LabelSchema."""
        from .meta import meta_to_schema

        with self.backend.errors():
            meta = self._sdk.get_project_meta(sly_id(job_id, "job_id"))
        return meta_to_schema(meta.to_json())[0]

    # -- creating --------------------------------------------------------------------------

    def create(self, spec: JobSpec) -> list[Job]:
        """One labeling job per annotator, on one dataset; custom data is set on each afterwards.

        Everything is checked before anything is written (job_create.py): the dataset, the users'
        team membership, class and tag names against the project, the options (SuperviselyJobOptions).

        Example (two annotators: two jobs)::

            sv.jobs.create(JobSpec(name="lemons", project_id=5, annotators=["labeler_1", "labeler_2"],
                                   options=SuperviselyJobOptions(dynamic_tags=True)))
        """
        self.check_settings(spec)
        plan = create_plan(self.backend, spec)
        with self.backend.errors():
            infos = self._sdk.create(**plan)
        if spec.custom_data:
            try:
                with self.backend.errors():
                    for info in infos:
                        self._sdk.set_custom_data(info.id, spec.custom_data, update=False)
            except Exception:
                self.delete_many([info.id for info in infos])  # leave nothing half-made
                raise
        meta = _meta_of(plan)
        name = self.backend.name
        return [job_from_info(info, backend=name, custom_data=spec.custom_data, meta=meta) for info in infos]

    # -- changing --------------------------------------------------------------------------

    def update(self, job_id: Id, changes: JobUpdate) -> Job:
        """Change the job's name, readme, description, reviewer and (options) annotator: one jobs.editInfo.

        Example::

            sv.jobs.update(job.id, JobUpdate(description="second round", reviewer="reviewer_1",
                                             options=SuperviselyJobChanges(annotator="labeler_2")))
        """
        ident = sly_id(job_id, "job_id")
        data = update_plan(self.backend, changes)
        if data:
            try:
                with self.backend.errors():
                    self.backend.api.post("jobs.editInfo", {"id": ident, **data})
            except NotFound:
                raise self.backend.not_found(f"labeling job {job_id}") from None
        return self.get(ident)

    def set_status(self, job_id: Id, status: JobStatus | str) -> None:
        target = job_status(status)
        with self.backend.errors():
            self._sdk.set_status(sly_id(job_id, "job_id"), target.value)

    def stop(self, job_id: Id) -> None:
        """Make the job unavailable to its labeler (status stopped)."""
        with self.backend.errors():
            self._sdk.stop(sly_id(job_id, "job_id"))

    def archive(self, job_id: Id) -> None:
        """Archive (disable) the job: it leaves list() unless include_archived, and can still be read."""
        with self.backend.errors():
            self._sdk.archive(sly_id(job_id, "job_id"))

    def create_restart(self, request: Restart, *, complete_existing: bool = True) -> list[Job]:
        """New jobs over the rejected items, or with only_rejected=False over every item not accepted (restart's
        Supervisely half: JobsAPI.restart has checked the name, the assignees list and read the old job).

        As LabelingJobApi.restart does, only_rejected=False first rejects the old job's unmarked items (none or
        done), then restarts; the assignees share the items (one job each). complete_existing (Supervisely's own
        option) completes the old job; False leaves its status as it is. Refused with a ValidationError before any
        write: a user not in the team, a user named twice (by id and login), a job with nothing to restart, more
        assignees than items.
        """
        if not isinstance(complete_existing, bool):
            raise ValidationError(f"complete_existing: {complete_existing!r} is not True or False")
        job_id = sly_id(request.job.id, "job_id")
        needs_members = request.assignees is not None or request.reviewer is not None
        members = team_members(self.backend) if needs_members else {}
        assignee_ids = None
        if request.assignees is not None:
            assignee_ids = resolve_members(self.backend, request.assignees, "assignees", members)
            twice = sorted({i for i in assignee_ids if assignee_ids.count(i) > 1})
            if twice:
                raise ValidationError(f"assignees: user {twice[0]} is named twice; each gets one job")
        reviewer_id = None
        if request.reviewer is not None:
            (reviewer_id,) = resolve_members(self.backend, [request.reviewer], "reviewer", members)
        wanted = (ReviewStatus.REJECTED,) if request.only_rejected else (ReviewStatus.REJECTED, ReviewStatus.NONE)
        count = sum(e.review_status in wanted for e in request.job.entities or [])  # "done" reads as NONE
        if not count:
            what = "rejected" if request.only_rejected else "unaccepted"
            raise ValidationError(f"job_id: labeling job {job_id} has no {what} items to restart with")
        if assignee_ids is not None and len(assignee_ids) > count:
            raise ValidationError(
                f"assignees: {len(assignee_ids)} annotators for {count} items to restart; each needs one"
            )
        with self.backend.errors():
            created = self._sdk.restart(
                job_id,
                assignee_ids=assignee_ids,
                reviewer_id=reviewer_id,
                title=request.name,
                complete_existing=complete_existing,
                only_rejected_entities=request.only_rejected,
            )
        return [self.get(job["id"]) for job in created]

    def clone(
        self,
        job_id: Id,
        *,
        name: str | None = None,
        assignees: list[Id] | None = None,
        reviewer: Id | None = None,
        with_annotations: bool | None = None,
    ) -> list[Job]:
        """Copies of the job (same dataset, images, classes, tags, limits, settings) for `assignees` (default: its
        annotator) and `reviewer` (default: its own).

        The copies label the same images, so they hold the annotations the images hold (with_annotations
        None or True); a copy without them (False) cannot be had, and is refused before anything is made.
        Made as LabelingJobApi.clone makes them, with the settings of the job's meta it leaves out
        (dynamic classes and tags, guide, buttons, quality check, read-only tags).
        """
        if with_annotations is False:
            raise Unsupported(
                "jobs.clone(with_annotations=False)",
                self.backend.describe(),
                "a Supervisely job's copies label the same images, and an image's annotation is one for every "
                "job on it; copy the project (or its items) and make the job there instead",
            )
        if name is not None:
            self.check_name(name)
        if assignees is not None and not assignees:
            raise ValidationError(
                "assignees: an empty list leaves the items to nobody; pass None to keep the annotator"
            )
        people = resolve_members(
            self.backend, [*(assignees or []), *([reviewer] if reviewer is not None else [])], "assignees"
        )
        info, payload = self.fetch_payload(job_id)
        meta = payload.get("meta") or {}
        settings = {field: meta[key] for field, key in META_KEYS.items() if meta.get(key) is not None}
        with self.backend.errors():
            infos = self._sdk.create(
                name=name if name is not None else info.name,
                dataset_id=info.dataset_id,
                user_ids=people[: len(assignees)] if assignees is not None else [info.assigned_to_id],
                readme=info.readme,
                description=info.description,
                classes_to_label=info.classes_to_label,
                objects_limit_per_image=info.objects_limit_per_image,
                tags_to_label=info.tags_to_label,
                tags_limit_per_image=info.tags_limit_per_image,
                include_images_with_tags=info.include_images_with_tags,
                exclude_images_with_tags=info.exclude_images_with_tags,
                images_range=info.images_range,
                reviewer_id=people[-1] if reviewer is not None else info.reviewer_id,
                images_ids=[entity["id"] for entity in info.entities or []],
                **settings,
            )
        return [job_from_info(i, backend=self.backend.name, meta=meta) for i in infos]

    def get_custom_data(self, job_id: Id) -> dict[str, Any]:
        return self.fetch(job_id)[1]

    def set_custom_data(self, job_id: Id, data: dict[str, Any], *, replace: bool = False) -> None:
        """Merge `data` into the job's custom data, or replace it entirely."""
        json_object(data, "data")
        self.fetch(job_id)  # NotFound for a missing job: the SDK would read its data as {}
        with self.backend.errors():
            self._sdk.set_custom_data(sly_id(job_id, "job_id"), data, update=not replace)

    # -- removing --------------------------------------------------------------------------

    def delete(self, job_id: Id) -> None:
        """Remove the job permanently (jobs.bulk.remove)."""
        with self.backend.errors():
            self._sdk.remove(sly_id(job_id, "job_id"))

    def delete_many(self, job_ids: Iterable[Id]) -> None:
        """Remove these jobs permanently, 50 a request; an empty list removes nothing."""
        ids = [int(i) for i in job_ids]
        if ids:
            with self.backend.errors():
                self._sdk.remove_batch(ids)

    def _user(self, ref: Id | None, field: str) -> int | None:
        if ref is None:
            return None
        user_id = id_if_numeric(ref)
        return user_id if user_id is not None else resolve_members(self.backend, [ref], field)[0]


def _meta_of(plan: dict[str, Any]) -> dict[str, Any]:
    """The meta keys of the settings a create plan sent, as jobs.info reports them (LabelingJobApi.create
    always sends dynamicClasses and dynamicTags, False unless asked)."""
    sent = {"dynamic_classes": False, "dynamic_tags": False, **{k: v for k, v in plan.items() if v is not None}}
    return {key: sent[field] for field, key in META_KEYS.items() if field in sent}
