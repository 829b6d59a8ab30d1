"""`annobridge annotations export|import`: items' labels as neutral JSON Lines or each vendor's own JSON.

The neutral form is one ItemAnnotation per line (its JSON: exact rationals as "n/d" where a float is not
exact); `--format native` is the backend's own JSON, one document per line (a Label Studio task with its
annotations; a Supervisely image's annotation with its image id). An import reads and checks every line
(the schema, the items, the conversion) before the first write, and names the line of the first bad one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .args import as_id, find_project, id_list, read_jsonl
from .common import BACKEND, JSON, TOKEN, TOKEN_ENV, connected, group, progress

app = group("Items' labels as neutral JSON Lines or each vendor's own JSON.")

JOB_TARGET = typer.Option(None, "--job", help="Write onto this job's items (then FILE is the only argument).")
FORMAT = typer.Option("jsonl", "--format", help="jsonl (neutral ItemAnnotations) or native (the backend's own JSON).")


@app.command("export")
def export(
    job: Optional[str] = typer.Option(None, "--job", help="Job id: its items' annotations."),
    project: Optional[str] = typer.Option(None, "--project", help="Project id or name: all its items' annotations."),
    items: Optional[str] = typer.Option(None, "--items", help="Only these item ids (comma-separated)."),
    format: str = FORMAT,
    out: str = typer.Option("-", "--out", "-o", help="File to write (- for stdout)."),
    backend: Optional[str] = BACKEND, token: Optional[str] = TOKEN, token_env: Optional[str] = TOKEN_ENV,
) -> None:
    """Write the annotations of a job or a project, one JSON document per line; with --out FILE, prints FILE."""
    from ..errors import ValidationError

    fmt = _format(format)
    if (job is None) == (project is None):
        raise ValidationError("annotations export: give one of --job and --project")
    wanted = id_list(items, "--items")
    target = None if out == "-" else out_file(Path(out))
    with connected(backend, token, token_env) as b:
        if job is not None:
            job_id = as_id(job)
            rows = b.annotations.list(job_id=job_id, item_ids=wanted)
            pid = b.jobs.project_of(job_id) if fmt == "native" else None
        else:
            pid = find_project(b, project).id
            rows = b.annotations.list(project_id=pid, item_ids=wanted)
        if fmt == "native":
            rows = b.annotations.to_native(pid, rows)
        count = write_jsonl(rows, target, "exporting annotations")
    if target is not None:
        typer.echo(f"wrote {count} {'documents' if fmt == 'native' else 'annotations'} to {target}", err=True)
        typer.echo(str(target))


@app.command("import")
def import_(
    project: str = typer.Argument(
        ..., metavar="PROJECT", help="Project id or name (with --job, the file instead)."),
    file: Optional[Path] = typer.Argument(None, metavar="FILE", help="JSON Lines file (- for stdin).", show_default=False),
    job: Optional[str] = JOB_TARGET,
    format: str = FORMAT,
    mode: str = typer.Option("append", "--mode", help="append (add to what items hold) or replace (in its place)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check everything; write nothing."),
    as_json: bool = JSON,
    backend: Optional[str] = BACKEND, token: Optional[str] = TOKEN, token_env: Optional[str] = TOKEN_ENV,
) -> None:
    """Write annotations onto the project's items; every line is checked before the first write.
    Prints what the conversion carried, approximated or dropped (the fidelity report)."""
    from ..annotations import ItemAnnotation
    from ..errors import ValidationError
    from ..fidelity import FidelityReport

    fmt = _format(format)
    if mode not in ("append", "replace"):
        raise ValidationError(f"--mode: append or replace, not {mode!r}")
    project, file = target(project, file, job)
    lines = read_lines(file)
    documents = [doc for _, doc in lines]
    if fmt == "jsonl":  # the neutral lines are checked before connecting
        parsed = [(n, parse_line(n, doc, ItemAnnotation)) for n, doc in lines]
    with connected(backend, token, token_env) as b:
        pid = project_id(b, project, job)
        if fmt == "native":
            parsed = _from_native(b, pid, lines)
        annotations = [a for _, a in parsed]
        check_items(b, pid, parsed)
        if dry_run:
            converts(b, pid, parsed)
            report = FidelityReport()
        else:
            try:
                with progress(f"writing {len(annotations)} annotations", None):
                    report = b.annotations.write(pid, annotations, mode=mode)
            except ValidationError:  # refused before any write: name the line, where the conversion finds it
                converts(b, pid, parsed)
                raise
    summary = {"annotations": len(annotations), "items": len({str(a.item) for a in annotations}),
               "documents": len(documents), "mode": mode, "dry_run": dry_run}
    show_report(report, summary, as_json, "would write" if dry_run else "wrote")


def write_jsonl(rows, target: Optional[Path], label: str) -> int:
    """Write each row (a neutral model or a dict) as a JSON line to `target` (stdout when None), with a progress
    bar; a file appears whole or not at all (written aside, then moved in). How many rows."""
    import json

    partial = target.with_name(target.name + ".part") if target is not None else None
    stream = partial.open("w", encoding="utf-8") if partial is not None else None
    count = 0
    try:
        with progress(label) as advance:
            for row in rows:
                data = row if isinstance(row, dict) else row.model_dump(mode="json")
                line = json.dumps(data, ensure_ascii=False)
                if stream is not None:
                    stream.write(line + "\n")
                else:
                    typer.echo(line)
                count += 1
                advance(1)
    except BaseException:
        if stream is not None:  # no half-written file left where the whole one is expected
            stream.close()
            partial.unlink(missing_ok=True)
        raise
    if stream is not None:
        stream.close()
        partial.replace(target)
    return count


def target(project: str, file: Optional[Path], job: Optional[str]) -> tuple[Optional[str], Path]:
    """(project, file) from `PROJECT FILE` or `--job J FILE`; ValidationError for any other combination."""
    from ..errors import ValidationError

    if job is None and file is None:
        raise ValidationError("give PROJECT FILE, or --job JOB FILE")
    if job is not None and file is not None:
        raise ValidationError(f"give PROJECT FILE or --job JOB FILE, not both (got {project!r} and --job {job!r})")
    return (None, Path(project)) if job is not None else (project, file)


def project_id(b, project: Optional[str], job: Optional[str]):
    """The project the annotations are written into: the one named, or the one holding the job's items."""
    if job is not None:
        return b.jobs.project_of(as_id(job))
    return find_project(b, project).id


