"""`annobridge backends add|list|remove`: named backends (URL and token source, never the token)."""

from __future__ import annotations

from typing import Optional

import typer

from .common import JSON, emit, group

app = group("Named backends: a URL and where its token comes from, kept under a name for --backend.")


@app.command("add")
def add(
    name: str = typer.Argument(..., help="The name to use with --backend."),
    url: str = typer.Argument(..., help="Backend URL, e.g. labelstudio+http://127.0.0.1:8080."),
    token_env: Optional[str] = typer.Option(None, "--token-env", help="Environment variable holding the token."),
    token_command: Optional[str] = typer.Option(
        None, "--token-command", help="Command printing the token (e.g. a password manager's)."
    ),
    replace: bool = typer.Option(False, "--replace", help="Replace a backend of this name."),
) -> None:
    """Add a named backend (the token itself is never stored)."""
    from ..errors import Conflict, ValidationError, in_one_line
    from ..plugins import registry
    from ..urls import BackendURL
    from .named import NamedBackend, check_name, load, save

    check_name(name)
    try:
        entry = NamedBackend(url=url, token_env=token_env, token_command=token_command)
    except ValueError as exc:  # pydantic's, naming the field
        raise ValidationError(in_one_line(exc)) from None
    registry().for_scheme(BackendURL.parse(url).scheme)  # a scheme no installed provider serves is refused now
    known = load()
    if name in known and not replace:
        raise Conflict(f"backend {name!r} exists ({known[name].url}); pass --replace to change it")
    path = save({**known, name: entry})
    typer.echo(f"{name} -> {url} (in {path})")


@app.command("list")
def list_(as_json: bool = JSON) -> None:
    """The named backends."""
    from .named import load

    rows = [{"name": n, **b.model_dump(exclude_none=True)} for n, b in sorted(load().items())]
    source = lambda r: f"env {r['token_env']}" if "token_env" in r else (  # noqa: E731
        f"command {r['token_command']}" if "token_command" in r else "vendor environment")
    emit(rows, {"name": lambda r: r["name"], "url": lambda r: r["url"], "token from": source}, as_json=as_json)


@app.command("remove")
def remove(name: str = typer.Argument(..., help="The backend to forget.")) -> None:
    """Forget a named backend."""
    from ..errors import NotFound
    from .named import load, save

    known = load()
    if name not in known:
        raise NotFound(f"no backend named {name!r}; named: {', '.join(sorted(known)) or 'none'}")
    del known[name]
    save(known)
    typer.echo(f"removed {name}")
