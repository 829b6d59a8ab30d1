"""The command line: version, providers, and one-line errors with their documented exit codes; the version and a usage
error through the console entry point (a fresh process), the rest in this process."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from annobridge import __version__, cli
from annobridge.errors import NotFound

from .cli_fixtures import Local


def run(*args: str) -> subprocess.CompletedProcess:
    """`annobridge ARGS` in a fresh process."""
    return subprocess.run([sys.executable, "-m", "annobridge.cli", *args], capture_output=True, text=True)


def run_here(*args: str) -> subprocess.CompletedProcess:
    """`annobridge ARGS` through annobridge.cli.main in this process, with this environment."""
    return Local("", "", dict(os.environ)).run(*args, backend=False)


def test_version():
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"annobridge {__version__}"


def test_providers_json_lists_both_backends_with_capabilities():
    result = run_here("providers", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    ls, sv = data["labelstudio"]["capabilities"], data["supervisely"]["capabilities"]
    assert ls["assignments"] == {"support": "when", "detail": "Label Studio Enterprise"}
    assert sv["storages"]["support"] == "no" and "Team Files" in sv["storages"]["detail"]
    assert sv["jobs"] == {"support": "yes", "detail": ""}
    assert (data["labelstudio"]["job_scope"], data["supervisely"]["job_scope"]) == ("project", "in_project")
    assert "labelstudio+http" in data["labelstudio"]["schemes"]


def test_every_shipped_provider_declares_every_capability_and_every_no_has_its_reason():
    from annobridge import Capability
    from annobridge.plugins import registry

    for provider in registry().providers.values():
        assert set(provider.support) == set(Capability), f"{provider.name} leaves {set(Capability) - set(provider.support)}"
        for cap, support in provider.support.items():
            assert support.kind in ("yes", "when", "no")
            if support.kind != "yes":
                assert support.text.strip(), f"{provider.name}: {cap} is {support.kind} without a reason or condition"


def test_every_capability_gates_at_least_one_method():
    from annobridge import Capability, provider, transfer

    bases = [getattr(provider, n) for n in provider.__all__ if n.endswith("API")] + [transfer.TransferAPI]
    gated = {getattr(fn, "__annobridge_capability__", None) for base in bases for fn in vars(base).values()}
    gated |= set(provider.JobsAPI.settings_needing.values())  # settings of jobs.create
    assert set(Capability) - gated == set()


def test_providers_table_shows_the_matrix():
    result = run_here("providers")
    assert result.returncode == 0, result.stderr
    for word in ("labelstudio", "supervisely", "export_snapshots", "job_archive", "Label Studio archives"):
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
    assert run_here(*args).returncode == 0
