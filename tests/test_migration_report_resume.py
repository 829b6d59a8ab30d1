"""One report for the whole migration, across any number of resumes, and `annobridge migrate --report` reprinting it.

A migration killed part way and run again returns the report an uninterrupted run of the same
project returns (counts by kind with the kept column, objects by shape, every loss with its
examples, the unmapped users), plus how many runs it took. The memory tests kill runs at every
write of a lossy memory migration (tests/memory_provider.py faults); integration/ kills a run
against the real Supervisely sandbox and the real Label Studio server. `migrate --report --ledger
FILE` reads the ledger alone, read-only, and prints the numbers the last run printed.
"""

from __future__ import annotations

import json
import re
import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import annobridge
from annobridge import JobSpec, MigrationReport, ReviewStatus
from annobridge.cli import main
from annobridge.ledger import Ledger

from . import memory_provider as mp
from . import migrate_memory as mm
from .memory_provider import Fault, Killed

USER_MAP = {"anna": "anna", "bob": None}  # bob's work is carried without its author: one unmapped user
WHEN = ("before", "after", "partial")
OPS = ("transfer.write", "jobs.create")  # the items' batches, then the job
RUN_WRITES = 4 + 1  # Fruit's 4 items one a batch, then its one job


def _seed() -> None:
    """alpha and beta as migrate_memory says, and a job on "Fruit": anna labels 3 items, bob reviews, 2 verdicts."""
    mm.seed()
    alpha = annobridge.connect(mm.ALPHA)
    project = alpha.projects.find("Fruit")
    items = [i.id for i in alpha.items.list(project_id=project.id)][:3]
    anna, bob = alpha.users.get("anna").id, alpha.users.get("bob").id
    (job,) = alpha.jobs.create(
        JobSpec(name="fruit-labeling", project_id=project.id, annotators=[anna], reviewer=bob, item_ids=items)
    )
    alpha.reviews.set_many(job.id, {items[0]: ReviewStatus.ACCEPTED, items[1]: ReviewStatus.REJECTED})


def _lossy(url: str):
    """A connection to a memory server whose reads and writes report losses of every outcome, as a real converter
    does: per record, its boxes kept for the way back (odd items) or approximated (even), a dropped tag, and on
    reading a dropped timestamp. A write reports every record it is handed (a found one too), as Supervisely's."""
    backend = annobridge.connect(url)
    read, write, preview = backend.transfer.read, backend.transfer.write, backend.transfer.preview

    def losses(records, report):
        for record in records:
            boxes = sum(len(a.objects) for a in record.annotations)
            if int(record.name.split("-")[1].split(".")[0]) % 2:
                report.kept("rotated rectangle object", "memory", "as its bounding box", count=boxes, item=record.name)
            else:
                report.approximated("polygon object", "memory", "as a rectangle", count=boxes, item=record.name)
            report.dropped("ripeness tag", "memory", "no such tag", item=record.name)
        return report

    def lossy_read(*args, **kwargs):
        for page in read(*args, **kwargs):
            page.report.dropped("object timestamps", "memory", count=len(page.records))
            yield page

    def lossy_write(project_id, records, **kwargs):
        written = write(project_id, records, **kwargs)
        losses(records, written.report)
        return written

    def lossy_preview(records, **kwargs):
        written = preview(records, **kwargs)
        losses(records, written.report)
        return written

    backend.transfer.read, backend.transfer.write, backend.transfer.preview = lossy_read, lossy_write, lossy_preview
    return backend


def _migrate(target_project: str, ledger, **options) -> MigrationReport:
    return annobridge.migrate(
        _lossy(mm.ALPHA), _lossy(mm.BETA), project="Fruit", target_project=target_project, ledger=ledger,
        batch_size=1, user_map=USER_MAP, **options,
    )


def _until_done(target_project: str, ledger, kills: list[tuple[int, str]]) -> tuple[MigrationReport, int]:
    """Run the migration with each fault of `kills` armed in turn (a run it kills is started again), then without;
    the report of the run that completed, and how many runs were killed."""
    killed = 0
    for at, when in kills:
        fault = mp.arm(mm.BETA, Fault(at=at, when=when, ops=OPS))
        try:
            report = _migrate(target_project, ledger)
        except Killed:
            killed += 1
            continue
        finally:
            mp.arm(mm.BETA, None)
        assert fault.fired is None  # the run ended before the fault's write
        return report, killed
    return _migrate(target_project, ledger), killed


def _figures(report: MigrationReport) -> dict:
    """What must not depend on how many runs a migration took: counts, shapes, losses with examples, users."""
    return {
        "counts": report.model_dump()["counts"],
        "objects_by_shape": report.objects_by_shape,
        "fidelity": report.fidelity,
        "losses": report.losses,
        "users_unmapped": report.users_unmapped,
    }


@pytest.fixture
def world(memory_plugin, tmp_path, monkeypatch):
    monkeypatch.setenv("ANNOBRIDGE_LOCK_DIR", str(tmp_path / "locks"))
    _seed()
    yield tmp_path
    mp.reset()


