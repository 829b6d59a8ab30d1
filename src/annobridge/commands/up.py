"""`annobridge up BACKEND` and `annobridge down`: local backends on 127.0.0.1 to try annobridge on.

    annobridge up labelstudio          # Label Studio on http://127.0.0.1:8080 until Ctrl-C; prints the export lines
    annobridge up supervisely --background && annobridge down supervisely

Each provider adds its own `up` command (the `register_commands` hook's `up` group).
"""

from __future__ import annotations

from typing import Optional

import typer

app = typer.Typer(help="Start a local backend on 127.0.0.1 to try annobridge on; Ctrl-C stops it.",
                  no_args_is_help=True)

BACKGROUND = typer.Option(False, "--background", help="Return once it runs; `annobridge down` stops it.")


def down(
    name: Optional[str] = typer.Argument(None, help="The backend (labelstudio, supervisely); every one if left out."),
) -> None:
    """Stop a backend started with `annobridge up NAME --background` (exit code 3 if NAME is not running)."""
    from ..local_servers import stop_recorded

    stopped = stop_recorded(name)
    for server in stopped:
        typer.echo(f"stopped {server.name} at {server.url}")
    if not stopped:
        typer.echo("no backend started by `annobridge up --background` is running")
