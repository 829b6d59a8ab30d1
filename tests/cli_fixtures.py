"""Shared pieces of the command-line tests: both real backends, reached through the console entry point (Shell, a
fresh process) or through annobridge.cli.main in this process (Local); the fixtures the test modules import."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import subprocess
import sys
import threading
import uuid
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from logging import Logger
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

    @classmethod
    def like(cls, local: Local) -> Shell:
        """The same backend, token and environment as `local`, in a fresh process."""
        return cls(local.url, local.token, local.env)


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
    arguments, the same environment (swapped in for the call, so ANNOBRIDGE_* and the vendors' settings are read
    afresh), stdin without a terminal, stdout and stderr apart, and what a fresh process would print besides: its
    warnings (Python's default filters, each shown once a call) and its log records (handlers bound to stdout or
    stderr, and logging's last resort). No interpreter and vendor SDK start-up per command, so a module can run
    many. Shell (a fresh process) checks what only a process shows: the console script's own exit, signals, a
    wait that is running while the job changes, two processes at once, what a process leaves in its output."""

    url: str
    token: str
    env: dict[str, str]

    def run(self, *args: str, backend: bool = True, stdin: str | None = None) -> subprocess.CompletedProcess:
        """Run annobridge.cli.main with this backend and its token; its exit code, stdout and stderr."""
        from annobridge import cli

        extra = ["--backend", self.url, "--token-env", "ANNOBRIDGE_TEST_TOKEN"] if backend else []
        out, err = _ThisThread(sys.stdout), _ThisThread(sys.stderr)
        with contextlib.ExitStack() as stack:
            stack.enter_context(mock.patch.dict(os.environ, self.env, clear=True))
            stack.enter_context(mock.patch.object(sys, "stdin", io.StringIO(stdin or "")))
            stack.enter_context(_printing_as_a_process(out, err))
            code = cli.main([*args, *extra])
        return subprocess.CompletedProcess([*args, *extra], code, out.getvalue(), err.getvalue())

    def json(self, *args: str) -> object:
        """Run with --json; the parsed output (the run must succeed)."""
        done = self.run(*args, "--json")
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    @classmethod
    def like(cls, shell: Shell) -> Local:
        """The same backend, token and environment (one dict: what a test sets in it, both see)."""
        return cls(shell.url, shell.token, shell.env)


class _ThisThread(io.StringIO):
    """Keeps what the command's thread writes; what other threads write (the servers this process runs for the
    tests: the sandbox, the Enterprise stand-in, moto) goes on to `elsewhere`, as it would outside the command."""

    def __init__(self, elsewhere) -> None:
        super().__init__()
        self._thread = threading.get_ident()
        self._elsewhere = elsewhere

    def write(self, text: str) -> int:
        if threading.get_ident() == self._thread:
            return super().write(text)
        return self._elsewhere.write(text)


class _LastResort(logging.Handler):
    """logging.lastResort of a fresh process: a WARNING that no handler on its logger's way up takes goes to
    stderr as its message alone (pytest's own handlers on the root logger do not count)."""

    def __init__(self, stream: _ThisThread) -> None:
        super().__init__(logging.WARNING)
        self.stream = stream

    def emit(self, record: logging.LogRecord) -> None:
        logger: Logger | None = logging.getLogger(record.name)
        while logger is not None:
            if any(h is not self and not type(h).__module__.startswith("_pytest") for h in logger.handlers):
                return
            logger = logger.parent if logger.propagate else None
        self.stream.write(record.getMessage() + "\n")


# Python's warning filters when no -W option and no PYTHONWARNINGS is given (release builds).
_PROCESS_WARNING_FILTERS = (
    ("default", DeprecationWarning, "__main__"), ("ignore", DeprecationWarning, ""),
    ("ignore", PendingDeprecationWarning, ""), ("ignore", ImportWarning, ""), ("ignore", ResourceWarning, ""),
)


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """A warning on sys.stderr, as a process shows it (pytest would keep it for its summary)."""
    sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))


@contextlib.contextmanager
def _printing_as_a_process(out: _ThisThread, err: _ThisThread) -> Iterator[None]:
    """stdout and stderr into out and err, with the warnings and log records a fresh process would print there."""
    ours = {id(sys.stdout): out, id(sys.__stdout__): out, id(sys.stderr): err, id(sys.__stderr__): err}
    loggers = [logging.getLogger(), *(x for x in logging.Logger.manager.loggerDict.values() if isinstance(x, Logger))]
    handlers = [h for x in loggers for h in x.handlers if isinstance(h, logging.StreamHandler)]
    bound = [(h, h.stream) for h in handlers if id(h.stream) in ours]
    last_resort = _LastResort(err)
    with mock.patch.object(sys, "stdout", out), mock.patch.object(sys, "stderr", err), warnings.catch_warnings():
        warnings.resetwarnings()  # pytest's own filters and recorder out; the registries start afresh
        for action, category, module in reversed(_PROCESS_WARNING_FILTERS):
            warnings.filterwarnings(action, category=category, module=module)
        warnings.showwarning = _show_warning
        for handler, stream in bound:
            handler.setStream(ours[id(stream)])
        logging.getLogger().addHandler(last_resort)
        try:
            yield
        finally:
            logging.getLogger().removeHandler(last_resort)
            for handler, stream in bound:
                handler.setStream(stream)


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
