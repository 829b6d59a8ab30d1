"""The Supervisely provider: jobs are labeling jobs, one per annotator, driven through the supervisely SDK."""

from __future__ import annotations

import shutil
from contextlib import AbstractContextManager
from typing import Any

from annobridge.capabilities import Capability, no, yes
from annobridge.errors import AuthenticationError, ConfigurationError, ValidationError
from annobridge.ids import optional_backend_id
from annobridge.models import Id, JobScope
from annobridge.provider import Provider
from annobridge.retry import RetryPolicy
from annobridge.tokens import clean_token, warn_plain_http
from annobridge.urls import BackendURL

from .annotations_api import SuperviselyAnnotations
from .assignments import SuperviselyAssignments
from .client import make_api, not_found, sdk_errors
from .exports import SuperviselyExports
from .items import SuperviselyItems
from .jobs import SuperviselyJobs
from .projects import SuperviselyProjects
from .reviews import SuperviselyReviews
from .transfer import SuperviselyTransfer
from .users import SuperviselyUsers
from .videos_api import SuperviselyVideos

OPTIONS = ("team_id", "workspace_id", "retries", "retry_sleep", "retry_backoff", "timeout", "verify")


class SuperviselyProvider(Provider):
    """Supervisely through the official `supervisely` SDK (imported on first use: it takes seconds).

    Options: `team_id` and `workspace_id` (else TEAM_ID / WORKSPACE_ID, else the only one
    there is); `retries`, `retry_backoff` (or `retry_sleep`) and `timeout` for annobridge.retry's policy
    (else ANNOBRIDGE_RETRIES / ANNOBRIDGE_TIMEOUT); `verify` (TLS, on unless False or a CA bundle path).

    >>> sv = SuperviselyProvider("supervisely+http://127.0.0.1:8000", token="...", team_id=8)
    >>> sv.describe()
    'supervisely (supervisely+http://127.0.0.1:8000)'
    """

    name = "supervisely"
    schemes = ("supervisely", "supervisely+http", "supervisely+https")
    package = "annobridge-supervisely"
    job_scope = JobScope.IN_PROJECT  # a project holds many labeling jobs, each over one dataset's images
    support = {
        Capability.PROJECTS: yes(),
        Capability.SCHEMA: yes(),
        Capability.ITEMS: yes(),
        Capability.ANNOTATIONS: yes("one annotation per image"),
        Capability.PREDICTIONS: no(
            "Supervisely keeps model output as the images' annotations, its objects marked as made by a model "
            "(nnCreated); write them with annotations.write and ObjectOrigin.MODEL"
        ),
        Capability.JOBS: yes(),
        Capability.JOB_STATUS_CONTROL: yes(),
        Capability.JOB_ARCHIVE: yes(),
        Capability.JOB_RESTART: yes(),
        Capability.JOB_CLONE: yes("the copies label the same images, with their annotations"),
        Capability.JOB_CUSTOM_DATA: yes(),
        Capability.JOB_LIMITS: yes(),
        Capability.JOB_ACTIVITY: yes("the team's activity in the job"),
        Capability.USERS: yes(),
        Capability.MEMBERS: yes("team roles"),
        Capability.ASSIGNMENTS: yes("one labeling job per annotator"),
        Capability.UNASSIGN: no(
            "a Supervisely labeling job's items are fixed when it is made; stop or delete the job, or assign a new plan"
        ),
        Capability.REVIEWS: yes(),
        Capability.PAUSE_ANNOTATORS: no("Supervisely stops a whole labeling job (jobs.stop), not one annotator"),
        Capability.EXPORTS: yes("built on the client"),
        Capability.EXPORT_SNAPSHOTS: no(
            "Supervisely keeps no export snapshots; exports are built on the client at once"
        ),
        Capability.STORAGES: no(
            "Supervisely links cloud storage through Team Files and import apps, "
            "which its public API does not offer as connect-and-sync storages"
        ),
        Capability.VIDEO: yes("video projects: tracked objects with a figure per frame, tags with frame ranges"),
    }

    projects_api = SuperviselyProjects
    jobs_api = SuperviselyJobs
    items_api = SuperviselyItems
    annotations_api = SuperviselyAnnotations
    assignments_api = SuperviselyAssignments
    reviews_api = SuperviselyReviews
    exports_api = SuperviselyExports
    users_api = SuperviselyUsers
    transfer_api = SuperviselyTransfer
    videos_api = SuperviselyVideos

    def __init__(self, address: BackendURL | str, token: str | None = None, **options: Any) -> None:
        unknown = sorted(set(options) - set(OPTIONS))
        if unknown:
            raise ConfigurationError(f"unknown Supervisely options {unknown}; known: {list(OPTIONS)}")
        super().__init__(address, token, **options)
        self._token = clean_token(token, server=self.describe())
        if self._token:
            warn_plain_http(self.address, self.describe())
        self.policy = RetryPolicy.from_options({"retry_backoff": options.get("retry_sleep"), **options})
        self.verify = options.get("verify", True)
        self._api = None
        self._team_id, self._workspace_id = (
            optional_backend_id(options.get(name), name, "Supervisely", error=ConfigurationError)
            for name in ("team_id", "workspace_id")
        )
        self._scratch: str | None = None

    @classmethod
    def open(cls, address: BackendURL, token: str | None = None, **options: Any) -> SuperviselyProvider:
        """Connect; token, team and workspace default to API_TOKEN, TEAM_ID, WORKSPACE_ID (or ~/supervisely.env).

        API_TOKEN is used only for the server SERVER_ADDRESS names (same scheme, host and port);
        for another, pass token=. A token is stripped of surrounding whitespace, and one that
        cannot be a header is refused before anything is sent.
        """
        from .settings import SuperviselySettings

        settings = SuperviselySettings.load()
        if token is None:
            token = settings.token_for(address, f"{cls.name} ({address})")
        for key in ("team_id", "workspace_id"):
            if options.get(key) is None and getattr(settings, key) is not None:
                options[key] = getattr(settings, key)
        return cls(address, token, **options)

    @property
    def retry_policy(self) -> RetryPolicy:
        return self.policy

    # -- the SDK ---------------------------------------------------------------------------

    @property
    def api(self):
        """The sly.Api (created on first use; importing the SDK takes seconds)."""
        if self._api is None:
            if not self._token:
                raise AuthenticationError(
                    f"no API token for {self.describe()}: pass token= or set API_TOKEN "
                    "(also read from ~/supervisely.env)"
                )
            with self.errors():
                self._api = make_api(self.address.http_url, self._token, self.policy, self.verify)
        return self._api

    def errors(self) -> AbstractContextManager[None]:
        """A context in which SDK failures become annobridge errors naming this backend."""
        return sdk_errors(self.describe(), self._token)

    def not_found(self, what: str) -> Exception:
        return not_found(what, self.describe())

    # -- where things live -----------------------------------------------------------------

    @property
    def team_id(self) -> int:
        """The team jobs are listed in: the team_id option, TEAM_ID, else the user's only team."""
        if self._team_id is None:
            with self.errors():
                teams = self.api.team.get_list()
            if len(teams) != 1:
                found = ", ".join(f"{t.id} ({t.name})" for t in teams) or "none"
                raise ConfigurationError(
                    f"{self.describe()}: the token's user is in {len(teams)} teams ({found}); "
                    "pass team_id= to connect() or set TEAM_ID"
                )
            self._team_id = teams[0].id
        return self._team_id

    @property
    def workspace_id(self) -> int:
        """The workspace new projects go to: the workspace_id option, WORKSPACE_ID, else the team's only one."""
        if self._workspace_id is None:
            with self.errors():
                spaces = self.api.workspace.get_list(self.team_id)
            if len(spaces) != 1:
                found = ", ".join(f"{w.id} ({w.name})" for w in spaces) or "none"
                raise ConfigurationError(
                    f"{self.describe()}: team {self.team_id} has {len(spaces)} workspaces ({found}); "
                    "pass workspace_id= to connect() or set WORKSPACE_ID"
                )
            self._workspace_id = spaces[0].id
        return self._workspace_id

    def sole_dataset(self, project_id: Id, *, create: bool = False) -> int:
        """The project's only dataset (created as 'ds0' if it has none and `create`); else ValidationError."""
        with self.errors():
            datasets = self.api.dataset.get_list(int(project_id))
            if not datasets and create:
                return self.api.dataset.create(int(project_id), "ds0").id
        if len(datasets) != 1:
            found = ", ".join(f"{d.id} ({d.name})" for d in datasets) or "none"
            raise ValidationError(
                f"dataset_id: project {project_id} has {len(datasets)} datasets ({found}); "
                "a Supervisely job or upload needs one, so pass dataset_id"
            )
        return datasets[0].id

    def scratch_dir(self) -> str:
        """A private directory for client-built exports; removed by close()."""
        import tempfile

        if self._scratch is None:
            self._scratch = tempfile.mkdtemp(prefix="annobridge-supervisely-")
        return self._scratch

    def close(self) -> None:
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None
        self._api = None
