"""The migration ledger: resumable, all-or-nothing batches, one source/target pair per file."""

from __future__ import annotations

import subprocess
import sys

import pytest

from annobridge.ledger import Ledger

SRC, DST = "supervisely+http://127.0.0.1:8000", "labelstudio+http://127.0.0.1:8080"


def test_batches_move_from_pending_to_done(tmp_path):
    ledger = Ledger(tmp_path / "l.db", source=SRC, target=DST)
    ledger.begin_batch("item", [1, 2, 3])
    assert ledger.pending("item") == ["1", "2", "3"]
    assert ledger.todo("item", [1, 2, 3, 4]) == ["1", "2", "3", "4"]
    ledger.finish_batch("item", {1: 101, 2: 102, 3: 103})
    assert ledger.pending("item") == []
    assert ledger.todo("item", [1, 2, 3, 4]) == ["4"]
    assert ledger.done("item") == {"1": "101", "2": "102", "3": "103"}
    assert ledger.counts() == {"item": {"done": 3}}


def test_a_done_entry_is_never_reopened(tmp_path):
    ledger = Ledger(tmp_path / "l.db", source=SRC, target=DST)
    ledger.finish_batch("item", {1: 101})
    ledger.begin_batch("item", [1])
    assert ledger.target_id("item", 1) == "101" and ledger.pending("item") == []


def test_a_ledger_belongs_to_one_source_and_target(tmp_path):
    Ledger(tmp_path / "l.db", source=SRC, target=DST).close()
    with pytest.raises(ValueError, match="belongs to"):
        Ledger(tmp_path / "l.db", source=SRC, target="labelstudio+http://elsewhere:1")


def test_target_project_is_remembered(tmp_path):
    Ledger(tmp_path / "l.db", source=SRC, target=DST).target_project = "42"
    assert Ledger(tmp_path / "l.db", source=SRC, target=DST).target_project == "42"


def test_a_process_killed_mid_batch_leaves_it_pending_not_lost(tmp_path):
    path = tmp_path / "l.db"
    code = (
        "import os, signal; from annobridge.ledger import Ledger;"
        f"l = Ledger({str(path)!r}, source={SRC!r}, target={DST!r});"
        "l.finish_batch('item', {1: 101}); l.begin_batch('item', [2, 3]);"
        "os.kill(os.getpid(), signal.SIGKILL)"
    )
    result = subprocess.run([sys.executable, "-c", code])
    assert result.returncode == -9
    ledger = Ledger(path, source=SRC, target=DST)
    assert ledger.done("item") == {"1": "101"}
    assert sorted(ledger.pending("item")) == ["2", "3"]
    ledger.forget_pending("item", ["3"])
    assert ledger.pending("item") == ["2"]
