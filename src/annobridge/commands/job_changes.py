"""`annobridge jobs create|stop|archive|delete|restart|clone`: the commands that change jobs, on the `jobs` app.

jobs.py imports this module at its end, so these commands join `annobridge jobs`. Everything is checked
before anything is written: bad input exits 2 before connecting, a capability the backend lacks exits 6.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import typer

from .args import (
    check_refs, distinct_refs, find_job, find_project, id_list, is_number, job_id, name_list, require, user_id,
    user_ids,
)
from .common import BACKEND, JSON, TOKEN, TOKEN_ENV, YES, can_confirm, confirm, connected
from .jobs import print_ids, app


@app.command("create")
def create(
    name: str = typer.Argument(..., help="The job's name."),
    project: str = typer.Option(..., "--project", "-p", help="The project whose items the job labels (id or name)."),
    annotators: list[str] = typer.Option([], "--annotator", "-a", help="An annotator (id or login); repeat for more."),
    reviewer: Optional[str] = typer.Option(None, "--reviewer", "-r", help="The reviewer (id or login)."),
    items: Optional[str] = typer.Option(None, "--items", help="Only these items: comma-separated ids."),
    item_range: Optional[str] = typer.Option(None, "--item-range", help="Only items START:END of the project."),
    classes: Optional[str] = typer.Option(None, "--classes", help="Classes to label, comma-separated."),
    tags: Optional[str] = typer.Option(None, "--tags", help="Tags to label, comma-separated."),
    objects_limit: Optional[int] = typer.Option(None, "--objects-limit", help="At most N objects per item."),
    tags_limit: Optional[int] = typer.Option(None, "--tags-limit", help="At most N tags per item."),
    include_tags: Optional[str] = typer.Option(None, "--include-tags", help="Only items with these tags."),
    exclude_tags: Optional[str] = typer.Option(None, "--exclude-tags", help="Leave out items with these tags."),
    readme: Optional[Path] = typer.Option(None, "--readme", help="The labelers' manual: a Markdown file; - is stdin."),
    description: str = typer.Option("", "--description", help="A short description."),
    as_json: bool = JSON,
    backend: Optional[str] = BACKEND, token: Optional[str] = TOKEN, token_env: Optional[str] = TOKEN_ENV,
) -> None:
    """Create a job over a project's items; prints the new job id(s), one a line (Supervisely makes one job per
    annotator, Label Studio one project holding them all)."""
    from ..errors import ValidationError
    from ..models import JobSpec

    if not name.strip():
        raise ValidationError("NAME: a non-blank job name is needed")
    if items is not None and item_range is not None:
        raise ValidationError("--items and --item-range: give one of them, not both")
    people = distinct_refs(annotators, "--annotator")
    reviewer_ref = distinct_refs([reviewer], "--reviewer")[0] if reviewer is not None else None
    settings: dict[str, Any] = dict(
        name=name.strip(),
        description=description,
        readme=_read_text(readme, "--readme") if readme is not None else "",
        item_ids=id_list(items, "--items") or [],
        item_range=_range(item_range),
        classes_to_label=name_list(classes, "--classes"),
        tags_to_label=name_list(tags, "--tags"),
        objects_limit_per_item=_limit(objects_limit, "--objects-limit"),
        tags_limit_per_item=_limit(tags_limit, "--tags-limit"),
        include_items_with_tags=name_list(include_tags, "--include-tags"),
        exclude_items_with_tags=name_list(exclude_tags, "--exclude-tags"),
    )
    # the settings' own checks (name length...) before connecting; what the backend cannot honour before lookups
    asked = checked(JobSpec, project_id=0, annotators=people, reviewer=reviewer_ref, **settings)
    with connected(backend, token, token_env) as b:
        b.jobs.check_settings(asked)
        spec = JobSpec(
            project_id=find_project(b, project).id,
            annotators=user_ids(b, people),
            reviewer=user_id(b, reviewer_ref) if reviewer_ref is not None else None,
            **settings,
        )
        made = b.jobs.create(spec)
    print_ids(made, as_json)


def _each(refs: list[str], backend: Optional[str], token: Optional[str], token_env: Optional[str], verb: str,
          capability: str, act) -> None:
    """Run `act(b, job_id)` on every job: the capability and every job are checked first, so an unsupported
    backend (exit 6) or a job that is not there (exit 3) stops the run before anything is written."""
    refs = check_refs(refs)
    with connected(backend, token, token_env) as b:
        require(b, capability)
        ids = list(dict.fromkeys(find_job(b, r).id for r in refs))
        for ident in ids:
            act(b, ident)
            typer.echo(f"{verb} job {ident}")


@app.command("stop")
def stop(
    jobs: list[str] = typer.Argument(..., help="Job ids or names."),
    backend: Optional[str] = BACKEND, token: Optional[str] = TOKEN, token_env: Optional[str] = TOKEN_ENV,
) -> None:
    """Stop jobs: their labelers can no longer work on them."""
    _each(jobs, backend, token, token_env, "stopped", "job_status_control", lambda b, i: b.jobs.stop(i))


@app.command("archive")
def archive(
    jobs: list[str] = typer.Argument(..., help="Job ids or names."),
    backend: Optional[str] = BACKEND, token: Optional[str] = TOKEN, token_env: Optional[str] = TOKEN_ENV,
) -> None:
    """Archive jobs: they leave `jobs list` (see them with --archived); their data stays."""
    _each(jobs, backend, token, token_env, "archived", "job_archive", lambda b, i: b.jobs.archive(i))


@app.command("delete")
def delete(
    jobs: list[str] = typer.Argument(..., help="Job ids or names."),
    yes: bool = YES,
    backend: Optional[str] = BACKEND, token: Optional[str] = TOKEN, token_env: Optional[str] = TOKEN_ENV,
) -> None:
    """Delete jobs permanently (asks first; --yes in scripts). On Label Studio a job is a project: its tasks and
    annotations go with it."""
    refs = check_refs(jobs)
    can_confirm(yes)  # no --yes and no terminal to ask on: refused before connecting
    with connected(backend, token, token_env) as b:
        found = list({j.id: j for j in (find_job(b, r) for r in refs)}.values())
        named = ", ".join(f"{j.name!r} (id {j.id})" for j in found)
        confirm(f"{'job' if len(found) == 1 else f'{len(found)} jobs'} {named} on {b.describe()}", yes)
        b.jobs.delete_many([j.id for j in found])
    for job in found:
        typer.echo(f"deleted job {job.id}")


@app.command("restart")
def restart(
    job: str = typer.Argument(..., help="Job id or name."),
    assignees: list[str] = typer.Option([], "--assignee", "-a", help="Who labels the new job(s) (id or login); "
                                        "repeat for more (default: the old annotators)."),
    reviewer: Optional[str] = typer.Option(None, "--reviewer", "-r", help="Who reviews (default: the old reviewer)."),
    name: Optional[str] = typer.Option(None, "--name", help="The new job's name (default: the old one with (#2)...)."),
    every: bool = typer.Option(False, "--all", help="Every item not accepted, not only the rejected ones."),
    as_json: bool = JSON,
    backend: Optional[str] = BACKEND, token: Optional[str] = TOKEN, token_env: Optional[str] = TOKEN_ENV,
) -> None:
    """New job(s) over the job's rejected items (every unaccepted one with --all); prints their ids."""
    people, checker, name = _new_people(job, assignees, reviewer, name)
    with connected(backend, token, token_env) as b:
        require(b, "job_restart")
        ident = job_id(b, job)
        made = b.jobs.restart(ident, **_resolved(b, people, checker), name=name, only_rejected=not every)
    print_ids(made, as_json)


