"""Annotations of Label Studio tasks as neutral ItemAnnotations (one per annotator's annotation), and in LS JSON.

Example::

    report = backend.annotations.write(job.id, [ItemAnnotation(item=task_id, width=640, height=480,
                                        tags=[Tag(name="size", value="small")], author="anna")])
    [a.author for a in backend.annotations.get(task_id)]  # -> ['anna']

`to_native` / `from_native` turn neutral annotations into Label Studio tasks with their annotations
({"id", "data", "annotations"}) and back. Label Studio extras, in its own JSON (a region list as
`result`): `list_json(item_id)`, `get_json(annotation_id)`, `create_json(item_id, result, **fields)`,
`update_json(annotation_id, **fields)`, `delete_json(annotation_id)`.
"""

from __future__ import annotations

import itertools
from typing import Any, Iterable, Iterator

from annobridge.annotation_apis import AnnotationsAPI, WriteMode, checked_writes, each_checked, in_pages
from annobridge.annotations import ItemAnnotation
from annobridge.capabilities import Capability
from annobridge.errors import ValidationError
from annobridge.fidelity import LABEL_STUDIO, FidelityReport
from annobridge.models import Id
from annobridge.provider import requires

from .annotation_io import (
    completed_by, context, known_tasks, logins, removed_on_failure, sized, task_projects, user_ids,
)
from .sdk_data import BATCH, as_dict, as_int, chosen_project, chunks
from .subapi_base import LabelStudioProvider, LabelStudioSubAPI

__all__ = ["LabelStudioAnnotations"]


