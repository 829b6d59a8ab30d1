"""The Label Studio provider: a Job is a project; its annotators and reviewers are task assignments."""

from __future__ import annotations

from typing import Any

from annobridge.capabilities import Capability
from annobridge.provider import Provider
from annobridge.urls import BackendURL

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
    {Capability.ASSIGNMENTS, Capability.REVIEWS, Capability.MEMBERS, Capability.PAUSE_ANNOTATORS}
)


class LabelStudioProvider(Provider):
    """Label Studio through the official label-studio-sdk; the edition comes from /api/version."""

    name = "labelstudio"
    schemes = ("labelstudio", "labelstudio+http", "labelstudio+https")
    package = "annobridge-labelstudio"
    capabilities = COMMUNITY | ENTERPRISE_ONLY
    capability_notes = {cap: "Label Studio Enterprise" for cap in ENTERPRISE_ONLY}

    @classmethod
    def open(cls, address: BackendURL, token: str | None = None, **options: Any) -> LabelStudioProvider:
        if token is None:
            from .settings import LabelStudioSettings

            key = LabelStudioSettings().api_key
            token = key.get_secret_value() if key else None
        return cls(address, token, **options)
