"""Settings only Supervisely has, typed: labeling job options (create, update) and what a job record reports.

    >>> from annobridge import JobSpec
    >>> spec = JobSpec(name="lemons", project_id=5, annotators=["anna"],
    ...                options=SuperviselyJobOptions(dataset_id=6, dynamic_classes=True))
    >>> create_arguments(spec.options)
    {'dynamic_classes': True}

A None leaves the SDK's default. Given to another backend these options are refused (options_for)
before anything is written, as another vendor's options are refused here.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import PositiveInt

from annobridge.models import Id, ProviderOptions

__all__ = [
    "SuperviselyJobChanges",
    "SuperviselyJobDetails",
    "SuperviselyJobOptions",
    "SuperviselyProjectDetails",
    "create_arguments",
    "details_from_info",
]

# SuperviselyJobOptions field -> the key LabelingJobApi.create writes it under in the job's meta
META_KEYS = {
    "dynamic_classes": "dynamicClasses",
    "dynamic_tags": "dynamicTags",
    "disable_confirm": "disableConfirm",
    "disable_submit": "disableSubmit",
    "enable_quality_check": "enableIntermediateReview",
    "guide_id": "guide",
    "read_only_tags": "readOnlyTags",
    "toolbox_settings": "toolboxSettings",
}


class _LabelingSettings(ProviderOptions):
    """What a labeling job's meta holds beyond the neutral settings (shared by the options and the record)."""

    provider: ClassVar[str] = "supervisely"

    dynamic_classes: bool | None = None
    dynamic_tags: bool | None = None
    disable_confirm: bool | None = None
    disable_submit: bool | None = None
    enable_quality_check: bool | None = None
    guide_id: PositiveInt | None = None
    read_only_tags: list[str] | None = None
    toolbox_settings: dict[str, Any] | None = None


class SuperviselyJobOptions(_LabelingSettings):
    """`JobSpec(options=...)` on Supervisely: the LabelingJobApi.create settings with no neutral field.

    dataset_id: the dataset the job labels (default: the project's only one; a project of several
    needs it, and it alone can place a job); dynamic_classes / dynamic_tags: classes and tags added
    to the project later are offered too; disable_confirm / disable_submit: grey out those buttons
    of the labeling tool; enable_quality_check: a review step before the job completes; guide_id: a
    guide shown to the labeler; read_only_tags: tags the labeler sees but cannot change;
    toolbox_settings: the video labeling tool's settings (video projects only: refused on images);
    allow_restore: restore a removed job of the same name in the dataset instead of making one.

    >>> SuperviselyJobOptions(dataset_id=6).dataset_id
    6
    """

    dataset_id: PositiveInt | None = None
    allow_restore: bool | None = None


class SuperviselyJobChanges(ProviderOptions):
    """`JobUpdate(options=...)` on Supervisely: annotator, the job's one labeler (a user id or login).

    >>> SuperviselyJobChanges(annotator="labeler_2").annotator
    'labeler_2'
    """

    provider: ClassVar[str] = "supervisely"

    annotator: Id | None = None


class SuperviselyJobDetails(_LabelingSettings):
    """`Job.options` of a Supervisely job: where it lives (dataset, workspace, team) and the settings its meta
    reports (None where the server reported nothing: jobs.list carries no meta, get() does).

    >>> SuperviselyJobDetails(dataset_id=6, dataset_name="ds1").options().dataset_id
    6
    """

    dataset_id: Id | None = None
    dataset_name: str | None = None
    team_id: Id | None = None
    workspace_id: Id | None = None
    workspace_name: str | None = None

    def options(self) -> SuperviselyJobOptions:
        """The options a job like this one is created with (same dataset and settings)."""
        settings = {k: getattr(self, k) for k in _LabelingSettings.model_fields}
        return SuperviselyJobOptions(dataset_id=self.dataset_id, **settings)


class SuperviselyProjectDetails(ProviderOptions):
    """What a Project record reports only on Supervisely (`Project.options`): the team it belongs to."""

    provider: ClassVar[str] = "supervisely"

    team_id: Id | None = None


def create_arguments(options: SuperviselyJobOptions) -> dict[str, Any]:
    """The LabelingJobApi.create keyword arguments the options set (dataset_id is placed apart; None left out)."""
    return options.model_dump(exclude_none=True, exclude={"dataset_id"})


def details_from_info(info, meta: dict[str, Any] | None = None) -> SuperviselyJobDetails:
    """The details of a LabelingJobInfo, with the settings of its jobs.info `meta` when at hand.

    >>> from types import SimpleNamespace as NS
    >>> info = NS(dataset_id=6, dataset_name="ds1", team_id=8, workspace_id=9, workspace_name="w", guide_id=None)
    >>> details_from_info(info, {"dynamicClasses": True, "guide": 3}).guide_id
    3
    """
    settings = {field: (meta or {}).get(key) for field, key in META_KEYS.items()}
    if settings["guide_id"] is None:
        settings["guide_id"] = getattr(info, "guide_id", None)
    return SuperviselyJobDetails(
        dataset_id=info.dataset_id,
        dataset_name=info.dataset_name,
        team_id=info.team_id,
        workspace_id=info.workspace_id,
        workspace_name=info.workspace_name,
        **{k: v for k, v in settings.items() if v is not None},
    )
