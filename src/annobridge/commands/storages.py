"""`annobridge storages connect|list|sync|delete`: cloud and local storages connected to a job.

Credentials come only from environment variables (`--credentials-env aws_secret_access_key=MY_SECRET`), never
from the command line, and are never printed. A backend's own storage settings (Label Studio's presigning,
redis host...) are `--option key=value` pairs, checked against the options model of the connected provider's
storages before anything is written. Storage ids are per kind and direction on some backends: where an id is
ambiguous, --kind and --direction choose.
"""

from __future__ import annotations

from typing import List, Optional

import typer

from .args import as_id
from .common import (
    BACKEND, JSON, JSONL, TOKEN, TOKEN_ENV, YES, can_confirm, confirm, connected, emit, emit_one, group, progress,
)

app = group("Cloud and local storages connected to a job.")

KINDS = ("s3", "s3s", "gcs", "azure", "localfiles", "redis")
COLUMNS = {
    "id": lambda s: s.id,
    "kind": lambda s: s.spec.kind,
    "direction": lambda s: s.spec.direction,
    "where": lambda s: s.spec.bucket or s.spec.path,
    "prefix": lambda s: s.spec.prefix,
    "title": lambda s: s.spec.title,
    "status": lambda s: s.status,
    "last sync": lambda s: s.last_sync,
    "synced": lambda s: s.last_sync_count,
}
KIND = typer.Option(None, "--kind", help="The storage's kind, where its id alone is ambiguous.")
DIRECTION = typer.Option(None, "--direction", help="import or export, where the id alone is ambiguous.")


@app.command("connect")
def connect(
    job: str = typer.Argument(..., help="Job id."),
    kind: str = typer.Option(..., "--kind", help="s3, s3s, gcs, azure, localfiles or redis."),
    bucket: Optional[str] = typer.Option(None, "--bucket", help="Bucket (container on azure)."),
    path: Optional[str] = typer.Option(None, "--path", help="Directory (localfiles) or key prefix (redis)."),
    prefix: Optional[str] = typer.Option(None, "--prefix", help="Prefix inside the bucket."),
    direction: str = typer.Option("import", "--direction", help="import (items from it) or export (labels to it)."),
    title: Optional[str] = typer.Option(None, "--title"),
    description: Optional[str] = typer.Option(None, "--description"),
    regex_filter: Optional[str] = typer.Option(None, "--regex-filter", help="Only files matching this regex."),
    recursive: bool = typer.Option(False, "--recursive", help="Scan the prefix recursively."),
    region: Optional[str] = typer.Option(None, "--region"),
    endpoint_url: Optional[str] = typer.Option(None, "--endpoint-url", help="S3-compatible endpoint."),
    credentials_env: List[str] = typer.Option(
        [], "--credentials-env", help="KEY=ENVVAR: the credential KEY read from environment variable ENVVAR."),
    option: List[str] = typer.Option([], "--option", help="key=value: a setting of the backend's own storages."),
    as_json: bool = JSON,
    backend: Optional[str] = BACKEND, token: Optional[str] = TOKEN, token_env: Optional[str] = TOKEN_ENV,
) -> None:
    """Connect a storage to the job's project (the server checks it can reach it); prints the storage's id."""
    from ..capabilities import Capability

    fields = dict(kind=kind, direction=direction, title=title, description=description, bucket=bucket, path=path,
                  prefix=prefix, regex_filter=regex_filter, recursive_scan=recursive, region=region,
                  endpoint_url=endpoint_url, credentials=_credentials(credentials_env))
    spec = _spec(fields)  # bad input is refused before connecting
    settings = _pairs(option, "--option")
    with connected(backend, token, token_env) as b:
        b.require(Capability.STORAGES)
        if settings:
            spec = _spec({**fields, "options": _options(b, settings)})
        made = b.storages.connect(as_id(job), spec)
    if as_json:
        emit_one(made, as_json=True)
    else:
        typer.echo(made.id)


@app.command("list")
def list_(
    job: str = typer.Argument(..., help="Job id."),
    as_json: bool = JSON, jsonl: bool = JSONL,
    backend: Optional[str] = BACKEND, token: Optional[str] = TOKEN, token_env: Optional[str] = TOKEN_ENV,
) -> None:
    """The storages connected to the job's project (credentials never come back)."""
    with connected(backend, token, token_env) as b:
        emit(b.storages.list(as_id(job)), COLUMNS, as_json=as_json, jsonl=jsonl, title=f"storages of job {job}")


