"""Import and export storages of a job: s3, gcs, azure, local files, redis; connect, list, sync, delete.

    >>> spec = StorageSpec(kind="s3", bucket="frames", prefix="2024/", endpoint_url="http://127.0.0.1:9000",
    ...                    credentials={"aws_access_key_id": "...", "aws_secret_access_key": "..."})  # doctest: +SKIP
    >>> storage = backend.storages.sync(backend.storages.connect(job.id, spec))                        # doctest: +SKIP
    >>> storage.last_sync_count                                                                        # doctest: +SKIP
    3

The server itself reaches the storage, and checks it can when the storage is connected: a bucket
or host it cannot reach is refused then, with the server's reason. Label Studio's SSRF protection
refuses endpoints on private and loopback addresses unless its operator turns it off.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from annobridge.errors import BackendError, ValidationError
from annobridge.models import Id, Storage, StorageSpec
from annobridge.provider import StoragesAPI

from .common import LabelStudioSubAPI, as_dict, as_int

__all__ = ["CREDENTIALS", "LabelStudioStorages"]

_SDK_NAME = {"s3": "s3", "gcs": "gcs", "azure": "azure", "localfiles": "local", "redis": "redis"}
CREDENTIALS = {  # credential keys each kind takes (the SDK's parameter names)
    "s3": {"aws_access_key_id", "aws_secret_access_key", "aws_session_token", "aws_sse_kms_key_id"},
    "gcs": {"google_application_credentials", "google_project_id"},
    "azure": {"account_name", "account_key"},
    "localfiles": set(),
    "redis": {"password"},
}
_DONE = {"completed", "failed"}


def _payload(spec: StorageSpec) -> dict[str, Any]:
    """The SDK create() arguments for `spec`; unknown credentials refused before anything is sent."""
    unknown = sorted(set(spec.credentials) - CREDENTIALS[spec.kind])
    if unknown:
        raise ValidationError(
            f"credentials: {unknown} are not {spec.kind} credentials; expected some of {sorted(CREDENTIALS[spec.kind])}"
        )
    secrets = {k: v.get_secret_value() for k, v in spec.credentials.items()}
    creds = secrets.get("google_application_credentials")
    if creds and not creds.lstrip().startswith("{") and Path(creds).is_file():
        secrets["google_application_credentials"] = Path(creds).read_text()  # a key file's path, as the legacy SDK took
    body: dict[str, Any] = {"title": spec.title or "", "description": spec.description or "", **secrets}
    if spec.regex_filter is not None:
        body["regex_filter"] = spec.regex_filter
    body["use_blob_urls"] = spec.use_blob_urls
    importing = spec.direction == "import"
    if spec.kind in ("s3", "gcs", "azure"):
        body["container" if spec.kind == "azure" else "bucket"] = spec.bucket
        if spec.prefix is not None:
            body["prefix"] = spec.prefix
        if importing:
            body.update(presign=spec.presign, presign_ttl=spec.presign_ttl_minutes, recursive_scan=spec.recursive_scan)
    if spec.kind == "s3":
        body.update({k: v for k, v in (("region_name", spec.region), ("s3endpoint", spec.endpoint_url)) if v})
    if spec.kind == "localfiles":
        body["path"] = spec.path
        if importing:
            body["recursive_scan"] = spec.recursive_scan
    if spec.kind == "redis":
        body.update(host=spec.host, **({"port": str(spec.port)} if spec.port else {}))
        body.update({k: v for k, v in (("db", spec.db), ("path", spec.path or spec.prefix)) if v is not None})
    return body


def _spec(kind: str, direction: str, data: dict[str, Any]) -> StorageSpec:
    """The spec of a storage as the server reports it (credentials are never reported back)."""
    return StorageSpec(
        kind=kind, direction=direction, title=data.get("title") or None, description=data.get("description") or None,
        bucket=data.get("container") if kind == "azure" else data.get("bucket"), prefix=data.get("prefix"),
        path=data.get("path"), regex_filter=data.get("regex_filter"),
        use_blob_urls=bool(data.get("use_blob_urls", True)), presign=bool(data.get("presign", True)),
        presign_ttl_minutes=max(1, int(data.get("presign_ttl") or 15)), recursive_scan=bool(data.get("recursive_scan")),
        region=data.get("region_name"), endpoint_url=data.get("s3_endpoint"), host=data.get("host"),
        port=int(data["port"]) if data.get("port") else None, db=data.get("db"),
    )


class LabelStudioStorages(LabelStudioSubAPI, StoragesAPI):
    """Storages of a job; a Storage's spec (kind, direction) says which endpoint family it lives in."""

    def _client(self, kind: str, direction: str) -> Any:
        family = self.sdk.import_storage if direction == "import" else self.sdk.export_storage
        return getattr(family, _SDK_NAME[kind])

    def to_storage(self, job_id: int, kind: str, direction: str, raw: Any) -> Storage:
        data = as_dict(raw)
        return Storage(
            id=data["id"], job_id=job_id, spec=_spec(kind, direction, data), status=data.get("status"),
            last_sync=data.get("last_sync"), last_sync_count=data.get("last_sync_count"),
        )

    def connect(self, job_id: Id, spec: StorageSpec, **options: Any) -> Storage:
        """Connect a storage (the server checks it can reach it); `options` go to the SDK (e.g. can_delete_objects)."""
        pid = as_int(job_id, "job_id")
        body = {**_payload(spec), **options}
        where = spec.bucket or spec.path or spec.host
        with self.call(f"connecting {spec.direction} storage {spec.kind}:{where} to project {pid}"):
            raw = self._client(spec.kind, spec.direction).create(project=pid, **body)
        return self.to_storage(pid, spec.kind, spec.direction, raw)

    def list(self, job_id: Id) -> list[Storage]:
        """Every import and export storage of the job, of every kind (one request per kind and direction)."""
        pid = as_int(job_id, "job_id")
        found = []
        for direction in ("import", "export"):
            for kind in _SDK_NAME:
                with self.call(f"listing {kind} {direction} storages of project {pid}"):
                    found += [self.to_storage(pid, kind, direction, s) for s in self._client(kind, direction).list(project=pid)]
        return found

    def get(self, storage: Storage) -> Storage:
        """The storage as the server now reports it (status, last sync)."""
        return self._read(storage)[0]

    def _read(self, storage: Storage) -> tuple[Storage, dict[str, Any]]:
        with self.call(f"reading {storage.spec.kind} storage {storage.id}"):
            raw = as_dict(self._client(storage.spec.kind, storage.spec.direction).get(as_int(storage.id, "storage id")))
        return self.to_storage(as_int(storage.job_id, "job_id"), storage.spec.kind, storage.spec.direction, raw), raw

    def sync(self, storage: Storage, *, wait: bool = True, timeout: float = 300.0) -> Storage:
        """Sync the storage (import: make tasks of new files; export: write annotations) and wait for the end.

        A failed sync raises BackendError with the server's reason.
        """
        sid = as_int(storage.id, "storage id")
        with self.call(f"syncing {storage.spec.direction} storage {storage.spec.kind} {sid}"):
            raw = as_dict(self._client(storage.spec.kind, storage.spec.direction).sync(sid))
        synced = self.to_storage(as_int(storage.job_id, "job_id"), storage.spec.kind, storage.spec.direction, raw)
        deadline = time.monotonic() + timeout
        while wait and synced.status not in _DONE and time.monotonic() < deadline:
            time.sleep(0.5)
            synced, raw = self._read(synced)
        if synced.status == "failed":
            reason = (raw.get("traceback") or "").strip().splitlines()[-1:] or ["no reason given"]
            raise BackendError(f"sync of {storage.spec.kind} storage {sid} failed on {self.conn.server}: {reason[0]}")
        return synced

    def delete(self, storage: Storage) -> None:
        sid = as_int(storage.id, "storage id")
        with self.call(f"deleting {storage.spec.kind} storage {sid}"):
            self._client(storage.spec.kind, storage.spec.direction).delete(sid)
