"""The Supervisely provider: jobs are labeling jobs, one per annotator, driven through the supervisely SDK."""

from __future__ import annotations

from typing import Any

from annobridge.capabilities import Capability
from annobridge.provider import Provider
from annobridge.urls import BackendURL


class SuperviselyProvider(Provider):
    """Supervisely through the official `supervisely` SDK (imported on first use: it takes seconds)."""

    name = "supervisely"
    schemes = ("supervisely", "supervisely+http", "supervisely+https")
    package = "annobridge-supervisely"
    capabilities = frozenset(
        {
            Capability.PROJECTS,
            Capability.SCHEMA,
            Capability.ITEMS,
            Capability.ANNOTATIONS,
            Capability.JOBS,
            Capability.JOB_STATUS_CONTROL,
            Capability.JOB_ARCHIVE,
            Capability.JOB_RESTART,
            Capability.JOB_CUSTOM_DATA,
            Capability.USERS,
            Capability.MEMBERS,
            Capability.ASSIGNMENTS,
            Capability.REVIEWS,
            Capability.EXPORTS,
        }
    )
    capability_notes = {
        Capability.EXPORTS: "built on the client",
        Capability.ASSIGNMENTS: "one labeling job per annotator",
    }

    @classmethod
    def open(cls, address: BackendURL, token: str | None = None, **options: Any) -> SuperviselyProvider:
        if token is None:
            from .settings import SuperviselySettings

            key = SuperviselySettings().api_token
            token = key.get_secret_value() if key else None
        return cls(address, token, **options)
