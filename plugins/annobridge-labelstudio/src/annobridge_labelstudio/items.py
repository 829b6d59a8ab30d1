"""Tasks as items: import (dicts, files, pre-annotations), list with filters/ordering/views, update, delete; views.

Filters, ordering and views are the Data Manager's (the same JSON the legacy SDK's get_tasks took)::

    labeled = {"conjunction": "and", "items": [{"filter": "filter:tasks:completed_at",
               "operator": "empty", "value": False, "type": "Datetime"}]}
    ids = [i.id for i in backend.items.list(job_id=job.id, filters=labeled, ordering=["-tasks:id"])]
"""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath
from types import SimpleNamespace
from typing import Any, Iterable, Iterator

from annobridge.capabilities import Capability
from annobridge.errors import NotFound, ValidationError
from annobridge.models import Id, Item, ItemFilter, ReviewStatus
from annobridge.provider import ItemsAPI
from annobridge.transfer import SOURCE_KEY

from .paging import all_pages_shrinking
from .polling import finished_import
from .sdk_data import BATCH, as_dict, as_int, as_ints, chosen_project, chunks
from .subapi_base import LabelStudioProvider, LabelStudioSubAPI
from .video_probe import INFO_KEY, VideoFacts

__all__ = ["ANNOTATION_FIELDS", "ITEM_FIELDS", "LABELED", "PREDICTION_FIELDS", "TASK_FIELDS", "UNLABELED",
           "LabelStudioItems", "to_item"]


def _completed(empty: bool) -> dict[str, Any]:
    return {"conjunction": "and", "items": [
        {"filter": "filter:tasks:completed_at", "operator": "empty", "value": empty, "type": "Datetime"}
    ]}


# What tasks() asks the server for by default: naming the fields halves the Data Manager's work
# (drafts and the agreement/comment columns are the dear ones); include=None asks for everything.
# The server applies `include` to the nested annotations and predictions too, so their own fields
# are named here: without them an annotation comes back as {"id", "created_at", "updated_at", "project"}.
ANNOTATION_FIELDS = ("result", "completed_by", "was_cancelled", "ground_truth", "lead_time", "task",
                     "created_username", "created_ago", "draft_created_at", "import_id", "last_action",
                     "bulk_created", "updated_by", "parent_prediction", "parent_annotation", "last_created_by")
PREDICTION_FIELDS = ("result", "score", "model_version", "model", "model_run", "task", "cluster", "neighbors",
                     "mislabeling", "created_ago")
TASK_FIELDS = tuple(dict.fromkeys(
    ("id", "data", "meta", "annotations", "predictions", "project", "created_at", "updated_at", "is_labeled",
     "total_annotations", "total_predictions", "storage_filename") + ANNOTATION_FIELDS + PREDICTION_FIELDS
))
ITEM_FIELDS = ("id", "data", "meta", "project", "created_at", "updated_at", "total_annotations", "storage_filename")

LABELED = _completed(False)  # the legacy SDK's get_labeled_tasks filter: completed_at is set
UNLABELED = _completed(True)


def to_item(task: Any) -> Item:
    """A neutral Item for a Label Studio task (dict or SDK model).

    >>> to_item({"id": 7, "project": 3, "data": {"image": "/data/upload/3/IMG_1.jpeg"}}).name
    'IMG_1.jpeg'
    """
    data = as_dict(task)
    payload = data.get("data") or {}
    url = next((v for v in payload.values() if isinstance(v, str) and ("/" in v or v.startswith("data:"))), None)
    video = VideoFacts.of_task(payload)  # a video task added by videos.add: its size, frames, rate and name
    name = (str(payload[INFO_KEY].get("name") or "") if video else None) or data.get("storage_filename") or (
        PurePosixPath(url.split("?", 1)[0]).name if url else None) or None
    accepted, rejected = data.get("reviews_accepted") or 0, data.get("reviews_rejected") or 0
    review = ReviewStatus.REJECTED if rejected else ReviewStatus.ACCEPTED if accepted else ReviewStatus.NONE
    return Item(
        id=data["id"], name=name, project_id=data.get("project"), url=url, data=payload, meta=data.get("meta") or {},
        annotations_count=data.get("total_annotations"), review_status=review,
        source_key=str(payload[SOURCE_KEY]) if payload.get(SOURCE_KEY) is not None else None,
        created_at=data.get("created_at"), updated_at=data.get("updated_at"),
        **({"width": video.width, "height": video.height, "frames_count": video.frames_count, "fps": video.fps}
           if video else {}),
    )


