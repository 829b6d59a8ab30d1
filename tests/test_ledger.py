"""The migration ledger: resumable, all-or-nothing batches, bound to one migration, refusing what is not a ledger."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from dataclasses import replace

import pytest

from annobridge.errors import ValidationError
from annobridge.ledger import Binding, Ledger, read_binding, read_history

SRC, DST = "supervisely+http://127.0.0.1:8000", "labelstudio+http://127.0.0.1:8080"
BINDING = Binding(SRC, "5555", DST, "Lemons (Test) (supervisely #5555)", "copy")


def test_batches_move_from_pending_to_done(tmp_path):
    ledger = Ledger(tmp_path / "l.db", BINDING)
    ledger.begin_batch("item", [1, 2, 3])
    assert ledger.pending("item") == ["1", "2", "3"]
    assert ledger.todo("item", [1, 2, 3, 4]) == ["1", "2", "3", "4"]
    ledger.finish_batch("item", {1: 101, 2: 102, 3: 103})
    assert ledger.pending("item") == []
    assert ledger.todo("item", [1, 2, 3, 4]) == ["4"]
    assert ledger.done("item") == {"1": "101", "2": "102", "3": "103"}
    assert ledger.counts() == {"item": {"done": 3}}


def test_a_done_entry_is_never_reopened(tmp_path):
    ledger = Ledger(tmp_path / "l.db", BINDING)
    ledger.finish_batch("item", {1: 101})
    ledger.begin_batch("item", [1])
    assert ledger.target_id("item", 1) == "101" and ledger.pending("item") == []


@pytest.mark.parametrize(
    "other",
    [
        replace(BINDING, target="labelstudio+http://elsewhere:1"),
        replace(BINDING, source="supervisely+http://localhost:8000"),
        replace(BINDING, source_project="5556"),
        replace(BINDING, target_project="Other"),
        replace(BINDING, media="link"),
    ],
)
def test_a_ledger_of_another_migration_is_refused_and_left_as_it_was(tmp_path, other):
    path = tmp_path / "l.db"
    Ledger(path, BINDING).close()
    before = path.read_bytes()
    with pytest.raises(ValidationError) as refused:
        Ledger(path, other)
    message = str(refused.value)
    assert "\n" not in message and BINDING.describe() in message and other.describe() in message
    assert path.read_bytes() == before
    assert Ledger(path, BINDING).binding == BINDING  # its own migration still opens it


def test_the_target_project_id_is_remembered_and_never_changed(tmp_path):
    Ledger(tmp_path / "l.db", BINDING).target_project_id = 42
    ledger = Ledger.existing(tmp_path / "l.db")
    assert ledger.target_project_id == "42" and read_binding(tmp_path / "l.db").target_project_id == "42"
    ledger.target_project_id = "42"
    with pytest.raises(ValidationError, match="writes into target project 42, not 43"):
        ledger.target_project_id = 43


def _another_sqlite_file(path):
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE notes (text)")


def _truncated_ledger(path):
    ledger = Ledger(path, BINDING)
    ledger.finish_batch("item", {i: i + 1000 for i in range(3000)})
    ledger.close()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _format_1_ledger(path):
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE runs (source TEXT, target TEXT, target_project TEXT)")
        db.execute("INSERT INTO runs VALUES (?, ?, '12')", (SRC + "/projects/5555", DST))


@pytest.mark.parametrize(
    "make, says",
    [
        (lambda p: p.write_bytes(os.urandom(4096)), "not a SQLite database, or a truncated or damaged one"),
        (lambda p: p.write_text("source,target\n" * 20), "not a SQLite database, or a truncated or damaged one"),
        (lambda p: p.write_bytes(b""), "is a SQLite file but not an annobridge ledger"),
        (_another_sqlite_file, "is a SQLite file but not an annobridge ledger"),
        (_truncated_ledger, "not a SQLite database, or a truncated or damaged one"),
        (_format_1_ledger, "written by annobridge 0.1 (format 1)"),
        (lambda p: p.mkdir(), "is a directory, not a file"),
    ],
)
def test_a_file_that_is_not_a_ledger_is_one_line_and_left_as_it_was(tmp_path, make, says):
    path = tmp_path / "l.db"
    make(path)
    before = sorted((p.name, p.is_dir() or p.read_bytes()) for p in tmp_path.iterdir())
    with pytest.raises(ValidationError) as refused:
        Ledger(path, BINDING)
    assert says in str(refused.value) and "\n" not in str(refused.value)
    assert sorted((p.name, p.is_dir() or p.read_bytes()) for p in tmp_path.iterdir()) == before


def test_a_ledger_in_a_missing_directory_is_one_line_and_nothing_is_made(tmp_path):
    with pytest.raises(ValidationError, match="ledger .*: the directory .*missing does not exist"):
        Ledger(tmp_path / "missing" / "l.db", BINDING)
    assert list(tmp_path.iterdir()) == []


def test_a_process_killed_mid_batch_leaves_it_pending_not_lost(tmp_path):
    path = tmp_path / "l.db"
    code = (
        "import os, signal; from annobridge.ledger import Binding, Ledger;"
        f"l = Ledger({str(path)!r}, Binding(*{tuple(vars(BINDING).values())[:5]!r}));"
        "l.finish_batch('item', {1: 101}); l.begin_batch('item', [2, 3]);"
        "os.kill(os.getpid(), signal.SIGKILL)"
    )
    result = subprocess.run([sys.executable, "-c", code])
    assert result.returncode == -9
    ledger = Ledger(path, BINDING)
    assert ledger.done("item") == {"1": "101"}
    assert sorted(ledger.pending("item")) == ["2", "3"]
    ledger.forget_pending("item", ["3"])
    assert ledger.pending("item") == ["2"]


# ---------------------------------------------------------------------- the migration's report (format 3)


def test_each_finished_batch_keeps_its_part_of_the_report_and_each_run_is_recorded(tmp_path):
    ledger = Ledger(tmp_path / "l.db", BINDING)
    assert ledger.begin_run('{"own": 1}') == 1
    ledger.begin_batch("item", [1, 2])
    ledger.finish_batch("item", {1: 101, 2: 102}, part='{"batch": 1}')
    ledger.begin_batch("job", ["j"])
    ledger.finish_batch("job", {"j": 7}, part='{"job": 1}')
    ledger.end_run(1, '{"own": 2}', '{"retried": 0}')
    assert ledger.begin_run() == 2
    ledger.close()
    history = read_history(tmp_path / "l.db")
    assert history.parts == ['{"batch": 1}', '{"job": 1}'] and history.uncounted == {} and not history.upgraded
    (first, second) = history.runs
    assert (first.number, first.part, first.summary) == (1, '{"own": 2}', '{"retried": 0}') and first.ended
    assert (second.number, second.ended, history.last_summary()) == (2, None, {})


def test_a_batch_finished_again_is_not_counted_twice(tmp_path):
    ledger = Ledger(tmp_path / "l.db", BINDING)
    ledger.begin_run()
    ledger.begin_batch("item", [1, 2])
    ledger.finish_batch("item", {1: 101, 2: 102}, part='{"n": 1}')
    ledger.finish_batch("item", {1: 101, 2: 102}, part='{"n": 2}')  # every entry done already
    ledger.finish_batch("item", {2: 102, 3: 103}, part='{"n": 3}')  # one new entry: a batch of its own
    assert ledger.history().parts == ['{"n": 1}', '{"n": 3}']


_DYING = (
    "import os, signal; from annobridge.ledger import Binding, Ledger;"
    "l = Ledger({path!r}, Binding(*{binding!r})); l.begin_run();"
    "l.begin_batch('item', [1]); l.finish_batch('item', {{1: 101}}, part='{{\"n\": 1}}');"
    "l.begin_batch('item', [2, 3]);\n"
    "class Dying:  # the connection, killed as the batch's entries are about to be marked done\n"
    "    def __init__(self, db): self.db = db\n"
    "    def __getattr__(self, name): return getattr(self.db, name)\n"
    "    def executemany(self, sql, rows):\n"
    "        if sql.startswith('INSERT INTO entries') and \"'done'\" in sql: os.kill(os.getpid(), signal.SIGKILL)\n"
    "        return self.db.executemany(sql, rows)\n"
    "l._db = Dying(l._db); l.finish_batch('item', {{2: 102, 3: 103}}, part='{{\"n\": 2}}')"
)


def test_a_kill_inside_a_batchs_finish_leaves_neither_its_counts_nor_its_done_state(tmp_path):
    """Killed after the batch's part is written and before its entries are marked done, in one transaction."""
    path = tmp_path / "l.db"
    code = _DYING.format(path=str(path), binding=tuple(vars(BINDING).values())[:5])
    assert subprocess.run([sys.executable, "-c", code]).returncode == -9
    ledger = Ledger(path, BINDING)
    assert ledger.done("item") == {"1": "101"} and sorted(ledger.pending("item")) == ["2", "3"]
    assert ledger.history().parts == ['{"n": 1}'] and [r.ended for r in ledger.history().runs] == [None]


