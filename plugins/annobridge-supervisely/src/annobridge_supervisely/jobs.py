"""Neutral jobs on Supervisely's LabelingJobApi: create (one job per annotator), find, steer, remove."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Iterable

from annobridge.annotations import ItemAnnotation
from annobridge.capabilities import Capability
from annobridge.errors import NotFound, Unsupported, ValidationError
from annobridge.fidelity import FidelityReport
from annobridge.models import Id, Job, JobSpec, JobStatus, JobUpdate
from annobridge.provider import JobsAPI, requires
from annobridge.schema import LabelSchema

from .convert import job_from_info, job_status, sly_id
from .job_annotations import neutral_annotations, sly_annotations
from .users import _as_int, resolve_members, team_members

if TYPE_CHECKING:
    from .provider import SuperviselyProvider

# LabelingJobApi.create options without a neutral field, passed through JobSpec.options.
CREATE_OPTIONS = frozenset(
    {
        "disable_confirm",
        "disable_submit",
        "toolbox_settings",
        "enable_quality_check",
        "guide_id",
        "allow_restore",
        "read_only_tags",
    }
)
# What jobs.editInfo changes: JobUpdate fields, and JobUpdate.options by their jobs.editInfo keys.
EDITABLE = frozenset({"name", "readme", "description", "options"})
EDITABLE_OPTIONS = {"annotator": "userId", "reviewer": "reviewerId"}


class SuperviselyJobs(JobsAPI):
    """Labeling jobs (api.labeling_job). JobSpec fields Supervisely has no counterpart for
    (show_skip_button, maximum_annotations, sampling, model_version, color) are Label Studio
    project settings and are ignored here, as JobSpec documents."""

    @property
    def _b(self) -> SuperviselyProvider:
        return self.backend  # type: ignore[return-value]

    @property
    def _sdk(self):
        return self._b.api.labeling_job

    # -- reading ---------------------------------------------------------------------------

    def fetch(self, job_id: Id) -> tuple[Any, dict[str, Any]]:
        """The job's LabelingJobInfo (with entities) and its custom data, from one jobs.info request."""
        ident = sly_id(job_id, "job_id")
        try:
            with self._b.errors():
                payload = self._b.api.post("jobs.info", {"id": ident}).json()
                # the SDK's own parser of jobs.info, as get_info_by_id uses it
                return self._sdk._convert_json_info(payload), payload.get("customData") or {}
        except NotFound:
            raise self._b.not_found(f"labeling job {job_id}") from None

    def get(self, job_id: Id) -> Job:
        """The job with its entities (items and their review statuses) and custom data."""
        info, custom = self.fetch(job_id)
        return job_from_info(info, backend=self._b.name, custom_data=custom)

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
        with self._b.errors():
            infos = self._sdk.get_list(
                self._b.team_id,
                created_by_id=creator,
                assigned_to_id=assignee,
                project_id=_opt_int(project_id, "project_id"),
                dataset_id=_opt_int(dataset_id, "dataset_id"),
                show_disabled=include_archived,
            )
        return [job_from_info(info, backend=self._b.name) for info in infos]

    def status(self, job_id: Id) -> JobStatus:
        return job_status(self.fetch(job_id)[0].status)

    def wait(self, job_id: Id, status: JobStatus | str, *, timeout: float = 60.0, poll_interval: float = 1.0) -> Job:
        """Poll until the job reaches `status` (a JobStatus, the SDK's Status, or its string); TimeoutError after `timeout`.

        The SDK's own wait compares with `is`, so a string target never matches; this one does.

        >>> sv.jobs.wait(job.id, "on_review", timeout=600)   # doctest: +SKIP
        """
        return super().wait(job_id, job_status(status), timeout=timeout, poll_interval=poll_interval)

    def stats(self, job_id: Id) -> dict[str, Any]:
        """The job's statistics as Supervisely reports them (jobs.stats): durations, per-class and per-image counts."""
        with self._b.errors():
            return self._sdk.get_stats(sly_id(job_id, "job_id"))

    @requires(Capability.ANNOTATIONS)
    def annotations(self, job_id: Id, item_ids: Iterable[Id] | None = None) -> dict[int, dict[str, Any]]:
        """The job's annotations as Supervisely annotation JSON, by item id, in the job's order.

        Labels of every class of the project are kept (see job_annotations.py).
        """
        info, ids = self._items(job_id, item_ids)
        return sly_annotations(self._b, info, ids)

    @requires(Capability.ANNOTATIONS)
    def item_annotations(
        self, job_id: Id, item_ids: Iterable[Id] | None = None
    ) -> tuple[list[ItemAnnotation], FidelityReport]:
        """The job's annotations as neutral ItemAnnotations, and the report of what they could not hold."""
        info, ids = self._items(job_id, item_ids)
        return neutral_annotations(self._b, info, ids)

    def _items(self, job_id: Id, item_ids: Iterable[Id] | None) -> tuple[Any, list[int]]:
        info, _ = self.fetch(job_id)
        if item_ids is None:
            return info, [e["id"] for e in info.entities or []]
        return info, [sly_id(i, "item_ids") for i in item_ids]

    def label_schema(self, job_id: Id) -> LabelSchema:
        """The classes and tags the job labels (LabelingJobApi.get_project_meta) as a LabelSchema."""
        from .meta import meta_to_schema

        with self._b.errors():
            meta = self._sdk.get_project_meta(sly_id(job_id, "job_id"))
        return meta_to_schema(meta.to_json())[0]

    # -- creating --------------------------------------------------------------------------

    def create(self, spec: JobSpec) -> list[Job]:
        """One labeling job per annotator, on one dataset; custom data is set on each afterwards.

        Everything is checked before anything is written: the dataset, the users' team
        membership, class and tag names against the project, and the Supervisely options.

        >>> sv.jobs.create(JobSpec(name="lemons", project_id=5, annotators=["labeler_1"], classes_to_label=["lemon"]))  # doctest: +SKIP
        [Job(id=1, name='lemons', ...)]
        """
        b = self._b
        if not spec.annotators:
            raise ValidationError("annotators: a Supervisely labeling job needs at least one annotator")
        unknown = sorted(set(spec.options) - CREATE_OPTIONS)
        if unknown:
            raise ValidationError(f"options: {unknown} are not labeling job options; known: {sorted(CREATE_OPTIONS)}")
        _json_object(spec.custom_data, "custom_data")
        project_id, dataset_id = self._home(spec)
        classes, tags = self._labels(spec, project_id)
        people = resolve_members(
            b, [*spec.annotators, *([spec.reviewer] if spec.reviewer is not None else [])], "annotators"
        )
        annotators, reviewer = people[: len(spec.annotators)], (people[-1] if spec.reviewer is not None else None)
        with b.errors():
            infos = self._sdk.create(
                name=spec.name,
                dataset_id=dataset_id,
                user_ids=annotators,
                readme=spec.readme,
                description=spec.description,
                classes_to_label=classes,
                objects_limit_per_image=spec.objects_limit_per_item,
                tags_to_label=tags,
                tags_limit_per_image=spec.tags_limit_per_item,
                include_images_with_tags=list(spec.include_items_with_tags),
                exclude_images_with_tags=list(spec.exclude_items_with_tags),
                images_range=list(spec.item_range) if spec.item_range else None,
                reviewer_id=reviewer,
                images_ids=[int(i) for i in spec.item_ids],
                dynamic_classes=spec.dynamic_classes,
                dynamic_tags=spec.dynamic_tags,
                **spec.options,
            )
        if spec.custom_data:
            try:
                with b.errors():
                    for info in infos:
                        self._sdk.set_custom_data(info.id, spec.custom_data, update=False)
            except Exception:
                self.delete_many([info.id for info in infos])  # leave nothing half-made
                raise
        return [job_from_info(info, backend=b.name, custom_data=spec.custom_data) for info in infos]

    def _home(self, spec: JobSpec) -> tuple[int, int]:
        if spec.dataset_id is None and spec.project_id is None:
            raise ValidationError(
                "project_id / dataset_id: a Supervisely labeling job works on one dataset of a project; "
                "a label_schema alone cannot place it"
            )
        if spec.dataset_id is None:
            return int(spec.project_id), self._b.sole_dataset(spec.project_id)
        with self._b.errors():
            dataset = self._b.api.dataset.get_info_by_id(int(spec.dataset_id))
        if dataset is None:
            raise ValidationError(f"dataset_id: no dataset {spec.dataset_id} on {self._b.describe()}")
        if spec.project_id is not None and int(spec.project_id) != dataset.project_id:
            raise ValidationError(
                f"dataset_id: dataset {spec.dataset_id} belongs to project {dataset.project_id}, not {spec.project_id}"
            )
        return dataset.project_id, dataset.id

    def _labels(self, spec: JobSpec, project_id: int) -> tuple[list[str], list[str]]:
        """classes_to_label and tags_to_label, checked against the project's meta (a label_schema fills empty ones)."""
        with self._b.errors():
            meta = self._b.api.project.get_meta(project_id)
        classes_known = [c.get("title") for c in meta.get("classes", [])]
        tags_known = [t.get("name") for t in meta.get("tags", [])]
        classes, tags = list(spec.classes_to_label), list(spec.tags_to_label)
        checks = [
            ("classes_to_label", classes, classes_known),
            ("tags_to_label", tags, tags_known),
            ("include_items_with_tags", spec.include_items_with_tags, tags_known),
            ("exclude_items_with_tags", spec.exclude_items_with_tags, tags_known),
        ]
        if spec.label_schema is not None:
            schema_classes = [c.name for c in spec.label_schema.classes]
            schema_tags = [t.name for t in spec.label_schema.tags]
            checks += [
                ("label_schema.classes", schema_classes, classes_known),
                ("label_schema.tags", schema_tags, tags_known),
            ]
            classes, tags = classes or schema_classes, tags or schema_tags
        for field, names, known in checks:
            missing = [n for n in names if n not in known]
            if missing:
                raise ValidationError(f"{field}: {missing} not in project {project_id}, which has {known}")
        return classes, tags

    # -- changing --------------------------------------------------------------------------

    def update(self, job_id: Id, changes: JobUpdate) -> Job:
        """Change the job's name, readme, description, and (options) annotator and reviewer: one jobs.editInfo.

        jobs.editInfo is the public method the SDK edits custom data and assignees with
        (set_custom_data, set_assignees); the Label Studio settings and a label schema have
        no counterpart on a labeling job, and Unsupported says so.

        >>> sv.jobs.update(job.id, JobUpdate(description="second round", options={"reviewer": "reviewer_1"}))  # doctest: +SKIP
        """
        asked = [f for f in type(changes).model_fields if f not in EDITABLE and getattr(changes, f) is not None]
        asked += [f"options.{k}" for k in sorted(set(changes.options) - set(EDITABLE_OPTIONS))]
        if asked:
            raise Unsupported(
                f"jobs.update of {', '.join(asked)}",
                self._b.describe(),
                "a Supervisely labeling job's editable fields are name, readme, description, annotator and "
                "reviewer (jobs.editInfo); clone the job with the new settings instead",
            )
        ident = sly_id(job_id, "job_id")
        data: dict[str, Any] = {
            k: getattr(changes, k) for k in ("name", "readme", "description") if getattr(changes, k) is not None
        }
        refs = {k: changes.options[k] for k in ("annotator", "reviewer") if changes.options.get(k) is not None}
        people = resolve_members(self._b, list(refs.values()), "options." + "/".join(refs)) if refs else []
        data.update({EDITABLE_OPTIONS[k]: person for k, person in zip(refs, people)})
        if data:
            try:
                with self._b.errors():
                    self._b.api.post("jobs.editInfo", {"id": ident, **data})
            except NotFound:
                raise self._b.not_found(f"labeling job {job_id}") from None
        return self.get(ident)

    def set_status(self, job_id: Id, status: JobStatus | str) -> None:
        target = job_status(status)
        with self._b.errors():
            self._sdk.set_status(sly_id(job_id, "job_id"), target.value)

    def stop(self, job_id: Id) -> None:
        """Make the job unavailable to its labeler (status stopped)."""
        with self._b.errors():
            self._sdk.stop(sly_id(job_id, "job_id"))

    def archive(self, job_id: Id) -> None:
        """Archive (disable) the job: it leaves list() unless include_archived, and can still be read."""
        with self._b.errors():
            self._sdk.archive(sly_id(job_id, "job_id"))

    def restart(
        self,
        job_id: Id,
        *,
        assignees: list[Id] | None = None,
        reviewer: Id | None = None,
        name: str | None = None,
        only_rejected: bool = True,
        complete_existing: bool = True,
    ) -> list[Job]:
        """New jobs over the rejected items, or with only_rejected=False over every item not accepted.

        As LabelingJobApi.restart does, only_rejected=False first rejects the old job's unmarked
        items (none or done), then restarts; `assignees` share the items (one job each, default:
        the old annotator), `reviewer` reviews them (default: the old reviewer), `name` defaults
        to the old one with "(#2)", "(#3)"... complete_existing (Supervisely's own option) completes
        the old job; False leaves its status as it is. Refused with a ValidationError before any
        write: a name that is empty or over 255 characters, no or repeated assignees, a user not in
        the team, a job with nothing to restart, more assignees than items.

        >>> again, = sv.jobs.restart(job.id, assignees=["labeler_2"], only_rejected=False)  # doctest: +SKIP
        >>> again.name                                                                       # doctest: +SKIP
        'lemons (#2)'
        """
        ident = sly_id(job_id, "job_id")
        for flag, value in (("only_rejected", only_rejected), ("complete_existing", complete_existing)):
            if not isinstance(value, bool):
                raise ValidationError(f"{flag}: {value!r} is not True or False")
        if name is not None:
            _check_title(name)
        members = team_members(self._b) if assignees or reviewer is not None else {}
        ids = None
        if assignees is not None:
            if not assignees:
                raise ValidationError(
                    "assignees: an empty list leaves the items to nobody; pass None to keep the annotator"
                )
            ids = resolve_members(self._b, assignees, "assignees", members)
            twice = sorted({i for i in ids if ids.count(i) > 1})
            if twice:
                raise ValidationError(f"assignees: user {twice[0]} is named twice; each gets one job")
        reviewer_id = resolve_members(self._b, [reviewer], "reviewer", members)[0] if reviewer is not None else None
        info, _ = self.fetch(ident)
        wanted = ("rejected",) if only_rejected else ("rejected", "none", "done")
        count = sum(e.get("reviewStatus") in wanted for e in info.entities or [])
        if not count:
            what = "rejected" if only_rejected else "unaccepted"
            raise ValidationError(f"job_id: labeling job {ident} has no {what} items to restart with")
        if ids is not None and len(ids) > count:
            raise ValidationError(f"assignees: {len(ids)} annotators for {count} items to restart; each needs one")
        with self._b.errors():
            created = self._sdk.restart(
                ident,
                assignee_ids=ids,
                reviewer_id=reviewer_id,
                title=name,
                complete_existing=complete_existing,
                only_rejected_entities=only_rejected,
            )
        return [self.get(job["id"]) for job in created]

    def clone(
        self, job_id: Id, *, name: str | None = None, assignees: list[Id] | None = None, reviewer: Id | None = None
    ) -> list[Job]:
        """Copies of the job (same dataset, items, classes, tags, limits) for `assignees` (default: its annotator)."""
        people = resolve_members(
            self._b, [*(assignees or []), *([reviewer] if reviewer is not None else [])], "assignees"
        )
        with self._b.errors():
            infos = self._sdk.clone(
                sly_id(job_id, "job_id"),
                new_title=name,
                reviewer_id=people[-1] if reviewer is not None else None,
                assignee_ids=people[: len(assignees)] if assignees is not None else None,
            )
        return [job_from_info(info, backend=self._b.name) for info in infos]

    def get_custom_data(self, job_id: Id) -> dict[str, Any]:
        return self.fetch(job_id)[1]

    def set_custom_data(self, job_id: Id, data: dict[str, Any], *, replace: bool = False) -> None:
        """Merge `data` into the job's custom data, or replace it entirely."""
        _json_object(data, "data")
        self.fetch(job_id)  # NotFound for a missing job: the SDK would read its data as {}
        with self._b.errors():
            self._sdk.set_custom_data(sly_id(job_id, "job_id"), data, update=not replace)

    # -- removing --------------------------------------------------------------------------

    def delete(self, job_id: Id) -> None:
        """Remove the job permanently (jobs.bulk.remove)."""
        with self._b.errors():
            self._sdk.remove(sly_id(job_id, "job_id"))

    def delete_many(self, job_ids: Iterable[Id]) -> None:
        """Remove these jobs permanently, 50 a request; an empty list removes nothing."""
        ids = [int(i) for i in job_ids]
        if ids:
            with self._b.errors():
                self._sdk.remove_batch(ids)

    def _user(self, ref: Id | None, field: str) -> int | None:
        if ref is None:
            return None
        user_id = _as_int(ref)
        return user_id if user_id is not None else resolve_members(self._b, [ref], field)[0]


def _opt_int(value: Id | None, field: str = "id") -> int | None:
    return sly_id(value, field) if value is not None else None


def _json_object(data: Any, field: str) -> None:
    if not isinstance(data, dict):
        raise ValidationError(f"{field}: custom data must be a JSON object (dict), not {type(data).__name__}")
    try:
        json.dumps(data)
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"{field}: custom data must be JSON: {exc}") from None


def _check_title(name: Any) -> None:
    """A job title Supervisely takes: a non-blank string of at most 255 characters."""
    if not isinstance(name, str) or not name.strip():
        raise ValidationError(f"name: {name!r} is not a job title (a non-blank string)")
    if len(name) > 255:
        raise ValidationError(f"name: {len(name)} characters, Supervisely takes at most 255")
