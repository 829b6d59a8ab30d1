"""The neutral domain: projects, items, users, jobs, assignments, reviews, exports, storages."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any, ClassVar, Literal, TypeVar, Union

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeInt,
    PositiveInt,
    SecretStr,
    SerializeAsAny,
    field_validator,
    model_validator,
)

from .errors import ValidationError
from .schema import LabelSchema
from .shapes import Coordinate

Id = Union[int, str]
"""Backends number things with ints; ids from elsewhere (a mapping file, a URL) may be strings."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class ProviderOptions(_Model):
    """Settings only one vendor has, typed and validated (e.g. LabelStudioJobOptions); its provider documents them.

    A provider given another vendor's options refuses them (`options_for`) before anything is written.
    """

    provider: ClassVar[str] = ""


Options = TypeVar("Options", bound=ProviderOptions)


def options_for(options: ProviderOptions | None, kind: type[Options], backend: str) -> Options:
    """`options` if they are `kind` (the defaults when None); a ValidationError naming both when they are not.

    >>> class MyOptions(ProviderOptions):
    ...     provider = "mine"
    ...     colour: str = "red"
    >>> options_for(None, MyOptions, "mine (mine://x)").colour
    'red'
    """
    if options is None:
        return kind()
    if not isinstance(options, kind):
        raise ValidationError(
            f"options: {type(options).__name__} is for {options.provider or 'another provider'}; "
            f"{backend} takes {kind.__name__}"
        )
    return options


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


class JobScope(str, Enum):
    """How a backend's jobs relate to its projects: a job is a project, or one of many jobs in a project."""

    PROJECT = "project"
    IN_PROJECT = "in_project"


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
    items_count: NonNegativeInt | None = None
    schema_: LabelSchema | None = Field(default=None, alias="schema")
    created_at: datetime | None = None
    updated_at: datetime | None = None
    url: str | None = None
    options: SerializeAsAny[ProviderOptions] | None = None  # what only its vendor reports (a team)

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
    frames_count: PositiveInt | None = None
    """How many frames a video item has; None for an image."""
    fps: Coordinate | None = None
    """A video item's frames per second, exact (video.py); None for an image."""
    source_key: str | None = None
    """The key a migration stamped on the item it carried (transfer.SOURCE_KEY): the source item's id, as text."""
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
    annotators: list[Id] = Field(default_factory=list)
    reviewer: Id | None = None
    item_ids: list[Id] = Field(default_factory=list)
    label_schema: LabelSchema | None = None
    custom_data: dict[str, Any] = Field(default_factory=dict)
    options: SerializeAsAny[ProviderOptions] | None = None

    @model_validator(mode="after")
    def _has_a_home(self) -> JobSpec:
        if self.project_id is None and self.label_schema is None:
            raise ValueError("a job needs project_id or label_schema")
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
    options: SerializeAsAny[ProviderOptions] | None = None  # what only its vendor reports (a dataset, a team)


class UserStats(_Model):
    """One person's share of a job: items given, annotated, accepted and rejected."""

    user_id: Id
    login: str | None = None
    role: Role = Role.ANNOTATOR
    items: NonNegativeInt = 0
    annotated: NonNegativeInt = 0
    accepted: NonNegativeInt = 0
    rejected: NonNegativeInt = 0


class JobStats(_Model):
    """Where a job's work stands: items per review status, annotations, and each person's share.

    >>> JobStats(job_id=1, items=6, annotated=4, accepted=3, rejected=1).unreviewed
    2
    """

    job_id: Id
    items: NonNegativeInt = 0
    annotated: NonNegativeInt = 0  # items with at least one annotation (or marked done by their labeler)
    accepted: NonNegativeInt = 0
    rejected: NonNegativeInt = 0
    annotations: NonNegativeInt | None = None  # annotation records (Label Studio) or labeled objects; None: unknown
    users: list[UserStats] = Field(default_factory=list)

    @property
    def unreviewed(self) -> int:
        return self.items - self.accepted - self.rejected


class Activity(_Model):
    """One thing that happened in a job: who did what, to which item, when."""

    action: str = Field(min_length=1)
    at: datetime | None = None
    user_id: Id | None = None
    login: str | None = None
    item_id: Id | None = None
    detail: str = ""


class ItemFilter(_Model):
    """Which items to take (sampling, listing): conditions that must all hold; None leaves one out.

    >>> ItemFilter(annotated=False).matches(Item(id=1, annotations_count=0))
    True
    """

    annotated: bool | None = None
    review_status: ReviewStatus | None = None
    name_contains: str | None = None

    def matches(self, item: Item) -> bool:
        """Whether `item` meets every condition (an item whose annotation count is unknown is not annotated)."""
        if self.annotated is not None and bool(item.annotations_count) != self.annotated:
            return False
        if self.review_status is not None and item.review_status is not self.review_status:
            return False
        return self.name_contains is None or self.name_contains in (item.name or "")


class JobUpdate(_Model):
    """Changes to a job's settings; fields left as None stay as they are."""

    name: str | None = Field(default=None, min_length=1, max_length=255)
    readme: str | None = None
    description: str | None = None
    reviewer: Id | None = None
    label_schema: LabelSchema | None = None
    options: SerializeAsAny[ProviderOptions] | None = None

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


StorageKind = Literal["s3", "s3s", "gcs", "azure", "localfiles", "redis"]


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
    recursive_scan: bool = False
    region: str | None = None
    endpoint_url: str | None = None
    credentials: dict[str, SecretStr] = Field(default_factory=dict)
    options: SerializeAsAny[ProviderOptions] | None = None  # e.g. LabelStudioStorageOptions (presigning, redis, s3s)

    @model_validator(mode="after")
    def _has_a_location(self) -> StorageSpec:
        needs = {"localfiles": "path", "redis": None}.get(self.kind, "bucket")
        if needs and not getattr(self, needs):
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
