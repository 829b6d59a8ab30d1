"""The Label Studio provider: a Job is a project; its annotators and reviewers are task assignments.

Example::

    backend = annobridge.connect("labelstudio+http://127.0.0.1:8080", token="...")
    backend.describe()  # -> 'labelstudio (labelstudio+http://127.0.0.1:8080, Community 1.23.2)'

Capabilities depend on the edition /api/version reports: the class declares everything either
edition can do (for the capability matrix); a connected Community server lacks the Enterprise-only
ones, and a gated call says so in a sentence.
"""

from __future__ import annotations

from typing import Any

from annobridge.capabilities import Capability, Support, no, when, yes
from annobridge.models import JobScope
from annobridge.provider import Provider
from annobridge.retry import RetryPolicy
from annobridge.tokens import clean_token, warn_plain_http
from annobridge.urls import BackendURL

from .annotations_api import LabelStudioAnnotations
from .client import Connection, Edition
from .enterprise import LabelStudioAssignments, LabelStudioPauses, LabelStudioReviews
from .exports import LabelStudioExports
from .items import LabelStudioItems
from .jobs import LabelStudioJobs
from .predictions_api import LabelStudioPredictions
from .projects import LabelStudioProjects
from .storages import LabelStudioStorages
from .transfer import LabelStudioTransfer
from .users import LabelStudioUsers
from .videos_api import LabelStudioVideos
from .views import LabelStudioViews

__all__ = ["COMMUNITY", "ENTERPRISE_ONLY", "SUPPORT", "LabelStudioProvider"]


def _enterprise(provider: LabelStudioProvider) -> bool:
    return provider.edition.enterprise


def _enterprise_only(what: str) -> Support:
    return when("Label Studio Enterprise", _enterprise, what=what)


SUPPORT = {
    Capability.PROJECTS: yes(),
    Capability.SCHEMA: yes("the label config"),
    Capability.ITEMS: yes("tasks"),
    Capability.ANNOTATIONS: yes("one annotation per annotator and task"),
    Capability.PREDICTIONS: yes("with model version and score"),
    Capability.JOBS: yes("a job is a project"),
    Capability.JOB_STATUS_CONTROL: no("a Label Studio project's status is derived from its tasks, annotations and reviews"),
    Capability.JOB_ARCHIVE: no("Label Studio archives workspaces (on Enterprise), not projects"),
    Capability.JOB_RESTART: _enterprise_only("restarting a job with its rejected tasks (it reads annotation reviews)"),
    Capability.JOB_CLONE: yes("a new project with the same config, settings and tasks"),
    Capability.JOB_CUSTOM_DATA: no("a Label Studio project has no custom data field"),
    Capability.JOB_LIMITS: no("Label Studio sets no limit of objects or tags per task, and its tasks have no tags "
                              "to choose them by (pass item_ids)"),
    Capability.JOB_ACTIVITY: _enterprise_only("a job's activity (the annotation history)"),
    Capability.USERS: yes(),
    Capability.MEMBERS: _enterprise_only("project and organization membership"),
    Capability.ASSIGNMENTS: _enterprise_only("task assignment"),
    Capability.UNASSIGN: _enterprise_only("taking task assignments back"),
    Capability.REVIEWS: _enterprise_only("annotation review"),
    Capability.PAUSE_ANNOTATORS: _enterprise_only("pausing annotators"),
    Capability.EXPORTS: yes(),
    Capability.EXPORT_SNAPSHOTS: yes(),
    Capability.STORAGES: yes("s3, gcs, azure, local files, redis; s3s (an IAM role) on Enterprise"),
    Capability.VIDEO: yes("uploaded .mp4/.webm videos; boxes tracked with VideoRectangle, timeline labels as tags"),
}
ENTERPRISE_ONLY = frozenset(c for c, s in SUPPORT.items() if s.kind == "when")
COMMUNITY = frozenset(c for c, s in SUPPORT.items() if s.kind == "yes")


class LabelStudioProvider(Provider):
    """Label Studio through the official label-studio-sdk client (`label_studio_sdk.client.LabelStudio`).

    Options: `check` (verify the token and edition at connect time), `timeout` (seconds per request,
    default 120, else ANNOBRIDGE_TIMEOUT), `retries` (extra tries of a request safe to repeat, default 3,
    else ANNOBRIDGE_RETRIES; `max_retries` is the same), `retry_backoff` (first backoff, seconds),
    `verify` (TLS: True by default; False or a CA bundle path only when asked), `httpx_client` (your
    own httpx.Client, used as it is, e.g. with event hooks).

    Label Studio's own settings travel in LabelStudioJobOptions (JobSpec, JobUpdate, Job.options) and
    LabelStudioStorageOptions (StorageSpec.options). Beyond the neutral sub-APIs it has `views` (Data
    Manager tabs), and Label Studio extras on several: annotations/predictions in its own JSON
    (`*_json`), tasks with Data Manager filters (`items.tasks`), project parameters (`jobs.params`).
    """

    name = "labelstudio"
    schemes = ("labelstudio", "labelstudio+http", "labelstudio+https")
    package = "annobridge-labelstudio"
    support = SUPPORT
    job_scope = JobScope.PROJECT

    projects_api = LabelStudioProjects
    jobs_api = LabelStudioJobs
    items_api = LabelStudioItems
    annotations_api = LabelStudioAnnotations
    predictions_api = LabelStudioPredictions
    pauses_api = LabelStudioPauses
    assignments_api = LabelStudioAssignments
    reviews_api = LabelStudioReviews
    exports_api = LabelStudioExports
    storages_api = LabelStudioStorages
    users_api = LabelStudioUsers
    videos_api = LabelStudioVideos
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
        self.views = LabelStudioViews(self)  # a Label Studio extra: Data Manager tabs

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
        edition = self.connection.known_edition
        return f"{self.name} ({self.url}, {edition.describe()})" if edition else super().describe()

    def edition_name(self) -> str:
        return self.edition.describe()

    @property
    def retry_policy(self) -> RetryPolicy:
        return self.connection.policy

    def close(self) -> None:
        self.connection.close()
