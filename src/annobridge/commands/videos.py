"""`annobridge videos add|list|download|export|import`: the videos of a video project and their tracks.

    annobridge videos add Street clips/*.mp4                      # prints the new ids, one a line
    annobridge videos list --project Street --json
    annobridge videos export --project Street --out tracks.jsonl  # one neutral VideoAnnotation a line
    annobridge videos import Street tracks.jsonl --mode replace

Files and lines are checked before connecting, and every annotation against the project before the first
write; the work goes through the neutral `backend.videos`, so each command runs on every backend with video.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .annotations import out_file, parse_line, read_lines, show_report, write_jsonl
from .args import directory_option, find_project, id_list, job_or_project, one_of, require
from .common import BACKEND, JSON, JSONL, TOKEN, TOKEN_ENV, connected, emit, group, progress

app = group("Videos of video projects: add, list, download; their tracks as neutral JSON Lines.")

COLUMNS = {
    "id": lambda v: v.id,
    "name": lambda v: v.name,
    "size": lambda v: f"{v.width}x{v.height}" if v.width and v.height else None,
    "frames": lambda v: v.frames_count,
    "fps": lambda v: v.fps,
    "review": lambda v: v.review_status.value,
}
JOB = typer.Option(None, "--job", "-j", help="Job id (or name).")
PROJECT = typer.Option(None, "--project", "-p", help="Project id or name.")


@app.command("add")
def add(
    project: str = typer.Argument(..., help="Video project id or name."),
    files: list[Path] = typer.Argument(..., help="Video files (.mp4, .webm, ...).", show_default=False),
    as_json: bool = JSON,
    backend: Optional[str] = BACKEND, token: Optional[str] = TOKEN, token_env: Optional[str] = TOKEN_ENV,
) -> None:
    """Upload video files into a video project; prints the new ids, one a line."""
    import json

    from ..video_apis import video_files

    checked = video_files(files)  # every file before connecting
    with connected(backend, token, token_env) as b:
        require(b, "video")
        found = find_project(b, project)
        with progress(f"uploading {len(checked)} videos", None):
            ids = b.videos.add(found.id, checked)
    typer.echo(json.dumps(ids) if as_json else "\n".join(str(i) for i in ids))


@app.command("list")
def list_(
    job: Optional[str] = JOB, project: Optional[str] = PROJECT,
    as_json: bool = JSON, jsonl: bool = JSONL,
    backend: Optional[str] = BACKEND, token: Optional[str] = TOKEN, token_env: Optional[str] = TOKEN_ENV,
) -> None:
    """The videos of a job or a video project, with their size, frame count and exact rate."""
    one_of(job, project)
    with connected(backend, token, token_env) as b:
        require(b, "video")
        jid, pid, title = job_or_project(b, job, project)
        emit(b.videos.list(job_id=jid, project_id=pid), COLUMNS, as_json=as_json, jsonl=jsonl,
             title=f"videos of {title} on {b.describe()}")


@app.command("download")
def download(
    project: str = typer.Argument(..., help="Video project id or name."),
    to: Path = typer.Option(..., "--to", help="Directory to write the videos into (made if missing)."),
    items: Optional[str] = typer.Option(None, "--items", help="Only these video ids, comma-separated."),
    backend: Optional[str] = BACKEND, token: Optional[str] = TOKEN, token_env: Optional[str] = TOKEN_ENV,
) -> None:
    """Write the project's videos, byte for byte, into --to; prints the written paths."""
    wanted = id_list(items, "--items")
    directory = directory_option(to)
    with connected(backend, token, token_env) as b:
        require(b, "video")
        found = find_project(b, project)
        with progress(f"downloading the videos of {found.name}", None):
            paths = b.videos.download(found.id, directory=directory, item_ids=wanted)
    for path in paths:
        typer.echo(str(path))


@app.command("export")
def export(
    job: Optional[str] = JOB, project: Optional[str] = PROJECT,
    items: Optional[str] = typer.Option(None, "--items", help="Only these video ids (comma-separated)."),
    out: str = typer.Option("-", "--out", "-o", help="File to write (- for stdout)."),
    backend: Optional[str] = BACKEND, token: Optional[str] = TOKEN, token_env: Optional[str] = TOKEN_ENV,
) -> None:
    """Write the video annotations of a job or a project, one neutral VideoAnnotation a line; with --out FILE,
    prints FILE."""
    one_of(job, project)
    wanted = id_list(items, "--items")
    target = None if out == "-" else out_file(Path(out))
    with connected(backend, token, token_env) as b:
        require(b, "video")
        jid, pid, _ = job_or_project(b, job, project)
        count = write_jsonl(b.videos.annotations(job_id=jid, project_id=pid, item_ids=wanted), target,
                            "exporting video annotations")
    if target is not None:
        typer.echo(f"wrote {count} video annotations to {target}", err=True)
        typer.echo(str(target))


@app.command("import")
def import_(
    project: str = typer.Argument(..., help="Video project id or name."),
    file: Path = typer.Argument(..., help="JSON Lines file of VideoAnnotations (- for stdin)."),
    mode: str = typer.Option("append", "--mode", help="append (add to what videos hold) or replace (in its place)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check and convert everything; write nothing."),
    as_json: bool = JSON,
    backend: Optional[str] = BACKEND, token: Optional[str] = TOKEN, token_env: Optional[str] = TOKEN_ENV,
) -> None:
    """Write video annotations onto the project's videos; every line is checked before the first write.
    Prints what the conversion carried, approximated, kept or dropped (the fidelity report)."""
    from ..annotation_apis import checked_writes
    from ..video import VideoAnnotation

    annotations = [parse_line(n, doc, VideoAnnotation) for n, doc in read_lines(file)]
    checked_writes([], mode)  # a bad --mode, before connecting
    with connected(backend, token, token_env) as b:
        require(b, "video")
        found = find_project(b, project)
        if dry_run:
            report = b.videos.preview(annotations, schema=b.projects.schema_report(found.id)[0])
        else:
            with progress(f"writing {len(annotations)} video annotations", None):
                report = b.videos.write(found.id, annotations, mode=mode)
    summary = {"annotations": len(annotations), "items": len({str(a.item) for a in annotations}), "mode": mode,
               "dry_run": dry_run}
    show_report(report, summary, as_json, "would write" if dry_run else "wrote")
