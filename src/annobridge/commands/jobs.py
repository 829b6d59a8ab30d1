"""`annobridge jobs`: labeling jobs: create, follow, steer and remove them (the changes are in job_changes.py).

    annobridge jobs create lemons --project "Lemons (Test)" --annotator labeler_1 --classes lemon
    annobridge jobs wait 12 --status on_review --timeout 3600
    annobridge jobs stats 12 --json

A job is given by its id, or by its name (looked up with jobs.find; several jobs of that name are a
conflict, exit 5). Users are given by id or login. Commands that create print the new job ids, one a
line, so `$(annobridge jobs create ...)` works; `--json` prints the neutral Job models instead.

`jobs wait` exits 0 once every job has the status; when --timeout passes first it prints one line
and exits 8 (TimedOut: the job is not in the state asked for, but nothing failed, so a pipeline can tell a
timeout from a backend that failed, 7). Where a backend lacks a capability (stopping, archiving, restarting
a Label Studio project on Community...) the command exits 6 and says why, before anything is written.
"""

from __future__ import annotations

from typing import Any, Optional

import typer

from .args import check_refs, distinct_refs, find_job, find_project, job_id, require, user_id
from .common import BACKEND, JSON, JSONL, TOKEN, TOKEN_ENV, connected, emit, emit_one, group, spinner

app = group("Labeling jobs: create, follow, steer and remove them.")

STATUSES = ("pending", "in_progress", "on_review", "review_completed", "completed", "stopped")

COLUMNS = {
    "id": lambda j: j.id,
    "name": lambda j: j.name,
    "status": lambda j: j.status.value,
    "project": lambda j: j.project_id,
    "items": lambda j: j.items_count,
    "done": lambda j: j.finished_items_count,
    "accepted": lambda j: j.accepted_items_count,
    "rejected": lambda j: j.rejected_items_count,
    "assignees": lambda j: ", ".join(_who(u) for u in j.assignees),
    "reviewers": lambda j: ", ".join(_who(u) for u in j.reviewers),
    "archived": lambda j: "yes" if j.archived else "",
}


# ---------------------------------------------------------------------------------------------- helpers


def _who(user) -> str:
    return str(user.login or user.name or user.id)


def _status(text: str):
    from ..errors import ValidationError
    from ..models import JobStatus

    try:
        return JobStatus(text.strip().lower())
    except ValueError:
        raise ValidationError(f"--status {text!r}: one of {', '.join(STATUSES)}") from None


def print_ids(jobs: list, as_json: bool) -> None:
    """The new jobs' ids, one a line (for `$(...)`), or with --json the Job models."""
    if as_json:
        emit(jobs, COLUMNS, as_json=True)
    else:
        for job in jobs:
            typer.echo(job.id)



# ---------------------------------------------------------------------------------------------- reading


@app.command("list")
def list_(
    project: Optional[str] = typer.Option(None, "--project", "-p", help="Only this project's jobs (id or name)."),
    assigned_to: Optional[str] = typer.Option(None, "--assigned-to", help="Only jobs of this user (id or login)."),
    created_by: Optional[str] = typer.Option(None, "--created-by", help="Only jobs this user made (id or login)."),
    archived: bool = typer.Option(False, "--archived", help="Include archived jobs."),
    as_json: bool = JSON, jsonl: bool = JSONL,
    backend: Optional[str] = BACKEND, token: Optional[str] = TOKEN, token_env: Optional[str] = TOKEN_ENV,
) -> None:
    """Jobs, filtered by project, assignee or creator; archived ones with --archived."""
    for ref, option in ((assigned_to, "--assigned-to"), (created_by, "--created-by")):
        if ref is not None:
            distinct_refs([ref], option)
    with connected(backend, token, token_env) as b:
        if assigned_to is not None:
            from ..capabilities import Capability

            b.jobs.needs(Capability.ASSIGNMENTS, "assigned_to")  # exit 6 before the user is looked up
        filters: dict[str, Any] = {"include_archived": archived}
        if project is not None:
            filters["project_id"] = find_project(b, project).id
        if assigned_to is not None:
            filters["assigned_to"] = user_id(b, assigned_to.strip())
        if created_by is not None:
            filters["created_by"] = user_id(b, created_by.strip())
        found = b.jobs.list(**filters)
        emit(found, COLUMNS, as_json=as_json, jsonl=jsonl, title=f"jobs on {b.describe()}")


@app.command("get")
def get(
    job: str = typer.Argument(..., help="Job id or name."),
    as_json: bool = JSON,
    backend: Optional[str] = BACKEND, token: Optional[str] = TOKEN, token_env: Optional[str] = TOKEN_ENV,
) -> None:
    """One job: its settings, people, counts and items (with their review status)."""
    check_refs([job])
    with connected(backend, token, token_env) as b:
        found = find_job(b, job)
    if as_json:
        emit_one(found, as_json=True)
        return
    from .common import plain

    data = plain(found)
    entities = data.pop("entities", None)
    for key in ("assignees", "reviewers"):
        data[key] = ", ".join(_who(u) for u in getattr(found, key))
    if found.created_by is not None:
        data["created_by"] = _who(found.created_by)
    import json

    for key, value in data.items():
        if isinstance(value, list):
            data[key] = ", ".join(str(v) for v in value)
        elif isinstance(value, dict):
            data[key] = json.dumps(value, ensure_ascii=False) if value else ""
    emit_one(data, title=f"job {found.id}")
    if entities:
        emit(entities, {"item": lambda e: e.get("id"), "name": lambda e: e.get("name"),
                        "review": lambda e: e.get("review_status", "none")}, title=f"items of job {found.id}")


