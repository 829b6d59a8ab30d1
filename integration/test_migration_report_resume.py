"""One report for the whole migration across resumes, on the real servers: a run from the Supervisely sandbox into the
real Label Studio server killed part way and resumed reports what the uninterrupted run reports.
"""

from __future__ import annotations

import json
import uuid

import pytest

import annobridge
from annobridge import MigrationReport
from annobridge.cli import main

from .migrate_fixtures import ls, ls_counts, name, sandbox, sv  # noqa: F401 - fixtures (the real servers)

LEMONS = 5555  # the sandbox's seeded "Lemons (Test)"


def _figures(report: MigrationReport) -> dict:
    """What must not depend on how many runs a migration took: counts, shapes, losses with examples, users."""
    return {
        "counts": report.model_dump()["counts"],
        "objects_by_shape": report.objects_by_shape,
        "fidelity": report.fidelity,
        "losses": report.losses,
        "users_unmapped": report.users_unmapped,
    }


class _Killed(BaseException):
    """The run died here, as under kill -9: not an Exception, so nothing on the way catches it."""


@pytest.fixture(scope="module")
def lemons_whole(sv, ls, tmp_path_factory) -> MigrationReport:
    """The uninterrupted migration of the sandbox's "Lemons (Test)" into the real Label Studio server."""
    ledger = tmp_path_factory.mktemp("whole") / "l.sqlite"
    return annobridge.migrate(sv, ls, project=LEMONS, target_project=f"whole-{uuid.uuid4().hex[:8]}", ledger=ledger,
                              batch_size=2)


@pytest.mark.parametrize("when", ["before", "after"])
def test_supervisely_to_label_studio_killed_and_resumed_reports_the_whole_migration(
    sv, labelstudio_server, lemons_whole, name, tmp_path, capsys, when
):
    """The second of three batches dies as it is written (`after`: the server took it, the ledger has it pending)."""
    ledger = tmp_path / "l.sqlite"
    with annobridge.connect(labelstudio_server.backend_url, token=labelstudio_server.token) as dst:
        write, calls = dst.transfer.write, []

        def dying(*args, **kwargs):
            calls.append(args)
            if len(calls) == 2 and when == "before":
                raise _Killed("before the write")
            written = write(*args, **kwargs)
            if len(calls) == 2:
                raise _Killed("after the write")
            return written

        dst.transfer.write = dying
        with pytest.raises(_Killed):
            annobridge.migrate(sv, dst, project=LEMONS, target_project=name, ledger=ledger, batch_size=2)
    with annobridge.connect(labelstudio_server.backend_url, token=labelstudio_server.token) as ls:
        report = annobridge.migrate(sv, ls, project=LEMONS, target_project=name, ledger=ledger, batch_size=2)
        tasks, annotations, keys = ls_counts(ls, int(report.target_project))
    assert (report.runs, report.already_done, report.reconciled) == (2, 2, 2 if when == "after" else 0)
    assert _figures(report) == _figures(lemons_whole) and report.tally("items").carried == 6
    assert any(": 17  [" in line for line in report.losses)  # the 17 objects' timestamps, whatever became of them
    assert (tasks, annotations, len(set(keys))) == (6, 6, 6)  # and nothing twice on the server

    before = ledger.read_bytes()
    assert main(["migrate", "--report", "--ledger", str(ledger), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == json.loads(report.to_json())
    assert ledger.read_bytes() == before
