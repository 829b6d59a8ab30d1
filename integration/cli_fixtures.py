"""Shared pieces of the command-line tests: both real backends, reached through the console entry point (Shell, a
fresh process) or through annobridge.cli.main in this process (Local); the fixtures the test modules import."""

from __future__ import annotations

import os
import uuid

import pytest

import annobridge
from annobridge.testing.cli import Local, Shell, error_line, ids_of, run_all  # noqa: F401 - the modules import them

LEMONS = 5555  # the sandbox's seeded "Lemons (Test)" project


def _env(token: str, config_dir) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("LABEL_STUDIO_API_KEY", "API_TOKEN", "ANNOBRIDGE_BACKEND")}
    return {**env, "ANNOBRIDGE_TEST_TOKEN": token, "ANNOBRIDGE_CONFIG_DIR": str(config_dir), "COLUMNS": "200"}


@pytest.fixture(scope="module")
def sv_shell(tmp_path_factory):
    """The seeded Supervisely sandbox ("Lemons (Test)", 5555) of this module, as a shell user reaches it."""
    from annobridge_sandbox_supervisely import running_sandbox

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


@pytest.fixture(scope="module")
def offline(tmp_path_factory):
    """A backend nobody answers at: a command that got as far as connecting would exit 7, not 2."""
    env = {**os.environ, "ANNOBRIDGE_TEST_TOKEN": "not-a-token", "COLUMNS": "200", "ANNOBRIDGE_RETRIES": "0",
           "ANNOBRIDGE_CONFIG_DIR": str(tmp_path_factory.mktemp("offline"))}
    env.pop("ANNOBRIDGE_BACKEND", None)
    return Shell("labelstudio+http://127.0.0.1:9", "not-a-token", env)


@pytest.fixture(scope="module")
def offline_cli(offline):
    """The backend nobody answers at, through annobridge.cli.main in this process."""
    return Local.like(offline)


@pytest.fixture(scope="module")
def sv_cli(sv_shell):  # noqa: F811
    """The sandbox of sv_shell, through annobridge.cli.main in this process."""
    return Local.like(sv_shell)


@pytest.fixture(scope="module")
def ls_cli(ls_shell):  # noqa: F811
    """The real Label Studio server of ls_shell, through annobridge.cli.main in this process."""
    return Local.like(ls_shell)


@pytest.fixture(scope="module", params=["supervisely", "labelstudio"])
def cli(request):
    """Each backend in turn, through annobridge.cli.main in this process (shell's twin)."""
    return request.getfixturevalue("sv_cli" if request.param == "supervisely" else "ls_cli")


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
