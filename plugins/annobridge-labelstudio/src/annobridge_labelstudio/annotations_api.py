"""Annotations and predictions of Label Studio tasks, in Label Studio's own JSON (regions.py converts them).

    >>> ann = backend.annotations.create(task_id, result=[{"from_name": "size", "to_name": "image",
    ...       "type": "choices", "value": {"choices": ["small"]}}])                     # doctest: +SKIP
    >>> backend.predictions.create(task_id, "small", score=0.9, model_version="v1")      # doctest: +SKIP
    >>> backend.annotations.from_predictions(job_id, model_versions=["v1"])              # doctest: +SKIP
    1
"""

from __future__ import annotations

import re
from typing import Any, Iterable

from annobridge.capabilities import Capability
from annobridge.errors import ValidationError
from annobridge.models import Id
from annobridge.provider import SubAPI, requires

from .common import LabelStudioSubAPI, as_dict, as_int

__all__ = ["LabelStudioAnnotations", "LabelStudioPredictions"]

_CREATED = re.compile(r"(\d+)")


class LabelStudioAnnotations(LabelStudioSubAPI, SubAPI):
    """Annotations: create, list, get, update, delete; and annotations made from predictions."""

    @requires(Capability.ANNOTATIONS)
    def list(self, item_id: Id) -> list[dict[str, Any]]:
        """Every annotation of a task."""
        tid = as_int(item_id, "item_id")
        with self.call(f"listing the annotations of task {tid}"):
            return [as_dict(a) for a in self.sdk.annotations.list(tid)]

    @requires(Capability.ANNOTATIONS)
    def get(self, annotation_id: Id) -> dict[str, Any]:
        aid = as_int(annotation_id, "annotation_id")
        with self.call(f"reading annotation {aid}"):
            return as_dict(self.sdk.annotations.get(aid))

    @requires(Capability.ANNOTATIONS)
    def create(self, item_id: Id, result: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
        """Add an annotation to a task as an annotator would (fields: ground_truth, lead_time, completed_by, ...)."""
        tid = as_int(item_id, "item_id")
        if not isinstance(result, list):
            raise ValidationError(f"result: expected a list of Label Studio regions, got {type(result).__name__}")
        with self.call(f"annotating task {tid}"):
            return as_dict(self.sdk.annotations.create(tid, result=result, **fields))

    @requires(Capability.ANNOTATIONS)
    def update(self, annotation_id: Id, **fields: Any) -> dict[str, Any]:
        """Change an annotation (result, ground_truth, was_cancelled, ...)."""
        aid = as_int(annotation_id, "annotation_id")
        with self.call(f"updating annotation {aid}"):
            return as_dict(self.sdk.annotations.update(aid, **fields))

    @requires(Capability.ANNOTATIONS)
    def delete(self, annotation_id: Id) -> None:
        aid = as_int(annotation_id, "annotation_id")
        with self.call(f"deleting annotation {aid}"):
            self.sdk.annotations.delete(aid)

    @requires(Capability.ANNOTATIONS)
    def from_predictions(self, job_id: Id, *, model_versions: Iterable[str] | None = None) -> int:
        """Turn the job's predictions (of these model versions; all when None) into annotations; returns how many."""
        pid = as_int(job_id, "job_id")
        body = {"model_version": list(model_versions) if model_versions is not None else None}
        answer = self.backend.items._action(pid, "predictions_to_annotations", {"all": True, "excluded": []}, **body)
        match = _CREATED.search(str(answer.get("detail", "")))
        return int(match.group(1)) if match else int(answer.get("processed_items") or 0)


class LabelStudioPredictions(LabelStudioSubAPI, SubAPI):
    """Predictions (pre-annotations): create one or many, list, get, update, delete."""

    @requires(Capability.PREDICTIONS)
    def list(self, job_id: Id | None = None, *, item_id: Id | None = None) -> list[dict[str, Any]]:
        """The predictions of a job, or of one task."""
        if (job_id is None) == (item_id is None):
            raise ValidationError("predictions.list takes exactly one of job_id and item_id")
        params = {"task": as_int(item_id, "item_id")} if item_id is not None else {"project": as_int(job_id, "job_id")}
        with self.call(f"listing predictions of {params}"):
            return [as_dict(p) for p in self.sdk.predictions.list(**params)]

    @requires(Capability.PREDICTIONS)
    def get(self, prediction_id: Id) -> dict[str, Any]:
        pid = as_int(prediction_id, "prediction_id")
        with self.call(f"reading prediction {pid}"):
            return as_dict(self.sdk.predictions.get(pid))

    @requires(Capability.PREDICTIONS)
    def create(self, item_id: Id, result: list[dict[str, Any]] | dict[str, Any] | str, *, score: float = 0.0,
               model_version: str | None = None) -> dict[str, Any]:
        """A prediction for a task. `result` is a region list, or (as the legacy SDK took) just the
        value payload of the config's first control, or just a class name for it."""
        tid = as_int(item_id, "item_id")
        regions = result if isinstance(result, list) else self._regions(tid, result)
        extra = {"model_version": model_version} if model_version is not None else {}
        with self.call(f"predicting task {tid}"):
            return as_dict(self.sdk.predictions.create(task=tid, result=regions, score=score, **extra))

    @requires(Capability.PREDICTIONS)
    def create_many(self, job_id: Id, predictions: list[dict[str, Any]]) -> int:
        """Bulk-create predictions ({"task": id, "result": [...], "score", "model_version"}); returns the count."""
        pid = as_int(job_id, "job_id")
        if not predictions:
            return 0
        with self.call(f"importing {len(predictions)} predictions into project {pid}"):
            answer = as_dict(self.sdk.projects.import_predictions(pid, request=predictions))
        return int(answer.get("created") or len(predictions))

    @requires(Capability.PREDICTIONS)
    def update(self, prediction_id: Id, **fields: Any) -> dict[str, Any]:
        pid = as_int(prediction_id, "prediction_id")
        with self.call(f"updating prediction {pid}"):
            return as_dict(self.sdk.predictions.update(pid, **fields))

    @requires(Capability.PREDICTIONS)
    def delete(self, prediction_id: Id) -> None:
        pid = as_int(prediction_id, "prediction_id")
        with self.call(f"deleting prediction {pid}"):
            self.sdk.predictions.delete(pid)

    def _regions(self, task_id: int, result: dict[str, Any] | str) -> list[dict[str, Any]]:
        """A short-form result (value payload or class name) as one region of the config's first control."""
        from label_studio_sdk.label_interface import LabelInterface

        project = self.backend.items.task(task_id)["project"]
        controls = list(LabelInterface(self.backend.projects.label_config(project)).controls)
        if not controls:
            raise ValidationError(f"result: project {project} has no control tag to put {result!r} in")
        if isinstance(result, str):
            fitting = [c for c in controls if result in (c.labels or ())]
        else:
            fitting = [c for c in controls if c.tag.lower() in result]
        control = (fitting or controls)[0]
        kind = control.tag.lower()
        value = result if isinstance(result, dict) else {kind: [result]}
        return [{"from_name": control.name, "to_name": control.to_name[0], "type": kind, "value": value}]
