"""What a backend can do: one enum, and the matrix built from what providers declare."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:
    from .provider import Provider


class Capability(str, Enum):
    """A feature a provider may or may not offer; gated calls check it once."""

    PROJECTS = "projects"
    SCHEMA = "schema"
    ITEMS = "items"
    ANNOTATIONS = "annotations"
    PREDICTIONS = "predictions"
    JOBS = "jobs"
    JOB_STATUS_CONTROL = "job_status_control"
    JOB_ARCHIVE = "job_archive"
    JOB_RESTART = "job_restart"
    JOB_CUSTOM_DATA = "job_custom_data"
    USERS = "users"
    MEMBERS = "members"
    ASSIGNMENTS = "assignments"
    REVIEWS = "reviews"
    PAUSE_ANNOTATORS = "pause_annotators"
    EXPORTS = "exports"
    EXPORT_SNAPSHOTS = "export_snapshots"
    STORAGES = "storages"

    def __str__(self) -> str:
        return self.value


def capability_matrix(providers: Iterable[type[Provider]]) -> dict[str, dict[str, bool]]:
    """Map capability name -> provider name -> supported, as declared by each provider class.

    >>> capability_matrix([])["jobs"]
    {}
    """
    providers = list(providers)
    return {cap.value: {p.name: cap in p.capabilities for p in providers} for cap in Capability}


def render_matrix_markdown(providers: Iterable[type[Provider]]) -> str:
    """The capability matrix as a Markdown table (the README keeps a copy of it)."""
    providers = list(providers)
    lines = ["| capability | " + " | ".join(p.name for p in providers) + " |"]
    lines.append("|---|" + "---|" * len(providers))
    for cap, row in capability_matrix(providers).items():
        cells = [_cell(p, cap, row[p.name]) for p in providers]
        lines.append(f"| {cap} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _cell(provider: type[Provider], cap: str, supported: bool) -> str:
    note = provider.capability_notes.get(Capability(cap), "")
    return ("yes" if supported else "no") + (f" ({note})" if note else "")
