"""What every command shares: the backend options, output for people (rich) and machines (--json / --jsonl),
progress bars on stderr, and confirmation before deleting.

Output contract: `--json` prints one JSON document (a list for list commands, an object otherwise);
`--jsonl` prints one JSON object per line; field names are the neutral models' (`annobridge.models`),
so the next command can take the ids. Tables and progress are for people and may change.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from typing import Any, Callable, Iterable, Iterator, Optional

import typer

__all__ = [
    "BACKEND",
    "JSON",
    "JSONL",
    "TOKEN",
    "TOKEN_ENV",
    "YES",
    "can_confirm",
    "confirm",
    "connected",
    "emit",
    "emit_one",
    "group",
    "plain",
    "progress",
    "spinner",
]

BACKEND = typer.Option(
    None, "--backend", "-b", envvar="ANNOBRIDGE_BACKEND", show_envvar=True,
    help="Backend URL (labelstudio+http://127.0.0.1:8080) or a name from `annobridge backends list`.",
)
TOKEN = typer.Option(None, "--token", help="API token (else --token-env, the named backend's, or the vendor's env).",
                     show_default=False)
TOKEN_ENV = typer.Option(None, "--token-env", help="Name of the environment variable holding the token.")
JSON = typer.Option(False, "--json", help="Print JSON (a list for lists) instead of a table.")
JSONL = typer.Option(False, "--jsonl", help="Print one JSON object per line.")
YES = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation.")


def group(help: str) -> typer.Typer:
    """A command group (`annobridge jobs ...`) with the CLI's settings."""
    return typer.Typer(help=help, no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)


@contextmanager
def connected(backend: Optional[str], token: Optional[str], token_env: Optional[str]) -> Iterator[Any]:
    """The provider for --backend / --token / --token-env, closed afterwards."""
    from ..connection import connect
    from .named import resolve

    url, secret = resolve(backend, token, token_env)
    with connect(url, token=secret) as provider:
        yield provider


def plain(value: Any) -> Any:
    """A model, enum, path or datetime as JSON-ready data (models by their neutral field names)."""
    from enum import Enum

    from pydantic import BaseModel

    if isinstance(value, Enum):
        return value.value
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_none=True)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def emit(
    rows: Iterable[Any],
    columns: dict[str, Callable[[Any], Any]],
    *,
    as_json: bool = False,
    jsonl: bool = False,
    title: str | None = None,
) -> None:
    """Print a list: JSON, JSON Lines (streamed), or a rich table of `columns` (header -> how to get the cell)."""
    if jsonl:
        for row in rows:
            typer.echo(json.dumps(plain(row), ensure_ascii=False))
        return
    rows = list(rows)
    if as_json:
        typer.echo(json.dumps(plain(rows), indent=2, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=title)
    for header in columns:
        table.add_column(header, overflow="fold")
    for row in rows:
        table.add_row(*(escape("" if (v := get(row)) is None else str(plain(v))) for get in columns.values()))
    Console().print(table)


def emit_one(value: Any, *, as_json: bool = False, title: str | None = None) -> None:
    """Print one thing: JSON, or its fields as a two-column table."""
    data = plain(value)
    if as_json or not isinstance(data, dict):
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    emit(data.items(), {"field": lambda kv: kv[0], "value": lambda kv: kv[1]}, title=title)


@contextmanager
def progress(label: str, total: int | None = None, *, enabled: bool = True) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr (never mixed into the JSON on stdout); yields advance(n)."""
    if not enabled:
        yield lambda n: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = [TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    with Progress(*columns, console=Console(stderr=True), transient=True) as shown:
        task = shown.add_task(label, total=total)
        yield lambda n: shown.advance(task, n)


def spinner(enabled: bool, text: str = "waiting..."):
    """A context manager showing a spinner and `text` on stderr (never stdout), yielding show(text) to change it;
    nothing shows when not enabled."""
    from contextlib import contextmanager, nullcontext

    if not enabled:
        return nullcontext(lambda text: None)

    @contextmanager
    def spinning():
        from rich.console import Console

        with Console(stderr=True).status(text) as shown:
            yield shown.update

    return spinning()


def can_confirm(yes: bool) -> None:
    """Refuse a delete at once, before connecting, when it could not be confirmed: no --yes and no terminal."""
    import sys

    from ..errors import ValidationError

    if not yes and not sys.stdin.isatty():
        raise ValidationError("deleting: pass --yes to confirm (no terminal to ask on)")


def confirm(what: str, yes: bool) -> None:
    """Ask before deleting `what` (on a terminal); without a terminal, --yes is needed."""
    if yes:
        return
    can_confirm(yes)
    if not typer.confirm(f"Delete {what}?", default=False, err=True):
        raise typer.Exit(1)
