"""The Label Studio provider: a Job is a project; its annotators and reviewers are task assignments.

    >>> backend = annobridge.connect("labelstudio+http://127.0.0.1:8080", token="...")  # doctest: +SKIP
    >>> backend.describe()                                                              # doctest: +SKIP
    'labelstudio (labelstudio+http://127.0.0.1:8080, Community 1.23.2)'

Capabilities depend on the edition /api/version reports: the class declares everything either
edition can do (for the capability matrix); a connected Community server lacks the Enterprise-only
ones, and a gated call says so in a sentence.
"""

from __future__ import annotations

from typing import Any

from annobridge.capabilities import Capability
from annobridge.provider import Provider
from annobridge.retry import RetryPolicy
from annobridge.tokens import clean_token, warn_plain_http
from annobridge.urls import BackendURL

from .annotations_api import LabelStudioAnnotations, LabelStudioPredictions
from .client import Connection, Edition
from .enterprise import LabelStudioAssignments, LabelStudioPauses, LabelStudioReviews
from .exports import LabelStudioExports
from .items import LabelStudioItems, LabelStudioViews
from .jobs import LabelStudioJobs
from .projects import LabelStudioProjects
from .storages import LabelStudioStorages
from .transfer import LabelStudioTransfer
from .users import LabelStudioUsers

__all__ = ["COMMUNITY", "ENTERPRISE_ONLY", "LabelStudioProvider"]

COMMUNITY = frozenset(
    {
        Capability.PROJECTS,
        Capability.SCHEMA,
        Capability.ITEMS,
        Capability.ANNOTATIONS,
        Capability.PREDICTIONS,
        Capability.JOBS,
        Capability.USERS,
        Capability.EXPORTS,
        Capability.EXPORT_SNAPSHOTS,
        Capability.STORAGES,
    }
)
ENTERPRISE_ONLY = frozenset(
    {Capability.ASSIGNMENTS, Capability.REVIEWS, Capability.MEMBERS, Capability.PAUSE_ANNOTATORS, Capability.JOB_RESTART}
)
_WHAT = {
    Capability.ASSIGNMENTS: "task assignment",
    Capability.REVIEWS: "annotation review",
    Capability.MEMBERS: "project and organization membership",
    Capability.PAUSE_ANNOTATORS: "pausing annotators",
    Capability.JOB_RESTART: "restarting a job with its rejected tasks (it reads annotation reviews)",
}
_NEVER = {
    Capability.JOB_STATUS_CONTROL: "a Label Studio project's status is derived from its tasks, annotations and reviews",
    Capability.JOB_ARCHIVE: "Label Studio archives workspaces, not projects",
    Capability.JOB_CUSTOM_DATA: "a Label Studio project has no custom data field",
}


class _EditionCapabilities:
    """On the class: everything either edition offers; on a connected provider: what its edition offers."""

    def __get__(self, provider: LabelStudioProvider | None, owner: type) -> frozenset[Capability]:
        if provider is None:
            return COMMUNITY | ENTERPRISE_ONLY
        return COMMUNITY | ENTERPRISE_ONLY if provider.edition.enterprise else COMMUNITY


class LabelStudioProvider(Provider):
    """Label Studio through the official label-studio-sdk client (`label_studio_sdk.client.LabelStudio`).

    Options: `check` (verify the token and edition at connect time), `timeout` (seconds per request,
    default 120, else ANNOBRIDGE_TIMEOUT), `retries` (extra tries of a request safe to repeat, default 3,
    else ANNOBRIDGE_RETRIES; `max_retries` is the same), `retry_backoff` (first backoff, seconds),
    `verify` (TLS: True by default; False or a CA bundle path only when asked), `httpx_client` (your
    own httpx.Client, used as it is, e.g. with event hooks). Beyond the neutral sub-APIs it has
    `annotations`, `predictions`, `views` and `pauses`.
    """

    name = "labelstudio"
    schemes = ("labelstudio", "labelstudio+http", "labelstudio+https")
    package = "annobridge-labelstudio"
    capabilities = _EditionCapabilities()  # type: ignore[assignment]
    capability_notes = {cap: "Label Studio Enterprise" for cap in ENTERPRISE_ONLY}

    projects_api = LabelStudioProjects
    jobs_api = LabelStudioJobs
    items_api = LabelStudioItems
    assignments_api = LabelStudioAssignments
    reviews_api = LabelStudioReviews
    exports_api = LabelStudioExports
    storages_api = LabelStudioStorages
    users_api = LabelStudioUsers
    transfer_api = LabelStudioTransfer

    def __init__(self, address: BackendURL | str, token: str | None = None, **options: Any) -> None:
        super().__init__(address, token, **options)
        self._token = token = clean_token(token, server=Provider.describe(self))
        if token:
            warn_plain_http(self.address, Provider.describe(self))
        self.connection = Connection(
            self.address.http_url,
            token,
            server=Provider.describe(self),
            policy=RetryPolicy.from_options(
                {"retries": options.get("max_retries"), **options}, timeout=120.0, retries=3
            ),
            verify=options.get("verify", True),
            httpx_client=options.get("httpx_client"),
        )
        self.annotations = LabelStudioAnnotations(self)
        self.predictions = LabelStudioPredictions(self)
        self.views = LabelStudioViews(self)
        self.pauses = LabelStudioPauses(self)

    @classmethod
    def open(cls, address: BackendURL, token: str | None = None, **options: Any) -> LabelStudioProvider:
        """A provider for `address`; no request is sent until the first call, unless `check=True`
        asks to check the token and the edition at once (AuthenticationError naming the server).

        Without `token`, LABEL_STUDIO_API_KEY is used if LABEL_STUDIO_URL is unset or names this
        server; a token is stripped of surrounding whitespace, and one that cannot be a header is refused.
        """
        if token is None:
            from .settings import environment_token

            token = environment_token(address, f"{cls.name} ({address})")
        check = options.pop("check", False)
        provider = cls(address, token, **options)
        if check:
            provider.check()
        return provider

    def check(self) -> LabelStudioProvider:
        """Check the token (/api/current-user/whoami) and learn the edition (/api/version): two requests."""
        self.connection.authenticate()
        self.connection.edition  # noqa: B018 - asked once, so messages can name it
        return self

    @property
    def edition(self) -> Edition:
        """Community or Enterprise, and the release, from /api/version (asked once)."""
        return self.connection.edition

    def describe(self) -> str:
        edition = self.connection._edition
        return f"{self.name} ({self.url}, {edition.describe()})" if edition else super().describe()

    def unsupported_reason(self, capability: Capability) -> str:
        if capability in ENTERPRISE_ONLY:
            return f"{_WHAT[capability]} needs Label Studio Enterprise; this server is {self.edition.describe()}"
        if capability in _NEVER:
            return _NEVER[capability]
        return super().unsupported_reason(capability)

    def close(self) -> None:
        self.connection.close()
