"""Files uploaded into a Label Studio project without making tasks, at the server's limits a request, listed once.

`POST /api/projects/{id}/import?commit_to_project=false` stores the files and answers their
file-upload ids (Enterprise answers an import to poll, whose result has them); `GET /api/projects/{id}/file-uploads?ids=[...]` tells where each is stored. The
server takes at most 100 files (DATA_UPLOAD_MAX_NUMBER_FILES) and 250 MB a request, so the files go
in requests of at most UPLOAD_FILES and about UPLOAD_BYTES, and one listing tells all their URLs.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Iterator

from annobridge.errors import ValidationError

from .polling import finished_import

if TYPE_CHECKING:
    from .client import Connection

__all__ = ["LISTED_IDS", "UPLOAD_BYTES", "UPLOAD_FILES", "Upload", "served", "upload", "upload_requests"]

UPLOAD_FILES = 100  # files a request at most (DATA_UPLOAD_MAX_NUMBER_FILES)
UPLOAD_BYTES = 200 * 1024 * 1024  # bytes a request, under the server's 250 MB for a request's files
LISTED_IDS = 500  # file-upload ids one listing asks for: its URL stays within the 8 KB proxies take
MEDIA_URL = "/data/"  # where Label Studio serves what it stores (settings.MEDIA_URL)


@dataclass(frozen=True)
class Upload:
    """A file to upload: its name and its bytes, or the path it is read from when its request is sent."""

    name: str
    content: bytes | Path

    @property
    def size(self) -> int:
        return len(self.content) if isinstance(self.content, bytes) else self.content.stat().st_size

    def opened(self, stack: contextlib.ExitStack) -> bytes | BinaryIO:
        """The bytes, or the file opened for reading until `stack` closes."""
        return self.content if isinstance(self.content, bytes) else stack.enter_context(self.content.open("rb"))


def upload(conn: Connection, pid: int, files: list[Upload], noun: str = "files") -> list[str]:
    """Upload `files` into project `pid` without making tasks; the URLs the server serves them at, in order."""
    ids: list[int] = []
    for batch in upload_requests(files):
        with contextlib.ExitStack() as stack:
            sent = {f"file{n}": (f.name, f.opened(stack)) for n, f in enumerate(batch)}
            answer = conn.request(
                "POST", f"api/projects/{pid}/import", f"uploading {len(batch)} {noun} to project {pid}",
                params={"commit_to_project": "false"}, files=sent,
            ).json()
        answer = finished_import(conn, pid, answer)
        got = list(answer.get("file_upload_ids") or [])
        if len(got) != len(batch):
            raise ValidationError(f"project {pid}: uploaded {len(batch)} {noun}, the server kept {len(got)}")
        ids += got
    stored: dict[int, str] = {}
    for start in range(0, len(ids), LISTED_IDS):
        wanted = ids[start : start + LISTED_IDS]
        listed = conn.request(
            "GET", f"api/projects/{pid}/file-uploads", f"reading {len(wanted)} uploaded {noun} of project {pid}",
            params={"ids": json.dumps(wanted, separators=(",", ":"))},
        ).json()
        stored.update({f["id"]: f["file"] for f in listed})
    if set(stored) != set(ids):
        raise ValidationError(f"project {pid}: uploaded {len(files)} {noun}, the server lists {len(stored)} of them")
    return [served(stored[i]) for i in ids]


def served(path: str) -> str:
    """The URL a stored upload is served at: file-uploads lists "upload/2/x.jpg", tasks need "/data/upload/2/x.jpg".

    >>> served("upload/2/x.jpg")
    '/data/upload/2/x.jpg'
    """
    return path if path.startswith(("/", "http://", "https://")) else MEDIA_URL + path


def upload_requests(files: list[Upload]) -> Iterator[list[Upload]]:
    """The files in upload requests: at most UPLOAD_FILES each, and no more than UPLOAD_BYTES unless one file is."""
    batch: list[Upload] = []
    size = 0
    for file in files:
        length = file.size
        if batch and (len(batch) >= UPLOAD_FILES or size + length > UPLOAD_BYTES):
            yield batch
            batch, size = [], 0
        batch.append(file)
        size += length
    if batch:
        yield batch
