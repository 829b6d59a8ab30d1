"""`annobridge verify SOURCE TARGET`: compare a migration's source and target item by item (annobridge.verify()).

    annobridge verify supervisely+http://127.0.0.1:8000 labelstudio+http://127.0.0.1:8080 \\
        --project "Lemons (Test)" --target-project "Lemons (LS)" --html lemons.html

Backends, tokens, projects, the user map and the batch size are given exactly as to `annobridge migrate`: the
options are migrate's own, read from its registered command (`register`). Exit 0 when everything matches or every
difference is explained by the conversion, 1 when any difference is unexplained; the other codes as every command.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Optional

import typer

__all__ = ["register", "run"]


def register(app: typer.Typer) -> None:
    """Add the `verify` command to `app`, with the options of the `migrate` command registered there before it."""
    migrate = next((c.callback for c in app.registered_commands
                    if (c.name or getattr(c.callback, "__name__", "")) == "migrate"), None)
    if migrate is None:
        raise RuntimeError("register the migrate command before verify: verify takes its options")
    shared = inspect.signature(migrate).parameters

    def verify(
        source: Optional[str] = shared["source"].default,
        target: Optional[str] = shared["target"].default,
        project: Optional[str] = shared["project"].default,
        target_project: str = typer.Option(..., "--target-project", help="The migration's target project, id or name."),
        user_map: Optional[str] = shared["user_map"].default,
        batch_size: int = shared["batch_size"].default,
        source_token: Optional[str] = shared["source_token"].default,
        target_token: Optional[str] = shared["target_token"].default,
        source_token_env: Optional[str] = shared["source_token_env"].default,
        target_token_env: Optional[str] = shared["target_token_env"].default,
        html: Optional[Path] = typer.Option(
            None, "--html", help="Write one self-contained HTML page: summary, loss table, sampled items side by side."
        ),
        sample: int = typer.Option(
            12, "--sample", min=0, help="Items drawn side by side in the page (unexplained first)."
        ),
        as_json: bool = shared["as_json"].default,
    ) -> None:
        """Compare a project with its migration item by item; exit 1 when a difference is not explained by the
        conversion."""
        from ..errors import ValidationError

        wanted = {"SOURCE": source, "TARGET": target, "--project": project}
        for what, value in wanted.items():  # optional in migrate (its --report needs none of them), needed here
            if value is None:
                raise ValidationError(f"verify: {what} is needed")
        run(source, target, project, target_project, user_map=user_map, batch_size=batch_size,
            tokens=(source_token, target_token, source_token_env, target_token_env), html=html, sample=sample,
            as_json=as_json)

    app.command()(verify)


def run(
    source: str,
    target: str,
    project: str,
    target_project: str,
    *,
    user_map: Optional[str],
    batch_size: int,
    tokens: tuple[Optional[str], Optional[str], Optional[str], Optional[str]],
    html: Optional[Path],
    sample: int,
    as_json: bool,
) -> None:
    """Connect to both sides, verify, print the report (a table, or JSON); exit 1 when a difference is unexplained."""
    from contextlib import ExitStack

    from ..connection import connect
    from ..verification import verify
    from .common import progress
    from .named import resolve

    source_token, target_token, source_token_env, target_token_env = tokens
    source_url, source_secret = resolve(source, source_token, source_token_env)
    target_url, target_secret = resolve(target, target_token, target_token_env)
    with ExitStack() as stack:  # each side its own token, as migrate
        src = stack.enter_context(connect(source_url, token=source_secret))
        dst = stack.enter_context(connect(target_url, token=target_secret))
        report = verify(
            src, dst, project, target_project, user_map=user_map, batch_size=batch_size, sample=sample, html=html,
            progress=lambda total: progress("verifying", total, enabled=not as_json),
        )
    if as_json:
        typer.echo(report.to_json())
    else:
        from rich.console import Console

        Console().print(report.to_table())
    if html is not None:
        typer.echo(f"page written to {html}", err=True)
    if not report.ok:
        raise typer.Exit(report.exit_code)