@app.command("status")
def status(
    job: str = typer.Argument(..., help="Job id or name."),
    as_json: bool = JSON,
    backend: Optional[str] = BACKEND, token: Optional[str] = TOKEN, token_env: Optional[str] = TOKEN_ENV,
) -> None:
    """The job's status: pending, in_progress, on_review, review_completed, completed or stopped."""
    check_refs([job])
    with connected(backend, token, token_env) as b:
        ident = job_id(b, job)
        now = b.jobs.status(ident)
    if as_json:
        emit_one({"id": ident, "status": now}, as_json=True)
    else:
        typer.echo(now.value)


@app.command("wait")
def wait(
    jobs: list[str] = typer.Argument(..., help="Job ids or names (every one must reach the status)."),
    target: str = typer.Option(..., "--status", "-s", help=f"The status to wait for: {', '.join(STATUSES)}."),
    timeout: float = typer.Option(3600.0, "--timeout", help="Seconds to wait at most; exit 8 after them."),
    interval: float = typer.Option(5.0, "--interval", help="Seconds between two looks at the jobs."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No spinner on stderr."),
    as_json: bool = JSON,
    backend: Optional[str] = BACKEND, token: Optional[str] = TOKEN, token_env: Optional[str] = TOKEN_ENV,
) -> None:
    """Wait until the jobs reach --status (e.g. on_review: the labelers are done); a spinner on stderr shows
    where they are. Exit 0 when they all have it; exit 8 with one line when --timeout passes first."""
    import math
    import time

    from ..errors import TimedOut, ValidationError

    refs = check_refs(jobs)
    wanted = _status(target)
    if not (math.isfinite(timeout) and timeout >= 0):
        raise ValidationError(f"--timeout {timeout}: a number of seconds >= 0 is needed")
    if not (math.isfinite(interval) and interval > 0):
        raise ValidationError(f"--interval {interval}: a number of seconds > 0 is needed")
    with connected(backend, token, token_env) as b:
        ids = list(dict.fromkeys(job_id(b, r) for r in refs))
        start = time.monotonic()
        deadline = start + timeout
        with spinner(not quiet) as show, _interruptible():
            while True:
                current = {i: b.jobs.get(i) for i in ids}
                behind = {i: j.status for i, j in current.items() if j.status is not wanted}
                if not behind:
                    break
                left = deadline - time.monotonic()
                where = ", ".join(f"job {i} {s.value}" for i, s in behind.items())
                if left <= 0:
                    raise TimedOut(
                        f"timed out after {timeout:g}s waiting for {wanted.value}: {where} (a longer --timeout?)"
                    )
                show(f"waiting for {wanted.value}: {where} ({time.monotonic() - start:.0f}s of {timeout:g}s)")
                time.sleep(min(interval, left))
    if as_json:
        emit(list(current.values()), COLUMNS, as_json=True)
    else:
        for i in ids:
            typer.echo(f"job {i} is {wanted.value}")


class _interruptible:
    """Ctrl-C ends a wait with exit 130 and one line, not a traceback."""

    def __enter__(self):
        return self

    def __exit__(self, kind, value, tb):
        if kind is KeyboardInterrupt:
            typer.echo("annobridge: interrupted", err=True)
            raise typer.Exit(130)
        return False


@app.command("stats")
def stats(
    job: str = typer.Argument(..., help="Job id or name."),
    as_json: bool = JSON,
    backend: Optional[str] = BACKEND, token: Optional[str] = TOKEN, token_env: Optional[str] = TOKEN_ENV,
) -> None:
    """Where the job's work stands: items annotated, accepted, rejected, and each person's share."""
    check_refs([job])
    with connected(backend, token, token_env) as b:
        found = b.jobs.stats(job_id(b, job))
    if as_json:
        emit_one(found, as_json=True)
        return
    totals = {
        "items": found.items, "annotated": found.annotated, "accepted": found.accepted,
        "rejected": found.rejected, "unreviewed": found.unreviewed,
        "annotations": "unknown" if found.annotations is None else found.annotations,
    }
    emit_one(totals, title=f"job {found.job_id}")
    if not found.users:
        return
    emit(
        found.users,
        {
            "user": lambda u: u.user_id, "login": lambda u: u.login, "role": lambda u: u.role.value,
            "items": lambda u: u.items, "annotated": lambda u: u.annotated, "accepted": lambda u: u.accepted,
            "rejected": lambda u: u.rejected,
        },
        title="per person",
    )


@app.command("activity")
def activity(
    job: str = typer.Argument(..., help="Job id or name."),
    as_json: bool = JSON, jsonl: bool = JSONL,
    backend: Optional[str] = BACKEND, token: Optional[str] = TOKEN, token_env: Optional[str] = TOKEN_ENV,
) -> None:
    """What happened in the job, oldest first: who did what to which item, and when."""
    check_refs([job])
    with connected(backend, token, token_env) as b:
        require(b, "job_activity")
        found = b.jobs.activity(job_id(b, job))
    emit(
        found,
        {"at": lambda a: a.at, "user": lambda a: a.login or a.user_id, "action": lambda a: a.action,
         "item": lambda a: a.item_id, "detail": lambda a: a.detail},
        as_json=as_json, jsonl=jsonl, title=f"activity of job {job}",
    )


from . import job_changes  # noqa: E402  (create, stop, archive, delete, restart, clone join `app`)

assert job_changes.app is app
