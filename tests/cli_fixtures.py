"""Shared pieces of the command-line tests: both real backends, reached through the console entry point (Shell, a
fresh process) or through annobridge.cli.main in this process (Local); the fixtures the test modules import."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from unittest import mock

import pytest

import annobridge

LEMONS = 5555  # the sandbox's seeded "Lemons (Test)" project


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


@dataclass
class Local:
    """A backend as Shell reaches it, but through annobridge.cli.main in this process: the same entry point and
    arguments, the same environment (swapped in for the call), stdin without a terminal; no interpreter and
    vendor SDK start-up per command, so a module can run many. Shell (a fresh process) checks what only a
    process shows: the ids alone on stdout, a wait that is running while the job changes."""

    url: str
    token: str
    env: dict[str, str]

    def run(self, *args: str, backend: bool = True, stdin: str | None = None) -> subprocess.CompletedProcess:
        from annobridge import cli

        extra = ["--backend", self.url, "--token-env", "ANNOBRIDGE_TEST_TOKEN"] if backend else []
        out, err = io.StringIO(), io.StringIO()
        with mock.patch.dict(os.environ, self.env, clear=True), mock.patch.object(sys, "stdin", io.StringIO(stdin or "")):
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = cli.main([*args, *extra])
        return subprocess.CompletedProcess([*args, *extra], code, out.getvalue(), err.getvalue())

    def json(self, *args: str) -> object:
        done = self.run(*args, "--json")
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    @classmethod
    def like(cls, shell: Shell) -> Local:
        return cls(shell.url, shell.token, shell.env)


def run_all(cli, *commands: tuple[str, ...]) -> list[subprocess.CompletedProcess]:
    """Run independent commands one after the other; their results in order."""
    return [cli.run(*args) for args in commands]


def error_line(done: subprocess.CompletedProcess) -> str:
    """The one line a failed command prints on stderr (no traceback)."""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("annobridge: error: "), done.stderr
    assert "Traceback" not in done.stderr
    return lines[0]


def ids_of(done: subprocess.CompletedProcess) -> list[int]:
    assert done.returncode == 0, done.stderr
    return [int(line) for line in done.stdout.split()]


@pytest.fixture(scope="module")
def offline(tmp_path_factory):
    """A backend nobody answers at: a command that got as far as connecting would exit 7, not 2."""
    env = {**os.environ, "ANNOBRIDGE_TEST_TOKEN": "not-a-token", "COLUMNS": "200", "ANNOBRIDGE_RETRIES": "0",
           "ANNOBRIDGE_CONFIG_DIR": str(tmp_path_factory.mktemp("offline"))}
    env.pop("ANNOBRIDGE_BACKEND", None)
    return Shell("labelstudio+http://127.0.0.1:9", "not-a-token", env)


@pytest.fixture(scope="module")
def sv_cli(sv_shell):  # noqa: F811
    return Local.like(sv_shell)


@pytest.fixture(scope="module")
def ls_cli(ls_shell):  # noqa: F811
    return Local.like(ls_shell)


@pytest.fixture(scope="module")
def ee_cli(labelstudio_server, ls_shell):  # noqa: F811
    """Label Studio as Enterprise: the stand-in for its own endpoints (in this process), in front of the real server."""
    from annobridge_labelstudio.testing.enterprise import EnterpriseStandIn

    with EnterpriseStandIn(labelstudio_server.url) as standin:
        yield Local("labelstudio+" + standin.url, ls_shell.token, ls_shell.env)


@pytest.fixture(scope="module")
def sv(sv_shell):  # noqa: F811
    with annobridge.connect(sv_shell.url, token=sv_shell.token) as backend:
        for login in ("lab1", "lab2"):
            user = backend.users.create(login, password="11111abc", email=f"{login}@example.com")
            backend.users.add_member(user.id)
        yield backend


@pytest.fixture(scope="module")
def ls_project(ls_shell):  # noqa: F811
    """A Label Studio project with the sample schema and four tasks (deleted afterwards), and the backend."""
    from annobridge.testing.conformance import SAMPLE_SCHEMA

    with annobridge.connect(ls_shell.url, token=ls_shell.token) as backend:
        project = backend.projects.create(f"cli jobs {uuid.uuid4().hex[:6]}", SAMPLE_SCHEMA)
        tasks = backend.items.add(project.id, [{"data": {"image": f"http://example.invalid/{i}.jpg"}} for i in range(4)])
        yield backend, project, tasks
        for job in backend.jobs.list(project_id=project.id):
            if job.id != project.id:
                backend.jobs.delete(job.id)
        backend.projects.delete(project.id)
