"""The command line: version, a fast --help, and one-line errors with their documented exit codes; the version and a
usage error through the console entry point (a fresh process), the rest in this process."""

from __future__ import annotations

import subprocess
import sys

from annobridge import __version__, cli
from annobridge.errors import NotFound


def run(*args: str) -> subprocess.CompletedProcess:
    """`annobridge ARGS` in a fresh process."""
    return subprocess.run([sys.executable, "-m", "annobridge.cli", *args], capture_output=True, text=True)


def test_version():
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"annobridge {__version__}"


def test_every_capability_gates_at_least_one_method():
    from annobridge import Capability, provider, transfer

    bases = [getattr(provider, n) for n in provider.__all__ if n.endswith("API")] + [transfer.TransferAPI]
    gated = {getattr(fn, "__annobridge_capability__", None) for base in bases for fn in vars(base).values()}
    gated |= set(provider.JobsAPI.settings_needing.values())  # settings of jobs.create
    assert set(Capability) - gated == set()


# What keeps `annobridge --help` fast: none of these load until a provider or the sandbox is used.
HEAVY = ("supervisely", "label_studio_sdk", "numpy", "starlette", "PIL", "annobridge_supervisely.provider",
         "annobridge_labelstudio.provider", "httpx", "pydantic_settings", "annobridge.retry")


def test_help_does_not_import_the_vendor_sdks_or_the_providers():
    code = (
        "import sys; from annobridge import cli; cli.main(['--help']);"
        f"print([m for m in {HEAVY!r} if m in sys.modules])"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_an_annobridge_error_is_one_line_and_its_documented_exit_code(monkeypatch, capsys):
    @cli.app.command("explode")
    def explode() -> None:
        raise NotFound("no job 42 on supervisely (supervisely+http://127.0.0.1:8000)")

    try:
        code = cli.main(["explode"])
    finally:
        cli.app.registered_commands.pop()
    err = capsys.readouterr().err
    assert code == 3  # NotFound, as errors.EXIT_CODES documents
    assert err == "annobridge: error: no job 42 on supervisely (supervisely+http://127.0.0.1:8000)\n"


def test_a_usage_error_is_not_a_traceback():
    result = run("no-such-command")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
