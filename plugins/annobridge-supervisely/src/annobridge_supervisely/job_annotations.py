"""A labeling job's annotations: Supervisely annotation JSON (LabelingJobApi.get_annotations) and neutral ones.

The SDK reads a job's labels against the job's meta, which holds only classes_to_label (and
nothing when that list is empty, as it is for "every class"); here they are read against
the whole project meta, so no label is dropped on the way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from annobridge.annotations import ItemAnnotation
from annobridge.fidelity import FidelityReport

from .convert import entities

if TYPE_CHECKING:
    from .provider import SuperviselyProvider


def sly_annotations(
    backend: SuperviselyProvider, info, item_ids: list[int], meta: dict[str, Any] | None = None
) -> dict[int, dict[str, Any]]:
    """Annotation JSON by item id, in `item_ids` order, for a LabelingJobInfo; `meta` is the project's, if at hand."""
    if not item_ids:
        return {}
    from .client import sly

    with backend.errors():
        meta = meta if meta is not None else backend.api.project.get_meta(info.project_id)
        anns = backend.api.labeling_job.get_annotations(
            info.id, image_ids=item_ids, project_meta=sly().ProjectMeta.from_json(meta)
        )
    return {item: ann.to_json() for item, ann in zip(item_ids, anns)}


def neutral_annotations(
    backend: SuperviselyProvider, info, item_ids: list[int]
) -> tuple[list[ItemAnnotation], FidelityReport]:
    """The neutral ItemAnnotation of each item (figures.py) with the reviewer's verdict, and one report of the losses."""
    from .figures import from_supervisely

    with backend.errors():
        meta = backend.api.project.get_meta(info.project_id)
    verdicts = {e.id: e.review_status for e in entities(info.entities) or []}
    report = FidelityReport()
    converted = []
    for item, ann in sly_annotations(backend, info, item_ids, meta).items():
        neutral, losses = from_supervisely(ann, meta, item=item)
        converted.append(neutral.model_copy(update={"review_status": verdicts.get(item, neutral.review_status)}))
        report = report.merge(losses)
    return converted, report
