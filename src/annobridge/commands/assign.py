"""`annobridge assign`: give a job's items to people, as annotators or reviewers.

    annobridge assign users 12 --user labeler_1 --user labeler_2 --items 101,102
    annobridge assign sampling 12 --user ann --user bob --user cat --fraction 0.5 --overlap 2 --seed 7 --dry-run

Both commands make a plan of (item, user, role) first and then apply it with assignments.assign;
`--dry-run` prints the plan and writes nothing. `sampling` plans with plan_assignments (a seeded,
balanced draw: the same --seed gives the same plan, so a dry run shows what the real run will do).
On Supervisely a plan becomes labeling jobs (one per annotator and reviewer); their ids are printed.
Label Studio assigns tasks on Enterprise only: elsewhere these commands exit 6 and say why.
"""

from __future__ import annotations

from typing import Any, Optional

import typer

from .args import check_refs, distinct_refs, id_list, item_filter, job_id, require, user_ids
from .common import BACKEND, JSON, JSONL, TOKEN, TOKEN_ENV, connected, emit, group, spinner

app = group("Give a job's items to people, as annotators or reviewers.")

USERS = typer.Option(..., "--user", "-u", help="A user (id or login); repeat for more.")
ROLE = typer.Option("annotator", "--role", help="annotator or reviewer.")
DRY_RUN = typer.Option(False, "--dry-run", help="Print the plan; assign nothing.")


@app.command("users")
def users(
    job: str = typer.Argument(..., help="Job id or name."),
    people: list[str] = USERS,
    items: Optional[str] = typer.Option(None, "--items", help="Comma-separated item ids (default: all the job's)."),
    role: str = ROLE,
    dry_run: bool = DRY_RUN,
    as_json: bool = JSON,
    backend: Optional[str] = BACKEND, token: Optional[str] = TOKEN, token_env: Optional[str] = TOKEN_ENV,
) -> None:
    """Give every one of the users every one of the items (all the job's items without --items)."""
    from ..models import Assignment
    from ..sampling import as_role
    check_refs([job])
    refs = distinct_refs(people, "--user")
    kind = as_role(role.strip().lower(), "--role")
    wanted = id_list(items, "--items")
    with connected(backend, token, token_env) as b:
        ident, user_ids = _prepare(b, job, refs)
        chosen = wanted if wanted is not None else [i.id for i in b.items.list(job_id=ident)]
        plan = [Assignment(item_id=item, user_id=user, role=kind) for user in user_ids for item in chosen]
        made = None if dry_run else _apply(b, ident, plan)
    _report(ident, kind, plan, user_ids, len(chosen), made, dry_run=dry_run, as_json=as_json, how={}, refs=refs)


@app.command("sampling")
def sampling(
    job: str = typer.Argument(..., help="Job id or name."),
    people: list[str] = USERS,
    role: str = ROLE,
    fraction: float = typer.Option(1.0, "--fraction", help="Share of the items to assign, in (0, 1]."),
    overlap: int = typer.Option(1, "--overlap", help="Distinct users per picked item."),
    seed: Optional[str] = typer.Option(None, "--seed", help="Seed of the draw (same seed, same plan)."),
    filters: list[str] = typer.Option(
        [], "--filter", help="Only items that meet all of annotated=true|false, review=none|accepted|rejected, "
        "name=TEXT (comma-separated, or repeat --filter).",
    ),
    dry_run: bool = DRY_RUN,
    as_json: bool = JSON,
    backend: Optional[str] = BACKEND, token: Optional[str] = TOKEN, token_env: Optional[str] = TOKEN_ENV,
) -> None:
    """Pick a share of the job's items at random and give each to --overlap users, every user's load within one of
    the others' (the Label Studio SDK's sampling-based assignment)."""
    from ..sampling import as_role, plan_assignments
    check_refs([job])
    refs = distinct_refs(people, "--user")
    drawn = _seed(seed)
    where = item_filter(filters)
    options = dict(role=as_role(role.strip().lower(), "--role"), fraction=fraction, overlap=overlap, seed=drawn)
    plan_assignments([], refs, **options)  # bad fraction, overlap, role: refused before connecting
    with connected(backend, token, token_env) as b:
        ident, user_ids = _prepare(b, job, refs)
        with spinner(not as_json, f"reading the items of job {ident}"):
            chosen = [item.id for item in b.items.select(job_id=ident, where=where)]
        plan = plan_assignments(chosen, user_ids, **options)
        made = None if dry_run else _apply(b, ident, plan)
    how = {"fraction": fraction, "overlap": overlap, "seed": drawn}
    if where is not None:
        how["filter"] = where.model_dump(mode="json", exclude_none=True)
    _report(ident, options["role"], plan, user_ids, len(chosen), made, dry_run=dry_run, as_json=as_json, how=how,
            refs=refs)


