"""The neutral domain: projects, items, users, jobs, assignments, reviews, exports, storages."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt, SecretStr, field_validator, model_validator

from .schema import LabelSchema

Id = Union[int, str]
"""Backends number things with ints; ids from elsewhere (a mapping file, a URL) may be strings."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


def _not_blank(value: str | None) -> str | None:
    if value is not None and not value.strip():
        raise ValueError("must not be blank")
    return value


class Role(str, Enum):
    """What a user does to an item: label it, or review someone's labels."""

    ANNOTATOR = "annotator"
    REVIEWER = "reviewer"


class ReviewStatus(str, Enum):
    """A reviewer's verdict on an item's labels."""

    NONE = "none"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class JobStatus(str, Enum):
    """Where a job is in its lifecycle (Supervisely's statuses; Label Studio's are derived)."""

    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    ON_REVIEW = "on_review"
    REVIEW_COMPLETED = "review_completed"
    COMPLETED = "completed"
    STOPPED = "stopped"


class ExportStatus(str, Enum):
    """Where an export snapshot is: being built, ready, or failed."""

    CREATED = "created"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    FAILED = "failed"


class User(_Model):
    """A person (or bot) on a backend.

    >>> User(id=4, login="anna").login
    'anna'
    """

    id: Id
    login: str | None = None
    email: str | None = None
    name: str | None = None
    role: str | None = None
    disabled: bool = False


class Project(_Model):
    """A project: its items, its label schema and the annotations on them."""

    id: Id
    name: str = Field(min_length=1)
    description: str = ""
    workspace_id: Id | None = None
    team_id: Id | None = None
    items_count: NonNegativeInt | None = None
    schema_: LabelSchema | None = Field(default=None, alias="schema")
    created_at: datetime | None = None
    updated_at: datetime | None = None
    url: str | None = None

    model_config = ConfigDict(extra="forbid", validate_assignment=True, populate_by_name=True)


class Item(_Model):
    """One thing to label: an image on Supervisely, a task on Label Studio."""

    id: Id
    name: str | None = None
    project_id: Id | None = None
    dataset_id: Id | None = None
    url: str | None = None
    width: NonNegativeInt | None = None
    height: NonNegativeInt | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    meta: dict[str, Any] = Field(default_factory=dict)
    annotations_count: NonNegativeInt | None = None
    review_status: ReviewStatus = ReviewStatus.NONE
    created_at: datetime | None = None
    updated_at: datetime | None = None


class JobEntity(_Model):
    """An item inside a job, with the reviewer's verdict on it."""

    id: Id
    name: str | None = None
    review_status: ReviewStatus = ReviewStatus.NONE


ItemRange = tuple[NonNegativeInt, NonNegativeInt]


class _JobSettings(_Model):
    """What a job asks of its labelers; shared by JobSpec (the request) and Job (the record)."""

    name: str = Field(min_length=1, max_length=255)
    readme: str = ""
    description: str = ""
    classes_to_label: list[str] = Field(default_factory=list)
    tags_to_label: list[str] = Field(default_factory=list)
    objects_limit_per_item: NonNegativeInt | None = None
    tags_limit_per_item: NonNegativeInt | None = None
    include_items_with_tags: list[str] = Field(default_factory=list)
    exclude_items_with_tags: list[str] = Field(default_factory=list)
    item_range: ItemRange | None = None

    _blank_name = field_validator("name")(_not_blank)

    @field_validator("item_range")
    @classmethod
    def _ordered_range(cls, value: ItemRange | None) -> ItemRange | None:
        if value is not None and value[0] > value[1]:
            raise ValueError(f"start {value[0]} is after end {value[1]}")
        return value


