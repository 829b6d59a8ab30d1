"""Provider: the base class every backend implements, holding one object per capability-gated sub-API.

A provider is a `Provider` subclass naming its URL schemes and declaring each capability,
with one object per sub-API (projects, jobs, items, annotations, predictions, assignments,
reviews, pauses, exports, storages, users, transfer). The sub-API base classes (subapis.py, job_apis.py, export_apis.py ...) and
`SubAPI[P]` with `@requires` (subapi.py) are importable from here: each method declares the capability it needs, and the check runs in
one place, before the backend's own code, even when a subclass overrides the method.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Mapping

from .annotation_apis import AnnotationsAPI, PausesAPI, PredictionsAPI
from .capabilities import Capability, Support, no, when, yes
from .errors import Unsupported
from .models import JobScope
from .export_apis import ExportsAPI, StoragesAPI
from .job_apis import JobsAPI, Restart
from .subapi import SubAPI, keyword_ids, requires
from .subapis import AssignmentsAPI, ItemsAPI, ProjectsAPI, ReviewsAPI, UsersAPI
from .urls import BackendURL
from .video_apis import VideosAPI

if TYPE_CHECKING:
    from .retry import RetryPolicy

__all__ = [
    "AnnotationsAPI",
    "AssignmentsAPI",
    "ExportsAPI",
    "ItemsAPI",
    "JobScope",
    "JobsAPI",
    "PausesAPI",
    "PredictionsAPI",
    "ProjectsAPI",
    "Provider",
    "Restart",
    "ReviewsAPI",
    "StoragesAPI",
    "SubAPI",
    "UsersAPI",
    "VideosAPI",
    "no",
    "requires",
    "when",
    "yes",
]


class _Capabilities:
    """On the class: every capability it declares as offered (always or on a condition); on a connected
    provider: those offered by this server (conditions checked once each, when first asked)."""

    def __get__(self, provider: Provider | None, owner: type[Provider]) -> frozenset[Capability]:
        if provider is None:
            return frozenset(c for c in Capability if owner.declared(c).kind != "no")
        return frozenset(c for c in Capability if owner.declared(c).offered_by(provider))


class Provider:
    """Base class of a backend. Subclasses set the class attributes and sub-API classes.

    `support` declares every capability once: `yes()`, `when(condition, met)` or `no(reason)`;
    a capability left out is not offered. `job_scope` says how its jobs relate to projects.

    >>> class Memory(Provider):
    ...     name = "memory"; schemes = ("memory",); support = {Capability.JOBS: yes()}
    >>> Memory("memory+http://x").describe(), sorted(Memory.capabilities)
    ('memory (memory+http://x)', [<Capability.JOBS: 'jobs'>])
    """

    name: ClassVar[str] = "provider"
    schemes: ClassVar[tuple[str, ...]] = ()
    package: ClassVar[str] = ""
    support: ClassVar[Mapping[Capability, Support]] = {}
    capabilities = _Capabilities()
    job_scope: ClassVar[JobScope] = JobScope.IN_PROJECT

    projects_api: ClassVar[type[ProjectsAPI]] = ProjectsAPI
    jobs_api: ClassVar[type[JobsAPI]] = JobsAPI
    items_api: ClassVar[type[ItemsAPI]] = ItemsAPI
    annotations_api: ClassVar[type[AnnotationsAPI]] = AnnotationsAPI
    predictions_api: ClassVar[type[PredictionsAPI]] = PredictionsAPI
    assignments_api: ClassVar[type[AssignmentsAPI]] = AssignmentsAPI
    reviews_api: ClassVar[type[ReviewsAPI]] = ReviewsAPI
    pauses_api: ClassVar[type[PausesAPI]] = PausesAPI
    exports_api: ClassVar[type[ExportsAPI]] = ExportsAPI
    storages_api: ClassVar[type[StoragesAPI]] = StoragesAPI
    users_api: ClassVar[type[UsersAPI]] = UsersAPI
    videos_api: ClassVar[type[VideosAPI]] = VideosAPI
    transfer_api: ClassVar[type[SubAPI] | None] = None  # annobridge.transfer.TransferAPI or a provider's subclass

    def __init__(self, address: BackendURL | str, token: str | None = None, **options: Any) -> None:
        self.address = address if isinstance(address, BackendURL) else BackendURL.parse(address)
        self.url = str(self.address)
        self._token = token
        self.options = options
        self.projects = self.projects_api(self)
        self.jobs = self.jobs_api(self)
        self.items = self.items_api(self)
        self.annotations = self.annotations_api(self)
        self.predictions = self.predictions_api(self)
        self.assignments = self.assignments_api(self)
        self.reviews = self.reviews_api(self)
        self.pauses = self.pauses_api(self)
        self.exports = self.exports_api(self)
        self.storages = self.storages_api(self)
        self.users = self.users_api(self)
        self.videos = self.videos_api(self)
        from .transfer import TransferAPI  # its module imports this one

        self.transfer = (self.transfer_api or TransferAPI)(self)

    @classmethod
    def open(cls, address: BackendURL, token: str | None = None, **options: Any) -> Provider:
        """Connect to `address`; providers resolve a missing token from their vendor's environment."""
        return cls(address, token, **options)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.url}>"

    def describe(self) -> str:
        """The backend in words, for messages: name, URL and (where known) version."""
        return f"{self.name} ({self.url})"

    @classmethod
    def declared(cls, capability: Capability) -> Support:
        """How this provider declares `capability` (one left out is not offered)."""
        found = cls.support.get(capability)
        return found if found is not None else no(f"the {cls.name} provider does not offer it")

    def supports(self, capability: Capability) -> bool:
        """Whether this connected backend has `capability`."""
        return capability in self.capabilities

    def require(self, capability: Capability) -> None:
        """Raise Unsupported, naming the backend and what would provide it, without `capability`."""
        if capability not in self.capabilities:
            raise Unsupported(capability, self.describe(), self.unsupported_reason(capability))

    def unsupported_reason(self, capability: Capability) -> str:
        """Why this backend lacks `capability`: its declared reason, or the condition this server does not meet."""
        return self.declared(capability).reason(self, capability)

    def edition_name(self) -> str:
        """The server's edition and version in words ("Community 1.23.2"), where the vendor has editions."""
        return ""

    @property
    def retry_policy(self) -> RetryPolicy:
        """The retry policy this provider's requests go out under (the migration engine retries batches by it)."""
        from .retry import RetryPolicy

        return RetryPolicy()

    def close(self) -> None:
        """Release connections; the provider cannot be used afterwards."""

    def __enter__(self) -> Provider:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