@app.command("list")
def list_(
    job: str = typer.Argument(..., help="Job id or name."),
    as_json: bool = JSON, jsonl: bool = JSONL,
    backend: Optional[str] = BACKEND, token: Optional[str] = TOKEN, token_env: Optional[str] = TOKEN_ENV,
) -> None:
    """The job's assignments: (item, user, role) for every annotator and reviewer."""
    check_refs([job])
    with connected(backend, token, token_env) as b:
        require(b, "assignments")
        ident = job_id(b, job)
        found = b.assignments.list(ident)
    emit(found, {"item": lambda a: a.item_id, "user": lambda a: a.user_id, "role": lambda a: a.role.value},
         as_json=as_json, jsonl=jsonl, title=f"assignments of job {ident}")


# ---------------------------------------------------------------------------------------------- helpers


def _prepare(b, job: str, refs: list[str]) -> tuple[Any, list]:
    """The job's id and the users' ids, after checking the backend can assign at all (exit 6 otherwise)."""
    require(b, "assignments")
    return job_id(b, job), user_ids(b, refs)


def _apply(b, ident, plan) -> list:
    """Apply the plan; the ids of the jobs it became (Supervisely), else none."""
    if not plan:
        return []
    with spinner(True, f"assigning {len(plan)} (item, user) pairs in job {ident}"):
        result = b.assignments.assign(ident, plan)
    return [j.id for j in result or [] if hasattr(j, "id")] if isinstance(result, (list, tuple)) else []


def _seed(text: Optional[str]):
    import re

    if text is None:
        return None
    return int(text) if re.fullmatch(r"[+-]?[0-9]+", text.strip()) else text


def _report(ident, role, plan, user_ids, candidates: int, made, *, dry_run: bool, as_json: bool, how: dict,
            refs: list[str]) -> None:
    """The plan's summary (a line and loads per user), or with --json the plan itself and its summary."""
    import json

    from ..sampling import plan_summary
    from .common import plain

    summary = plan_summary(plan, user_ids)
    summary.pop("users_per_item")
    if as_json:
        data = {
            "job_id": ident, "role": role.value, "dry_run": dry_run, "candidates": candidates, **how,
            "summary": summary, "plan": plan, "jobs": made or [],
        }
        typer.echo(json.dumps(plain(data), indent=2, ensure_ascii=False))
        return
    verb = "would assign" if dry_run else "assigned"
    typer.echo(
        f"job {ident}: {verb} {summary['assignments']} (item, user) pairs over {summary['items']} of {candidates} "
        f"items to {len(user_ids)} users as {role.value}"
        + "".join(f", {k} {v}" for k, v in how.items() if k != "filter" and v is not None)
    )
    given = {user: ref for user, ref in zip(user_ids, refs) if str(user) != ref}
    columns = {"user": lambda kv: kv[0], "login": lambda kv: given.get(kv[0], ""), "items": lambda kv: kv[1]}
    if not given:
        del columns["login"]
    emit(summary["loads"].items(), columns, title="load per user")
    if made:
        typer.echo("jobs: " + " ".join(str(i) for i in made))
    if dry_run:
        typer.echo("dry run: nothing was assigned")