@app.command("sync")
def sync(
    job: str = typer.Argument(..., help="Job id."),
    storage: str = typer.Argument(..., help="Storage id (from `storages list`)."),
    kind: Optional[str] = KIND, direction: Optional[str] = DIRECTION,
    as_json: bool = JSON,
    backend: Optional[str] = BACKEND, token: Optional[str] = TOKEN, token_env: Optional[str] = TOKEN_ENV,
) -> None:
    """Sync the storage (import its new files as items, or export the annotations) and wait for the end."""
    _choice(kind, KINDS, "--kind")
    _choice(direction, ("import", "export"), "--direction")
    with connected(backend, token, token_env) as b:
        found = _find(b, job, storage, kind, direction)
        with progress(f"syncing {found.spec.kind} {found.spec.direction} storage {found.id}"):
            synced = b.storages.sync(found)
    if as_json:
        emit_one(synced, as_json=True)
    else:
        typer.echo(f"synced {synced.spec.kind} {synced.spec.direction} storage {synced.id}: {synced.status}, "
                   f"{synced.last_sync_count if synced.last_sync_count is not None else '?'} files")


@app.command("delete")
def delete(
    job: str = typer.Argument(..., help="Job id."),
    storage: str = typer.Argument(..., help="Storage id (from `storages list`)."),
    kind: Optional[str] = KIND, direction: Optional[str] = DIRECTION,
    yes: bool = YES,
    backend: Optional[str] = BACKEND, token: Optional[str] = TOKEN, token_env: Optional[str] = TOKEN_ENV,
) -> None:
    """Disconnect the storage (asks first; --yes in scripts); the files in it stay."""
    _choice(kind, KINDS, "--kind")
    _choice(direction, ("import", "export"), "--direction")
    can_confirm(yes)  # no terminal and no --yes: refused before connecting
    with connected(backend, token, token_env) as b:
        found = _find(b, job, storage, kind, direction)
        where = found.spec.bucket or found.spec.path
        confirm(f"{found.spec.kind} {found.spec.direction} storage {found.id} ({where}) of job {job}", yes)
        b.storages.delete(found)
    typer.echo(f"deleted storage {found.id}")


def _find(b, job: str, storage: str, kind: Optional[str], direction: Optional[str]):
    """The job's storage with this id (of this kind and direction, when given); one, or a clear error."""
    from ..errors import NotFound, ValidationError

    found = [s for s in b.storages.list(as_id(job)) if str(s.id) == storage
             and kind in (None, s.spec.kind) and direction in (None, s.spec.direction)]
    if not found:
        raise NotFound(f"no storage {storage} on job {job} of {b.describe()}")
    if len(found) > 1:
        which = ", ".join(f"{s.spec.kind} {s.spec.direction}" for s in found)
        raise ValidationError(f"storage {storage} of job {job} is ambiguous ({which}); choose with --kind/--direction")
    return found[0]


def _credentials(pairs: list[str]) -> dict[str, str]:
    """KEY=ENVVAR pairs as {KEY: the variable's value}; ValidationError naming a missing variable (never a value)."""
    import os

    from ..errors import ValidationError

    found = {}
    for key, var in _pairs(pairs, "--credentials-env").items():
        if var not in os.environ:  # what was typed is not echoed: it may be the secret itself, typed by mistake
            raise ValidationError(f"--credentials-env {key}=...: the environment variable named for {key} is not set "
                                  "(credentials are read from environment variables, never from the command line)")
        found[key] = os.environ[var]
    return found


def _pairs(pairs: list[str], option: str) -> dict[str, str]:
    from ..errors import ValidationError

    found: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ValidationError(f"{option}: KEY=VALUE pairs, got one without a key, '=' or value")
        if key.strip() in found:
            raise ValidationError(f"{option}: {key.strip()} given twice")
        found[key.strip()] = value.strip()
    return found


def _spec(fields: dict):
    """A StorageSpec; pydantic's complaint as one ValidationError naming the options, credentials hidden."""
    from pydantic import ValidationError as PydanticValidationError

    from ..errors import ValidationError
    from ..models import StorageSpec

    try:
        return StorageSpec(**{k: v for k, v in fields.items() if v is not None})
    except PydanticValidationError as exc:
        problems = "; ".join(_where(e) + e["msg"].removeprefix("Value error, ") for e in exc.errors())
        raise ValidationError(f"storage: {problems}") from None


def _where(error) -> str:
    """"--bucket: " for pydantic's error on field bucket; "" for one on the whole spec."""
    field = ".".join(str(p) for p in error["loc"])
    return f"--{field.replace('_', '-')}: " if field else ""


def _options(b, settings: dict[str, str]):
    """The settings as the connected provider's storage options model (`storages.options_model`);
    ValidationError naming a setting it has no place for."""
    from pydantic import ValidationError as PydanticValidationError

    from ..errors import ValidationError, in_one_line

    model = b.storages.options_model
    if model is None:
        raise ValidationError(f"--option: {b.describe()} declares no storage options to set")
    try:
        return model(**settings)
    except PydanticValidationError as exc:
        raise ValidationError(f"--option: {in_one_line(exc)} ({model.__name__} takes {sorted(model.model_fields)})") from None


def _choice(value: Optional[str], choices: tuple, option: str) -> None:
    from ..errors import ValidationError

    if value is not None and value not in choices:
        raise ValidationError(f"{option}: one of {', '.join(choices)}, not {value!r}")
