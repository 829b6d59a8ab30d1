"""The Supervisely "Labeling Jobs" tutorial, written once with annobridge; runs unchanged on either backend.

    python examples/labeling_jobs_tutorial.py supervisely+http://127.0.0.1:8000 --token ...
    python examples/labeling_jobs_tutorial.py labelstudio+http://127.0.0.1:8080 --token ...

(the token may also come from API_TOKEN / LABEL_STUDIO_API_KEY). Every step of the tutorial:
labelers and their team role, the project's schema and items, jobs for two labelers with class,
tag and limit settings and selected items, stop, list and filter, status, set status and wait,
archive, remove one and many. It branches only on declared capabilities, and says what it
skipped and why. A backend without "Lemons (Test)" (a fresh Label Studio) gets it made first:
the schema the tutorial prepares, and six photos.
"""

from __future__ import annotations

import sys
from typing import Any

from _cli import backend_parser, run_main
from lemons import PROJECT, ensure_project
from rich.console import Console

import annobridge
from annobridge import Capability, JobSpec, JobStatus, Role

console = Console()
README = "annotation manual for fruits in markdown format here (optional)"
DESCRIPTION = "short description is here (optional)"


def step(title: str) -> None:
    """Print a rule with the tutorial step's title.

    >>> step("1. Labelers")                                          # doctest: +SKIP
    """
    console.rule(f"[bold]{title}")


class Skips(dict):
    """Capability -> why this backend lacks it; `has()` checks a capability and records a skip."""

    def __init__(self, backend: annobridge.Provider) -> None:
        super().__init__()
        self.backend = backend

    def has(self, capability: Capability, what: str) -> bool:
        """Whether the backend has `capability`; if not, print and record that `what` is skipped, and why."""
        if self.backend.supports(capability):
            return True
        reason = self.backend.unsupported_reason(capability)
        self[capability.value] = reason
        console.print(f"[yellow]skipped[/] {what}: {self.backend.name} lacks {capability.value} ({reason})")
        return False


def ensure_labeler(backend: annobridge.Provider, login: str, password: str) -> annobridge.User:
    """Step 1: find the labeler, or create them.

    >>> ensure_labeler(backend, "labeler_1", "Labeler-1-Passw0rd").login   # doctest: +SKIP
    'labeler_1'
    """
    try:
        return backend.users.get(login)
    except annobridge.NotFound:
        return backend.users.create(login, password=password, email=f"{login}@example.com")


def run(url: str, token: str | None = None, project_name: str = PROJECT) -> dict[str, Any]:
    """Run every step of the tutorial on the backend at `url`; returns what it did and skipped.

    >>> done = run("labelstudio+http://127.0.0.1:8080", token)      # doctest: +SKIP
    >>> done["jobs_removed"], sorted(done["skipped"])               # doctest: +SKIP
    (2, ['assignments', 'job_archive', 'job_status_control', 'members'])
    """
    with annobridge.connect(url, token=token) as backend:
        return _tutorial(backend, project_name)


