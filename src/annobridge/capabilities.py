"""What a backend can do: one enum, one declaration per capability per provider, and the matrix built from them."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Callable, Iterable, Literal

if TYPE_CHECKING:
    from .provider import Provider

__all__ = ["Capability", "Support", "capability_matrix", "no", "render_matrix_markdown", "when", "yes"]


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
    JOB_CLONE = "job_clone"
    JOB_CUSTOM_DATA = "job_custom_data"
    JOB_ACTIVITY = "job_activity"
    JOB_LIMITS = "job_limits"  # per-item limits of objects and tags, items chosen by their tags
    USERS = "users"
    MEMBERS = "members"
    ASSIGNMENTS = "assignments"
    UNASSIGN = "unassign"
    REVIEWS = "reviews"
    PAUSE_ANNOTATORS = "pause_annotators"
    EXPORTS = "exports"
    EXPORT_SNAPSHOTS = "export_snapshots"
    STORAGES = "storages"
    VIDEO = "video"  # video projects: video items with frame counts and rates, tracked objects

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Support:
    """How a provider offers one capability: always ("yes"), on a condition ("when"), or not at all ("no").

    `text` is the note on a yes, the condition of a when ("Label Studio Enterprise"), the reason of a no.
    """

    kind: Literal["yes", "when", "no"]
    text: str = ""
    what: str = ""  # the feature in words, for the sentence a failed condition gives
    met: Callable[[Provider], bool] | None = field(default=None, compare=False, repr=False)

    def offered_by(self, provider: Provider) -> bool:
        """Whether this connected provider has it (a condition is checked against the server)."""
        return self.kind == "yes" or (self.kind == "when" and self.met is not None and self.met(provider))

    def reason(self, provider: Provider, capability: Capability) -> str:
        """Why `provider` lacks it, in a sentence: the declared reason, or the condition it does not meet."""
        if self.kind == "no":
            return self.text
        edition = provider.edition_name()
        needs = f"{self.what or capability.value} needs {self.text}"
        return f"{needs}; this server is {edition}" if edition else needs

    def cell(self) -> str:
        """The matrix cell: "yes", "yes (note)", "with <condition>" or "no: <reason>"."""
        if self.kind == "yes":
            return f"yes ({self.text})" if self.text else "yes"
        return f"with {self.text}" if self.kind == "when" else f"no: {self.text}"


def yes(note: str = "") -> Support:
    """Offered on every server of this kind; `note` says how, where it matters ("built on the client")."""
    return Support("yes", note)


def when(condition: str, met: Callable[[Provider], bool], *, what: str = "") -> Support:
    """Offered where `met(provider)` holds: an edition, a server version; `what` names the feature in words.

    >>> when("Label Studio Enterprise", lambda p: False, what="task assignment").cell()
    'with Label Studio Enterprise'
    """
    return Support("when", condition, what, met)


def no(reason: str) -> Support:
    """Not offered, and why (a sentence a user can act on).

    >>> no("Supervisely keeps no export snapshots").cell()
    'no: Supervisely keeps no export snapshots'
    """
    if not reason.strip():
        raise ValueError("an unsupported capability needs its reason")
    return Support("no", reason)


def capability_matrix(providers: Iterable[type[Provider]]) -> dict[str, dict[str, Support]]:
    """Map capability name -> provider name -> its declared Support.

    >>> capability_matrix([])["jobs"]
    {}
    """
    providers = list(providers)
    return {cap.value: {p.name: p.declared(cap) for p in providers} for cap in Capability}


def render_matrix_markdown(providers: Iterable[type[Provider]]) -> str:
    """The capability matrix as a Markdown table (the README keeps a copy of it)."""
    providers = list(providers)
    lines = ["| capability | " + " | ".join(p.name for p in providers) + " |"]
    lines.append("|---|" + "---|" * len(providers))
    for cap, row in capability_matrix(providers).items():
        lines.append(f"| {cap} | " + " | ".join(row[p.name].cell() for p in providers) + " |")
    return "\n".join(lines)
