"""`annobridge items add|list|download`: items (images, tasks) of a project or a job.

    annobridge items add Lemons images/ --backend prod-ls          # prints the new ids, one a line
    annobridge items add Lemons --from-jsonl tasks.jsonl --dry-run
    annobridge items list --job 12 --filter annotated=false,review=rejected --jsonl
    annobridge items download --project Lemons --to media/ --items 101,102

Files and payloads are checked before connecting; the writing goes through the neutral
`backend.items` calls, so each command works on every backend with items.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import typer

from .args import as_id, directory_option, find_project, id_list, item_filter, job_or_project, one_of
from .common import BACKEND, JSON, JSONL, TOKEN, TOKEN_ENV, connected, emit, group, progress

app = group("Items (images, tasks): add, list, download their media.")

ADD_BATCH = 50  # items a request (a progress step) when adding
DOWNLOAD_BATCH = 20  # items a progress step when downloading

COLUMNS = {
    "id": lambda i: i.id,
    "name": lambda i: i.name,
    "dataset": lambda i: i.dataset_id,
    "size": lambda i: f"{i.width}x{i.height}" if i.width and i.height else None,
    "annotations": lambda i: i.annotations_count,
    "review": lambda i: i.review_status.value,
}

JOB = typer.Option(None, "--job", "-j", help="Job id (or name).")
PROJECT = typer.Option(None, "--project", "-p", help="Project id or name.")


@app.command("add")
def add(
    project: str = typer.Argument(..., help="Project id or name."),
    files: Optional[list[Path]] = typer.Argument(
        None, help="Image files; a directory adds the images in it.", show_default=False
    ),
    from_jsonl: Optional[str] = typer.Option(
        None, "--from-jsonl", help="JSON Lines file ('-' for stdin): one item payload (the backend's shape) a line."
    ),
    dataset: Optional[str] = typer.Option(None, "--dataset", help="Dataset id to add to (backends with datasets)."),
    recursive: bool = typer.Option(False, "--recursive", "-r", help="Take images in subdirectories too."),
    batch_size: int = typer.Option(ADD_BATCH, "--batch-size", min=1, help="Items per request."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Say what would be added; add nothing."),
    as_json: bool = JSON,
    backend: Optional[str] = BACKEND, token: Optional[str] = TOKEN, token_env: Optional[str] = TOKEN_ENV,
) -> None:
    """Add images (files, directories) or payloads (--from-jsonl) in bulk; prints the new ids, one a line."""
    from ..errors import AnnobridgeError

    from .item_sources import entries_to_add

    entries, shown, labels = entries_to_add(files or [], from_jsonl, recursive)  # every path checked first
    dataset_id = as_id(dataset, "--dataset") if dataset is not None else None
    with connected(backend, token, token_env) as b:
        found = find_project(b, project)
        if dry_run:
            _say_dry_run(found, b.describe(), shown, dataset_id, as_json)
            return
        ids: list[Any] = []
        try:
            with progress(_label(f"adding items to {found.name}"), len(entries)) as advance:
                for start in range(0, len(entries), batch_size):
                    batch = entries[start : start + batch_size]
                    made = _add(b, found.id, batch, dataset_id, labels[start : start + batch_size])
                    ids += made
                    if not as_json:
                        for item_id in made:
                            typer.echo(item_id)
                    advance(len(batch))
        except AnnobridgeError:
            if ids:
                where = "printed above" if not as_json else ", ".join(str(i) for i in ids[:50])
                typer.echo(f"annobridge: {len(ids)} of {len(entries)} items were added before the error ({where})",
                           err=True)
            raise
        if len(ids) != len(entries):  # a file the server reads as several tasks, say
            typer.echo(f"annobridge: {len(entries)} entries made {len(ids)} items", err=True)
    if as_json:
        import json

        typer.echo(json.dumps(ids))


@app.command("list")
def list_(
    job: Optional[str] = JOB,
    project: Optional[str] = PROJECT,
    filter_: Optional[str] = typer.Option(
        None, "--filter", help="Conditions, all of which hold: annotated=true|false, review=none|accepted|rejected, "
        "name=TEXT (in the name); e.g. annotated=false,review=rejected."
    ),
    as_json: bool = JSON, jsonl: bool = JSONL,
    backend: Optional[str] = BACKEND, token: Optional[str] = TOKEN, token_env: Optional[str] = TOKEN_ENV,
) -> None:
    """The items of a job or a project (those meeting --filter)."""
    one_of(job, project)
    where = item_filter(filter_)
    with connected(backend, token, token_env) as b:
        job_id, project_id, title = job_or_project(b, job, project)
        rows = b.items.select(job_id=job_id, project_id=project_id, where=where)
        emit(rows, COLUMNS, as_json=as_json, jsonl=jsonl, title=f"items of {title} on {b.describe()}")


@app.command("download")
def download(
    job: Optional[str] = JOB,
    project: Optional[str] = PROJECT,
    to: Path = typer.Option(..., "--to", help="Directory to write the media into (made if missing)."),
    items: Optional[str] = typer.Option(None, "--items", help="Only these item ids, comma-separated."),
    batch_size: int = typer.Option(DOWNLOAD_BATCH, "--batch-size", min=1, help="Items per request."),
    as_json: bool = JSON,
    backend: Optional[str] = BACKEND, token: Optional[str] = TOKEN, token_env: Optional[str] = TOKEN_ENV,
) -> None:
    """Write the media of a job's or a project's items into --to; prints the written paths.

    Files keep their names; a name two items share gets the backend's mark, or "_2", "_3"... before its suffix.
    """
    one_of(job, project)
    wanted = id_list(items, "--items")
    directory = directory_option(to)
    with connected(backend, token, token_env) as b:
        job_id, project_id, title = job_or_project(b, job, project)
        every = [i.id for i in b.items.list(job_id=job_id, project_id=project_id)]
        ids = every if wanted is None else _known(wanted, every, title)
        with progress(_label(f"downloading the media of {title}"), len(ids)) as advance:
            paths = _download(b, job_id, project_id, directory, ids, advance, batch_size)
    if as_json:
        import json

        typer.echo(json.dumps([str(p) for p in paths], indent=2))
    else:
        for path in paths:
            typer.echo(str(path))


def _label(text: str) -> str:
    """A progress label shown as written (a project named "[red]" is not rich markup)."""
    from rich.markup import escape

    return escape(text)


def _known(wanted: list[Any], every: list[Any], title: str) -> list[Any]:
    """`wanted`, all items of the job or project (checked before anything is written); else ValidationError."""
    from ..errors import ValidationError

    known = {str(i) for i in every}
    strangers = [i for i in wanted if str(i) not in known]
    if strangers:
        verb = "is not an item" if len(strangers) == 1 else "are not items"
        raise ValidationError(f"--items: {strangers[:20]} {verb} of {title}")
    return wanted


def _download(backend, job_id, project_id, directory: Path, ids: list[Any], advance, size: int) -> list[Path]:
    """Download `ids` a batch at a time (each into a scratch folder in `directory`, then moved in), so that two
    batches' files of one name never overwrite each other: a name met again gets "_2", "_3"... before its suffix."""
    import os
    import shutil
    import tempfile

    directory.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    taken: set[str] = set()
    for start in range(0, len(ids), size):
        batch = ids[start : start + size]
        scratch = Path(tempfile.mkdtemp(prefix=".annobridge-download-", dir=directory))
        try:
            wanted = dict(job_id=job_id, project_id=project_id, directory=scratch, item_ids=batch)
            for written in backend.items.download(**wanted):
                name, n = written.name, 1
                while name in taken:
                    n += 1
                    name = f"{written.stem}_{n}{written.suffix}"
                taken.add(name)
                os.replace(written, directory / name)
                paths.append(directory / name)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        advance(len(batch))
    return paths


def _add(backend, project_id, batch: list[Any], dataset_id, labels: list[str]) -> list[Any]:
    """items.add of one batch; a ValidationError naming "items[n]" names the file or the JSON Lines line instead."""
    import re

    from ..errors import ValidationError

    try:
        return backend.items.add(project_id, batch, dataset_id=dataset_id)
    except ValidationError as exc:
        where = lambda m: labels[int(m.group(1))] if int(m.group(1)) < len(labels) else m.group(0)  # noqa: E731
        raise ValidationError(re.sub(r"items\[(\d+)\]", where, str(exc))) from None


def _say_dry_run(project, where: str, shown: list[str], dataset_id, as_json: bool) -> None:
    if as_json:
        import json

        body = {"project_id": project.id, "dataset_id": dataset_id, "count": len(shown), "items": shown}
        typer.echo(json.dumps({k: v for k, v in body.items() if v is not None}, indent=2, ensure_ascii=False))
        return
    target = f"project {project.name!r} (id {project.id})"
    if dataset_id is not None:
        target += f", dataset {dataset_id}"
    typer.echo(f"would add {len(shown)} items to {target} on {where}:")
    for line in shown:
        typer.echo(line)
