"""Label Studio's side of a migration: tasks with their annotations read and written in bulk, as neutral Records.

Reading pages through the Data Manager with whole annotations inline (one request a page; an
annotation of item tags only, which gives no image size, takes it from another annotation of
the task or from the image). Writing a batch takes the images' uploads at the server's limit of
100 files a request (`commit_to_project=false`, copy mode only, uploads.py), one read of the stored
files' URLs, and one task import of up to 1,000 tasks carrying their annotations (`return_task_ids`),
its body encoded once; `prepare` converts a batch ahead of its write.
Each task keeps its source key in its data (`annobridge_source`), which is how `present` and
`find` tell what a target already holds (a batch a killed or failed run left pending, a rerun
without its ledger); an import is one database transaction, so a found task has all its annotations.
"""

from __future__ import annotations

import json
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import Any, Iterable, Iterator

from annobridge.annotations import ItemAnnotation
from annobridge.errors import ValidationError
from annobridge.fidelity import LABEL_STUDIO, FidelityReport
from annobridge.models import Id
from annobridge.schema import LabelSchema
from annobridge.transfer import SOURCE_KEY, MediaMode, Page, Record, TransferAPI, Written, link_urls, require_media

from .items import to_item
from .label_config_parse import parse_label_config
from .media import fetch, image_size, plain_name
from .sdk_data import as_int, chunks
from .subapi_base import LabelStudioProvider, LabelStudioSubAPI

__all__ = ["LabelStudioTransfer", "region_size", "split_by_author"]

MEDIA_WORKERS = 4  # downloads in flight at once: enough to hide latency, few enough to spare the server
IMPORT_TASKS = 1000  # tasks an import request carries at most


