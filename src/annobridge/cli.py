"""The `annobridge` command line; every AnnobridgeError becomes one readable line and exit code 2."""

from __future__ import annotations

import json
import sys
from typing import Optional

import typer

from . import __version__
from .errors import AnnobridgeError

app = typer.Typer(
    name="annobridge",
    help="One API and CLI for labeling work on Supervisely and Label Studio.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
sandbox_app = typer.Typer(help="Local stand-ins for backends that cannot run here.", no_args_is_help=True)
app.add_typer(sandbox_app, name="sandbox")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"annobridge {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
) -> None:
    """One API and CLI for labeling work on Supervisely and Label Studio."""


@app.command()
def providers(
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
    markdown: bool = typer.Option(False, "--markdown", help="Print the matrix as a Markdown table."),
) -> None:
    """List the installed providers, their URL schemes and their capabilities."""
    from .capabilities import Capability, capability_matrix, render_matrix_markdown
    from .plugins import registry

    found = sorted(registry().providers.values(), key=lambda p: p.name)
    if markdown:
        typer.echo(render_matrix_markdown(found))
        return
    if as_json:
        payload = {
            p.name: {
                "package": p.package,
                "schemes": list(p.schemes),
                "capabilities": sorted(c.value for c in p.capabilities),
                "notes": {c.value: note for c, note in p.capability_notes.items()},
            }
            for p in found
        }
        typer.echo(json.dumps(payload, indent=2))
        return

    from rich.console import Console
    from rich.table import Table

    table = Table(title="annobridge providers")
    table.add_column("capability")
    for p in found:
        table.add_column(f"{p.name}\n{', '.join(p.schemes)}")
    for cap, row in capability_matrix(found).items():
        cells = []
        for p in found:
            note = p.capability_notes.get(Capability(cap))
            mark = "[green]yes[/]" if row[p.name] else "[red]no[/]"
            cells.append(f"{mark} ({note})" if note else mark)
        table.add_row(cap, *cells)
    Console().print(table)


_plugin_commands_added = False


def _add_plugin_commands() -> None:
    global _plugin_commands_added
    if not _plugin_commands_added:
        from .plugins import plugin_manager

        plugin_manager().hook.register_commands(cli=app, sandbox=sandbox_app)
        _plugin_commands_added = True


def main(argv: Optional[list[str]] = None) -> int:
    """Run the CLI and return its exit code; our own errors become one line and code 2."""
    from pydantic import ValidationError as PydanticValidationError

    try:
        _add_plugin_commands()
        app(args=argv, prog_name="annobridge")
    except (AnnobridgeError, PydanticValidationError) as exc:
        message = " ".join(str(exc).split())
        typer.echo(f"annobridge: error: {message}", err=True)
        return 2
    except SystemExit as exc:  # typer's standalone mode exits after --help, usage errors and commands
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
