"""`annobridge predictions import`: model output kept apart from people's labels, for labelers to accept or correct.

A line is a Prediction ({"annotation": {...}, "model_version": ..., "score": ...}) or a bare ItemAnnotation,
which --model-version and --score make one. A backend that keeps no predictions (Supervisely keeps model
output as annotations marked as a model's) exits 6 with its reason: import them with `annotations import`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .common import BACKEND, JSON, TOKEN, TOKEN_ENV, connected, group, progress

JOB_TARGET = typer.Option(None, "--job", help="Write onto this job's items (then FILE is the only argument).")

app = group("Model output kept apart from people's labels.")


@app.command("import")
def import_(
    project: str = typer.Argument(
        ..., metavar="PROJECT", help="Project id or name (with --job, the file instead)."),
    file: Optional[Path] = typer.Argument(None, metavar="FILE", help="JSON Lines of Predictions or of ItemAnnotations (- for stdin).",
                                          show_default=False),
    job: Optional[str] = JOB_TARGET,
    model_version: Optional[str] = typer.Option(
        None, "--model-version", help="The model version of lines that name none (ItemAnnotation lines)."),
    score: Optional[float] = typer.Option(None, "--score", help="The score of lines that give none."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check everything; write nothing."),
    as_json: bool = JSON,
    backend: Optional[str] = BACKEND, token: Optional[str] = TOKEN, token_env: Optional[str] = TOKEN_ENV,
) -> None:
    """Put model output on the project's items in bulk; every line is checked before the first write.
    Prints the fidelity report."""
    from ..annotations import ItemAnnotation, Prediction
    from ..capabilities import Capability
    from ..fidelity import FidelityReport
    from .annotations import check_items, converts, parse_line, project_id, read_lines, show_report, target

    project, file = target(project, file, job)
    rows = []
    for n, data in read_lines(file):
        model = Prediction if isinstance(data, dict) and "annotation" in data else ItemAnnotation
        made = parse_line(n, data, model)
        if model is ItemAnnotation:
            made = Prediction(annotation=made)
        fill = {}
        if not made.model_version and model_version:
            fill["model_version"] = model_version
        if made.score is None and score is not None:
            fill["score"] = score
        rows.append((n, made.model_copy(update=fill) if fill else made))
    with connected(backend, token, token_env) as b:
        b.require(Capability.PREDICTIONS)
        pid = project_id(b, project, job)
        labels = [(n, p.annotation) for n, p in rows]
        check_items(b, pid, labels)
        if dry_run:
            converts(b, pid, labels)
            report = FidelityReport()
        else:
            with progress(f"writing {len(rows)} predictions", None):
                report = b.predictions.write(pid, [p for _, p in rows])
    versions = sorted({p.model_version for _, p in rows})
    summary = {"predictions": len(rows), "items": len({str(p.annotation.item) for _, p in rows}),
               "model_versions": versions, "dry_run": dry_run}
    show_report(report, summary, as_json, "would write" if dry_run else "wrote")