def _tutorial(backend: annobridge.Provider, project_name: str) -> dict[str, Any]:
    skips = Skips(backend)
    done: dict[str, Any] = {"backend": backend.name, "skipped": skips}

    step("Step 1. Labelers, and their role in the team")
    labelers = [ensure_labeler(backend, "labeler_1", "11111abc"), ensure_labeler(backend, "labeler_2", "22222abc")]
    console.print("labelers:", ", ".join(f"{u.login} (id {u.id})" for u in labelers))
    done["labelers"] = [u.login for u in labelers]
    if skips.has(Capability.MEMBERS, "adding the labelers to the team as annotators"):
        for user in labelers:
            if backend.users.member_role(user.id) is None:
                backend.users.add_member(user.id, Role.ANNOTATOR)
        done["roles"] = {u.login: backend.users.member_role(u.id) for u in labelers}
        console.print("team roles:", done["roles"])

    step("Step 2. The project, its schema and its items")
    project, prepared = ensure_project(backend, project_name)
    if prepared:
        console.print(f"prepared {project.name!r} (id {project.id}):", "; ".join(prepared))
    schema = backend.projects.get_schema(project.id)
    console.print("classes:", [c.name for c in schema.classes], "tags:", [t.name for t in schema.tags])
    items = list(backend.items.list(project_id=project.id))
    console.print(f"{len(items)} items in {project.name!r}")
    done.update(
        project_id=project.id,
        prepared=prepared,
        items=len(items),
        classes=sorted(c.name for c in schema.classes),
        tags=sorted(t.name for t in schema.tags),
    )

    step("Step 3. Jobs for two labelers")
    assigning = skips.has(Capability.ASSIGNMENTS, "assigning the jobs to labeler_1 and labeler_2")
    first = backend.jobs.create(
        JobSpec(
            name="labeler1_lemons_task",
            project_id=project.id,
            annotators=[labelers[0].id] if assigning else [],
            readme=README,
            description=DESCRIPTION,
            classes_to_label=["lemon"],
        )
    )
    console.print("created:", [(j.id, j.name, j.status.value, j.items_count) for j in first])
    if skips.has(Capability.JOB_STATUS_CONTROL, "stopping labeler1_lemons_task"):
        backend.jobs.stop(first[0].id)
        console.print(f"stopped job {first[0].id}: {backend.jobs.status(first[0].id).value}")
    selected = [i.id for i in items][: len(items) // 2]
    limits = {}
    if skips.has(Capability.JOB_LIMITS, "limits of 10 objects and 20 tags per item"):
        limits = {"objects_limit_per_item": 10, "tags_limit_per_item": 20}
    second = backend.jobs.create(
        JobSpec(
            name="labeler2_kiwi_task_with_complex_settings",
            project_id=project.id,
            annotators=[labelers[1].id] if assigning else [],
            readme=README,
            description=DESCRIPTION,
            classes_to_label=["kiwi"],
            tags_to_label=["size", "origin"],
            item_ids=selected,
            **limits,
        )
    )
    job = second[0]
    console.print("created:", [(j.id, j.name, j.items_count, j.classes_to_label, j.tags_to_label) for j in second])
    created = first + second
    done["jobs"] = {
        j.name: {
            "items": j.items_count,
            "classes": j.classes_to_label,
            "tags": j.tags_to_label,
            "objects_limit": j.objects_limit_per_item,
            "tags_limit": j.tags_limit_per_item,
            "assignees": [u.login for u in j.assignees],
        }
        for j in created
    }

    step("Listing and filtering jobs")
    ours = {j.id for j in created}
    listed = [j for j in backend.jobs.list(project_id=project.id) if j.id in ours]
    console.print("jobs of the project:", [j.name for j in listed])
    me = backend.users.me()
    mine = [j.name for j in backend.jobs.list(project_id=project.id, created_by=me.id) if j.id in ours]
    console.print(f"created by {me.login}:", mine)
    done.update(listed=sorted(j.name for j in listed), created_by_me=sorted(mine))
    if assigning:
        theirs = backend.jobs.list(project_id=project.id, created_by=me.id, assigned_to=labelers[1].id)
        done["assigned_to_labeler_2"] = [j.name for j in theirs if j.id in ours]
        console.print("created by me and assigned to labeler_2:", done["assigned_to_labeler_2"])

    step("Statuses, set status, wait")
    done["statuses"] = {j.name: backend.jobs.status(j.id).value for j in created}
    console.print("statuses:", done["statuses"])
    if skips.has(Capability.JOB_STATUS_CONTROL, "setting the status of labeler2's job"):
        backend.jobs.set_status(job.id, "completed")
    else:
        console.print(f"on {backend.name} a job's status is derived from its tasks; waiting for it as it is")
    target = JobStatus.COMPLETED if backend.supports(Capability.JOB_STATUS_CONTROL) else backend.jobs.status(job.id)
    finished = backend.jobs.wait(job.id, target, timeout=30, poll_interval=0.5)
    console.print(f"job {job.id} is {finished.status.value}")
    done["waited_for"] = finished.status.value

    step("Archive and remove")
    done["archived"] = []
    if skips.has(Capability.JOB_ARCHIVE, "archiving labeler1_lemons_task"):
        backend.jobs.archive(first[0].id)
        done["archived"] = [
            j.name
            for j in backend.jobs.list(project_id=project.id, include_archived=True)
            if j.id == first[0].id and j.archived
        ]
        console.print(f"archived job {first[0].id}")
    backend.jobs.delete(created[0].id)
    backend.jobs.delete_many([j.id for j in created[1:]])
    left = [j.name for j in backend.jobs.list(project_id=project.id, include_archived=True) if j.id in ours]
    console.print(f"removed {len(created)} jobs; left of them: {left}")
    done.update(jobs_removed=len(created), jobs_left=left, job_ids=sorted(ours, key=str))
    if skips:
        console.print(f"[yellow]{len(skips)} steps skipped on {backend.describe()}[/]: {sorted(skips)}")
    done["skipped"] = dict(skips)
    return done


def main(argv: list[str] | None = None) -> int:
    """Command line: `python examples/labeling_jobs_tutorial.py URL [--token T] [--project NAME]`."""
    parser = backend_parser(__doc__)
    parser.add_argument("--project", default=PROJECT)
    return run_main(parser, argv, lambda args: run(args.url, args.token, args.project))


if __name__ == "__main__":
    sys.exit(main())
