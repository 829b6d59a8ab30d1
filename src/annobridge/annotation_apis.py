"""The annotations, predictions and pauses sub-API base classes: neutral labels read and written in bulk.

Annotations are `ItemAnnotation`s whose `item` is the backend's item id and whose authors are
logins (as transfer carries them); a write resolves logins to the backend's users and returns the
FidelityReport of what the conversion carried, approximated or dropped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, Iterator, Literal

from .capabilities import Capability
from .errors import ValidationError
from .fidelity import FidelityReport
from .models import Id
from .subapi import P, SubAPI, keyword_ids, requires

if TYPE_CHECKING:
    from .annotations import ItemAnnotation, Prediction

__all__ = ["AnnotationsAPI", "PausesAPI", "PredictionsAPI", "WriteMode", "checked_writes", "each_checked", "in_pages"]

WriteMode = Literal["append", "replace"]


def checked_writes(annotations: Iterable[Any], mode: str, kind: type | None = None) -> list[Any]:
    """The annotations as a list, each a `kind` (ItemAnnotation unless told) naming its item, with a known `mode`;
    else ValidationError, before any write.

    >>> from annobridge import ItemAnnotation
    >>> checked_writes([ItemAnnotation(item=3, width=2, height=2)], "replace")[0].item
    3
    >>> checked_writes([ItemAnnotation(width=2, height=2)], "append")
    Traceback (most recent call last):
    annobridge.errors.ValidationError: annotations: annotation #0 names no item (set item= to the item's id)
    """
    from .annotations import ItemAnnotation

    kind = kind or ItemAnnotation
    if mode not in ("append", "replace"):
        raise ValidationError(f"mode: 'append' or 'replace', not {mode!r}")
    listed = list(annotations)
    for index, ann in enumerate(listed):
        if not isinstance(ann, kind):
            raise ValidationError(f"annotations: #{index} is a {type(ann).__name__}, not {_a(kind.__name__)}")
        if ann.item is None:
            raise ValidationError(f"annotations: annotation #{index} names no item (set item= to the item's id)")
    return listed


def _a(noun: str) -> str:
    return f"an {noun}" if noun[0] in "AEIOU" else f"a {noun}"


def each_checked(annotations: Iterable[ItemAnnotation]) -> Iterator[ItemAnnotation]:
    """The annotations one by one, as they stream, each an ItemAnnotation naming its item; else a ValidationError."""
    from .annotations import ItemAnnotation

    for index, ann in enumerate(annotations):
        if not isinstance(ann, ItemAnnotation) or ann.item is None:
            raise ValidationError(f"annotations: #{index} is not an ItemAnnotation naming its item")
        yield ann


def in_pages(values: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """`values` in lists of `size` (the last one shorter), read lazily.

    >>> list(in_pages(range(5), 2))
    [[0, 1], [2, 3], [4]]
    """
    page: list[Any] = []
    for value in values:
        page.append(value)
        if len(page) == size:
            yield page
            page = []
    if page:
        yield page


class AnnotationsAPI(SubAPI[P]):
    """Items' annotations as neutral ItemAnnotations: stream, get, write in bulk, delete."""

    @keyword_ids("job_id")
    @requires(Capability.ANNOTATIONS)
    def list(
        self, *, job_id: Id | None = None, project_id: Id | None = None, item_ids: Iterable[Id] | None = None
    ) -> Iterator[ItemAnnotation]:
        """Every annotation of the job's or the project's items (only `item_ids`, when given), page by page."""
        raise self._missing("annotations.list")

    @requires(Capability.ANNOTATIONS)
    def get(self, item_id: Id) -> list[ItemAnnotation]:
        """The item's annotations: one per image on Supervisely, one per annotator on Label Studio."""
        raise self._missing("annotations.get")

    @requires(Capability.ANNOTATIONS)
    def write(
        self, project_id: Id, annotations: Iterable[ItemAnnotation], *, mode: WriteMode = "append"
    ) -> FidelityReport:
        """Write annotations onto the project's items in bulk: added to what they hold ("append"), or in its
        place ("replace"); every annotation is checked against the project's schema before the first write."""
        raise self._missing("annotations.write")

    @requires(Capability.ANNOTATIONS)
    def delete(self, item_ids: Iterable[Id]) -> None:
        """Remove every annotation of these items; the items stay."""
        raise self._missing("annotations.delete")

    @requires(Capability.ANNOTATIONS)
    def to_native(self, project_id: Id, annotations: Iterable[ItemAnnotation]) -> Iterator[dict[str, Any]]:
        """The annotations in the backend's own JSON, one document per item (a Label Studio task with its
        annotations; a Supervisely image's annotation with its image id), converted against the project's
        schema as a write would be; nothing is written. A bad annotation raises ValidationError naming it."""
        raise self._missing("annotations.to_native")

    @requires(Capability.ANNOTATIONS)
    def from_native(self, project_id: Id, documents: Iterable[dict[str, Any]]) -> Iterator[ItemAnnotation]:
        """Neutral annotations of documents in the backend's own JSON (what to_native gives), read against the
        project's schema; a document that does not fit raises ValidationError naming it. Nothing is written."""
        raise self._missing("annotations.from_native")


class PredictionsAPI(SubAPI[P]):
    """Model output kept apart from people's annotations, for labelers to accept or correct."""

    @requires(Capability.PREDICTIONS)
    def write(self, project_id: Id, predictions: Iterable[Prediction]) -> FidelityReport:
        """Put model output on the project's items in bulk (each Prediction's annotation names its item)."""
        raise self._missing("predictions.write")

    @keyword_ids("job_id")
    @requires(Capability.PREDICTIONS)
    def list(
        self, *, job_id: Id | None = None, project_id: Id | None = None, item_ids: Iterable[Id] | None = None
    ) -> Iterator[Prediction]:
        """Every prediction on the job's or the project's items (only `item_ids`, when given)."""
        raise self._missing("predictions.list")

    @requires(Capability.PREDICTIONS)
    def to_annotations(self, project_id: Id, *, model_versions: Iterable[str] | None = None) -> int:
        """Turn the project's predictions (of these model versions; all when None) into annotations; how many."""
        raise self._missing("predictions.to_annotations")

    @requires(Capability.PREDICTIONS)
    def delete(self, item_ids: Iterable[Id]) -> None:
        """Remove every prediction of these items."""
        raise self._missing("predictions.delete")


class PausesAPI(SubAPI[P]):
    """Pausing one annotator of a job: they see no items until resumed."""

    @requires(Capability.PAUSE_ANNOTATORS)
    def pause(self, job_id: Id, user_id: Id, *, reason: str = "MANUAL", message: str | None = None) -> Any:
        """Pause the user in the job, with a reason and an optional message they see."""
        raise self._missing("pauses.pause")

    @requires(Capability.PAUSE_ANNOTATORS)
    def is_paused(self, job_id: Id, user_id: Id) -> bool:
        """Whether the user has a pause in the job that is not lifted."""
        raise self._missing("pauses.is_paused")

    @requires(Capability.PAUSE_ANNOTATORS)
    def resume(self, job_id: Id, user_id: Id) -> int:
        """Lift every active pause of the user in the job; returns how many."""
        raise self._missing("pauses.resume")