class LabelStudioAnnotations(LabelStudioSubAPI, AnnotationsAPI[LabelStudioProvider]):
    """Annotations: neutral list/get/write/delete; Label Studio JSON through the *_json extras.

    Skipped (cancelled) annotations are left out of what is read. An annotation written here always
    carries its image size (on item tag results too); one made elsewhere with only item tags, on a task
    no region gives the size of, has the task's image read for it.
    """

    def list(self, *, job_id: Id | None = None, project_id: Id | None = None, item_ids: Iterable[Id] | None = None
    ) -> Iterator[ItemAnnotation]:
        """Every annotation of the job's (= project's) tasks, or of `item_ids` only, 1000 tasks a request."""
        pid = chosen_project(job_id, project_id, None)
        wanted = known_tasks(self, pid, item_ids, "item_ids") if item_ids is not None else None
        ctx, authors = context(self, pid), logins(self)
        for chunk in [None] if wanted is None else chunks(wanted, 500):
            for task in self.backend.items.tasks(pid, selected_ids=chunk):
                for raw in task.get("annotations") or []:
                    if not raw.get("was_cancelled"):
                        yield ctx.read(self, task, raw, authors)[0]

    def get(self, item_id: Id) -> list[ItemAnnotation]:
        """The task's annotations, one per Label Studio annotation (skipped ones left out)."""
        task = self.backend.items.task(item_id)
        ctx, authors = context(self, as_int(task["project"], "project")), logins(self)
        return [ctx.read(self, task, raw, authors)[0] for raw in task.get("annotations") or []
                if not raw.get("was_cancelled")]

    def write(
        self, project_id: Id, annotations: Iterable[ItemAnnotation], *, mode: WriteMode = "append"
    ) -> FidelityReport:
        """Write each ItemAnnotation as one Label Studio annotation of its task; `replace` first removes the tasks'
        annotations (in bulk). Authors (logins or emails) become `completed_by`; an author with no user here is
        counted as dropped, and the annotation is the token user's. What Label Studio cannot hold of an item is
        kept for the way back in its task's meta (one more request a task that needs it).

        Everything is converted and checked (tasks of the project, the schema, the config) before the first
        write; Label Studio has no bulk call for annotations of existing tasks, so it is one request each,
        and a failed request removes the annotations this call had made.
        """
        from .regions import to_labelstudio
        from .regions_keep import FLAGS, STASH

        listed = checked_writes(annotations, mode)
        pid = as_int(project_id, "project_id")
        if not listed:
            return FidelityReport()
        tasks = known_tasks(self, pid, [a.item for a in listed], "annotations")
        ctx = context(self, pid)
        users = user_ids(self) if any(_authors(a) for a in listed) else {}
        report, plan, stashes = FidelityReport(), [], {}
        for ann in listed:
            data, losses = to_labelstudio(ann, label_config=ctx.config, schema=ctx.schema, keep=True)
            report.merge(losses)
            stashes.setdefault(as_int(ann.item, "item"), []).append(data.pop(STASH))
            author = data.pop("completed_by", None)
            extra = {k: data[k] for k in FLAGS if k in data}
            extra.update(completed_by(author, users, report, ann.item))
            plan.append((as_int(ann.item, "item"), _sized(data["result"], ann, losses), extra))
        if mode == "replace":
            self.delete_in_project(pid, tasks)
        with removed_on_failure(self) as made:
            for tid, result, extra in plan:
                with self.call(f"annotating task {tid}"):
                    made.append(self.sdk.annotations.create(tid, result=result, **extra).id)
            self._keep(pid, stashes, fresh=mode == "replace")
        report.carried("annotation", LABEL_STUDIO, len(made))
        return report

    def _keep(self, pid: int, stashes: dict[int, list], *, fresh: bool) -> None:
        """Store the stashes in their tasks' meta, merged with what it holds (`fresh`: instead of older stashes)."""
        from annobridge.keep import KEY

        from .regions_keep import task_meta

        wanted = [tid for tid, found in stashes.items() if any(found)]
        for chunk in chunks(wanted, 500):
            for task in self.backend.items.tasks(pid, selected_ids=chunk, include=("id", "meta")):
                meta = {k: v for k, v in (task.get("meta") or {}).items() if not (fresh and k == KEY)}
                self.backend.items.update(task["id"], meta=task_meta(meta, stashes[task["id"]]))

    def delete(self, item_ids: Iterable[Id]) -> None:
        """Remove every annotation of these tasks (Data Manager action, 1000 tasks a request); the tasks stay."""
        for pid, tasks in task_projects(self, item_ids).items():
            self.delete_in_project(pid, tasks)

    def delete_in_project(self, pid: int, tasks: list[int]) -> None:
        """Remove every annotation of these tasks of project `pid` (1000 tasks a request); the tasks stay."""
        for chunk in chunks(tasks, BATCH):
            self.backend.items.run_action(pid, "delete_tasks_annotations", {"all": False, "included": chunk})

    def to_native(self, project_id: Id, annotations: Iterable[ItemAnnotation]) -> Iterator[dict[str, Any]]:
        """One Label Studio task per item, {"id", "data", "annotations": [{"result", "completed_by"}, ...]}, the
        annotations of one item (consecutive ones) together; authors as user ids where the server has them, and
        "meta" holding what Label Studio cannot (regions_keep.py) where there is any. Each is converted and checked
        against the project's config as write() would; 100 tasks' data a request."""
        from .regions import to_labelstudio
        from .regions_keep import STASH, task_meta

        pid = as_int(project_id, "project_id")
        ctx, users = context(self, pid), user_ids(self)

        def native(ann: ItemAnnotation) -> dict[str, Any]:
            data, losses = to_labelstudio(ann, label_config=ctx.config, schema=ctx.schema, keep=True)
            author = data.pop("completed_by", None)
            done = {**data, "result": _sized(data["result"], ann, losses)}
            return done | ({"completed_by": users.get(str(author), author)} if author is not None else {})

        def document(tid: int, data: dict[str, Any], results: list[dict[str, Any]]) -> dict[str, Any]:
            stashes = [r.pop(STASH) for r in results]
            meta = task_meta(None, stashes)
            return {"id": tid, "data": data, "annotations": results} | ({"meta": meta} if meta else {})

        def documents() -> Iterator[dict[str, Any]]:
            groups = itertools.groupby(each_checked(annotations), key=lambda a: as_int(a.item, "item"))
            for page in in_pages(((tid, [native(a) for a in anns]) for tid, anns in groups), 100):
                found = {t["id"]: t.get("data") or {} for t in
                         self.backend.items.tasks(pid, selected_ids=[tid for tid, _ in page], include=("id", "data"))}
                strangers = [tid for tid, _ in page if tid not in found]
                if strangers:
                    raise ValidationError(f"annotations: {strangers[:5]} are not tasks of project {pid}")
                yield from (document(tid, found[tid], results) for tid, results in page)

        return documents()

    def from_native(self, project_id: Id, documents: Iterable[dict[str, Any]]) -> Iterator[ItemAnnotation]:
        """The neutral annotation of each annotation of each Label Studio task {"id", "data", "annotations",
        "meta"?} (of the project), skipped (cancelled) ones left out, what the meta kept for the way back restored;
        predictions are not annotations and are not read."""
        pid = as_int(project_id, "project_id")
        ctx, authors = context(self, pid), logins(self)

        def read() -> Iterator[ItemAnnotation]:
            for index, doc in enumerate(documents):
                if not isinstance(doc, dict) or doc.get("id") is None or not isinstance(doc.get("annotations"), list):
                    raise ValidationError(f"document #{index}: a Label Studio task is a JSON object with its id and "
                                          "a list of annotations")
                task = {"id": as_int(doc["id"], f"document #{index}: id"), "data": doc.get("data") or {},
                        "annotations": doc["annotations"], "meta": doc.get("meta") or {}}
                for raw in task["annotations"]:
                    if not isinstance(raw, dict):
                        raise ValidationError(f"task {task['id']}: each annotation is a JSON object with a result")
                    if not raw.get("was_cancelled"):
                        yield ctx.read(self, task, raw, authors)[0]

        return read()

    # ---------------------------------------------------------------- Label Studio extras (its own JSON)

    @requires(Capability.ANNOTATIONS)
    def list_json(self, item_id: Id) -> list[dict[str, Any]]:
        """Every annotation of a task, as Label Studio returns it."""
        tid = as_int(item_id, "item_id")
        with self.call(f"listing the annotations of task {tid}"):
            return [as_dict(a) for a in self.sdk.annotations.list(tid)]

    @requires(Capability.ANNOTATIONS)
    def get_json(self, annotation_id: Id) -> dict[str, Any]:
        """One annotation, as Label Studio returns it."""
        aid = as_int(annotation_id, "annotation_id")
        with self.call(f"reading annotation {aid}"):
            return as_dict(self.sdk.annotations.get(aid))

    @requires(Capability.ANNOTATIONS)
    def create_json(self, item_id: Id, result: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
        """Add an annotation to a task as an annotator would (fields: ground_truth, lead_time, completed_by, ...)."""
        tid = as_int(item_id, "item_id")
        if not isinstance(result, list):
            raise ValidationError(f"result: expected a list of Label Studio regions, got {type(result).__name__}")
        with self.call(f"annotating task {tid}"):
            return as_dict(self.sdk.annotations.create(tid, result=result, **fields))

    @requires(Capability.ANNOTATIONS)
    def update_json(self, annotation_id: Id, **fields: Any) -> dict[str, Any]:
        """Change an annotation (result, ground_truth, was_cancelled, ...)."""
        aid = as_int(annotation_id, "annotation_id")
        with self.call(f"updating annotation {aid}"):
            return as_dict(self.sdk.annotations.update(aid, **fields))

    @requires(Capability.ANNOTATIONS)
    def delete_json(self, annotation_id: Id) -> None:
        """Delete one annotation by its Label Studio id."""
        aid = as_int(annotation_id, "annotation_id")
        with self.call(f"deleting annotation {aid}"):
            self.sdk.annotations.delete(aid)

    @requires(Capability.ANNOTATIONS)
    def from_predictions(self, job_id: Id, *, model_versions: Iterable[str] | None = None) -> int:
        """The same as `predictions.to_annotations` (kept for scripts written against it)."""
        return self.backend.predictions.to_annotations(job_id, model_versions=model_versions)


def _sized(result: list[dict[str, Any]], annotation: ItemAnnotation, report: FidelityReport) -> list[dict[str, Any]]:
    """`result` sized (annotation_io.sized), unless it is what Label Studio held, given back as it was."""
    restored = report.count(f"{LABEL_STUDIO} data kept for the way back (restored)")
    return result if restored else sized(result, annotation)


def _authors(annotation: ItemAnnotation) -> bool:
    return annotation.author is not None or any(o.author is not None for o in annotation.objects) or any(
        t.author is not None for t in annotation.tags)
