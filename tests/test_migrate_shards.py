"""`annobridge migrate --shard K/N`: disjoint slices by source key, a ledger each (the live runs: integration/)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annobridge.errors import ValidationError
from annobridge.ledger import Binding, Ledger, read_binding
from annobridge.shards import Shard

BINDING = Binding("supervisely+http://127.0.0.1:8000", "5555", "labelstudio+http://127.0.0.1:8080", "Lemons", "copy")


@pytest.fixture(autouse=True)
def own_lock_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("ANNOBRIDGE_LOCK_DIR", str(tmp_path / "locks"))


@pytest.mark.parametrize("value", ["4/3", "0/3", "3", "a/b", "1/0", "", "2/3/4", "-1/3", "1.5/3"])
def test_a_bad_shard_is_one_line(value):
    with pytest.raises(ValidationError) as caught:
        Shard.parse(value)
    assert str(caught.value) == f"shard: expected K/N with 1 <= K <= N, got '{value}'"


def test_a_shard_reads_and_prints_as_k_of_n():
    assert Shard.parse("2/3") == Shard.parse(" 2 / 3 ") == Shard(2, 3)
    assert str(Shard(2, 3)) == "2/3" and Shard.parse(Shard(1, 1)) == Shard(1, 1)


@given(st.text(min_size=0, max_size=40), st.integers(min_value=1, max_value=24))
def test_every_key_falls_in_exactly_one_shard(key, count):
    holding = [k for k in range(1, count + 1) if Shard(k, count).holds(key)]
    assert len(holding) == 1


def test_the_slice_of_a_key_is_the_same_in_every_process():
    keys = [str(n) for n in range(3882690, 3882790)]
    here = [next(k for k in (1, 2, 3) if Shard(k, 3).holds(key)) for key in keys]
    code = (
        "import json, sys; from annobridge.shards import Shard; "
        "print(json.dumps([next(k for k in (1, 2, 3) if Shard(k, 3).holds(key)) for key in json.load(sys.stdin)]))"
    )
    there = subprocess.run(
        [sys.executable, "-c", code], input=json.dumps(keys), capture_output=True, text=True, check=True,
        env={**os.environ, "PYTHONHASHSEED": "12345"},
    )
    assert json.loads(there.stdout) == here and set(here) == {1, 2, 3}


def test_a_ledger_of_another_shard_or_of_the_unsharded_run_is_refused_and_left_as_it_was(tmp_path):
    path = tmp_path / "l.sqlite"
    first = Binding(**{**vars(BINDING), "shard": "1/3"})
    Ledger(path, first).close()
    before = path.read_bytes()
    for other, named in (("2/3", "shard 2/3"), ("", "the unsharded run")):
        with pytest.raises(ValidationError) as caught:
            Ledger(path, Binding(**{**vars(BINDING), "shard": other}))
        message = str(caught.value)
        assert message.startswith(f"ledger: {path} is the ledger of shard 1/3 of the migration ")
        assert f"not of {named}; each shard has a ledger of its own" in message and "\n" not in message
    assert path.read_bytes() == before and read_binding(path) == first


def test_a_ledger_written_before_shards_reads_as_unsharded(tmp_path):
    import sqlite3

    path = tmp_path / "old.sqlite"
    Ledger(path, BINDING).close()
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM ledger WHERE key = 'shard'")  # as an older annobridge wrote it
    assert read_binding(path) == BINDING and read_binding(path).shard == ""
    Ledger(path, BINDING).close()  # still opens for its own migration
