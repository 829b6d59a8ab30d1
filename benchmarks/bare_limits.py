"""The limit for the same work as annobridge's migration into Label Studio, with bare httpx and everything prepared.

    >>> prepare(sv_address, sv_token, project_id=5556, folder=Path("/tmp/prepared"))   # untimed  # doctest: +SKIP
    >>> load(Path("/tmp/prepared"), media="copy"); copy_limit(http, 7, prepared)       # timed    # doctest: +SKIP

Prepared beforehand, untimed (`prepare`, from the Supervisely sandbox through its SDK): every image's
bytes and its task (plain_sdk_migration.prepare_images: the label config, the annotation converted to
Label Studio results); `load` then encodes each task body once as bytes, in memory. Timed:

- copy mode (`copy_limit`): the images uploaded 100 files a request (`POST api/projects/{id}/import?
  commit_to_project=false`, multipart; Label Studio takes no more in one), then for each 1,000 tasks one
  listing of their uploads (`GET api/projects/{id}/file-uploads?ids=[...]`) and one import of the 1,000
  tasks with their annotations inside (`POST api/projects/{id}/import?return_task_ids=true`), the body
  joined from the prepared bytes and the stored URLs.
- link mode (`link_limit`): imports of the prepared tasks, image URLs as they are, 1,000 a request.

Requests go one after another, one connection kept alive. Two in flight (an import while the next
uploads go on) is what a careful client would try, but Label Studio 1.23 then imports some tasks
without their annotations (whole imports of them, seen here on SQLite): a careful client does not.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

UPLOAD_FILES = 100  # files Label Studio takes in one upload request
IMPORT_TASKS = 1000  # tasks a bulk import request carries


@dataclass
class Prepared:
    """What the limit sends, ready in memory: image names and bytes, and each task body without its image URL."""

    label_config: str
    names: list[str]
    blobs: list[bytes]
    links: list[str]  # the source's image URLs (link mode)
    rests: list[bytes]  # each task's JSON after its data: b'"annotations": [...]}'


def prepare(sv_address: str, sv_token: str, *, project_id: int, folder: Path) -> int:
    """Untimed: the project's images and tasks into `folder` (images/<n>, tasks.json, label_config.xml); how many."""
    from plain_sdk_migration import prepare_images

    config, prepared = prepare_images(sv_address, sv_token, project_id=project_id)
    images = folder / "images"
    images.mkdir(parents=True, exist_ok=True)
    for n, (_, _, blob) in enumerate(prepared):
        (images / str(n)).write_bytes(blob)
    (folder / "tasks.json").write_text(json.dumps([{"name": name, "task": task} for name, task, _ in prepared]))
    (folder / "label_config.xml").write_text(config)
    return len(prepared)


def load(folder: Path, *, media: str, source: str | None = None) -> Prepared:
    """Untimed: what `prepare` wrote, each task body encoded once; image bytes only for media="copy".

    `source` (http://host:port) replaces the sandbox address in the links, for a run through a proxy.
    """
    held = json.loads((folder / "tasks.json").read_text())
    names, links, rests = [], [], []
    for entry in held:
        names.append(entry["name"])
        link = entry["task"]["data"]["image"]
        if source:
            link = source.rstrip("/") + "/" + link.split("/", 3)[3]
        links.append(link)
        rests.append(json.dumps({"annotations": entry["task"]["annotations"]}).encode()[1:])
    blobs = [(folder / "images" / str(n)).read_bytes() for n in range(len(held))] if media == "copy" else []
    return Prepared((folder / "label_config.xml").read_text(), names, blobs, links, rests)


def task_body(urls: list[str], rests: list[bytes]) -> bytes:
    """A JSON list of tasks, each {"data": {"image": url}, <its prepared rest>}, joined as bytes.

    >>> json.loads(task_body(["/data/a.jpg"], [b'"annotations": []}']))
    [{'data': {'image': '/data/a.jpg'}, 'annotations': []}]
    """
    parts = [b'{"data": {"image": ' + json.dumps(url).encode() + b"}, " + rest for url, rest in zip(urls, rests)]
    return b"[" + b", ".join(parts) + b"]"


def _import(http, pid: int, body: bytes) -> list[int]:
    answer = http.post(
        f"api/projects/{pid}/import",
        params={"return_task_ids": "true"},
        content=body,
        headers={"Content-Type": "application/json"},
    )
    answer.raise_for_status()
    ids, sent = answer.json().get("task_ids") or [], body.count(b'{"data": ')
    if sent != len(ids):
        raise RuntimeError(f"imported {len(ids)} tasks of {sent}")
    return ids


def copy_limit(
    http, pid: int, prepared: Prepared, *, upload_files: int = UPLOAD_FILES, import_tasks: int = IMPORT_TASKS
) -> dict[str, Any]:
    """Copy mode, timed by the caller: uploads, then a listing and an import, per `import_tasks` images."""
    tasks = 0
    for start in range(0, len(prepared.blobs), import_tasks):
        stop = min(start + import_tasks, len(prepared.blobs))
        upload_ids: list[int] = []
        for first in range(start, stop, upload_files):
            last = min(first + upload_files, stop)
            # one field name a file: the server keeps one file of each field
            files = {f"file{n}": (prepared.names[n], prepared.blobs[n]) for n in range(first, last)}
            answer = http.post(f"api/projects/{pid}/import", params={"commit_to_project": "false"}, files=files)
            answer.raise_for_status()
            upload_ids += answer.json()["file_upload_ids"]
        if len(upload_ids) != stop - start:
            raise RuntimeError(f"uploaded {stop - start} images, the server kept {len(upload_ids)}")
        listed = http.get(f"api/projects/{pid}/file-uploads", params={"ids": json.dumps(upload_ids)})
        listed.raise_for_status()
        stored = {f["id"]: f["file"] for f in listed.json()}  # "upload/<project>/<prefix>-<name>", served at /data/
        urls = ["/data/" + stored[i] for i in upload_ids]
        tasks += len(_import(http, pid, task_body(urls, prepared.rests[start:stop])))
    return {"tasks": tasks}


def link_limit(http, pid: int, prepared: Prepared, *, import_tasks: int = IMPORT_TASKS) -> dict[str, Any]:
    """Link mode, timed by the caller: imports of `import_tasks` tasks, one after another."""
    tasks = 0
    for start in range(0, len(prepared.links), import_tasks):
        body = task_body(prepared.links[start : start + import_tasks], prepared.rests[start : start + import_tasks])
        tasks += len(_import(http, pid, body))
    return {"tasks": tasks}

