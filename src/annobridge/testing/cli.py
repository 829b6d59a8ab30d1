"""Run the annobridge command line as a test: in a fresh process (Shell) or in this one, printing as a process would
(Local); and reading what a command printed (its ids, its one error line)."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import subprocess
import sys
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from logging import Logger
from unittest import mock

__all__ = ["Local", "Shell", "error_line", "ids_of", "run_all"]


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
    """The ids a successful command printed, one a line."""
    assert done.returncode == 0, done.stderr
    return [int(line) for line in done.stdout.split()]
