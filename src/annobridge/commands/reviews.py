"""`annobridge reviews`: reviewers' verdicts on the items of a job.

    annobridge reviews list 12 --jsonl > verdicts.jsonl
    annobridge reviews set 12 3882697 accepted
    annobridge reviews set 12 --from-jsonl verdicts.jsonl --dry-run
    annobridge reviews reject 12 --only-unmarked

A verdict is accepted, rejected or none (none takes a verdict back). `--from-jsonl` reads one
{"item": ID, "status": VERDICT} a line ("item_id"/"id" and "review_status" are read too, so the
output of `reviews list --jsonl` can be edited and fed back); every line is checked before anything
is written. Label Studio reviews annotations on Enterprise only: elsewhere these commands exit 6.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import typer

from .args import as_id, check_refs, job_id, jsonl_where, read_jsonl, require
from .common import BACKEND, JSON, JSONL, TOKEN, TOKEN_ENV, connected, emit, group, spinner

app = group("Reviewers' verdicts on the items of a job.")

VERDICTS = ("accepted", "rejected", "none")
COLUMNS = {"item": lambda e: e.id, "name": lambda e: e.name, "review": lambda e: e.review_status.value}


@app.command("list")
def list_(
    job: str = typer.Argument(..., help="Job id or name."),
    status: Optional[str] = typer.Option(None, "--status", help="Only items with this verdict."),
    as_json: bool = JSON, jsonl: bool = JSONL,
    backend: Optional[str] = BACKEND, token: Optional[str] = TOKEN, token_env: Optional[str] = TOKEN_ENV,
) -> None:
    """The job's items with their review status."""
    check_refs([job])
    only = _verdict(status, "--status") if status is not None else None
    with connected(backend, token, token_env) as b:
        require(b, "reviews")
        ident = job_id(b, job)
        found = [e for e in b.reviews.list(ident) if only is None or e.review_status is only]
    emit(found, COLUMNS, as_json=as_json, jsonl=jsonl, title=f"reviews of job {ident}")
    if not (as_json or jsonl):
        typer.echo(_counted(found))


