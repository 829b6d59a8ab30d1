"""`annobridge projects list|get|create|delete|schema`: projects and their label schemas (JSON or YAML)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .args import find_project
from .common import BACKEND, JSON, JSONL, TOKEN, TOKEN_ENV, YES, can_confirm, confirm, connected, emit, emit_one, group

app = group("Projects and their label schemas.")

COLUMNS = {
    "id": lambda p: p.id,
    "name": lambda p: p.name,
    "items": lambda p: p.items_count,
    "workspace": lambda p: p.workspace_id,
}


@app.command("list")
def list_(
    as_json: bool = JSON, jsonl: bool = JSONL,
    backend: Optional[str] = BACKEND, token: Optional[str] = TOKEN, token_env: Optional[str] = TOKEN_ENV,
) -> None:
    """Every project the token can see."""
    with connected(backend, token, token_env) as b:
        emit(b.projects.list(), COLUMNS, as_json=as_json, jsonl=jsonl, title=f"projects on {b.describe()}")


@app.command("get")
def get(
    project: str = typer.Argument(..., help="Project id or name."),
    as_json: bool = JSON,
    backend: Optional[str] = BACKEND, token: Optional[str] = TOKEN, token_env: Optional[str] = TOKEN_ENV,
) -> None:
    """One project, by id or name."""
    with connected(backend, token, token_env) as b:
        emit_one(find_project(b, project), as_json=as_json)


@app.command("create")
def create(
    name: str = typer.Argument(..., help="The new project's name."),
    schema: Optional[Path] = typer.Option(None, "--schema", help="Label schema file (.json, .yaml or .yml)."),
    description: str = typer.Option("", "--description", help="The project's description."),
    as_json: bool = JSON,
    backend: Optional[str] = BACKEND, token: Optional[str] = TOKEN, token_env: Optional[str] = TOKEN_ENV,
) -> None:
    """Create a project (with a label schema from a file); prints its id."""
    chosen = read_schema(schema) if schema is not None else None  # a bad file is refused before connecting
    with connected(backend, token, token_env) as b:
        made = b.projects.create(name, chosen, description=description)
    if as_json:
        emit_one(made, as_json=True)
    else:
        typer.echo(made.id)


@app.command("delete")
def delete(
    project: str = typer.Argument(..., help="Project id or name."),
    yes: bool = YES,
    backend: Optional[str] = BACKEND, token: Optional[str] = TOKEN, token_env: Optional[str] = TOKEN_ENV,
) -> None:
    """Delete a project and everything in it (asks first; --yes in scripts)."""
    can_confirm(yes)
    with connected(backend, token, token_env) as b:
        found = find_project(b, project)
        confirm(f"project {found.name!r} (id {found.id}) on {b.describe()} and everything in it", yes)
        b.projects.delete(found.id)
    typer.echo(f"deleted project {found.id}")


@app.command("schema")
def schema(
    project: str = typer.Argument(..., help="Project id or name."),
    set_from: Optional[Path] = typer.Option(None, "--set", help="Replace the schema with this file's (.json/.yaml)."),
    yaml_out: bool = typer.Option(False, "--yaml", help="Print YAML instead of JSON."),
    backend: Optional[str] = BACKEND, token: Optional[str] = TOKEN, token_env: Optional[str] = TOKEN_ENV,
) -> None:
    """Print the project's label schema (JSON, or YAML with --yaml); --set FILE replaces it first."""
    chosen = read_schema(set_from, option="--set") if set_from is not None else None
    with connected(backend, token, token_env) as b:
        found = find_project(b, project)
        held = b.projects.set_schema(found.id, chosen) if chosen is not None else b.projects.get_schema(found.id)
    data = held.model_dump(mode="json", exclude_defaults=True)
    if yaml_out:
        import yaml

        typer.echo(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), nl=False)
    else:
        import json

        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


def read_schema(path: Path, *, option: str = "--schema"):
    """A LabelSchema from a .json, .yaml or .yml file; ValidationError naming the file and the problem."""
    from ..errors import ValidationError, in_one_line
    from ..schema import LabelSchema

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValidationError(f"{option} {str(path)!r}: cannot be read ({exc.strerror})") from None
    try:
        data = _parse(text, yaml_file=path.suffix.lower() in (".yaml", ".yml"))
        return LabelSchema.model_validate(data)
    except ValueError as exc:  # the file's syntax, or pydantic naming the field
        raise ValidationError(f"{option} {str(path)!r}: {in_one_line(exc)[:300]}") from None


def _parse(text: str, *, yaml_file: bool):
    """JSON or YAML; a YAML syntax error as a ValueError, as JSON's is."""
    if not yaml_file:
        import json

        return json.loads(text)
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValueError(f"not YAML: {exc}") from None
