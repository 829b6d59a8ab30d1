"""A migration killed with SIGKILL mid-run and started again: every item exactly once, every annotation exactly once,
and the report of the run that finished it covers the whole migration, as an uninterrupted run's does.

The child process (migrate_child.py) runs the real migration against the real Label Studio
server and the Supervisely sandbox and is killed at the worst moments: right after the target
accepted a batch the ledger still records as pending, and (Supervisely) between a batch's image
upload and its annotation upload. The counts asserted are the servers' own.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

import annobridge
from annobridge.ledger import Ledger

from .migrate_fixtures import ls, ls_counts, name, objects_of, sandbox, sv  # noqa: F401 - fixtures

LEMONS = 5555
CHILD = Path(__file__).with_name("migrate_child.py")


def _killed_run(tmp_path, env, source, target, project, target_project, ledger, pause, after, batch=2) -> None:
    """Run the child until it reaches the pause, then kill -9 it."""
    marker = tmp_path / f"paused-{pause}-{after}"
    child = subprocess.Popen(
        [
            sys.executable,
            str(CHILD),
            source,
            target,
            str(project),
            target_project,
            str(ledger),
            str(batch),
            pause,
            str(after),
            str(marker),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 180
        while not marker.exists():
            if child.poll() is not None:
                pytest.fail(f"the migration ended before the pause: {child.stdout.read().decode()[-2000:]}")
            if time.monotonic() > deadline:
                pytest.fail("the migration did not reach the pause in 180 s")
            time.sleep(0.1)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL


def _figures(report) -> dict:
    """What the report of a whole migration says, however many runs it took."""
    return {
        "counts": report.model_dump()["counts"],
        "objects_by_shape": report.objects_by_shape,
        "losses": report.losses,
        "users_unmapped": report.users_unmapped,
    }


@pytest.fixture
def env(sandbox, labelstudio_server):
    return {
        **os.environ,
        "API_TOKEN": sandbox.token,
        "SERVER_ADDRESS": sandbox.server_address,  # an environment token goes only to its server
        "LABEL_STUDIO_API_KEY": labelstudio_server.token,
        "LABEL_STUDIO_URL": labelstudio_server.url,
    }


def test_killed_supervisely_to_label_studio_resumes_without_duplicates(
    sv, ls, sandbox, labelstudio_server, env, name, tmp_path
):
    ledger = tmp_path / "ledger.sqlite"
    source, target = "supervisely+" + sandbox.server_address, labelstudio_server.backend_url
    _killed_run(tmp_path, env, source, target, LEMONS, name, ledger, "written", after=2)
    book = Ledger.existing(ledger)
    try:
        assert (len(book.done("item")), len(book.pending("item"))) == (2, 2)  # batch 2 sent, never marked done
        target_id = int(book.target_project_id)
    finally:
        book.close()
    assert ls_counts(ls, target_id)[:2] == (4, 4)  # ...but the server holds it

    report = annobridge.migrate(sv, ls, project=LEMONS, target_project=name, ledger=ledger, batch_size=2)
    assert (report.already_done, report.reconciled, report.runs) == (2, 2, 2)  # this run's own figures; 2 runs
    whole = annobridge.migrate(sv, ls, project=LEMONS, target_project=name + " whole", ledger=tmp_path / "whole.sqlite")
    assert _figures(report) == _figures(whole)  # the report covers every item, as an uninterrupted run's does
    assert report.tally("items").carried == 6
    tasks, annotations, keys = ls_counts(ls, target_id)
    assert (tasks, annotations) == (6, 6)
    assert Counter(keys) == Counter(str(i.id) for i in sv.items.list(project_id=LEMONS))  # each exactly once
    assert objects_of(ls, target_id) == objects_of(sv, LEMONS)


@pytest.mark.parametrize("pause", ["written", "annotations"])
def test_killed_label_studio_to_supervisely_resumes_without_duplicates(
    sv, ls, sandbox, labelstudio_server, env, name, tmp_path, pause
):
    there = annobridge.migrate(sv, ls, project=LEMONS, target_project=name, ledger=tmp_path / "there.sqlite")
    ledger = tmp_path / "back.sqlite"
    source, target = labelstudio_server.backend_url, "supervisely+" + sandbox.server_address
    _killed_run(tmp_path, env, source, target, there.target_project, name + " back", ledger, pause, after=2)
    copy = annobridge.migrate(
        ls, sv, project=there.target_project, target_project=name + " back", ledger=ledger, batch_size=2
    )
    assert copy.reconciled == 2  # batch 2: in the target, pending in the ledger
    whole = annobridge.migrate(
        ls, sv, project=there.target_project, target_project=name + " whole", ledger=tmp_path / "whole.sqlite"
    )
    assert copy.runs == 2 and _figures(copy) == _figures(whole)
    images = list(sv.items.list(project_id=int(copy.target_project)))
    keys = Counter(i.meta["image"].get("annobridge_source") for i in images)
    assert sorted(keys) == sorted(str(t) for t in ls.items.ids(int(there.target_project)))
    assert set(keys.values()) == {1}  # every item exactly once
    copied = objects_of(sv, int(copy.target_project))
    assert sum(len(v) for v in copied.values()) == 17  # every object exactly once
    assert copied == objects_of(sv, LEMONS)
