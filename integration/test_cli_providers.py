"""`annobridge providers` and the `sandbox` group with both providers and the Supervisely sandbox installed."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from annobridge.testing.cli import Local


def run_here(*args: str) -> subprocess.CompletedProcess:
    """`annobridge ARGS` through annobridge.cli.main in this process, with this environment."""
    return Local("", "", dict(os.environ)).run(*args, backend=False)


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


def test_providers_table_shows_the_matrix():
    result = run_here("providers")
    assert result.returncode == 0, result.stderr
    for word in ("labelstudio", "supervisely", "export_snapshots", "job_archive", "Label Studio archives"):
        assert word in result.stdout


@pytest.mark.parametrize("args", [["sandbox", "--help"]])
def test_sandbox_group_exists(args):
    assert run_here(*args).returncode == 0
