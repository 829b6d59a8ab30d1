"""A labeling job's annotations as Supervisely annotation JSON (LabelingJobApi.get_annotations), for exports.

The SDK reads a job's labels against the job's meta, which holds only classes_to_label (and
nothing when that list is empty, as it is for "every class"); here they are read against
the whole project meta, so no label is dropped on the way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .provider import SuperviselyProvider


def sly_annotations(
    backend: SuperviselyProvider, info, item_ids: list[int], meta: dict[str, Any] | None = None
) -> dict[int, dict[str, Any]]:
    """Annotation JSON by item id, in `item_ids` order, for a LabelingJobInfo; `meta` is the project's, if at hand."""
    if not item_ids:
        return {}
    import supervisely as sly

    with backend.errors():
        meta = meta if meta is not None else backend.api.project.get_meta(info.project_id)
        anns = backend.api.labeling_job.get_annotations(
            info.id, image_ids=item_ids, project_meta=sly.ProjectMeta.from_json(meta)
        )
    return {item: ann.to_json() for item, ann in zip(item_ids, anns)}
