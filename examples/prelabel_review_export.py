"""Model predictions as pre-annotations, a labeling job over them, a wait for the review, and an export to a directory.

    python examples/prelabel_review_export.py supervisely+http://127.0.0.1:8000 --out exports/ --stand-ins
    python examples/prelabel_review_export.py labelstudio+http://127.0.0.1:8080 --out exports/ --stand-ins

The model is a toy fruit detector (fruit_model.py). Where the backend keeps predictions apart
(Label Studio) they go in as predictions the labeler accepts or corrects; where it has none
(Supervisely) they are written as the items' annotations, marked as drawn by a model, as its own
model apps do. Only the neutral API is used: the same code runs on both. The job is
given to a labeler and a reviewer where the backend has assignments. The script then waits:
for the labeler (status on_review, where the backend has reviews) and for the reviewer
(completed). With `--stand-ins` a stand-in labeler and reviewer (stand_in_people.py) do the
work, so the demo and CI run unattended; without it, real people do, and the script waits up
to `--timeout` seconds for each. Steps a backend cannot do are skipped, saying why.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import fruit_model
import stand_in_people
from _cli import backend_parser, run_main
from lemons import photos
from rich.console import Console

import annobridge
from annobridge import Capability, ItemAnnotation, JobSpec, JobStatus, LabelSchema, ObjectClass, Prediction, Role

console = Console()
PROJECT = "Fruit detector (prelabel)"
JOB = "fruit_prelabel_review"
SCHEMA = LabelSchema(
    classes=[
        ObjectClass(name="lemon", shape="rectangle", color="#50E3C2"),
        ObjectClass(name="kiwi", shape="rectangle", color="#D0021B"),
    ]
)


def ensure_user(backend: annobridge.Provider, login: str, role: Role) -> annobridge.User:
    """Find or create the user; give them `role` in the team where the backend has members.

    >>> ensure_user(backend, "reviewer_1", Role.REVIEWER).login      # doctest: +SKIP
    'reviewer_1'
    """
    try:
        user = backend.users.get(login)
    except annobridge.NotFound:
        user = backend.users.create(login, password=f"{login}-Passw0rd", email=f"{login}@example.com")
    if backend.supports(Capability.MEMBERS) and backend.users.member_role(user.id) is None:
        backend.users.add_member(user.id, role)
    return user


def preannotate(backend: annobridge.Provider, job: annobridge.Job, predictions: dict[Any, ItemAnnotation]) -> str:
    """Put the model's output on the job's items: {item id: ItemAnnotation}. Returns how, in words.

    >>> preannotate(backend, job, {item.id: fruit_model.detect(path)})      # doctest: +SKIP
    'as 1 predictions of model fruit-colours-1'
    """
    labels = [ann.model_copy(update={"item": item}) for item, ann in predictions.items()]
    if backend.supports(Capability.PREDICTIONS):
        rows = [Prediction(annotation=a, model_version=fruit_model.VERSION, score=0.9) for a in labels]
        backend.predictions.write(backend.jobs.project_of(job.id), rows)
        return f"as {len(rows)} predictions of model {fruit_model.VERSION}"
    backend.annotations.write(backend.jobs.project_of(job.id), labels, mode="replace")  # the objects say the model drew them
    reason = backend.unsupported_reason(Capability.PREDICTIONS)
    return f"as the items' annotations ({len(labels)} items; {reason})"


def run(
    url: str, token: str | None = None, out: str | Path = "exports", *, stand_ins: bool = False, timeout: float = 3600.0
) -> dict[str, Any]:
    """Pre-label, assign, wait for labeling and review, export; returns what happened.

    >>> done = run("supervisely+http://127.0.0.1:8000", token, "exports/", stand_ins=True)   # doctest: +SKIP
    >>> done["statuses"][-1], done["export"]["items"]                                         # doctest: +SKIP
    ('completed', 6)
    """
    with annobridge.connect(url, token=token) as backend:
        return _workflow(backend, Path(out), stand_ins, timeout)


def _skip(done: dict[str, Any], backend: annobridge.Provider, capability: Capability, what: str) -> None:
    reason = backend.unsupported_reason(capability)
    done["skipped"][capability.value] = reason
    console.print(f"[yellow]skipped[/] {what}: {backend.name} lacks {capability.value} ({reason})")


def _workflow(backend: annobridge.Provider, out: Path, stand_ins: bool, timeout: float) -> dict[str, Any]:
    from lemons import ensure_project

    done: dict[str, Any] = {"backend": backend.name, "skipped": {}, "statuses": [], "people": []}
    console.rule(f"[bold]Pre-labeling on {backend.describe()}")
    project, prepared = ensure_project(backend, PROJECT, SCHEMA)
    console.print(f"project {project.name!r} (id {project.id})", "; ".join(prepared) or "ready")

    spec: dict[str, Any] = {}
    if backend.supports(Capability.ASSIGNMENTS):
        labeler = ensure_user(backend, "fruit_labeler", Role.ANNOTATOR)
        reviewer = ensure_user(backend, "fruit_reviewer", Role.REVIEWER)
        spec = {"annotators": [labeler.id], "reviewer": reviewer.id}
        console.print(f"labeler {labeler.login}, reviewer {reviewer.login}")
    else:
        _skip(done, backend, Capability.ASSIGNMENTS, "giving the job to a labeler and a reviewer")
    job = backend.jobs.create(JobSpec(name=JOB, project_id=project.id, readme="Check the model's boxes.", **spec))[0]
    items = list(backend.items.list(job_id=job.id))
    console.print(f"job {job.id} {job.name!r}: {len(items)} items, {job.status.value}")
    done.update(job_id=job.id, items=len(items))

    local = {p.name: p for p in photos()}
    predictions = {}
    for item in items:
        path = next((p for name, p in local.items() if str(item.name).endswith(name)), None)
        if path is not None:
            predictions[item.id] = fruit_model.detect(path)
    done["predicted_objects"] = sum(len(a.objects) for a in predictions.values())
    how = preannotate(backend, job, predictions)
    console.print(f"model {fruit_model.VERSION}: {done['predicted_objects']} boxes on {len(predictions)} items, {how}")

    def wait_for(status: JobStatus) -> None:
        reached = backend.jobs.wait(job.id, status, timeout=timeout, poll_interval=0.5)
        done["statuses"].append(reached.status.value)
        console.print(f"job {job.id} is {reached.status.value}")

    reviewing = backend.supports(Capability.REVIEWS)
    if stand_ins:
        done["people"].append(stand_in_people.label(backend, job, fruit_model.VERSION))
        console.print(done["people"][-1])
    if reviewing:
        wait_for(JobStatus.ON_REVIEW)
        if stand_ins:
            done["people"].append(stand_in_people.review(backend, job))
            console.print(done["people"][-1])
    else:
        _skip(done, backend, Capability.REVIEWS, "the review (the job completes when every item is labeled)")
    wait_for(JobStatus.COMPLETED)
    if reviewing:
        verdicts = [e.review_status.value for e in backend.reviews.list(job.id)]
        done["verdicts"] = {v: verdicts.count(v) for v in sorted(set(verdicts))}
        console.print("review verdicts:", done["verdicts"])

    export = backend.exports.wait(backend.exports.create(job.id, format="JSON"), timeout=300, poll_interval=0.5)
    path = backend.exports.download(export, out)
    document = json.loads(path.read_text(encoding="utf-8"))
    rows = document["items"] if isinstance(document, dict) else document
    done["export"] = {"path": str(path), "format": export.format, "items": len(rows), "bytes": path.stat().st_size}
    console.print(f"exported {len(rows)} items of job {job.id} to {path} ({path.stat().st_size} bytes)")
    return done


def main(argv: list[str] | None = None) -> int:
    """Command line: `python examples/prelabel_review_export.py URL [--token T] [--out DIR] [--stand-ins]`."""
    parser = backend_parser(__doc__)
    parser.add_argument("--out", default="exports", help="directory the export is written to")
    parser.add_argument("--stand-ins", action="store_true", help="a stand-in labeler and reviewer do the work")
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds to wait for each status")
    return run_main(parser, argv, lambda a: run(a.url, a.token, a.out, stand_ins=a.stand_ins, timeout=a.timeout))


if __name__ == "__main__":
    sys.exit(main())
