"""`annobridge exports create|list|download`: exports of a job's annotations.

Where the server keeps export snapshots (Label Studio), an export made by one command can be downloaded by
another. Where exports are built on the client (Supervisely), one lives only as long as the command that
made it: `exports create JOB --to DIR` builds and downloads it at once, on every backend.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .args import as_id
from .common import BACKEND, JSON, JSONL, TOKEN, TOKEN_ENV, connected, emit, emit_one, group

app = group("Exports of a job's annotations.")

COLUMNS = {
    "id": lambda e: e.id,
    "status": lambda e: e.status.value,
    "format": lambda e: e.format,
    "title": lambda e: e.title,
    "items": lambda e: e.items_count,
    "created": lambda e: e.created_at,
}
TIMEOUT = typer.Option(300.0, "--timeout", help="Seconds to wait for the export to complete; exit 8 after them.")


@app.command("create")
def create(
    job: str = typer.Argument(..., help="Job id."),
    format: str = typer.Option("JSON", "--format", help="Export format (JSON everywhere; others where offered)."),
    title: Optional[str] = typer.Option(None, "--title", help="The export's title."),
    wait: bool = typer.Option(False, "--wait", help="Wait until the export is complete."),
    to: Optional[Path] = typer.Option(
        None, "--to", help="Also download it into this directory (waits); prints the path."),
    timeout: float = TIMEOUT,
    as_json: bool = JSON,
    backend: Optional[str] = BACKEND, token: Optional[str] = TOKEN, token_env: Optional[str] = TOKEN_ENV,
) -> None:
    """Start an export of the job's annotations; prints its id (with --to, the downloaded file's path)."""
    from ..export_apis import ExportsAPI

    directory = ExportsAPI.check_directory(to) if to is not None else None
    _positive(timeout)
    with connected(backend, token, token_env) as b:
        export = b.exports.create(as_id(job), format=format, title=title)
        if wait or directory is not None:
            export = _wait(b, export, timeout)
        if directory is not None:
            path = b.exports.download(export, directory)
            export = export.model_copy(update={"path": str(path)})
    if as_json:
        emit_one(export, as_json=True)
    else:
        typer.echo(export.path if directory is not None else export.id)


@app.command("list")
def list_(
    job: str = typer.Argument(..., help="Job id."),
    as_json: bool = JSON, jsonl: bool = JSONL,
    backend: Optional[str] = BACKEND, token: Optional[str] = TOKEN, token_env: Optional[str] = TOKEN_ENV,
) -> None:
    """The job's export snapshots the server keeps (exit 6 where it keeps none)."""
    with connected(backend, token, token_env) as b:
        emit(b.exports.list(as_id(job)), COLUMNS, as_json=as_json, jsonl=jsonl, title=f"exports of job {job}")


@app.command("download")
def download(
    job: str = typer.Argument(..., help="Job id."),
    export: str = typer.Argument(..., help="Export id (from `exports create` or `exports list`)."),
    to: Path = typer.Option(..., "--to", help="Directory to write the file into (made if missing)."),
    format: Optional[str] = typer.Option(None, "--format", help="Format to download (default: the export's)."),
    wait: bool = typer.Option(True, "--wait/--no-wait", help="Wait for an export still being built."),
    timeout: float = TIMEOUT,
    as_json: bool = JSON,
    backend: Optional[str] = BACKEND, token: Optional[str] = TOKEN, token_env: Optional[str] = TOKEN_ENV,
) -> None:
    """Download a completed export into a directory; prints the file's path."""
    from ..capabilities import Capability
    from ..errors import NotFound, Unsupported
    from ..export_apis import ExportsAPI

    directory = ExportsAPI.check_directory(to)
    _positive(timeout)
    with connected(backend, token, token_env) as b:
        try:
            found = b.exports.get(as_id(job), as_id(export))
        except NotFound:
            if b.supports(Capability.EXPORT_SNAPSHOTS):
                raise
            reason = b.unsupported_reason(Capability.EXPORT_SNAPSHOTS)
            raise Unsupported(Capability.EXPORT_SNAPSHOTS, b.describe(), f"export {export} of job {job} is not "
                              f"kept ({reason}); build and download one at once: "
                              f"annobridge exports create {job} --to DIR") from None
        if format is not None:
            found = found.model_copy(update={"format": format.upper()})
        if wait:
            found = _wait(b, found, timeout)
        path = b.exports.download(found, directory)
    if as_json:
        emit_one(found.model_copy(update={"path": str(path)}), as_json=True)
    else:
        typer.echo(str(path))


def _wait(b, export, timeout: float):
    """The export once complete, with a spinner on stderr while it is built."""
    from ..models import ExportStatus

    if export.status is ExportStatus.COMPLETED:
        return export
    from rich.console import Console

    with Console(stderr=True).status(f"waiting for export {export.id} of job {export.job_id}"):
        try:
            return b.exports.wait(export, timeout=timeout, poll_interval=0.5)
        except TimeoutError as exc:  # exit 8 (TimedOut), as `jobs wait` gives when its --timeout passes
            from ..errors import TimedOut

            raise TimedOut(f"{exc} (a longer --timeout?)") from None


def _positive(timeout: float) -> None:
    from ..errors import ValidationError

    if not timeout > 0:
        raise ValidationError(f"--timeout: a positive number of seconds, got {timeout}")