def _format_2(path):
    """A ledger as annobridge wrote it before it kept counts: 2 items done, 1 pending."""
    ledger = Ledger(path, BINDING)
    ledger.finish_batch("item", {1: 101, 2: 102})
    ledger.begin_batch("item", [3])
    ledger.close()
    with sqlite3.connect(path) as db:
        db.execute("DROP TABLE migration_runs")
        db.execute("DROP TABLE batch_reports")
        db.execute("UPDATE ledger SET value = '2' WHERE key = 'version'")
    db.close()


def test_a_format_2_ledger_is_upgraded_when_a_run_starts_and_names_what_went_uncounted(tmp_path):
    path = tmp_path / "l.db"
    _format_2(path)
    before = path.read_bytes()
    assert read_history(path).uncounted == {"item": 2} and path.read_bytes() == before  # reading changes nothing
    ledger = Ledger(path, BINDING)
    assert ledger.done("item") == {"1": "101", "2": "102"} and ledger.pending("item") == ["3"]
    ledger.close()
    assert path.read_bytes() == before  # opened, no run: not upgraded
    ledger = Ledger(path, BINDING)
    assert ledger.begin_run() == 1
    ledger.finish_batch("item", {3: 103}, part='{"n": 3}')
    history = ledger.history()
    assert (history.upgraded, history.uncounted, history.parts) == (True, {"item": 2}, ['{"n": 3}'])
    assert read_binding(path) == BINDING


def test_a_ledger_of_a_format_this_version_does_not_know_is_one_line(tmp_path):
    path = tmp_path / "l.db"
    Ledger(path, BINDING).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE ledger SET value = '9' WHERE key = 'version'")
    db.close()
    for read in (read_binding, read_history):
        with pytest.raises(ValidationError, match=r"has ledger format 9; this annobridge reads 2 and 3$"):
            read(path)