class JobSpec(_JobSettings):
    """A request for labeling work: who labels which items of which project, and how.

    On Supervisely one spec with k annotators creates k jobs; on Label Studio it
    creates one project whose annotators are task assignments.

    >>> JobSpec(name="lemons", project_id=1, annotators=[7, 8], objects_limit_per_item=5).annotators
    [7, 8]
    """

    project_id: Id | None = None
    dataset_id: Id | None = None
    annotators: list[Id] = Field(default_factory=list)
    reviewer: Id | None = None
    item_ids: list[Id] = Field(default_factory=list)
    label_schema: LabelSchema | None = None
    dynamic_classes: bool = False
    dynamic_tags: bool = False
    custom_data: dict[str, Any] = Field(default_factory=dict)
    # Label Studio project settings; Supervisely ignores the ones it has no counterpart for.
    show_skip_button: bool | None = None
    maximum_annotations: int | None = Field(default=None, ge=1)
    sampling: Literal["sequential", "uniform", "uncertainty"] | None = None
    model_version: str | None = None
    color: str | None = None
    options: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _has_a_home(self) -> JobSpec:
        if self.project_id is None and self.dataset_id is None and self.label_schema is None:
            raise ValueError("a job needs project_id, dataset_id or label_schema")
        if len(set(self.annotators)) != len(self.annotators):
            raise ValueError(f"annotators: duplicate users in {self.annotators}")
        return self


class Job(_JobSettings):
    """A piece of labeling work as the backend reports it."""

    id: Id
    backend: str = ""
    status: JobStatus = JobStatus.PENDING
    archived: bool = False
    project_id: Id | None = None
    project_name: str | None = None
    dataset_id: Id | None = None
    dataset_name: str | None = None
    team_id: Id | None = None
    workspace_id: Id | None = None
    workspace_name: str | None = None
    created_by: User | None = None
    assignees: list[User] = Field(default_factory=list)
    reviewers: list[User] = Field(default_factory=list)
    created_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    items_count: NonNegativeInt = 0
    finished_items_count: NonNegativeInt = 0
    accepted_items_count: NonNegativeInt = 0
    rejected_items_count: NonNegativeInt = 0
    in_progress_items_count: NonNegativeInt = 0
    entities: list[JobEntity] | None = None
    priority: int | None = None
    custom_data: dict[str, Any] = Field(default_factory=dict)
    url: str | None = None


class JobUpdate(_Model):
    """Changes to a job's settings; fields left as None stay as they are."""

    name: str | None = Field(default=None, min_length=1, max_length=255)
    readme: str | None = None
    description: str | None = None
    show_skip_button: bool | None = None
    maximum_annotations: int | None = Field(default=None, ge=1)
    sampling: Literal["sequential", "uniform", "uncertainty"] | None = None
    model_version: str | None = None
    color: str | None = None
    label_schema: LabelSchema | None = None
    options: dict[str, Any] = Field(default_factory=dict)

    _blank_name = field_validator("name")(_not_blank)


class Assignment(BaseModel):
    """One user given one item in one role.

    >>> Assignment(item_id=1, user_id=7)
    Assignment(item_id=1, user_id=7, role=<Role.ANNOTATOR: 'annotator'>)
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    item_id: Id
    user_id: Id
    role: Role = Role.ANNOTATOR


class Export(_Model):
    """An export of a job's annotations: built on the server (snapshot) or on the client."""

    id: Id
    job_id: Id
    status: ExportStatus = ExportStatus.CREATED
    format: str = "JSON"
    title: str | None = None
    created_at: datetime | None = None
    finished_at: datetime | None = None
    items_count: NonNegativeInt | None = None
    path: str | None = None


StorageKind = Literal["s3", "gcs", "azure", "localfiles", "redis"]


class StorageSpec(_Model):
    """A cloud or local storage to import items from, or export annotations to.

    >>> StorageSpec(kind="s3", bucket="frames", prefix="2024/").direction
    'import'
    """

    kind: StorageKind
    direction: Literal["import", "export"] = "import"
    title: str | None = None
    description: str | None = None
    bucket: str | None = None
    prefix: str | None = None
    path: str | None = None
    regex_filter: str | None = None
    use_blob_urls: bool = True
    presign: bool = True
    presign_ttl_minutes: int = Field(default=15, ge=1)
    recursive_scan: bool = False
    region: str | None = None
    endpoint_url: str | None = None
    host: str | None = None
    port: int | None = Field(default=None, ge=1, le=65535)
    db: int | None = Field(default=None, ge=0)
    credentials: dict[str, SecretStr] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _has_a_location(self) -> StorageSpec:
        needs = {"localfiles": "path", "redis": "host"}.get(self.kind, "bucket")
        if not getattr(self, needs):
            raise ValueError(f"a {self.kind} storage needs {needs}")
        return self


class Storage(_Model):
    """A storage connected to a job, as the backend reports it."""

    id: Id
    job_id: Id
    spec: StorageSpec
    status: str | None = None
    last_sync: datetime | None = None
    last_sync_count: int | None = None
