"""`annobridge up` / `annobridge down` from the shell: real local backends on 127.0.0.1, reached with the lines printed."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

import annobridge

CLI = [sys.executable, "-m", "annobridge.cli"]
UP = [*CLI, "up"]


@pytest.fixture
def env(tmp_path):
    """The shell's environment with a state directory of the test's own; every backend it started is stopped after."""
    environment = {**os.environ, "ANNOBRIDGE_STATE_DIR": str(tmp_path / "state")}
    yield environment
    shell(environment, "down")


def shell(env, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """`annobridge ARGS` as the shell runs it: (returncode, stdout, stderr)."""
    return subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, timeout=timeout)


def exports(output: str) -> dict[str, str]:
    return dict(line[len("export "):].split("=", 1) for line in output.splitlines() if line.startswith("export "))


def answers(url: str) -> bool:
    try:
        httpx.get(url, timeout=2)
        return True
    except httpx.HTTPError:
        return False


def test_supervisely_in_the_background_is_reached_with_its_export_lines_and_down_stops_it(env):
    started = shell(env, "up", "supervisely", "--port", "0", "--background", timeout=120)
    assert started.returncode == 0, started.stderr
    printed = exports(started.stdout)
    assert set(printed) == {"SERVER_ADDRESS", "API_TOKEN", "ANNOBRIDGE_BACKEND"}
    assert printed["ANNOBRIDGE_BACKEND"] == "supervisely+" + printed["SERVER_ADDRESS"]
    backend = annobridge.connect(printed["ANNOBRIDGE_BACKEND"], token=printed["API_TOKEN"])
    assert "Lemons (Test)" in {p.name for p in backend.projects.list()}  # the seeded demo project
    again = shell(env, "up", "supervisely", "--port", "0", "--background")
    assert again.returncode == 5 and again.stderr.count("\n") == 1 and "already running" in again.stderr

    down = shell(env, "down", "supervisely")
    assert down.returncode == 0 and down.stdout == f"stopped supervisely at {printed['SERVER_ADDRESS']}\n"
    assert not answers(printed["SERVER_ADDRESS"])


def test_supervisely_in_the_foreground_stops_on_ctrl_c(env):
    process = subprocess.Popen([*UP, "supervisely", "--port", "0"], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    lines = [process.stdout.readline() for _ in range(5)]
    printed = exports("".join(lines))
    assert lines[-1] == "# Ctrl-C stops it\n" and answers(printed["SERVER_ADDRESS"])
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=30) == 0
    assert not answers(printed["SERVER_ADDRESS"])


def test_label_studio_in_the_background_is_a_real_server_reached_with_its_token(env):
    started = shell(env, "up", "labelstudio", "--port", "0", "--background", timeout=400)
    assert started.returncode == 0, started.stderr
    printed = exports(started.stdout)
    assert set(printed) == {"LABEL_STUDIO_URL", "LABEL_STUDIO_API_KEY", "ANNOBRIDGE_BACKEND"}
    backend = annobridge.connect(printed["ANNOBRIDGE_BACKEND"], token=printed["LABEL_STUDIO_API_KEY"])
    made = backend.projects.create("tried with up")
    assert [p.name for p in backend.projects.list()] == ["tried with up"]  # a scratch server: nothing else on it
    records = list(Path(env["ANNOBRIDGE_STATE_DIR"]).glob("*"))
    assert records and all(printed["LABEL_STUDIO_API_KEY"] not in r.read_text() for r in records)  # the token: printed
    down = shell(env, "down")
    assert down.returncode == 0 and down.stdout == f"stopped labelstudio at {printed['LABEL_STUDIO_URL']}\n"
    assert not answers(printed["LABEL_STUDIO_URL"]) and made.id


def test_label_studio_in_the_foreground_stops_on_ctrl_c(env):
    process = subprocess.Popen([*UP, "labelstudio", "--port", "0"], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    lines = [process.stdout.readline() for _ in range(6)]
    printed = exports("".join(lines))
    assert lines[4] == "# Ctrl-C stops it\n" and lines[5].startswith("# the web UI: log in as ")
    backend = annobridge.connect(printed["ANNOBRIDGE_BACKEND"], token=printed["LABEL_STUDIO_API_KEY"])
    assert backend.projects.list() == []
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=60) == 0
    assert not answers(printed["LABEL_STUDIO_URL"])
    assert not list(Path(env["ANNOBRIDGE_STATE_DIR"]).glob("*.json"))  # a foreground server is never on record


@pytest.mark.parametrize("backend", ["labelstudio", "supervisely"])
def test_a_port_in_use_or_out_of_range_is_one_line_and_exit_code_2(env, backend):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        for port in (str(taken.getsockname()[1]), "70000"):
            run = shell(env, "up", backend, "--port", port, "--background")
            assert run.returncode == 2 and run.stderr.count("\n") == 1 and port in run.stderr, run.stderr
            assert run.stdout == ""
