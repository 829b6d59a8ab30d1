"""Settings only Label Studio has, typed: project settings for jobs, and storage settings (presigning, redis, s3s).

    >>> from annobridge import JobSpec
    >>> spec = JobSpec(name="lemons", project_id=3, options=LabelStudioJobOptions(sampling="uniform", maximum_annotations=2))
    >>> project_settings(spec.options)
    {'sampling': 'Uniform sampling', 'maximum_annotations': 2}

Every field is optional: None leaves the server's default (on create) or the current value (on
update). Given to another backend, these options are refused before anything is written.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field, NonNegativeInt, PositiveInt, SecretStr

from annobridge.models import Id, ProviderOptions

__all__ = [
    "ENTERPRISE_SETTINGS",
    "SAMPLING",
    "SKIP_QUEUE",
    "LabelStudioJobOptions",
    "LabelStudioStorageOptions",
    "options_of_project",
    "project_settings",
]

SAMPLING = {"sequential": "Sequential sampling", "uniform": "Uniform sampling", "uncertainty": "Uncertainty sampling"}
SKIP_QUEUE = {"requeue_for_me": "REQUEUE_FOR_ME", "requeue_for_others": "REQUEUE_FOR_OTHERS",
              "ignore_skipped": "IGNORE_SKIPPED"}
ENTERPRISE_SETTINGS = {"workspace": "workspaces"}  # settings a Community server has no place for


class LabelStudioJobOptions(ProviderOptions):
    """A Label Studio project's settings, for `JobSpec(options=...)`, `JobUpdate(options=...)` and `Job.options`.

    sampling: the order annotators get tasks in ("sequential", "uniform", "uncertainty");
    skip_queue: where a skipped task goes ("requeue_for_me", "requeue_for_others", "ignore_skipped");
    maximum_annotations: annotations a task needs to be finished; show_* / enable_empty_annotation /
    evaluate_predictions_automatically / reveal_preannotations_interactively: the labeling screen;
    model_version: the predictions shown; task_data_login / task_data_password: basic auth for the
    task data URLs (the password is written, never read back); workspace: Enterprise only.

    >>> LabelStudioJobOptions(show_skip_button=False).show_skip_button
    False
    """

    provider: ClassVar[str] = "labelstudio"

    sampling: Literal["sequential", "uniform", "uncertainty"] | None = None
    skip_queue: Literal["requeue_for_me", "requeue_for_others", "ignore_skipped"] | None = None
    show_skip_button: bool | None = None
    maximum_annotations: PositiveInt | None = None
    model_version: str | None = None
    color: str | None = Field(default=None, max_length=16)
    show_instruction: bool | None = None
    show_annotation_history: bool | None = None
    show_collab_predictions: bool | None = None
    show_ground_truth_first: bool | None = None
    show_overlap_first: bool | None = None
    overlap_cohort_percentage: int | None = Field(default=None, ge=0, le=100)
    enable_empty_annotation: bool | None = None
    evaluate_predictions_automatically: bool | None = None
    reveal_preannotations_interactively: bool | None = None
    min_annotations_to_start_training: NonNegativeInt | None = None
    task_data_login: str | None = None
    task_data_password: SecretStr | None = None
    workspace: Id | None = None


class LabelStudioStorageOptions(ProviderOptions):
    """Settings of a Label Studio storage, for `StorageSpec(options=...)`.

    use_blob_urls: each file becomes a task holding its URL (True; annobridge's default where it is
    left None, the server's own is False), or each file is read as task JSON (False); presign / presign_ttl_minutes: cloud import storages hand out
    presigned URLs, valid this long; host / port / db: a redis storage; role_arn / external_id:
    an s3s storage (S3 through an IAM role, Label Studio Enterprise); can_delete_objects: an export
    storage deletes the object of a deleted annotation.

    >>> LabelStudioStorageOptions(presign_ttl_minutes=5).presign_ttl_minutes
    5
    """

    provider: ClassVar[str] = "labelstudio"

    use_blob_urls: bool | None = None
    presign: bool | None = None
    presign_ttl_minutes: PositiveInt | None = None
    host: str | None = None
    port: int | None = Field(default=None, ge=1, le=65535)
    db: NonNegativeInt | None = None
    role_arn: str | None = None
    external_id: str | None = None
    legacy_auth: bool | None = None
    can_delete_objects: bool | None = None


def project_settings(options: LabelStudioJobOptions) -> dict[str, Any]:
    """The project fields the options set, as the server names them (the unset ones left out)."""
    out: dict[str, Any] = {}
    for key, value in options.model_dump(exclude_none=True).items():
        if key == "sampling":
            value = SAMPLING[value]
        elif key == "skip_queue":
            value = SKIP_QUEUE[value]
        elif key == "task_data_password":
            value = options.task_data_password.get_secret_value()  # type: ignore[union-attr]
        out[key] = value
    return out


def options_of_project(data: dict[str, Any]) -> LabelStudioJobOptions:
    """The options a project holds, read from the server's project record (never the task data password).

    >>> options_of_project({"sampling": "Uniform sampling", "skip_queue": "IGNORE_SKIPPED", "color": "#FF0000"}).sampling
    'uniform'
    """
    sampling = {v: k for k, v in SAMPLING.items()}.get(data.get("sampling") or "")
    queue = {v: k for k, v in SKIP_QUEUE.items()}.get(data.get("skip_queue") or "")
    fields = set(LabelStudioJobOptions.model_fields) - {"sampling", "skip_queue", "task_data_password"}
    values = {k: data[k] for k in fields if data.get(k) not in (None, "")}
    if isinstance(values.get("color"), str) and len(values["color"]) > 16:
        values.pop("color")
    return LabelStudioJobOptions(sampling=sampling, skip_queue=queue, **values)
