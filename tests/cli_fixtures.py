"""Shared pieces of the command-line tests: both real backends, reached through the console entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass

import pytest


@dataclass
class Shell:
    """One backend as a shell user has it: `run("jobs", "list")` runs `annobridge jobs list --backend URL`."""

    url: str
    token: str
    env: dict[str, str]

    def run(self, *args: str, backend: bool = True, stdin: str | None = None) -> subprocess.CompletedProcess:
        """Run the real console entry point (a fresh process, as a shell would) with this backend and its token."""
        extra = ["--backend", self.url, "--token-env", "ANNOBRIDGE_TEST_TOKEN"] if backend else []
        return subprocess.run(
            [sys.executable, "-m", "annobridge.cli", *args, *extra],
            capture_output=True, text=True, env=self.env, input=stdin, timeout=600,
        )

    def json(self, *args: str) -> object:
        """Run with --json; the parsed output (the run must succeed)."""
        done = self.run(*args, "--json")
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)


def _env(token: str, config_dir) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("LABEL_STUDIO_API_KEY", "API_TOKEN", "ANNOBRIDGE_BACKEND")}
    return {**env, "ANNOBRIDGE_TEST_TOKEN": token, "ANNOBRIDGE_CONFIG_DIR": str(config_dir), "COLUMNS": "200"}


@pytest.fixture(scope="module")
def sv_shell(tmp_path_factory):
    """The seeded Supervisely sandbox ("Lemons (Test)", 5555) of this module, as a shell user reaches it."""
    from annobridge_supervisely.sandbox import running_sandbox

    with running_sandbox() as handle:
        url = "supervisely+" + handle.server_address
        yield Shell(url, handle.token, _env(handle.token, tmp_path_factory.mktemp("config")))


@pytest.fixture(scope="module")
def ls_shell(labelstudio_server, tmp_path_factory):
    """The real Label Studio server of the session, as a shell user reaches it."""
    token = labelstudio_server.token
    yield Shell(labelstudio_server.backend_url, token, _env(token, tmp_path_factory.mktemp("config")))


@pytest.fixture(scope="module", params=["supervisely", "labelstudio"])
def shell(request):
    """Each backend in turn."""
    return request.getfixturevalue("sv_shell" if request.param == "supervisely" else "ls_shell")