@pytest.fixture
def whole(world) -> MigrationReport:
    """The report of the uninterrupted migration of "Fruit" (into "Whole")."""
    return _migrate("Whole", world / "whole.sqlite")


def test_the_uninterrupted_report_counts_every_outcome(whole):
    """The baseline the resumed runs are held to is not trivial: every column and kind has something in it."""
    assert whole.runs == 1 and whole.finished
    objects = whole.tally("objects")
    assert (objects.carried, objects.approximated, objects.kept) == (0, 4, 5)  # even items 1 + 3 boxes, odd 3 + 2
    assert whole.tally("tags").dropped == 4 and whole.tally("items").carried == 4
    jobs, reviews, assignments = (whole.tally(kind) for kind in ("jobs", "reviews", "assignments"))
    assert (jobs.carried, reviews.carried, assignments.carried, assignments.dropped) == (1, 2, 3, 3)  # bob reviews
    assert (whole.tally("users").carried, whole.tally("users").dropped, whole.users_unmapped) == (1, 1, ["bob"])
    assert "ripeness tag -> dropped (memory, no such tag): 4" in "\n".join(whole.losses)


@pytest.mark.parametrize("when", WHEN)
@pytest.mark.parametrize("at", range(1, RUN_WRITES + 1))
def test_a_run_killed_at_any_write_and_resumed_reports_the_whole_migration(world, whole, at, when):
    report, killed = _until_done("Resumed", world / "resumed.sqlite", [(at, when)])
    assert killed == 1 and report.runs == 2 and report.finished
    assert _figures(report) == _figures(whole)
    held = {k for k in mm.snapshot().values() if k.name == "Resumed"}
    assert len(held) == 1 and len(next(iter(held)).items) == 4  # and nothing twice on the target


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kills=st.lists(st.tuples(st.integers(1, RUN_WRITES), st.sampled_from(WHEN)), min_size=2, max_size=5))
def test_several_resumes_report_the_whole_migration_and_count_the_runs(world, whole, kills):
    ledger = world / f"resumed-{len(list(world.glob('resumed-*.sqlite')))}.sqlite"
    name = ledger.stem
    report, killed = _until_done(name, ledger, kills)
    assert report.runs == killed + 1
    assert _figures(report) == _figures(whole)
    # a rerun of the finished migration carries nothing more and still reports all of it
    again = _migrate(name, ledger)
    assert (again.runs, again.already_done, _figures(again)) == (killed + 2, 4, _figures(whole))


def test_three_kills_and_a_run_that_finishes_take_four_runs_and_report_one_migration(world, whole):
    report, killed = _until_done("Four", world / "four.sqlite", [(2, "after"), (1, "partial"), (1, "before")])
    assert (killed, report.runs) == (3, 4) and _figures(report) == _figures(whole)


def test_the_last_runs_own_figures_stay_its_own(world, whole):
    ledger = world / "resumed.sqlite"
    mp.arm(mm.BETA, Fault(at=3, when="after", ops=OPS))  # batch 3 lands; the ledger has it pending
    with pytest.raises(Killed):
        _migrate("Resumed", ledger)
    mp.arm(mm.BETA, None)
    report = _migrate("Resumed", ledger)
    assert (report.already_done, report.reconciled, report.already_present) == (2, 1, 0)
    assert report.tally("items").carried == 4 and report.runs == 2


def test_a_dry_run_reports_the_plan_and_counts_no_run(world, whole):
    plan = _migrate("Planned", world / "plan.sqlite", dry_run=True)
    assert plan.runs == 0 and not (world / "plan.sqlite").exists()
    items = ("items", "annotations", "objects", "tags")
    assert [plan.counts[k] for k in items] == [whole.counts[k] for k in items] and plan.losses == whole.losses


# ---------------------------------------------------------------------- a ledger of the previous format


def _as_format_2(path) -> None:
    """Turn a ledger into what annobridge wrote before it kept counts (format 2): no report tables, no run record."""
    with sqlite3.connect(path) as db:
        db.execute("DROP TABLE migration_runs")
        db.execute("DROP TABLE batch_reports")
        db.execute("DELETE FROM ledger WHERE key IN ('upgraded_from', 'uncounted')")
        db.execute("UPDATE ledger SET value = '2' WHERE key = 'version'")
    db.close()


