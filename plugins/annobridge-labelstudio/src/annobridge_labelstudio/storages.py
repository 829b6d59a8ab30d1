"""Import and export storages of a job: s3, s3s (Enterprise), gcs, azure, local files, redis; connect, list, sync, delete.

Example::

    spec = StorageSpec(kind="s3", bucket="frames", prefix="2024/", endpoint_url="http://127.0.0.1:9000",
                       credentials={"aws_access_key_id": "...", "aws_secret_access_key": "..."},
                       options=LabelStudioStorageOptions(presign_ttl_minutes=5))
    storage = backend.storages.sync(backend.storages.connect(job.id, spec))
    storage.last_sync_count  # -> 3

Label Studio's own settings (presigning, blob URLs, redis host/port/db, the s3s IAM role) travel in
LabelStudioStorageOptions; a setting or field a kind of storage has no place for is refused before
any request. The server itself reaches the storage, and checks it can when the storage is
connected: a bucket or host it cannot reach is refused then, with the server's reason. Label
Studio's SSRF protection refuses endpoints on private and loopback addresses unless its operator
turns it off.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from annobridge.errors import BackendError, Unsupported, ValidationError
from annobridge.models import Id, Storage, StorageSpec, options_for
from annobridge.provider import StoragesAPI

from .options import LabelStudioStorageOptions
from .sdk_data import as_dict, as_int
from .subapi_base import LabelStudioProvider, LabelStudioSubAPI

__all__ = ["CREDENTIALS", "LabelStudioStorages", "payload"]

_SDK_NAME = {"s3": "s3", "s3s": "s3s", "gcs": "gcs", "azure": "azure", "localfiles": "local", "redis": "redis"}
_AWS = {"aws_access_key_id", "aws_secret_access_key", "aws_session_token", "aws_sse_kms_key_id"}
CREDENTIALS = {  # credential keys each kind takes (the SDK's parameter names)
    "s3": _AWS,
    "s3s": _AWS,
    "gcs": {"google_application_credentials", "google_project_id"},
    "azure": {"account_name", "account_key"},
    "localfiles": set(),
    "redis": {"password"},
}
_CLOUD = ("s3", "s3s", "gcs", "azure")
_PLACES = {  # the StorageSpec fields each kind has a place for (title, description, regex_filter: all)
    **{kind: {"bucket", "prefix", "recursive_scan"} for kind in _CLOUD},
    "localfiles": {"path", "recursive_scan"},
    "redis": {"path", "prefix"},
}
_PLACES["s3"] = _PLACES["s3s"] = {"bucket", "prefix", "recursive_scan", "region", "endpoint_url"}
_OPTIONS = {  # the LabelStudioStorageOptions each kind takes (use_blob_urls: all)
    **{kind: {"presign", "presign_ttl_minutes"} for kind in _CLOUD},
    "localfiles": set(),
    "redis": {"host", "port", "db"},
}
_OPTIONS["s3s"] = _OPTIONS["s3s"] | {"role_arn", "external_id", "legacy_auth"}
_IMPORT_ONLY = {"recursive_scan", "presign", "presign_ttl_minutes"}
_DONE = {"completed", "failed"}


def payload(spec: StorageSpec, backend: str = "labelstudio") -> dict[str, Any]:
    """The SDK create() arguments for `spec`; whatever the kind has no place for is refused, before any request."""
    options = options_for(spec.options, LabelStudioStorageOptions, backend)
    _refuse(spec, options)
    secrets = {k: v.get_secret_value() for k, v in spec.credentials.items()}
    creds = secrets.get("google_application_credentials")
    if creds and not creds.lstrip().startswith("{") and Path(creds).is_file():
        secrets["google_application_credentials"] = Path(creds).read_text()  # a key file's path, as the legacy SDK took
    body: dict[str, Any] = {"title": spec.title or "", "description": spec.description or "", **secrets}
    if spec.regex_filter is not None:
        body["regex_filter"] = spec.regex_filter
    if spec.kind in _CLOUD:
        body["container" if spec.kind == "azure" else "bucket"] = spec.bucket
    if spec.kind == "redis" and spec.prefix is not None:
        body["path"] = spec.prefix
    if spec.recursive_scan:
        body["recursive_scan"] = True
    body.update({k: v for k, v in (("prefix", spec.prefix if spec.kind != "redis" else None), ("path", spec.path),
                                    ("region_name", spec.region), ("s3endpoint", spec.endpoint_url)) if v is not None})
    chosen = {"use_blob_urls": True, **options.model_dump(exclude_none=True)}  # files are items unless told
    if "presign_ttl_minutes" in chosen:
        chosen["presign_ttl"] = chosen.pop("presign_ttl_minutes")
    if "port" in chosen:
        chosen["port"] = str(chosen["port"])
    return body | chosen


def _refuse(spec: StorageSpec, options: LabelStudioStorageOptions) -> None:
    kind, direction = spec.kind, spec.direction
    unknown = sorted(set(spec.credentials) - CREDENTIALS[kind])
    if unknown:
        raise ValidationError(f"credentials: {unknown} are not {kind} credentials; expected some of {sorted(CREDENTIALS[kind])}")
    given = {f for f in ("bucket", "prefix", "path", "region", "endpoint_url") if getattr(spec, f) is not None}
    given |= {"recursive_scan"} if spec.recursive_scan else set()
    homeless = sorted(given - _PLACES[kind])
    if homeless:
        raise ValidationError(f"{homeless[0]}: a Label Studio {kind} storage has no place for it")
    if kind == "redis" and spec.path is not None and spec.prefix is not None:
        raise ValidationError("path and prefix: a redis storage takes one key prefix; give one of them")
    chosen = set(options.model_dump(exclude_none=True))
    foreign = sorted(chosen - _OPTIONS[kind] - {"use_blob_urls", "can_delete_objects"})
    if foreign:
        raise ValidationError(f"options.{foreign[0]}: a Label Studio {kind} storage takes no {foreign[0]}")
    importing = sorted((chosen | given) & _IMPORT_ONLY)
    if direction == "export" and importing:
        raise ValidationError(f"{importing[0]}: only import storages take it; this is an export storage")
    if direction == "import" and "can_delete_objects" in chosen:
        raise ValidationError("options.can_delete_objects: only export storages delete objects; this is an import storage")
    if kind == "s3s" and not options.role_arn:
        raise ValidationError("options.role_arn: an s3s storage reads the bucket through an IAM role; give its ARN")


def _spec(kind: str, direction: str, data: dict[str, Any]) -> StorageSpec:
    """The spec of a storage as the server reports it (credentials are never reported back)."""
    places = _PLACES[kind]
    fields = {
        "bucket": data.get("container") if kind == "azure" else data.get("bucket"), "prefix": data.get("prefix"),
        "path": data.get("path"), "region": data.get("region_name"), "endpoint_url": data.get("s3_endpoint"),
    }
    if kind == "redis":
        fields["prefix"], fields["path"] = None, data.get("path")
    spec = {k: v for k, v in fields.items() if k in places and v not in (None, "")}
    if "recursive_scan" in places and direction == "import":
        spec["recursive_scan"] = bool(data.get("recursive_scan"))
    takes = _OPTIONS[kind] | {"use_blob_urls"} | ({"can_delete_objects"} if direction == "export" else set())
    if direction == "export":
        takes -= _IMPORT_ONLY
    reported = {"presign_ttl_minutes": data.get("presign_ttl"), "port": int(data["port"]) if data.get("port") else None}
    options = {k: reported.get(k, data.get(k)) for k in takes}
    return StorageSpec(
        kind=kind, direction=direction, title=data.get("title") or None, description=data.get("description") or None,
        regex_filter=data.get("regex_filter"), **spec,
        options=LabelStudioStorageOptions(**{k: v for k, v in options.items() if v not in (None, "")}),
    )


class LabelStudioStorages(LabelStudioSubAPI, StoragesAPI[LabelStudioProvider]):
    """Storages of a job; a Storage's spec (kind, direction) says which endpoint family it lives in."""

    options_model = LabelStudioStorageOptions

    def _client(self, kind: str, direction: str) -> Any:
        family = self.sdk.import_storage if direction == "import" else self.sdk.export_storage
        return getattr(family, _SDK_NAME[kind])

    def _kinds(self) -> list[str]:
        """The kinds this server has: s3s only on Enterprise."""
        return [k for k in _SDK_NAME if k != "s3s" or self.backend.edition.enterprise]

    def to_storage(self, job_id: int, kind: str, direction: str, raw: Any) -> Storage:
        data = as_dict(raw)
        return Storage(
            id=data["id"], job_id=job_id, spec=_spec(kind, direction, data), status=data.get("status"),
            last_sync=data.get("last_sync"), last_sync_count=data.get("last_sync_count"),
        )

    def connect(self, job_id: Id, spec: StorageSpec) -> Storage:
        """Connect a storage (the server checks it can reach it); Label Studio's settings come in spec.options
        (LabelStudioStorageOptions). An s3s storage needs Enterprise (Unsupported on Community)."""
        pid = as_int(job_id, "job_id")
        body = payload(spec, self.backend.describe())
        if spec.kind not in self._kinds():
            raise Unsupported("s3s storage", self.backend.describe(), "s3s storages (S3 through an IAM role) need "
                              f"Label Studio Enterprise; this server is {self.backend.edition_name()}")
        where = spec.bucket or spec.path or body.get("host") or "redis"
        with self.call(f"connecting {spec.direction} storage {spec.kind}:{where} to project {pid}"):
            raw = self._client(spec.kind, spec.direction).create(project=pid, **body)
        return self.to_storage(pid, spec.kind, spec.direction, raw)

    def list(self, job_id: Id) -> list[Storage]:
        """Every import and export storage of the job, of every kind (one request per kind and direction)."""
        pid = as_int(job_id, "job_id")
        found = []
        for direction in ("import", "export"):
            for kind in self._kinds():
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
