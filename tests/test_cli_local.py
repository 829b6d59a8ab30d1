"""Local (annobridge.cli.main in the test's process) shows what a fresh process would: its own environment per call,
the settings read from it, stdout and stderr apart, warnings and log records on stderr, none of the servers' output."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
import warnings
from collections.abc import Callable, Iterator

import typer

from annobridge import cli
from annobridge.testing.cli import Local


@contextlib.contextmanager
def command(body: Callable[[], None]) -> Iterator[None]:
    """`annobridge probe` runs `body` while the block lasts."""
    cli.app.command("probe")(body)
    try:
        yield
    finally:
        cli.app.registered_commands.pop()


def local(**env: str) -> Local:
    return Local("", "", {**os.environ, **env})


def test_each_call_has_its_own_environment_and_reads_the_settings_from_it():
    from annobridge.retry import RetryPolicy

    def probe() -> None:
        typer.echo(f"{os.environ.get('PROBE_VALUE')} {RetryPolicy.from_options({}).retries}")

    with command(probe):
        one = local(PROBE_VALUE="one", ANNOBRIDGE_RETRIES="1").run("probe", backend=False)
        two = local(PROBE_VALUE="two", ANNOBRIDGE_RETRIES="5").run("probe", backend=False)
    assert (one.stdout, two.stdout) == ("one 1\n", "two 5\n")
    assert "PROBE_VALUE" not in os.environ


def test_a_rich_table_is_as_wide_as_columns_says():
    def probe() -> None:
        from rich.console import Console

        typer.echo(Console().width)

    with command(probe):
        assert [local(COLUMNS=width).run("probe", backend=False).stdout for width in ("200", "61")] == ["200\n", "61\n"]


def test_stderr_holds_the_warnings_and_log_records_a_process_would_print_and_nothing_from_other_threads(capsys):
    sdk = logging.getLogger("probe.sdk")  # as a vendor SDK sets itself up when first imported: bound to stderr now
    sdk.addHandler(logging.StreamHandler())
    sdk.setLevel(logging.INFO)
    sdk.propagate = False

    def probe() -> None:
        typer.echo("the result")
        warnings.warn("careful", UserWarning)
        warnings.warn("old", DeprecationWarning)  # hidden by Python's default filters
        logging.getLogger("probe.lib").warning("a library warned")  # logging's last resort
        logging.getLogger("probe.lib").info("a library informed")
        sdk.info("the sdk informed")
        server = threading.Thread(target=lambda: print("a server thread spoke", file=sys.stderr))
        server.start()
        server.join()

    try:
        with command(probe):
            first, second = (local().run("probe", backend=False) for _ in range(2))
    finally:
        sdk.handlers.clear()
    assert first.returncode == 0 and first.stdout == "the result\n"
    lines = first.stderr.splitlines()
    assert any(line.endswith("UserWarning: careful") for line in lines), lines
    assert "a library warned" in lines and "the sdk informed" in lines
    assert not any(word in first.stderr for word in ("DeprecationWarning", "a library informed", "a server thread"))
    assert second.stderr == first.stderr  # each call shows its warnings again, as each process would
    assert "a server thread spoke" in capsys.readouterr().err
