"""local_servers: the record `annobridge up --background` keeps and `annobridge down` acts on, with real processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from annobridge import local_servers
from annobridge.cli import main
from annobridge.errors import Conflict, NotFound
from annobridge.local_servers import LocalServer

MARKER = "annobridge-test-sleeper"


@pytest.fixture(autouse=True)
def own_state_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("ANNOBRIDGE_STATE_DIR", str(tmp_path / "state"))


@pytest.fixture
def sleeper():
    """A real process leading its own session, its command line carrying MARKER; killed after the test."""
    process = subprocess.Popen([sys.executable, "-c", f"import time  # {MARKER}\ntime.sleep(120)"],
                               start_new_session=True)
    yield process
    if process.poll() is None:
        process.kill()
    process.wait()


def gone(process) -> bool:
    """Whether the process has ended and been collected (down collects a child of its own)."""
    process.wait(timeout=10)
    try:
        os.kill(process.pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_down_stops_the_recorded_server_and_removes_its_scratch_folder(sleeper, tmp_path, capsys):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    local_servers.record(LocalServer("labelstudio", "http://127.0.0.1:9", sleeper.pid, MARKER, str(scratch)))
    assert [s.name for s in local_servers.recorded()] == ["labelstudio"]
    with pytest.raises(Conflict, match="labelstudio is already running at http://127.0.0.1:9; `annobridge down"):
        local_servers.check_free("labelstudio")
    local_servers.check_free("supervisely")  # one of each

    assert main(["down", "labelstudio"]) == 0
    assert capsys.readouterr().out == "stopped labelstudio at http://127.0.0.1:9\n"
    assert gone(sleeper) and not scratch.exists()
    assert local_servers.recorded() == [] and not list(local_servers.state_dir().glob("*.json"))


def test_a_stale_record_is_dropped_and_its_pid_left_alone(sleeper):
    other = LocalServer("supervisely", "http://127.0.0.1:9", sleeper.pid, "not-in-its-command-line")
    local_servers.record(other)  # the pid now belongs to some other program
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    local_servers.record(LocalServer("labelstudio", "http://127.0.0.1:8", gone.pid, MARKER))  # no such process
    assert local_servers.recorded() == []
    assert not list(local_servers.state_dir().glob("*.json"))
    with pytest.raises(NotFound, match="no supervisely started by `annobridge up supervisely --background`"):
        local_servers.stop_recorded("supervisely")
    assert sleeper.poll() is None  # never signalled


def test_down_without_a_name_and_nothing_running_says_so(capsys):
    assert main(["down"]) == 0
    assert capsys.readouterr().out == "no backend started by `annobridge up --background` is running\n"
    assert main(["down", "labelstudio"]) == 3
    assert "no labelstudio started by" in capsys.readouterr().err


def test_announce_prints_the_export_lines_and_a_record_never_holds_them(sleeper, capsys):
    local_servers.announce("labelstudio", "http://127.0.0.1:8080", {"LABEL_STUDIO_API_KEY": "s3cr3t"}, background=True)
    assert capsys.readouterr().out.splitlines() == [
        "labelstudio is running at http://127.0.0.1:8080",
        "export LABEL_STUDIO_API_KEY=s3cr3t",
        "export ANNOBRIDGE_BACKEND=labelstudio+http://127.0.0.1:8080",
        "# `annobridge down labelstudio` stops it",
    ]
    local_servers.record(LocalServer("labelstudio", "http://127.0.0.1:8080", sleeper.pid, MARKER))
    kept = json.loads((local_servers.state_dir() / "labelstudio.json").read_text())
    assert set(kept) == {"name", "url", "pid", "marker", "scratch"} and "s3cr3t" not in json.dumps(kept)
    local_servers.stop_recorded()
    assert gone(sleeper) and os.path.exists(local_servers.state_dir())
