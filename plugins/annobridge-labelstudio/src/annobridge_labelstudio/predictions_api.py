"""Predictions (pre-annotations) of Label Studio tasks as neutral Predictions, and in Label Studio's JSON.

Example::

    report = backend.predictions.write(job.id, [Prediction(annotation=ann, model_version="v1", score=0.9)])
    backend.predictions.to_annotations(job.id, model_versions=["v1"])  # -> 1

Label Studio extras, in its own JSON: `list_json(job_id=None, item_id=None)`, `get_json`,
`create_json(item_id, result, score=, model_version=)` (a region list, or the short forms the legacy
SDK took), `create_many_json(job_id, predictions)`, `update_json`, `delete_json`.
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Iterator

from annobridge.annotation_apis import PredictionsAPI, checked_writes
from annobridge.annotations import Prediction
from annobridge.capabilities import Capability
from annobridge.errors import ValidationError
from annobridge.fidelity import LABEL_STUDIO, FidelityReport
from annobridge.models import Id
from annobridge.provider import requires

from .annotation_io import context, known_tasks, sized, task_projects
from .sdk_data import BATCH, as_dict, as_int, chosen_project, chunks
from .subapi_base import LabelStudioProvider, LabelStudioSubAPI

__all__ = ["LabelStudioPredictions"]

_CREATED = re.compile(r"(\d+)")


class LabelStudioPredictions(LabelStudioSubAPI, PredictionsAPI[LabelStudioProvider]):
    """Predictions: neutral write/list/to_annotations/delete; Label Studio JSON through the *_json extras."""

    def write(self, project_id: Id, predictions: Iterable[Prediction]) -> FidelityReport:
        """Import the predictions in bulk (1000 a request), each with its model version and score.

        Everything is converted and checked (tasks of the project, the schema, the config) first;
        an annotation's authors are counted as dropped (a prediction has none), and so are the annotation flags
        (ground truth, lead time) an item read from a Label Studio annotation held. Nothing is kept for the way
        back in the tasks' meta: what a prediction cannot hold is counted as dropped.
        """
        from .regions import to_labelstudio
        from .regions_keep import FLAGS

        listed = list(predictions)
        for n, p in enumerate(listed):
            if not isinstance(p, Prediction):
                raise ValidationError(f"predictions: #{n} is a {type(p).__name__}, not a Prediction")
        checked_writes([p.annotation for p in listed], "append")
        pid = as_int(project_id, "project_id")
        if not listed:
            return FidelityReport()
        known_tasks(self, pid, [p.annotation.item for p in listed], "predictions")
        ctx, report, rows = context(self, pid), FidelityReport(), []
        for p in listed:
            data, losses = to_labelstudio(p.annotation, label_config=ctx.config, schema=ctx.schema)
            report.merge(losses)
            if data.pop("completed_by", None) is not None:
                report.dropped("annotation author", LABEL_STUDIO, "a prediction has no author", item=p.annotation.item)
            for flag in FLAGS:
                if data.pop(flag, None):
                    report.dropped(f"annotation {flag}", LABEL_STUDIO, "a prediction has none", item=p.annotation.item)
            row = {"task": as_int(p.annotation.item, "item"), "result": sized(data["result"], p.annotation),
                   "model_version": p.model_version}
            rows.append(row | ({"score": p.score} if p.score is not None else {}))
        made = 0
        for chunk in chunks(rows, BATCH):
            with self.call(f"importing {len(chunk)} predictions into project {pid}"):
                answer = as_dict(self.sdk.projects.import_predictions(pid, request=chunk))
            made += int(answer.get("created") or len(chunk))
        report.carried("prediction", LABEL_STUDIO, made)
        return report

    def list(self, *, job_id: Id | None = None, project_id: Id | None = None, item_ids: Iterable[Id] | None = None
    ) -> Iterator[Prediction]:
        """Every prediction on the job's (= project's) tasks, or on `item_ids` only, 1000 tasks a request."""
        pid = chosen_project(job_id, project_id, None)
        wanted = known_tasks(self, pid, item_ids, "item_ids") if item_ids is not None else None
        ctx = context(self, pid)
        for chunk in [None] if wanted is None else chunks(wanted, 500):
            for task in self.backend.items.tasks(pid, selected_ids=chunk):
                for raw in task.get("predictions") or []:
                    annotation = ctx.read(self, task, raw, {})[0]
                    score = raw.get("score")
                    yield Prediction(annotation=annotation, model_version=raw.get("model_version") or "",
                                     score=float(score) if score is not None else None, id=raw.get("id"))

    def to_annotations(self, project_id: Id, *, model_versions: Iterable[str] | None = None) -> int:
        """Turn the project's predictions (of these model versions; all when None) into annotations; how many."""
        pid = as_int(project_id, "project_id")
        versions = [model_versions] if isinstance(model_versions, str) else model_versions
        body = {"model_version": list(versions) if versions is not None else None}
        answer = self.backend.items.run_action(pid, "predictions_to_annotations", {"all": True, "excluded": []}, **body)
        match = _CREATED.search(str(answer.get("detail", "")))
        return int(match.group(1)) if match else int(answer.get("processed_items") or 0)

    def delete(self, item_ids: Iterable[Id]) -> None:
        """Remove every prediction of these tasks (Data Manager action, 1000 tasks a request)."""
        for pid, tasks in task_projects(self, item_ids).items():
            for chunk in chunks(tasks, BATCH):
                self.backend.items.run_action(pid, "delete_tasks_predictions", {"all": False, "included": chunk})

    # ---------------------------------------------------------------- Label Studio extras (its own JSON)

    @requires(Capability.PREDICTIONS)
    def list_json(self, job_id: Id | None = None, *, item_id: Id | None = None) -> list[dict[str, Any]]:
        """The predictions of a job, or of one task, as Label Studio returns them."""
        if (job_id is None) == (item_id is None):
            raise ValidationError("predictions.list_json takes exactly one of job_id and item_id")
        params = {"task": as_int(item_id, "item_id")} if item_id is not None else {"project": as_int(job_id, "job_id")}
        with self.call(f"listing predictions of {params}"):
            return [as_dict(p) for p in self.sdk.predictions.list(**params)]

    @requires(Capability.PREDICTIONS)
    def get_json(self, prediction_id: Id) -> dict[str, Any]:
        """One prediction by its Label Studio id."""
        pid = as_int(prediction_id, "prediction_id")
        with self.call(f"reading prediction {pid}"):
            return as_dict(self.sdk.predictions.get(pid))

    @requires(Capability.PREDICTIONS)
    def create_json(self, item_id: Id, result: list[dict[str, Any]] | dict[str, Any] | str, *, score: float = 0.0,
                    model_version: str | None = None) -> dict[str, Any]:
        """A prediction for a task. `result` is a region list, or (as the legacy SDK took) just the
        value payload of the config's first control, or just a class name for it."""
        tid = as_int(item_id, "item_id")
        regions = result if isinstance(result, list) else self._regions(tid, result)
        extra = {"model_version": model_version} if model_version is not None else {}
        with self.call(f"predicting task {tid}"):
            return as_dict(self.sdk.predictions.create(task=tid, result=regions, score=score, **extra))

    @requires(Capability.PREDICTIONS)
    def create_many_json(self, job_id: Id, predictions: list[dict[str, Any]]) -> int:
        """Bulk-create predictions ({"task": id, "result": [...], "score", "model_version"}); returns the count."""
        pid = as_int(job_id, "job_id")
        if not predictions:
            return 0
        with self.call(f"importing {len(predictions)} predictions into project {pid}"):
            answer = as_dict(self.sdk.projects.import_predictions(pid, request=predictions))
        return int(answer.get("created") or len(predictions))

    @requires(Capability.PREDICTIONS)
    def update_json(self, prediction_id: Id, **fields: Any) -> dict[str, Any]:
        """Change a prediction (result, score, model_version)."""
        pid = as_int(prediction_id, "prediction_id")
        with self.call(f"updating prediction {pid}"):
            return as_dict(self.sdk.predictions.update(pid, **fields))

    @requires(Capability.PREDICTIONS)
    def delete_json(self, prediction_id: Id) -> None:
        """Delete one prediction by its Label Studio id."""
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