@app.command("set")
def set_(
    job: str = typer.Argument(..., help="Job id or name."),
    item: Optional[str] = typer.Argument(None, help="Item id (leave out with --from-jsonl)."),
    status: Optional[str] = typer.Argument(None, help="accepted, rejected or none."),
    from_jsonl: Optional[Path] = typer.Option(
        None, "--from-jsonl", help='File of {"item": ID, "status": VERDICT} lines (- for stdin).'
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check the verdicts against the job; write nothing."),
    as_json: bool = JSON,
    backend: Optional[str] = BACKEND, token: Optional[str] = TOKEN, token_env: Optional[str] = TOKEN_ENV,
) -> None:
    """Give items of the job a verdict: one (JOB ITEM STATUS), or many (--from-jsonl FILE), in bulk."""
    from ..errors import ValidationError
    check_refs([job])
    if from_jsonl is not None:
        if item is not None or status is not None:
            raise ValidationError("give ITEM STATUS or --from-jsonl FILE, not both")
        verdicts = _read_jsonl(from_jsonl)
    elif item is None or status is None:
        raise ValidationError("ITEM and STATUS are needed (`reviews set 12 3882697 accepted`), or --from-jsonl FILE")
    else:
        if not item.strip():
            raise ValidationError("ITEM: an item id is needed")
        verdicts = {as_id(item): _verdict(status, "STATUS")}
    with connected(backend, token, token_env) as b:
        require(b, "reviews")
        ident = job_id(b, job)
        if from_jsonl is None and not dry_run:
            ((one, verdict),) = verdicts.items()
            b.reviews.set(ident, one, verdict)
            written = 1
        else:
            _check_items(b, ident, verdicts)  # every item in the job, before the first verdict is written
            written = 0
            if not dry_run:
                with spinner(not as_json, f"setting {len(verdicts)} verdicts in job {ident}"):
                    written = b.reviews.set_many(ident, verdicts)
    if as_json:
        import json

        data = {"job_id": ident, "dry_run": dry_run, "verdicts": {str(k): v.value for k, v in verdicts.items()},
                "written": written}
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    counts = ", ".join(f"{n} {s}" for s, n in _counts(verdicts.values()).items() if n)
    verb = "would set" if dry_run else "set"
    plural = "" if len(verdicts) == 1 else "s"
    typer.echo(f"job {ident}: {verb} {len(verdicts)} verdict{plural}" + (f" ({counts})" if counts else ""))
    if dry_run:
        typer.echo("dry run: nothing was written")


@app.command("reject")
def reject(
    job: str = typer.Argument(..., help="Job id or name."),
    only_unmarked: bool = typer.Option(False, "--only-unmarked", help="Only items without a verdict yet."),
    as_json: bool = JSON,
    backend: Optional[str] = BACKEND, token: Optional[str] = TOKEN, token_env: Optional[str] = TOKEN_ENV,
) -> None:
    """Reject every item of the job (only those nobody reviewed yet with --only-unmarked); prints the verdicts after."""
    check_refs([job])
    with connected(backend, token, token_env) as b:
        require(b, "reviews")
        ident = job_id(b, job)
        b.reviews.reject(ident, only_unmarked=only_unmarked)
        after = b.reviews.list(ident)
    counts = _counts(e.review_status for e in after)
    if as_json:
        import json

        typer.echo(json.dumps({"job_id": ident, "only_unmarked": only_unmarked, "counts": counts}, indent=2))
    else:
        which = "the unmarked items" if only_unmarked else "every item"
        typer.echo(f"job {ident}: rejected {which}; now {_counted(after)}")


# ---------------------------------------------------------------------------------------------- helpers


def _verdict(text: Any, where: str):
    from ..errors import ValidationError
    from ..models import ReviewStatus

    try:
        return ReviewStatus(str(text).strip().lower())
    except ValueError:
        raise ValidationError(f"{where} {text!r}: one of {', '.join(VERDICTS)}") from None


def _counts(statuses) -> dict[str, int]:
    counts = {s: 0 for s in VERDICTS}
    for status in statuses:
        counts[status.value] += 1
    return counts


def _counted(entities: list) -> str:
    counts = _counts(e.review_status for e in entities)
    return ", ".join(f"{n} {s}" for s, n in counts.items())


def _read_jsonl(path: Path) -> dict:
    """item id -> ReviewStatus from a JSON Lines file; ValidationError naming the line of the first problem."""
    from ..errors import ValidationError

    verdicts: dict[Any, Any] = {}
    for number, row in read_jsonl(path):
        where = f"{jsonl_where(path)}, line {number}"
        if not isinstance(row, dict):
            raise ValidationError(f'{where}: an object {{"item": ID, "status": VERDICT}} is needed')
        item = next((row[k] for k in ("item", "item_id", "id") if k in row), None)
        status = next((row[k] for k in ("status", "review_status") if k in row), None)
        if isinstance(item, bool) or not isinstance(item, (int, str)) or not str(item).strip():
            raise ValidationError(f'{where}: "item" must be an item id, got {item!r}')
        if status is None:
            raise ValidationError(f'{where}: "status" is missing (one of {", ".join(VERDICTS)})')
        ident = as_id(item) if isinstance(item, str) else item
        if ident in verdicts:
            raise ValidationError(f"{where}: item {ident} has a verdict on an earlier line")
        verdicts[ident] = _verdict(status, f"{where}: status")
    if not verdicts:
        raise ValidationError(f"{jsonl_where(path)}: no verdicts in it")
    return verdicts


def _check_items(b, ident, verdicts: dict) -> None:
    """ValidationError naming the items that are not in the job (what --dry-run checks)."""
    from ..errors import ValidationError

    held = {str(e.id) for e in b.reviews.list(ident)}
    strangers = [str(i) for i in verdicts if str(i) not in held]
    if strangers:
        more = " ..." if len(strangers) > 10 else ""
        raise ValidationError(f"items {', '.join(strangers[:10])}{more} are not in job {ident}")