class LabelStudioTransfer(LabelStudioSubAPI, TransferAPI[LabelStudioProvider]):
    """Tasks and their annotations of a Label Studio project, in bulk.

    Example::

        written = ls.transfer.write(project.id, records, schema=schema)
        len(written.ids), written.annotations  # -> (6, 6)
    """

    def count(self, project_id: Id) -> int:
        """The project's task count (one request)."""
        return int(self.backend.projects.params(project_id).get("task_number") or 0)

    def _config(self, pid: int) -> tuple[str, LabelSchema, str]:
        """(label config, its schema, the task data key its Image reads): one request per project and migration."""
        cache = self.__dict__.setdefault("_configs", {})
        if pid not in cache:
            config = self.backend.projects.label_config(pid)
            cache[pid] = (config, parse_label_config(config).schema, media_key(config))
        return cache[pid]

    def _logins(self) -> dict[int, str]:
        """User id -> login (username, else email), from one users list."""
        return {int(u.id): (u.login or u.email or str(u.id)) for u in self.backend.users.list()}

    def read(self, project_id: Id, *, batch_size: int = 100, skip: Iterable[str] = ()) -> Iterator[Page]:
        """Every task with its (non-cancelled) annotations, authors as logins, `batch_size` tasks a page.

        The image size comes from the annotations' regions; an annotation holding only item tags
        takes it from another annotation of the task, else from the image itself (downloaded once,
        its bytes kept for fetch_media).
        """
        from .regions import from_labelstudio
        from .regions_keep import task_stashes

        pid = as_int(project_id, "project_id")
        skipped = set(skip)
        config, schema, key = self._config(pid)
        logins = self._logins()
        records, report = [], FidelityReport()
        for task in self.backend.items.tasks(pid, page_size=batch_size):  # annotations inline, whole
            if str(task["id"]) in skipped:
                continue
            item = to_item(task)
            url = (task.get("data") or {}).get(key) or item.url
            name = plain_name(item.name or f"task-{task['id']}")
            kept = []
            for raw in task.get("annotations") or []:
                if raw.get("was_cancelled"):
                    report.dropped("skipped (cancelled) annotation", LABEL_STUDIO, item=name)
                else:
                    kept.append(raw)
            record = Record(key=str(task["id"]), name=name, url=url, origin={"task_id": task["id"]})
            size = next((s for s in map(region_size, kept) if s is not None), None)
            if size is None and kept:
                size = self._image_size(record)
            anns = []
            for raw in kept:
                given = (None, None) if region_size(raw) is not None else (size or (None, None))
                neutral, losses = from_labelstudio(
                    raw, label_config=config, schema=schema, item=name, width=given[0], height=given[1],
                    stashes=task_stashes(task),
                )
                report.merge(losses)
                author = raw.get("completed_by")
                author = author.get("id") if isinstance(author, dict) else author
                anns.append(neutral.model_copy(update={"author": logins.get(author, neutral.author)}))
            record.annotations = anns
            record.width, record.height = (anns[0].width, anns[0].height) if anns else (size or (None, None))
            records.append(record)
            if len(records) >= batch_size:
                yield Page(records, report)
                records, report = [], FidelityReport()
        if records:
            yield Page(records, report)

    def _image_size(self, record: Record) -> tuple[int, int] | None:
        """(width, height) read from the record's image, whose bytes are kept in `media` (no region gave it)."""
        if not record.url:
            return None
        record.media = self._download(record.url)
        return image_size(record.media, f"item {record.name!r}: no annotation region gives the image size and {record.url}")

    def fetch_media(self, project_id: Id, records: list[Record]) -> None:
        """Each record's bytes from its URL: files the server keeps through its authenticated client, a few at once."""
        wanted = [r for r in records if r.media is None]
        missing = [r.key for r in wanted if not r.url]
        if missing:
            raise ValidationError(f"media: tasks {missing[:5]} have no image URL to download")
        with ThreadPoolExecutor(max_workers=MEDIA_WORKERS) as pool:
            for record, blob in zip(wanted, pool.map(self._download, [r.url for r in wanted])):
                record.media = blob

    def _download(self, url: str) -> bytes:
        return fetch(self.conn, url)

    def present(self, project_id: Id) -> dict[str, Id]:
        """Every source key the project's tasks carry -> task id: one streamed read of ids and data, 1000 a request."""
        found: dict[str, Id] = {}
        for task in self.backend.items.tasks(project_id, fields="task_only", include=("id", "data")):
            key = (task.get("data") or {}).get(SOURCE_KEY)
            if key is not None:
                found.setdefault(str(key), task["id"])
        return found

    def prepare(self, project_id: Id, records: list[Record], *, schema: LabelSchema) -> dict[str, Any]:
        """Each record converted into its task (source key in data, annotations inside, authors as user ids), ready for
        `write`: the engine prepares the next batch while this one is written. Bad input raises here, before a write."""
        config, target_schema, _ = self._config(as_int(project_id, "project_id"))
        users = self._user_ids()
        if any(a not in users for r in records for a in r.authors()):
            self.__dict__.pop("_users", None)  # someone new: read the users again, once
            users = self._user_ids()
        return {r.key: _convert(r, config, target_schema, users) for r in records}

    def write(
        self,
        project_id: Id,
        records: list[Record],
        *,
        schema: LabelSchema,
        media: MediaMode = "copy",
        existing: dict[str, Id] | None = None,
        prepared: dict[str, Any] | None = None,
    ) -> Written:
        """Import the records as tasks with their annotations inside: the images uploaded first (copy mode,
        uploads.py), then imports of at most IMPORT_TASKS tasks, each body encoded once.

        Annotations are split by author (Label Studio keeps one author per annotation); authors
        are target logins, resolved to user ids here (or by `prepare`, whose tasks are used as they are).
        Tasks already there (`existing`) were imported whole with their annotations and are left as they are.
        """
        pid = as_int(project_id, "project_id")
        existing = dict(existing or {})
        _, _, key = self._config(pid)
        fresh = [r for r in records if r.key not in existing]
        ready = dict(prepared or {})
        ready.update(self.prepare(pid, [r for r in fresh if r.key not in ready], schema=schema))  # before any request
        converted = [ready[r.key] for r in fresh]
        urls = self._upload(pid, fresh) if media == "copy" else link_urls(fresh)
        tasks = [{**task, "data": {**task["data"], key: url}} for (task, _, _), url in zip(converted, urls)]
        report = FidelityReport()
        for _, _, losses in converted:
            report.merge(losses)
        # a task found there was imported whole, with its annotations, in one transaction
        counts = {r.key: len(split_by_author(r, FidelityReport())) for r in records if r.key in existing}
        counts.update({r.key: count for r, (_, count, _) in zip(fresh, converted)})
        ids: list[Id] = []
        for chunk in chunks(tasks, IMPORT_TASKS):
            answer = self.conn.request(
                "POST", f"api/projects/{pid}/import", f"importing {len(chunk)} tasks into project {pid}",
                params={"return_task_ids": "true"}, content=json.dumps(chunk, separators=(",", ":")).encode(),
                headers={"Content-Type": "application/json"},
            ).json()
            ids += self.backend.items.imported_ids(pid, answer, 600.0)
        existing.update({r.key: tid for r, tid in zip(fresh, ids)})
        annotations = sum(count for _, count, _ in converted)
        return Written(
            ids={r.key: existing[r.key] for r in records}, annotations=annotations, report=report,
            annotations_on_target=counts,
        )

    def preview(self, records: list[Record], *, schema: LabelSchema) -> Written:
        """What `write` would make of the records in a project with `schema`: counts and losses, nothing sent."""
        from .label_config import build_label_config

        config, users = build_label_config(schema), self._user_ids()
        report, count = FidelityReport(), 0
        for record in records:
            _, made, losses = _convert(record, config, schema, users)
            count += made
            report.merge(losses)
        return Written(ids={}, annotations=count, report=report)

    def _user_ids(self) -> dict[str, int]:
        """Login and email -> user id, from one users list (read again only when a login is new)."""
        if "_users" not in self.__dict__:
            self._users = self.backend.users.list()
        users = self._users
        return {u.login: int(u.id) for u in users if u.login} | {u.email: int(u.id) for u in users if u.email}

    def _upload(self, pid: int, records: list[Record]) -> list[str]:
        """Upload the images without making tasks (uploads.py); their stored URLs, in order."""
        from .uploads import Upload, upload

        if not records:
            return []
        require_media(records)
        return upload(self.conn, pid, [Upload(r.name, r.media) for r in records], "images")  # type: ignore[arg-type]


