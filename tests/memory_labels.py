"""The in-memory provider's items (images with bytes), their annotations and their predictions."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Iterator

from annobridge import Item, ReviewStatus
from annobridge.annotation_apis import checked_writes
from annobridge.annotations import ItemAnnotation, Prediction
from annobridge.errors import ValidationError
from annobridge.fidelity import FidelityReport
from annobridge.provider import AnnotationsAPI, ExportsAPI, ItemsAPI, PredictionsAPI
from annobridge.transfer import SOURCE_KEY

from .memory_jobs import _MemorySubAPI
from .memory_state import StoredItem, media, new_id

TARGET = "memory"  # how fidelity reports name this backend


def _key(value: Any) -> Any:
    return int(value) if str(value).isdigit() else value


class _Scoped(_MemorySubAPI):
    def _scope(self, job_id, project_id, item_ids=None) -> tuple[list[StoredItem], dict[int, ReviewStatus]]:
        """The items of the job (in its order, with its verdicts) or of the project, only `item_ids` when given."""
        if (job_id is None) == (project_id is None):
            raise ValidationError("give job_id or project_id (one of them)")
        if job_id is not None:
            job = self.state.job(job_id)
            held = self.state.items.get(job.project_id, {})
            items, verdicts = [held[i] for i in job.items if i in held], dict(job.verdicts)
        else:
            items, verdicts = self.state.project_items(self.state.project(project_id).id), {}
        if item_ids is not None:
            wanted = {str(i) for i in item_ids}
            items = [i for i in items if str(i.id) in wanted]
        return items, verdicts


class MemoryItems(_Scoped, ItemsAPI):
    """Images with their bytes; a payload is {"name", "bytes", "width", "height"} and optionally "meta"."""

    def _item(self, stored: StoredItem, project_id: int, review=ReviewStatus.NONE) -> Item:
        meta = {**stored.meta, **({SOURCE_KEY: stored.key} if stored.key is not None else {})}
        return Item(id=stored.id, name=stored.name, width=stored.width, height=stored.height, project_id=project_id,
                    url=stored.url, meta=meta, annotations_count=len(stored.annotations), review_status=review)

    def list(self, *, job_id=None, project_id=None, dataset_id=None) -> Iterator[Item]:
        if dataset_id is not None:
            raise ValidationError(f"dataset_id: memory servers have no datasets (got {dataset_id!r})")
        items, verdicts = self._scope(job_id, project_id)
        pid = self.state.job(job_id).project_id if job_id is not None else self.state.project(project_id).id
        return iter([self._item(i, pid, verdicts.get(i.id, ReviewStatus.NONE)) for i in items])

    def get(self, item_id) -> Item:
        pid, stored = self.state.item(item_id)
        return self._item(stored, pid)

    def add(self, project_id, items: Iterable[dict[str, Any]], *, dataset_id=None) -> list[int]:
        if dataset_id is not None:
            raise ValidationError(f"dataset_id: memory servers have no datasets (got {dataset_id!r})")
        pid = self.state.project(project_id).id
        payloads = list(items)
        taken = {i.name for i in self.state.project_items(pid)}
        for n, p in enumerate(payloads):
            if not isinstance(p, dict) or not isinstance(p.get("name"), str) or not p["name"].strip():
                raise ValidationError(f"items[{n}]: a dict with a non-blank name is needed, got {p!r:.80}")
            if not isinstance(p.get("bytes"), bytes) or not p["bytes"]:
                raise ValidationError(f"items[{n}]: {p['name']!r} has no bytes")
            for side in ("width", "height"):
                if not isinstance(p.get(side), int) or p[side] <= 0:
                    raise ValidationError(f"items[{n}]: {side} must be a positive int, got {p.get(side)!r}")
            if p["name"] in taken:
                raise ValidationError(f"items[{n}]: project {pid} has an item named {p['name']!r} already")
            taken.add(p["name"])
        made = [StoredItem(new_id(), p["name"], p["width"], p["height"], media=p["bytes"], meta=dict(p.get("meta") or {}))
                for p in payloads]

        def apply():
            for item in made:
                self.state.items[pid][item.id] = item

        if made:
            self.state.write("items.add", apply)
        return [i.id for i in made]

    def delete(self, item_ids) -> None:
        gone = {_key(i) for i in item_ids}

        def apply():
            for items in self.state.items.values():
                for item_id in gone & set(items):
                    del items[item_id]
            for job in self.state.jobs.values():
                job.items = [i for i in job.items if i not in gone]
                job.assignments = {a for a in job.assignments if a.item_id not in gone}

        if gone:
            self.state.write("items.delete", apply)

    def download(self, *, job_id=None, project_id=None, directory, item_ids=None) -> list[Path]:
        folder = ExportsAPI.check_directory(directory)
        items, _ = self._scope(job_id, project_id, item_ids)
        folder.mkdir(parents=True, exist_ok=True)
        paths, names = [], set()
        for item in items:
            name = item.name if item.name not in names else f"{item.id}-{item.name}"
            names.add(name)
            path = folder / Path(name).name
            path.write_bytes(item.media if item.media is not None else media(item.url) or b"")
            paths.append(path)
        return paths


class MemoryAnnotations(_Scoped, AnnotationsAPI):
    """One ItemAnnotation per write per item (as Label Studio keeps one per annotator); authors are logins."""

    def list(self, *, job_id=None, project_id=None, item_ids=None) -> Iterator[ItemAnnotation]:
        items, _ = self._scope(job_id, project_id, item_ids)
        return iter([a.model_copy(update={"item": i.id}) for i in items for a in i.annotations])

    def get(self, item_id) -> list[ItemAnnotation]:
        _, stored = self.state.item(item_id)
        return [a.model_copy(update={"item": stored.id}) for a in stored.annotations]

    def checked(self, project_id, annotations: list[ItemAnnotation]) -> dict[int, list[ItemAnnotation]]:
        """item id -> its annotations (stored form), every one checked against the project and its schema."""
        project = self.state.project(project_id)
        held = self.state.items.get(project.id, {})
        logins = {u.login for u in self.state.users}
        schema = project.schema_
        out: dict[int, list[ItemAnnotation]] = {}
        for n, ann in enumerate(annotations):
            item = _key(ann.item)
            if item not in held:
                raise ValidationError(f"annotations: #{n} names item {ann.item}, not an item of project {project.id}")
            if schema is None:
                raise ValidationError(f"project {project.id} has no label schema to check annotations against")
            ann.validate_against(schema)
            named = {str(a) for a in [ann.author, *(o.author for o in ann.objects)] if a is not None}
            unknown = sorted(named - logins)
            if unknown:
                raise ValidationError(f"annotations: #{n} names authors {unknown}, not users of {self.backend.describe()}")
            out.setdefault(item, []).append(ann.model_copy(update={"item": None}))
        return out

    def write(self, project_id, annotations, *, mode="append") -> FidelityReport:
        listed = checked_writes(annotations, mode)
        by_item = self.checked(project_id, listed)
        held = self.state.items[self.state.project(project_id).id]

        def apply():
            for item, anns in by_item.items():
                held[item].annotations = ([] if mode == "replace" else held[item].annotations) + anns

        self.state.write("annotations.write", apply)
        report = FidelityReport()
        report.carried("annotation", TARGET, len(listed))
        return report

    def delete(self, item_ids) -> None:
        found = [self.state.item(i)[1] for i in item_ids]
        self.state.write("annotations.delete", lambda: [setattr(i, "annotations", []) for i in found])


class MemoryPredictions(_Scoped, PredictionsAPI):
    """Model output kept beside the items' annotations; turning it into annotations keeps the predictions."""

    def write(self, project_id, predictions) -> FidelityReport:
        listed = list(predictions)
        for n, p in enumerate(listed):
            if not isinstance(p, Prediction):
                raise ValidationError(f"predictions: #{n} is a {type(p).__name__}, not a Prediction")
        MemoryAnnotations(self.backend).checked(project_id, checked_writes([p.annotation for p in listed], "append"))
        held = self.state.items[self.state.project(project_id).id]
        stored = [(_key(p.annotation.item), p.model_copy(update={
            "id": new_id(), "annotation": p.annotation.model_copy(update={"item": None})})) for p in listed]

        def apply():
            for item, p in stored:
                held[item].predictions.append(p)

        self.state.write("predictions.write", apply)
        report = FidelityReport()
        report.carried("prediction", TARGET, len(listed))
        return report

    def list(self, *, job_id=None, project_id=None, item_ids=None) -> Iterator[Prediction]:
        items, _ = self._scope(job_id, project_id, item_ids)
        return iter([p.model_copy(update={"annotation": p.annotation.model_copy(update={"item": i.id})})
                     for i in items for p in i.predictions])

    def to_annotations(self, project_id, *, model_versions=None) -> int:
        versions = None if model_versions is None else set(model_versions)
        chosen = [(i, p) for i in self.state.project_items(self.state.project(project_id).id) for p in i.predictions
                  if versions is None or p.model_version in versions]

        def apply():
            for item, p in chosen:
                item.annotations.append(p.annotation)

        if chosen:
            self.state.write("predictions.to_annotations", apply)
        return len(chosen)

    def delete(self, item_ids) -> None:
        found = [self.state.item(i)[1] for i in item_ids]
        self.state.write("predictions.delete", lambda: [setattr(i, "predictions", []) for i in found])