def _selection(ids: list[int] | None, excluded: list[int] | None = None) -> dict[str, Any]:
    if ids is not None:
        return {"all": False, "included": ids}
    return {"all": True, "excluded": excluded or []}


class LabelStudioItems(LabelStudioSubAPI, ItemsAPI[LabelStudioProvider]):
    """Tasks of a job (= an LS project). `list`/`get`/`add`/`delete` are neutral; the rest is Label Studio's."""

    # ---------------------------------------------------------------- reading

    def tasks(
        self,
        job_id: Id | None = None,
        *,
        project_id: Id | None = None,
        filters: dict[str, Any] | None = None,
        ordering: list[str] | None = None,
        view_id: Id | None = None,
        selected_ids: Iterable[Id] | None = None,
        fields: str = "all",
        include: Iterable[str] | None = TASK_FIELDS,
        page_size: int = 1000,
        resolve_uri: bool = False,
    ) -> Iterator[dict[str, Any]]:
        """Every task as Label Studio returns it: by default TASK_FIELDS, annotations and predictions inline;
        `include=None` gives every column the Data Manager has (drafts, agreement, comments...).

        The server's JSON is decoded once into plain dicts (no SDK models)."""
        pid = chosen_project(job_id, project_id, None)
        query: dict[str, Any] = {}
        if filters:
            query["filters"] = filters
        if ordering:
            query["ordering"] = list(ordering)
        if selected_ids is not None:
            query["selectedItems"] = _selection(as_ints(selected_ids, "selected_ids"))
        params: dict[str, Any] = {"project": pid, "fields": fields, "resolve_uri": resolve_uri}
        if include is not None:
            params["include"] = ",".join(include)
        if query:
            params["query"] = json.dumps(query)
        if view_id is not None:
            params["view"] = as_int(view_id, "view_id")
        with self.call(f"listing the tasks of project {pid}"):
            yield from all_pages_shrinking(lambda page, size: self._task_page(params, page, size), page_size)

    def _task_page(self, params: dict[str, Any], page: int, size: int) -> SimpleNamespace:
        """One page of /api/tasks/ as the SDK's pager would give it, its tasks as the server's own JSON.

        The SDK's models would only be dumped back to the same dicts (about 0.2 ms of client time a task); an HTTP
        error becomes the SDK's ApiError, as from `sdk.tasks.list`, for the pager and `call` to handle.
        """
        from label_studio_sdk.core.api_error import ApiError

        query = {**params, "page": page, "page_size": size}
        response = self.conn.http.request("api/tasks/", method="GET", params=query)
        if response.status_code >= 400:
            try:
                body: Any = response.json()
            except ValueError:
                body = response.text
            raise ApiError(status_code=response.status_code, headers=dict(response.headers), body=body)
        answer = json.loads(response.content)
        return SimpleNamespace(items=answer.get("tasks") or [], response=SimpleNamespace(total=answer.get("total")))

    def list(
        self,
        *,
        job_id: Id | None = None,
        project_id: Id | None = None,
        dataset_id: Id | None = None,
        filters: dict[str, Any] | None = None,
        ordering: list[str] | None = None,
        view_id: Id | None = None,
        selected_ids: Iterable[Id] | None = None,
        page_size: int = 1000,
    ) -> Iterator[Item]:
        """Every task of the job as an Item, page by page; filters/ordering/views are the Data Manager's."""
        pid = chosen_project(job_id, project_id, dataset_id)
        for task in self.tasks(pid, filters=filters, ordering=ordering, view_id=view_id,
                               selected_ids=selected_ids, fields="task_only", include=ITEM_FIELDS,
                               page_size=page_size):
            yield to_item(task)

    def select(self, *, job_id: Id | None = None, project_id: Id | None = None, where: ItemFilter | None = None
    ) -> Iterator[Item]:
        """The tasks meeting `where`: whether annotated is filtered on the server (Data Manager), the review
        status from the annotations' reviews on Enterprise (none on Community), the name on the client."""
        pid = chosen_project(job_id, project_id, None)
        if where is None:
            yield from self.list(job_id=pid)
            return
        filters = None
        if where.annotated is not None:
            filters = {"conjunction": "and", "items": [{"filter": "filter:tasks:total_annotations", "type": "Number",
                                                        "operator": "greater" if where.annotated else "equal", "value": 0}]}
        statuses = None
        if where.review_status is not None and self.backend.supports(Capability.REVIEWS):
            from .enterprise import task_statuses

            statuses = task_statuses(self, pid, list(self.tasks(pid, include=("id", "annotations"), filters=filters)))
        for item in self.list(job_id=pid, filters=filters):
            if statuses is not None:
                item = item.model_copy(update={"review_status": statuses.get(item.id, ReviewStatus.NONE)})
            if where.matches(item):
                yield item

    def download(
        self,
        *,
        job_id: Id | None = None,
        project_id: Id | None = None,
        directory: str | Path,
        item_ids: Iterable[Id] | None = None,
    ) -> list[Path]:
        """Write the files of the job's tasks (or of `item_ids`) into `directory`, named as stored; their paths.

        Uploads, local files and cloud objects come through the server (with the token), other URLs
        straight from where they are. The directory is checked before any request.

        Example::

            [p.name for p in backend.items.download(job_id=job.id, directory="frames")]  # -> ['frame0.png', ...]
        """
        from annobridge.provider import ExportsAPI

        from .media import download_tasks

        folder = ExportsAPI.check_directory(directory)
        pid = chosen_project(job_id, project_id, None)
        return download_tasks(self, pid, folder, list(item_ids) if item_ids is not None else None)

    def ids(self, job_id: Id, **kwargs: Any) -> list[int]:
        """The ids of the job's tasks (same filters as `list`)."""
        return [t["id"] for t in self.tasks(job_id, fields="task_only", include=("id",), **kwargs)]

    def labeled(self, job_id: Id) -> Iterator[Item]:
        """Tasks whose requested number of annotations is reached (completed_at set)."""
        return self.list(job_id=job_id, filters=LABELED)

    def unlabeled(self, job_id: Id) -> Iterator[Item]:
        """Tasks not yet completed (on Enterprise this includes partly annotated ones)."""
        return self.list(job_id=job_id, filters=UNLABELED)

    def task(self, item_id: Id) -> dict[str, Any]:
        """One task as Label Studio returns it, with its annotations and predictions."""
        tid = as_int(item_id, "item_id")
        with self.call(f"reading task {tid}"):
            return as_dict(self.sdk.tasks.get(str(tid)))

    def get(self, item_id: Id) -> Item:
        return to_item(self.task(item_id))

    # ---------------------------------------------------------------- writing

    def add(
        self,
        project_id: Id,
        items: Iterable[dict[str, Any] | str | Path],
        *,
        dataset_id: Id | None = None,
        preannotated_from_fields: list[str] | None = None,
        batch_size: int = BATCH,
        timeout: float = 600.0,
    ) -> list[Id]:
        """Import tasks: dicts (flat data, or {"data", "annotations", "predictions", "meta"}) or files.

        Files go up as they are (JSON, CSV, TSV, TXT, images...), the server making tasks of them.
        `preannotated_from_fields` turns those flat fields into predictions (the server's own rule;
        it then reads every dict as flat data, dropping a task's meta).
        Everything is checked before the first request; returns the new task ids in order.
        """
        pid = chosen_project(None, project_id, dataset_id)
        entries = list(items)
        for n, entry in enumerate(entries):
            if isinstance(entry, (str, Path)):
                if not Path(entry).is_file():
                    raise ValidationError(f"items[{n}]: {str(entry)!r} is not a file")
            elif not isinstance(entry, dict):
                raise ValidationError(f"items[{n}]: expected a task dict or a file path, got {type(entry).__name__}")
        params = {"return_task_ids": True}
        if preannotated_from_fields:
            params["preannotated_from_fields"] = ",".join(preannotated_from_fields)
        ids: list[Id] = []
        batch: list[dict[str, Any]] = []
        for entry in entries + [None]:
            if (entry is None or not isinstance(entry, dict) or len(batch) >= batch_size) and batch:
                with self.call(f"importing {len(batch)} tasks into project {pid}"):
                    response = self.sdk.projects.import_tasks(
                        pid, request=batch, return_task_ids=True,
                        preannotated_from_fields=preannotated_from_fields or None,
                    )
                ids += self.imported_ids(pid, as_dict(response), timeout)
                batch = []
            if isinstance(entry, dict):
                batch.append(entry)
            elif entry is not None:
                path = Path(entry)
                with path.open("rb") as handle:
                    response = self.conn.request(
                        "POST", f"api/projects/{pid}/import", f"importing {path.name} into project {pid}",
                        params=params, files={"file": (path.name, handle)},
                    )
                ids += self.imported_ids(pid, response.json(), timeout)
        return ids

    def imported_ids(self, pid: int, response: dict[str, Any], timeout: float) -> list[Id]:
        """Task ids of an import, once it is done (polling.finished_import)."""
        return list(finished_import(self.conn, pid, response, timeout).get("task_ids") or [])

    def update(self, item_id: Id, *, data: dict[str, Any] | None = None, meta: dict[str, Any] | None = None,
               **fields: Any) -> Item:
        """Change a task's data, meta or other fields the server accepts (the legacy SDK's update_task)."""
        tid = as_int(item_id, "item_id")
        changes = {**fields, **({"data": data} if data is not None else {}), **({"meta": meta} if meta is not None else {})}
        with self.call(f"updating task {tid}"):
            return to_item(self.sdk.tasks.update(str(tid), **changes))

    def delete_one(self, item_id: Id) -> None:
        """Delete one task."""
        tid = as_int(item_id, "item_id")
        with self.call(f"deleting task {tid}"):
            self.sdk.tasks.delete(str(tid))

    def delete(self, item_ids: Iterable[Id], *, project_id: Id | None = None) -> None:
        """Delete these tasks in bulk (Data Manager action, 1000 a request); an empty list deletes nothing.

        Without `project_id` the first task's project is read (one request). Ids the action did
        not delete (another project's, or already gone) are deleted one by one, a gone one ignored.
        """
        ids = as_ints(item_ids, "item_ids")
        if not ids:
            return
        pid = as_int(project_id, "project_id") if project_id is not None else self.task(ids[0])["project"]
        for chunk in chunks(ids):
            done = self.run_action(pid, "delete_tasks", _selection(chunk)).get("processed_items")
            if done is not None and done < len(chunk):
                for tid in chunk:
                    try:
                        self.delete_one(tid)
                    except NotFound:
                        pass

    def delete_all(self, job_id: Id, *, exclude: Iterable[Id] = ()) -> int:
        """Delete every task of the job except `exclude`; returns how many went."""
        pid = as_int(job_id, "job_id")
        result = self.run_action(pid, "delete_tasks", _selection(None, as_ints(exclude, "exclude")))
        return int(result.get("processed_items") or 0)

    def run_action(self, pid: int, action: str, selected: dict[str, Any], **body: Any) -> dict[str, Any]:
        """Run a Data Manager action through the SDK; returns the server's answer (counts, detail)."""
        with self.call(f"running {action} on project {pid}"):
            raw = self.sdk.actions.with_raw_response.create(
                id=action, project=pid, selected_items=selected,
                request_options={"additional_body_parameters": body} if body else None,
            )
        try:
            return raw.response.json() or {}
        except ValueError:
            return {}
