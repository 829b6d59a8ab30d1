"""The `annobridge` command line; every AnnobridgeError becomes one readable line and its documented exit code."""

from __future__ import annotations

import json
import sys
from importlib import import_module
from typing import Optional

import typer

from . import __version__
from .errors import AnnobridgeError, exit_code, in_one_line

GROUPS = (
    "backends", "projects", "items", "jobs", "assign", "reviews", "annotations", "predictions", "exports", "storages",
    "users", "videos",
)

app = typer.Typer(
    name="annobridge",
    help="One API and CLI for labeling work on Supervisely and Label Studio.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
sandbox_app = typer.Typer(help="Local stand-ins for backends that cannot run here.", no_args_is_help=True)
app.add_typer(sandbox_app, name="sandbox")
_up = import_module(".commands.up", __package__)
app.add_typer(_up.app, name="up")
app.command("down")(_up.down)
for _group in GROUPS:  # each group's module imports only typer; its commands load the rest when run
    app.add_typer(import_module(f".commands.{_group}", __package__).app, name=_group)


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
    from .capabilities import capability_matrix, render_matrix_markdown
    from .plugins import registry

    found = sorted(registry().providers.values(), key=lambda p: p.name)
    if markdown:
        typer.echo(render_matrix_markdown(found))
        return
    matrix = capability_matrix(found)
    if as_json:
        payload = {
            p.name: {
                "package": p.package,
                "schemes": list(p.schemes),
                "job_scope": p.job_scope.value,
                "capabilities": {
                    cap: {"support": row[p.name].kind, "detail": row[p.name].text} for cap, row in matrix.items()
                },
            }
            for p in found
        }
        typer.echo(json.dumps(payload, indent=2))
        return

    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    colour = {"yes": "green", "when": "yellow", "no": "red"}
    table = Table(title="annobridge providers")
    table.add_column("capability")
    for p in found:
        table.add_column(f"{p.name}\n{', '.join(p.schemes)}")
    for cap, row in matrix.items():
        table.add_row(cap, *(f"[{colour[row[p.name].kind]}]{escape(row[p.name].cell())}[/]" for p in found))
    Console().print(table)


@app.command()
def migrate(
    ctx: typer.Context,
    source: Optional[str] = typer.Argument(
        None, help="Source backend URL (supervisely+http://127.0.0.1:8000) or name.", show_default=False
    ),
    target: Optional[str] = typer.Argument(
        None, help="Target backend URL (labelstudio+http://127.0.0.1:8080) or name.", show_default=False
    ),
    project: Optional[str] = typer.Option(None, "--project", help="Source project id or name."),
    target_project: Optional[str] = typer.Option(
        None, "--target-project", help="Target project name or id (default: a new project named after the source)."
    ),
    into_existing: bool = typer.Option(
        False, "--into-existing", help="Add to a target project that existed before, by source key (nothing twice)."
    ),
    ledger: Optional[str] = typer.Option(None, "--ledger", help="SQLite ledger that makes a rerun resume."),
    media: str = typer.Option("copy", "--media", help="copy (download, upload) or link (URLs the target can reach)."),
    user_map: Optional[str] = typer.Option(None, "--user-map", help="JSON or CSV file: source login -> target login."),
    batch_size: int = typer.Option(500, "--batch-size", help="Items a batch holds: one ledger entry, one import."),
    retries: Optional[int] = typer.Option(
        None, "--retries", help="Times a batch that met a transient failure is reconciled and written again."
    ),
    shard: Optional[str] = typer.Option(
        None,
        "--shard",
        metavar="K/N",
        help="Migrate the K-th of N disjoint slices of the source (by source key); run all N, at once if you like, "
        "each with its own ledger.",
    ),
    source_token: Optional[str] = typer.Option(
        None, "--source-token", help="Token for SOURCE (else the vendor's environment variable).", show_default=False
    ),
    target_token: Optional[str] = typer.Option(
        None, "--target-token", help="Token for TARGET (else the vendor's environment variable).", show_default=False
    ),
    source_token_env: Optional[str] = typer.Option(
        None, "--source-token-env", help="Environment variable holding SOURCE's token."
    ),
    target_token_env: Optional[str] = typer.Option(
        None, "--target-token-env", help="Environment variable holding TARGET's token."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the plan and the expected losses; write nothing."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON instead of a table."),
    show_report: bool = typer.Option(
        False, "--report", help="Print the whole migration's report again from --ledger alone (no server, no token)."
    ),
) -> None:
    """Migrate a project (schema, items, annotations, jobs, reviews) from SOURCE to TARGET; resumable.

    `annobridge migrate --report --ledger FILE` prints the report of the migration FILE records instead."""
    if show_report:
        report = _report_of_ledger(ctx, ledger)
    else:
        from contextlib import ExitStack

        from .connection import connect
        from .commands.named import resolve
        from .migration import migrate as run
        from .shards import Shard

        _needed_for_a_run(SOURCE=source, TARGET=target, **{"--project": project})
        sliced = Shard.parse(shard) if shard is not None else None  # a bad value: one line before any connection
        source_url, source_secret = resolve(source, source_token, source_token_env)
        target_url, target_secret = resolve(target, target_token, target_token_env)
        with ExitStack() as stack:  # each side its own token: two servers of one vendor work
            src = stack.enter_context(connect(source_url, token=source_secret))
            dst = stack.enter_context(connect(target_url, token=target_secret))
            report = run(
                src, dst, project=project, target_project=target_project, ledger=ledger, media=media,
                user_map=user_map, dry_run=dry_run, batch_size=batch_size, progress=not as_json, retries=retries,
                into_existing=into_existing, shard=sliced,
            )
    if as_json:
        typer.echo(report.to_json())
    else:
        from rich.console import Console

        Console().print(report.to_table())


def _needed_for_a_run(**values: Optional[str]) -> None:
    """SOURCE, TARGET and --project: not needed by `--report`, needed by a run (else one line, exit code 2)."""
    from .errors import ValidationError

    missing = [name for name, value in values.items() if value is None]
    if missing:
        raise ValidationError(
            f"migrate: {', '.join(missing)} missing; a migration needs SOURCE, TARGET and --project "
            "(only --report --ledger FILE goes without)"
        )


def _report_of_ledger(ctx: typer.Context, ledger: Optional[str]):
    """`migrate --report`: the ledger alone says it; an option meant for a run is refused, not ignored."""
    from .errors import ValidationError
    from .migration_report import MigrationReport

    def was_given(name: str) -> bool:  # on the command line, not left at its default
        source = ctx.get_parameter_source(name)
        return source is not None and source.name != "DEFAULT"

    given = [
        param.opts[0] if param.param_type_name == "option" else param.name.upper()
        for param in ctx.command.params
        if param.name not in ("show_report", "ledger", "as_json") and was_given(param.name)
    ]
    if given:
        raise ValidationError(
            f"migrate --report: reads the ledger alone and takes only --ledger and --json, not {', '.join(given)}"
        )
    if ledger is None:
        raise ValidationError("migrate --report: --ledger FILE is needed (the ledger of the migration to report)")
    return MigrationReport.from_ledger(ledger)


import_module(".commands.verify", __package__).register(app)  # after migrate: verify takes migrate's options

_plugin_commands_added = False


def _add_plugin_commands() -> None:
    global _plugin_commands_added
    if not _plugin_commands_added:
        from .plugins import plugin_manager

        plugin_manager().hook.register_commands(cli=app, sandbox=sandbox_app, up=_up.app)
        _plugin_commands_added = True


def main(argv: Optional[list[str]] = None) -> int:
    """Run the CLI and return its exit code; our own errors become one line and the code errors.exit_code gives.

    >>> main(["--version"])
    annobridge 0.1.0
    0
    """
    from pydantic import ValidationError as PydanticValidationError

    try:
        _add_plugin_commands()
        app(args=argv, prog_name="annobridge")
    except (AnnobridgeError, PydanticValidationError) as exc:
        typer.echo(f"annobridge: error: {in_one_line(exc)}", err=True)
        return exit_code(exc) if isinstance(exc, AnnobridgeError) else 2
    except SystemExit as exc:  # typer's standalone mode exits after --help, usage errors and commands
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
