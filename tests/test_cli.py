"""The command line: version, providers, and one-line errors with their documented exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from annobridge import __version__, cli
from annobridge.errors import NotFound


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "annobridge.cli", *args], capture_output=True, text=True)


def test_version():
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"annobridge {__version__}"


def test_providers_json_lists_both_backends_with_capabilities():
    result = run("providers", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["labelstudio"]["notes"]["assignments"] == "Label Studio Enterprise"
    assert "jobs" in data["supervisely"]["capabilities"]
    assert "labelstudio+http" in data["labelstudio"]["schemes"]


def test_providers_table_shows_the_matrix():
    result = run("providers")
    assert result.returncode == 0, result.stderr
    for word in ("labelstudio", "supervisely", "export_snapshots", "job_archive"):
        assert word in result.stdout


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


@pytest.mark.parametrize("args", [["sandbox", "--help"]])
def test_sandbox_group_exists(args):
    assert run(*args).returncode == 0
