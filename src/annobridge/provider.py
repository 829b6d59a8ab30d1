"""Provider: the base class every backend implements, holding one object per capability-gated sub-API.

A provider is a `Provider` subclass naming its URL schemes and capabilities, with one
object per sub-API (projects, jobs, items, assignments, reviews, exports, storages,
users, transfer). The sub-API base classes and `@requires` live in subapis.py and are
importable from here: each method declares the capability it needs, and the check runs in
one place, before the backend's own code, even when a subclass overrides the method.
"""

from __future__ import annotations

from typing import Any, ClassVar

from .capabilities import Capability
from .errors import Unsupported
from .subapis import (
    AssignmentsAPI,
    ExportsAPI,
    ItemsAPI,
    JobsAPI,
    ProjectsAPI,
    ReviewsAPI,
    StoragesAPI,
    SubAPI,
    UsersAPI,
    requires,
)
from .urls import BackendURL

__all__ = [
    "AssignmentsAPI",
    "ExportsAPI",
    "ItemsAPI",
    "JobsAPI",
    "ProjectsAPI",
    "Provider",
    "ReviewsAPI",
    "StoragesAPI",
    "SubAPI",
    "UsersAPI",
    "requires",
]


class Provider:
    """Base class of a backend. Subclasses set the class attributes and sub-API classes.

    >>> class Memory(Provider):
    ...     name = "memory"; schemes = ("memory",); capabilities = frozenset()
    >>> Memory("memory+http://x").describe()
    'memory (memory+http://x)'
    """

    name: ClassVar[str] = "provider"
    schemes: ClassVar[tuple[str, ...]] = ()
    package: ClassVar[str] = ""
    capabilities: frozenset[Capability] = frozenset()
    capability_notes: ClassVar[dict[Capability, str]] = {}

    projects_api: ClassVar[type[ProjectsAPI]] = ProjectsAPI
    jobs_api: ClassVar[type[JobsAPI]] = JobsAPI
    items_api: ClassVar[type[ItemsAPI]] = ItemsAPI
    assignments_api: ClassVar[type[AssignmentsAPI]] = AssignmentsAPI
    reviews_api: ClassVar[type[ReviewsAPI]] = ReviewsAPI
    exports_api: ClassVar[type[ExportsAPI]] = ExportsAPI
    storages_api: ClassVar[type[StoragesAPI]] = StoragesAPI
    users_api: ClassVar[type[UsersAPI]] = UsersAPI
    transfer_api: ClassVar[type[SubAPI] | None] = None  # annobridge.transfer.TransferAPI or a provider's subclass

    def __init__(self, address: BackendURL | str, token: str | None = None, **options: Any) -> None:
        self.address = address if isinstance(address, BackendURL) else BackendURL.parse(address)
        self.url = str(self.address)
        self._token = token
        self.options = options
        self.projects = self.projects_api(self)
        self.jobs = self.jobs_api(self)
        self.items = self.items_api(self)
        self.assignments = self.assignments_api(self)
        self.reviews = self.reviews_api(self)
        self.exports = self.exports_api(self)
        self.storages = self.storages_api(self)
        self.users = self.users_api(self)
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

    def supports(self, capability: Capability) -> bool:
        """Whether this connected backend has `capability`."""
        return capability in self.capabilities

    def require(self, capability: Capability) -> None:
        """Raise Unsupported, naming the backend and what would provide it, without `capability`."""
        if capability not in self.capabilities:
            raise Unsupported(capability, self.describe(), self.unsupported_reason(capability))

    def unsupported_reason(self, capability: Capability) -> str:
        """Why this backend lacks `capability` and what would provide it; providers refine it."""
        note = self.capability_notes.get(capability)
        return f"it needs {note}" if note else f"the {self.name} provider does not offer it"

    def close(self) -> None:
        """Release connections; the provider cannot be used afterwards."""

    def __enter__(self) -> Provider:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
