"""`annobridge sandbox supervisely` refuses options it cannot serve with: one line on stderr, exit code 2, no traceback.

Bad input (a blank token, a port outside 0-65535 or one in use, a host that is not this
machine's, a --data file that is not a sandbox database) is refused before anything is bound
or written; a --data file that is not the sandbox's is left byte for byte as it was.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from annobridge.cli import main

ANNOBRIDGE = str(Path(sys.executable).parent / "annobridge")


def _refused(capsys, *options: str) -> str:
    """Run the command in this process; assert exit 2 and one line on stderr; return that line."""
    code = main(["sandbox", "supervisely", *options])
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert code == 2 and len(lines) == 1, (options, code, captured.err)
    assert lines[0].startswith("annobridge: error: ") and "Traceback" not in captured.err + captured.out
    assert "SERVER_ADDRESS=" not in captured.out  # it never started
    return lines[0]


@pytest.fixture
def busy_port():
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        yield held.getsockname()[1]


@pytest.mark.parametrize(
    "options, says",
    [
        (["--token", ""], "--token: the sandbox needs a non-blank API token"),
        (["--token", "  \t"], "--token: the sandbox needs a non-blank API token"),
        (["--token", "two words"], "--token: the sandbox token must be printable ASCII without spaces"),
        (["--token", "tök"], "--token: the sandbox token must be printable ASCII without spaces"),
        (["--port", "70000"], "--port 70000: a port is 0 (any free one) to 65535"),
        (["--port=-1"], "--port -1: a port is 0 (any free one) to 65535"),
        (["--host", "no-such-host.invalid", "--port", "0"], "--host 'no-such-host.invalid': not an address, nor a name"),
        (["--host", "999.1.2.3", "--port", "0"], "--host '999.1.2.3': not an address, nor a name"),
        (["--host", "192.0.2.1", "--port", "0"], "--host '192.0.2.1': not an address of this machine"),
    ],
)
def test_bad_options_are_one_line_and_exit_2(capsys, options, says):
    line = _refused(capsys, *options)
    assert says in line
    assert "tök" not in line and "two words" not in line  # no part of a token is shown


def test_a_port_in_use_is_one_line(capsys, busy_port):
    line = _refused(capsys, "--port", str(busy_port))
    assert f"--port {busy_port}: already in use on 127.0.0.1; pick another, or 0 for a free one" in line


def _random_bytes(path: Path) -> Path:
    path.write_bytes(os.urandom(4096))
    return path


def _other_sqlite(path: Path) -> Path:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
        conn.execute("INSERT INTO notes (text) VALUES ('mine')")
    return path


def _damaged_sandbox(path: Path) -> Path:
    from annobridge_sandbox_supervisely.app import create_app

    create_app(db_path=str(path)).state.store.close()
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    return path


@pytest.mark.parametrize(
    "make, says",
    [
        (_random_bytes, "not a SQLite database, or a truncated or damaged one (file is not a database)"),
        (_other_sqlite, "a SQLite file, but not a sandbox database (it has no datasets, images, jobs,"),
        (_damaged_sandbox, "damaged"),
    ],
)
def test_a_data_file_that_is_not_a_sandbox_database_is_left_as_it_was(capsys, tmp_path, make, says):
    path = make(tmp_path / "state.sqlite")
    before = path.read_bytes()
    line = _refused(capsys, "--port", "0", "--data", str(path))
    assert f"sandbox data file {path}: " in line and says in line
    assert path.read_bytes() == before and sorted(tmp_path.iterdir()) == [path]  # no journal, no WAL left


def test_a_data_path_that_cannot_be_a_file_is_one_line(capsys, tmp_path):
    assert "is a directory, not a file" in _refused(capsys, "--port", "0", "--data", str(tmp_path))
    missing = tmp_path / "no" / "such" / "state.sqlite"
    assert f"the directory {missing.parent} does not exist" in _refused(capsys, "--port", "0", "--data", str(missing))
    assert not (tmp_path / "no").exists()


def test_a_bad_data_file_is_refused_before_the_port_is_taken(capsys, tmp_path, busy_port):
    path = _random_bytes(tmp_path / "state.sqlite")
    assert "not a SQLite database" in _refused(capsys, "--port", str(busy_port), "--data", str(path))


def test_a_good_data_file_is_used_again(tmp_path):
    """The check lets a sandbox database and an empty file through (the running path is unchanged)."""
    from annobridge_sandbox_supervisely import running_sandbox

    path = tmp_path / "state.sqlite"
    with running_sandbox(db_path=str(path)) as first:
        first.store.execute("UPDATE projects SET name = 'kept' WHERE id = 5555")
    with running_sandbox(db_path=str(path)) as again:
        assert again.store.scalar("SELECT name FROM projects WHERE id = 5555") == "kept"
    empty = tmp_path / "empty.sqlite"
    empty.touch()
    with running_sandbox(db_path=str(empty)) as fresh:
        assert fresh.store.scalar("SELECT name FROM projects WHERE id = 5555") == "Lemons (Test)"


def test_the_console_command_says_it_in_one_line(tmp_path, busy_port):
    """The installed `annobridge` command, as a user runs it: same line, exit 2, no traceback."""
    corrupt = _random_bytes(tmp_path / "state.sqlite")
    before = corrupt.read_bytes()
    for options, says in (
        (["--token", ""], "--token: the sandbox needs a non-blank API token"),
        (["--port", str(busy_port)], "already in use"),
        (["--port", "0", "--data", str(corrupt)], "not a SQLite database"),
    ):
        result = subprocess.run(
            [ANNOBRIDGE, "sandbox", "supervisely", *options], capture_output=True, text=True, timeout=120
        )
        lines = result.stderr.strip().splitlines()
        assert result.returncode == 2 and len(lines) == 1 and says in lines[0], (options, result.stderr)
        assert "Traceback" not in result.stderr and result.stdout == ""
    assert corrupt.read_bytes() == before