def _from_native(b, pid, lines):
    """(line number, ItemAnnotation) for every annotation of the native documents, naming the line of a bad one."""
    from ..errors import ValidationError

    current = {"line": 0}

    def feed():
        for n, doc in lines:
            current["line"] = n
            yield doc

    parsed = []
    try:
        for ann in b.annotations.from_native(pid, feed()):
            parsed.append((current["line"], ann))
    except ValidationError as exc:
        raise ValidationError(f"line {current['line']}: {exc}") from None
    return parsed


def check_items(b, pid, parsed) -> None:
    """Every line's annotation fits the project's schema and names one of its items; else the line is named."""
    from ..errors import ValidationError

    schema = b.projects.get_schema(pid)
    for n, ann in parsed:
        try:
            ann.validate_against(schema)
        except ValidationError as exc:
            raise ValidationError(f"line {n}: {exc}") from None
    known = {str(i.id) for i in b.items.list(project_id=pid)}
    for n, ann in parsed:
        if str(ann.item) not in known:
            raise ValidationError(f"line {n}: item {ann.item!r} is not an item of project {pid}")


def converts(b, pid, parsed, batch: int = 100) -> None:
    """Run the backend's own conversion (what a write does first) on every annotation, 100 at a time; a batch
    it refuses is converted one by one, so the error names the line."""
    from ..errors import ValidationError

    for start in range(0, len(parsed), batch):
        chunk = parsed[start : start + batch]
        try:
            for _ in b.annotations.to_native(pid, [a for _, a in chunk]):
                pass
        except ValidationError:
            for n, ann in chunk:
                try:
                    for _ in b.annotations.to_native(pid, [ann]):
                        pass
                except ValidationError as exc:
                    raise ValidationError(f"line {n}: {exc}") from None
            raise


def show_report(report, summary: dict, as_json: bool, verb: str) -> None:
    """The fidelity report with what was written: JSON (the report's totals and entries, and the counts) or a table."""
    import json

    if as_json:
        typer.echo(json.dumps({**summary, **report.to_json()}, indent=2, ensure_ascii=False))
        return
    from rich.console import Console

    what = "annotations" if "annotations" in summary else "predictions"
    typer.echo(f"{verb} {summary[what]} {what} on {summary['items']} items"
               + (f" ({summary['mode']})" if "mode" in summary else ""))
    if report:
        Console().print(report.to_table())


def read_lines(file: Path) -> list[tuple[int, object]]:
    """(line number, parsed JSON) of every non-blank line; ValidationError naming the first line that is not JSON."""
    return read_jsonl(file, option=None)


def parse_line(n: int, data: object, model):
    """The line's JSON object as `model` (a neutral annotation model); ValidationError naming the line."""
    from ..errors import ValidationError

    if not isinstance(data, dict):
        raise ValidationError(f"line {n}: a JSON object is needed, got {type(data).__name__}")
    try:
        made = model(**data)
    except (ValidationError, TypeError) as exc:
        raise ValidationError(f"line {n}: {exc}") from None
    item = made.annotation.item if model.__name__ == "Prediction" else made.item
    if item is None:
        raise ValidationError(f"line {n}: the annotation names no item (set \"item\" to the item's id)")
    return made


def _format(value: str) -> str:
    from ..errors import ValidationError

    if value not in ("jsonl", "native"):
        raise ValidationError(f"--format: jsonl or native, not {value!r}")
    return value


def out_file(path: Path) -> Path:
    from ..errors import ValidationError

    if path.is_dir() or not path.parent.is_dir():
        raise ValidationError(f"--out {str(path)!r}: not a file in an existing directory")
    return path
