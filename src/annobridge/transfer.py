"""Transfer: a provider's bulk, neutral way to read a project's items (media, annotations, authors) and write them.

The migration engine reads a source project page by page as `Record`s and writes each page
to the target in bulk. Every record carries the source key (the source item's id as text);
writers store it on the new item (task data on Label Studio, image meta on Supervisely), which
is how `present` and `find` tell what a target holds already (a batch a killed or failed run
left pending, or a whole earlier run whose ledger is gone), so nothing is written twice.
Annotation authors are logins; writers resolve them to their own users.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Literal

from .capabilities import Capability
from .errors import ValidationError
from .fidelity import FidelityReport
from .models import Id, ReviewStatus
from .schema import LabelSchema
from .subapi import P, SubAPI, requires

if TYPE_CHECKING:
    from .annotations import ItemAnnotation

__all__ = ["SOURCE_KEY", "MediaMode", "Page", "Record", "TransferAPI", "Written", "link_urls", "require_media"]

SOURCE_KEY = "annobridge_source"
"""The field (task data on Label Studio, image meta on Supervisely) holding a carried item's source key."""

MediaMode = Literal["copy", "link"]


@dataclass
class Record:
    """One item on its way between backends: what it is, where its media is, and its annotations.

    >>> Record(key="3882697", name="IMG_4451.jpeg", width=640, height=480).annotations
    []
    """

    key: str
    name: str
    width: int | None = None
    height: int | None = None
    annotations: list[ItemAnnotation] = field(default_factory=list)
    url: str | None = None
    media: bytes | None = None
    review_status: ReviewStatus = ReviewStatus.NONE
    origin: dict[str, Any] = field(default_factory=dict)  # where the reader found it (dataset, task), for fetch_media

    def authors(self) -> set[str]:
        """Every login named as an author of an annotation, object or tag of this item."""
        found = set()
        for ann in self.annotations:
            named = [ann.author] + [t.author for t in ann.tags]
            named += [o.author for o in ann.objects] + [t.author for o in ann.objects for t in o.tags]
            found.update(str(a) for a in named if a is not None)
        return found


@dataclass
class Page:
    """A page of records read from a source, and what reading them lost."""

    records: list[Record]
    report: FidelityReport = field(default_factory=FidelityReport)


@dataclass
class Written:
    """What a write did: source key -> target item id, annotations written, and the conversion's losses.

    `annotations_on_target` is, per source key, how many annotations the target holds for the item after the
    write (written now, or found whole on an item that was there already).
    """

    ids: dict[str, Id]
    annotations: int = 0
    report: FidelityReport = field(default_factory=FidelityReport)
    annotations_on_target: dict[str, int] = field(default_factory=dict)


class TransferAPI(SubAPI[P]):
    """Bulk, neutral reading and writing of a project's items with media and annotations."""

    @requires(Capability.ITEMS)
    def count(self, project_id: Id) -> int:
        """How many items the project holds (for progress bars)."""
        raise self._missing("transfer.count")

    @requires(Capability.ANNOTATIONS)
    def read(self, project_id: Id, *, batch_size: int = 100, skip: Iterable[str] = ()) -> Iterator[Page]:
        """The project's items with their annotations, `batch_size` at a time, page by page.

        Records whose key is in `skip` (already carried) may be left out without reading their annotations.
        """
        raise self._missing("transfer.read")

    @requires(Capability.ITEMS)
    def fetch_media(self, project_id: Id, records: list[Record]) -> None:
        """Fill each record's `media` with the item's bytes, in as few requests as the backend allows."""
        raise self._missing("transfer.fetch_media")

    @requires(Capability.ITEMS)
    def present(self, project_id: Id) -> dict[str, Id]:
        """Every source key the project's items carry -> item id, read once and streamed (ids and keys only).

        The engine reads it once, up front, from a target project that existed before the run, so that
        nothing the target holds is written again, with or without a ledger.
        """
        raise self._missing("transfer.present")

    @requires(Capability.ITEMS)
    def find(self, project_id: Id, keys: Iterable[str]) -> dict[str, Id]:
        """Which of these source keys the project already holds: key -> item id (from `present`; no keys, no read).

        Example (against a live backend)::

            backend.transfer.find(project.id, ["3882697", "no-such-key"])  # -> {'3882697': 41}
        """
        wanted = set(keys)
        if not wanted:
            return {}
        return {key: item for key, item in self.present(project_id).items() if key in wanted}

    @requires(Capability.ANNOTATIONS)
    def preview(self, records: list[Record], *, schema: LabelSchema) -> Written:
        """Convert the records as `write` would for a project with `schema`, writing nothing (for dry runs)."""
        raise self._missing("transfer.preview")

    def prepare(self, project_id: Id, records: list[Record], *, schema: LabelSchema) -> dict[str, Any]:
        """The records converted for a write into the project, source key -> what `write` takes as `prepared`; done
        ahead of the write, while an earlier batch is written. Bad input raises here. By default nothing is prepared
        ({}) and `write` converts; a provider whose `prepare` returns something takes `prepared=` in `write`."""
        return {}

    @requires(Capability.ANNOTATIONS)
    def write(
        self,
        project_id: Id,
        records: list[Record],
        *,
        schema: LabelSchema,
        media: MediaMode = "copy",
        existing: dict[str, Id] | None = None,
    ) -> Written:
        """Write records (items, media, annotations) in bulk; `existing` items are there already
        (a reconciled batch) and only need their annotations made whole. A provider that prepares (`prepare`) takes
        `prepared=` too: what it prepared for some of the records, used as it is."""
        raise self._missing("transfer.write")


def link_urls(records: list[Record]) -> list[str]:
    """Each record's URL, for media="link"; records without one are a ValidationError naming them.

    >>> link_urls([Record(key="1", name="a.jpg", url="https://example.com/a.jpg")])
    ['https://example.com/a.jpg']
    """
    missing = [r.key for r in records if not r.url]
    if missing:
        raise ValidationError(f"media: items {missing[:5]} have no URL to link to; use media='copy'")
    return [str(r.url) for r in records]


def require_media(records: list[Record]) -> None:
    """Check every record holds its bytes (media="copy" writes them); else a ValidationError naming the records.

    >>> require_media([Record(key="1", name="a.jpg", media=b"...")])
    """
    empty = [r.key for r in records if not r.media]
    if empty:
        raise ValidationError(f"media: items {empty[:5]} have no bytes; fetch_media first")
