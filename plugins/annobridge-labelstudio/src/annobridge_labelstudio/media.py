"""The media of Label Studio tasks: where a task's file is, its bytes (through the server where it keeps them), its size.

Files the server keeps or serves (uploads under /data/upload, local files under /data/local-files)
and cloud objects (s3://, gs://, azure-blob://, which it resolves under /tasks/<id>/resolve) are
fetched through its authenticated client; other http(s) URLs directly; `data:` URLs are decoded.
"""

from __future__ import annotations

import base64
import io
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlsplit

from annobridge.errors import Unavailable, ValidationError

if TYPE_CHECKING:
    from .client import Connection

__all__ = ["download_tasks", "fetch", "file_name", "image_size", "media_url", "plain_name"]


def fetch(conn: Connection, url: str, task_id: int | None = None) -> bytes:
    """The bytes at `url` (of task `task_id`): through the server's client for its own paths and for cloud
    objects (which it resolves for the task), else a plain GET (no token sent)."""
    if url.startswith("data:"):
        head, _, payload = url.partition(",")
        return base64.b64decode(payload) if head.endswith(";base64") else unquote(payload).encode()
    scheme = urlsplit(url).scheme
    if scheme and scheme not in ("http", "https") and task_id is not None:
        fileuri = base64.urlsafe_b64encode(url.encode()).decode()
        return conn.request("GET", f"tasks/{task_id}/resolve/", f"downloading {url}", params={"fileuri": fileuri}).content
    if url.startswith("/"):  # kept or served by the server: needs the token
        parts = urlsplit(url)
        params = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        return conn.request("GET", parts.path.lstrip("/"), f"downloading {url}", params=params or None).content
    import httpx

    try:
        response = httpx.get(url, follow_redirects=True, timeout=conn.policy.timeout)
    except httpx.HTTPError as exc:
        raise Unavailable(f"cannot download {url}: {exc}") from None
    if response.status_code >= 400:
        raise ValidationError(f"media: {url} answered HTTP {response.status_code}")
    return response.content


def image_size(blob: bytes, what: str) -> tuple[int, int]:
    """(width, height) of an image's bytes; ValidationError naming `what` when they are not an image."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(blob)) as image:
            return image.size
    except (UnidentifiedImageError, OSError):
        raise ValidationError(f"{what} is not an image") from None


def media_url(task: dict[str, Any], key: str | None) -> str | None:
    """The URL of the task's file: the data field the config's Image reads, else the first URL-like value.

    >>> media_url({"data": {"n": 1, "image": "/data/upload/3/a.png"}}, None)
    '/data/upload/3/a.png'
    """
    data = task.get("data") or {}
    if key is not None and isinstance(data.get(key), str):
        return data[key]
    return next((v for v in data.values() if isinstance(v, str) and ("/" in v or v.startswith("data:"))), None)


def plain_name(name: str) -> str:
    """A stored upload's name without the 8-character prefix Label Studio adds ("1a2b3c4d-IMG_1.jpeg").

    >>> plain_name("upload/3/1a2b3c4d-IMG_1.jpeg")
    'IMG_1.jpeg'
    """
    base = PurePosixPath(name).name
    head, sep, rest = base.partition("-")
    return rest if sep and len(head) == 8 and rest else base


def file_name(task: dict[str, Any], url: str) -> str:
    """The file name a task's media is saved under: its storage file name, else the URL's (the `d=` of a
    local file), without the upload prefix; never a path.

    >>> file_name({"id": 4}, "/data/local-files/?d=frames/frame%201.png")
    'frame 1.png'
    """
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    candidates = [task.get("storage_filename") or "", *(query.get("d") or [])]
    candidates.append(unquote(parts.path) if not url.startswith("data:") else "")
    for candidate in candidates:
        name = plain_name(candidate.replace("\\", "/").rstrip("/")) if candidate else ""
        if name and name not in (".", "..") and "\x00" not in name:
            return name
    return f"task-{task.get('id')}"


def download_tasks(items: Any, pid: int, directory: Path, item_ids: list[int] | None) -> list[Path]:
    """Write the media of the project's tasks (or of `item_ids`, which must be its tasks) into `directory`:
    one listing of ids and data, then the files a few at once; a name two tasks share gets the task id in front.
    Every task is checked to have a file before the first one is written."""
    from .annotation_io import SELECTION, known_tasks
    from .sdk_data import chunks
    from .transfer import MEDIA_WORKERS, media_key

    try:
        key: str | None = media_key(items.backend.projects.label_config(pid))
    except ValidationError:
        key = None
    wanted = known_tasks(items, pid, item_ids, "item_ids") if item_ids is not None else None
    tasks = []
    for chunk in [None] if wanted is None else chunks(wanted, SELECTION):
        tasks += items.tasks(pid, selected_ids=chunk, fields="task_only", include=("id", "data", "storage_filename"))
    urls = [media_url(t, key) for t in tasks]
    bare = [t["id"] for t, url in zip(tasks, urls) if not url]
    if bare:
        raise ValidationError(f"item_ids: tasks {bare[:5]} of project {pid} have no file to download")
    paths, taken = [], set()
    for task, url in zip(tasks, urls):
        name = file_name(task, url)  # type: ignore[arg-type]
        name = name if name not in taken else f"{task['id']}-{name}"
        taken.add(name)
        paths.append(directory / name)
    directory.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(max_workers=MEDIA_WORKERS) as pool:
        blobs = pool.map(lambda pair: fetch(items.conn, pair[1], pair[0]["id"]), zip(tasks, urls))
        for path, blob in zip(paths, blobs):
            path.write_bytes(blob)
    return paths