@app.command("clone")
def clone(
    job: str = typer.Argument(..., help="Job id or name."),
    name: Optional[str] = typer.Option(None, "--name", help="The copies' name (default: the job's)."),
    assignees: list[str] = typer.Option([], "--assignee", "-a", help="Who labels the copies (id or login); "
                                        "repeat for more (default: the job's annotators)."),
    reviewer: Optional[str] = typer.Option(None, "--reviewer", "-r", help="Who reviews (default: the job's reviewer)."),
    with_annotations: Optional[bool] = typer.Option(
        None, "--with-annotations/--without-annotations",
        help="Copy the items' annotations or leave them out (default: what the backend does).",
    ),
    as_json: bool = JSON,
    backend: Optional[str] = BACKEND, token: Optional[str] = TOKEN, token_env: Optional[str] = TOKEN_ENV,
) -> None:
    """Copies of the job (same items, classes, tags, limits) under a new name or for other people; prints their ids."""
    people, checker, name = _new_people(job, assignees, reviewer, name)
    with connected(backend, token, token_env) as b:
        require(b, "job_clone")
        ident = job_id(b, job)
        made = b.jobs.clone(ident, name=name, **_resolved(b, people, checker), with_annotations=with_annotations)
    print_ids(made, as_json)


# ---------------------------------------------------------------------------------------------- helpers


def _new_people(job: str, assignees: list[str], reviewer: Optional[str], name: Optional[str]):
    """The checked references of a restart or clone, before connecting: (annotators, reviewer, stripped name)."""
    from ..errors import ValidationError

    check_refs([job])
    people = distinct_refs(assignees, "--assignee")
    checker = distinct_refs([reviewer], "--reviewer")[0] if reviewer is not None else None
    if name is not None and not name.strip():
        raise ValidationError("--name: a non-blank job name is needed")
    return people, checker, name.strip() if name is not None else None


def _resolved(b, people: list[str], checker: Optional[str]) -> dict[str, Any]:
    """assignees= and reviewer= as user ids on the backend (None: the job's own)."""
    return {
        "assignees": user_ids(b, people) if people else None,
        "reviewer": user_id(b, checker) if checker is not None else None,
    }


def _read_text(path: Path, option: str) -> str:
    import sys

    from ..errors import ValidationError

    if str(path) == "-":
        return sys.stdin.read()
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        why = getattr(exc, "strerror", None) or str(exc)
        raise ValidationError(f"{option} {str(path)!r}: cannot be read ({why})") from None


def _range(text: Optional[str]):
    from ..errors import ValidationError

    if text is None:
        return None
    start, sep, end = text.partition(":")
    if not sep or not is_number(start.strip()) or not is_number(end.strip()):
        raise ValidationError(f"--item-range {text!r}: START:END is needed, two whole numbers (e.g. 0:50)")
    first, last = int(start), int(end)
    if first > last:
        raise ValidationError(f"--item-range {text!r}: start {first} is after end {last}")
    return (first, last)


def _limit(value: Optional[int], option: str) -> Optional[int]:
    from ..errors import ValidationError

    if value is not None and value < 0:
        raise ValidationError(f"{option}: a whole number >= 0 is needed, got {value}")
    return value


def checked(model, **fields):
    """`model(**fields)`, its pydantic errors as one ValidationError line naming the fields."""
    from pydantic import ValidationError as PydanticError

    from ..errors import ValidationError, in_one_line

    try:
        return model(**fields)
    except PydanticError as exc:
        raise ValidationError(in_one_line(exc)) from None