def _convert(
    record: Record, config: str, schema: LabelSchema, users: dict[str, int]
) -> tuple[dict[str, Any], int, FidelityReport]:
    """The record's task dict (source key in data, annotations inside, authors as user ids, what Label Studio cannot
    hold in meta), how many annotations it holds, the losses."""
    from .regions import to_labelstudio
    from .regions_keep import STASH, task_meta

    report = FidelityReport()
    annotations, stashes = [], []
    for ann in split_by_author(record, report):
        data, losses = to_labelstudio(ann, label_config=config, schema=schema, keep=True)
        stashes.append(data.pop(STASH))
        data.setdefault("ground_truth", False)  # an import marks annotations ground truth unless told
        report.merge(losses)
        author = data.pop("completed_by", None)
        if author is not None and str(author) in users:
            data["completed_by"] = users[str(author)]
        elif author is not None:
            report.dropped("annotation author", LABEL_STUDIO, "no such user on the target", item=record.name)
        annotations.append(data)
    meta = task_meta(None, stashes)
    task = {"data": {SOURCE_KEY: record.key}, "annotations": annotations} | ({"meta": meta} if meta else {})
    return task, len(annotations), report


@lru_cache(maxsize=32)
def media_key(config: str, tag: str = "Image") -> str:
    """The task data key the config's first `tag` (Image, Video) reads ("image", "video" for annobridge's configs).

    >>> media_key('<View><Image name="img" value="$photo"/></View>')
    'photo'
    >>> media_key('<View><Video name="player" value="$clip"/></View>', "Video")
    'clip'
    """
    from label_studio_sdk.label_interface import LabelInterface

    for obj in LabelInterface(config).objects:
        if obj.tag.lower() == tag.lower():
            return str(obj.value).lstrip("$")
    raise ValidationError(f"the label config has no <{tag}> to put the items in")


def split_by_author(record: Record, report: FidelityReport) -> list[ItemAnnotation]:
    """One annotation per author, as Label Studio keeps them: objects go with their author, item tags with theirs.
    Objects and tags keep their own authors (the same as their annotation's now), so what reads them back from
    Label Studio, where only the annotation has an author, can give each its own again.

    >>> split_by_author(Record(key="1", name="a.jpg"), FidelityReport())
    []
    """
    out = []
    for ann in record.annotations:
        owners = Counter(o.author for o in ann.objects if o.author is not None)
        main = ann.author if ann.author is not None else (owners.most_common(1)[0][0] if owners else None)
        groups: dict[Any, dict[str, list]] = {}
        for obj in ann.objects:
            who = obj.author if obj.author is not None else main
            groups.setdefault(who, {"objects": [], "tags": []})["objects"].append(obj)
        for tag in ann.tags:
            who = tag.author if tag.author is not None else main
            groups.setdefault(who, {"objects": [], "tags": []})["tags"].append(tag)
        for who, parts in groups.items():
            out.append(
                ann.model_copy(
                    update={
                        "author": who,
                        "objects": tuple(parts["objects"]),
                        "tags": tuple(parts["tags"]),
                        "review_status": ann.review_status.NONE,
                    }
                )
            )
        if len(groups) > 1:
            report.approximated(
                "annotation", LABEL_STUDIO, "split into one annotation per author", len(groups) - 1, item=record.name
            )
    return out


def region_size(annotation: dict[str, Any]) -> tuple[int, int] | None:
    """The image size an annotation's regions give (original_width, original_height), or None (item tags only).

    >>> region_size({"result": [{"type": "choices", "value": {"choices": ["small"]}}]}) is None
    True
    """
    for result in annotation.get("result") or []:
        if isinstance(result, dict) and result.get("original_width") and result.get("original_height"):
            return result["original_width"], result["original_height"]
    return None