def test_a_format_2_ledger_resumes_and_the_report_names_what_it_did_not_count(world, whole, capsys):
    ledger = world / "old.sqlite"
    mp.arm(mm.BETA, Fault(at=3, when="before", ops=OPS))  # batches 1 and 2 done by the "old" run
    with pytest.raises(Killed):
        _migrate("Old", ledger)
    mp.arm(mm.BETA, None)
    _as_format_2(ledger)
    before = ledger.read_bytes()
    old = MigrationReport.from_ledger(ledger)  # read-only: not upgraded by reading
    assert ledger.read_bytes() == before
    assert (old.runs, old.uncounted, old.tally("items").carried) == (0, {"items": 2}, 0)

    report = _migrate("Old", ledger)
    assert report.runs == 1 and report.uncounted == {"items": 2}
    assert report.tally("items").carried == 2 and report.tally("jobs").carried == 1  # what the upgraded run carried
    assert any("runs before this ledger was upgraded" in note and "items 2" in note for note in report.notes)
    held = [h for h in mm.snapshot().values() if h.name == "Old"]
    assert len(held) == 1 and len(held[0].items) == 4
    assert main(["migrate", "--report", "--ledger", str(ledger), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["uncounted"] == {"items": 2}


def test_a_ledger_opened_but_refused_is_not_upgraded(world):
    """The upgrade happens when a run starts writing, so a run refused before that leaves the file as it was."""
    ledger = world / "old.sqlite"
    _migrate("Old", ledger)
    _as_format_2(ledger)
    before = ledger.read_bytes()
    with pytest.raises(annobridge.ValidationError, match="writes into 'Old', not 'Elsewhere'"):
        _migrate("Elsewhere", ledger)
    Ledger.existing(ledger).close()  # opened for writing, no run: nothing written
    assert ledger.read_bytes() == before


# ---------------------------------------------------------------------- annobridge migrate --report


def _side_files(path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir() if p.name.startswith(path.name))


def test_migrate_report_prints_the_last_runs_report_from_the_ledger_alone(world, whole, capsys, monkeypatch):
    for variable in ("API_TOKEN", "SERVER_ADDRESS", "LABEL_STUDIO_API_KEY", "LABEL_STUDIO_URL"):
        monkeypatch.delenv(variable, raising=False)  # no token anywhere: none is needed
    ledger = world / "resumed.sqlite"
    last, _ = _until_done("Resumed", ledger, [(2, "after"), (1, "partial")])
    before, files = ledger.read_bytes(), _side_files(ledger)

    assert main(["migrate", "--report", "--ledger", str(ledger), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == json.loads(last.to_json())  # the very report the last run returned
    assert printed["runs"] == 3 and printed["counts"] == json.loads(whole.to_json())["counts"]
    assert MigrationReport.from_ledger(ledger) == last

    monkeypatch.setenv("COLUMNS", "250")
    assert main(["migrate", "--report", "--ledger", str(ledger)]) == 0
    table = capsys.readouterr().out
    assert "kept" in table and "3 runs" in table and "users unmapped: bob" in table
    rows = [[cell.strip() for cell in re.split("[│┃]", line.strip(" │┃"))] for line in table.splitlines()]
    assert ["kind", "carried", "approximated", "kept", "dropped"] in rows
    assert ["objects", "0", "4", "5", "0"] in rows and ["items", "4", "0", "0", "0"] in rows
    assert ledger.read_bytes() == before and _side_files(ledger) == files  # byte for byte, no side file left


def test_migrate_report_of_a_killed_run_says_it_did_not_end(world, capsys):
    ledger = world / "killed.sqlite"
    mp.arm(mm.BETA, Fault(at=3, when="before", ops=OPS))
    with pytest.raises(Killed):
        _migrate("Killed", ledger)
    mp.arm(mm.BETA, None)
    assert main(["migrate", "--report", "--ledger", str(ledger), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert (printed["runs"], printed["finished"], printed["counts"]["items"]["carried"]) == (1, False, 2)
    assert any("run 1 did not end" in note for note in printed["notes"])


@pytest.mark.parametrize(
    "make, says",
    [
        (lambda p: p.write_bytes(b"\x00not a database" * 300), "not a SQLite database, or a truncated or damaged one"),
        (lambda p: p.write_text("source,target\n"), "not a SQLite database, or a truncated or damaged one"),
        (lambda p: sqlite3.connect(p).execute("CREATE TABLE notes (text)").connection.commit(), "not an annobridge"),
        (lambda p: p.mkdir(), "is a directory, not a file"),
        (lambda p: None, "there is no ledger at"),
    ],
)
def test_migrate_report_of_a_file_that_is_not_a_ledger_is_one_line_exit_2(tmp_path, capsys, make, says):
    path = tmp_path / "l.sqlite"
    make(path)
    before = path.read_bytes() if path.is_file() else None
    assert main(["migrate", "--report", "--ledger", str(path)]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and err.startswith("annobridge: error: ledger") and says in err
    assert (path.read_bytes() if path.is_file() else None) == before and not (tmp_path / "l.sqlite-wal").exists()


@pytest.mark.parametrize(
    "extra, says",
    [
        (["supervisely://a", "labelstudio://b"], "not SOURCE, TARGET"),
        (["--project", "5555"], "not --project"),
        (["--dry-run"], "not --dry-run"),
        ([], None),  # no --ledger
    ],
)
def test_migrate_report_refuses_what_only_a_run_takes_in_one_line(tmp_path, capsys, extra, says):
    ledger = [] if says is None else ["--ledger", str(tmp_path / "l.sqlite")]
    assert main(["migrate", "--report", *ledger, *extra]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and err.startswith("annobridge: error: migrate --report")
    assert (says or "--ledger FILE is needed") in err and not (tmp_path / "l.sqlite").exists()


def test_a_migration_without_source_and_target_is_one_line_exit_2(capsys):
    assert main(["migrate", "--project", "5555"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("annobridge: error: migrate: SOURCE, TARGET missing") and len(err.splitlines()) == 1
