"""The migration state machine (annobridge.testing.migration_machine) on the in-memory provider: random runs, kills,
ledger deletions, concurrent starts and target choices against two memory servers (tests/memory_provider.py, seeded
by tests/migrate_memory.py), and sequences it found, kept as tests. integration/ runs a trimmed machine from the
Supervisely sandbox to the real Label Studio server.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import run_state_machine_as_test

import annobridge
from annobridge.errors import Conflict
from annobridge.migration import default_ledger, schema_signature
from annobridge.models import Project
from annobridge.testing.migration_machine import MigrationMachine, OtherMachine, binding, ledger_bytes, source_keys
from annobridge.testing.migration_model import KILLS, TRANSIENT, Held, Model, Run

from . import memory_provider as mp
from . import migrate_memory as mm
from .memory_provider import Fault, Killed


# ---------------------------------------------------------------------- the memory world


class MemoryWorld:
    """Two memory servers (tests/migrate_memory.py): sources on alpha, decoys on beta; migrations by URL."""

    targets = (mm.BETA, mm.BETA, mm.ALPHA)
    names = ("X", "Existing", "Other", "Odd")  # target names a user may type (beside the default and the source)
    default_names = True  # runs without --target-project (a new project named after the source)
    ledgers = ("own", "shared")  # "own": one file per source and target server; "shared": one for every migration
    default_ledger = (None,)  # runs without --ledger (the default one, in the current directory)
    kills = KILLS
    faults = KILLS + TRANSIENT
    media = st.sampled_from(["copy", "copy", "link"])

    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.seeded = False
        self.seeds: list[tuple[str, int]] = []

    def seed(self) -> None:
        mm.seed()
        alpha = mp.server(mm.ALPHA)
        self.seeds = sorted((mm.ALPHA, pid) for pid, p in alpha.projects.items() if p.name in mm.SOURCES)
        self.seeded = True

    def cleanup(self) -> None:
        mp.reset()

    def sources(self, model: Model) -> list[tuple[str, int]]:
        """The seeded projects, and (round trips) any project a migration made."""
        made = sorted(p for p in model.made_by if p[1] in mp.server(p[0]).projects)
        return self.seeds + made

    def reference(self, source) -> str:
        return self.project_name(source) if source in self.seeds else str(source[1])

    def project_name(self, source) -> str:
        return mp.server(source[0]).projects[source[1]].name

    def default_name(self, source, before) -> str:
        return f"{before[source].name} (memory #{source[1]})"

    def ledger_path(self, run: Run, before) -> Path:
        if run.ledger is not None:
            return self.dir / run.ledger
        project = Project(id=run.source[1], name=before[run.source].name)
        return default_ledger(annobridge.connect(run.source[0]), project, annobridge.connect(run.target))

    source_keys = staticmethod(source_keys)
    ledger_bytes = staticmethod(ledger_bytes)
    binding = staticmethod(binding)

    @staticmethod
    def annotations_of(n: int) -> int:
        return n

    @staticmethod
    def signature(project) -> tuple:
        return schema_signature(mp.server(project[0]).projects[project[1]].schema_)

    @staticmethod
    def arm(server: str, fault: Fault | None) -> None:
        mp.arm(server, fault)

    def migrate(self, run: Run):
        return annobridge.migrate(
            run.source[0],
            run.target,
            project=run.source_ref,
            target_project=run.target_project,
            into_existing=run.into_existing,
            ledger=None if run.ledger is None else self.dir / run.ledger,
            media=run.media,
            batch_size=run.batch_size,
        )

    @staticmethod
    def snapshot() -> dict[tuple[str, int], Held]:
        return mm.snapshot()

    @staticmethod
    def fresh_name(name: str) -> str:
        return name

    @staticmethod
    def watched(name: str) -> bool:
        return True

    @staticmethod
    def make_project(server: str, name: str) -> None:
        """A project made by hand: the sources' schema, one item carried from somewhere else."""
        state = mp.server(server)
        project = state.add_project(name, mm.SCHEMA)
        state.add_item(project.id, "by-hand.jpg", annotations=mm.annotations(0), key=f"by-hand-{project.id}")

    def other_machine(self):
        return OtherMachine(self.dir / "other-machine-locks")

    def check_sources(self, now) -> None:
        """Nothing more to check: every run's own check covers its source (it may be another's target)."""


class MemoryMachine(MigrationMachine):
    def __init__(self) -> None:
        super().__init__()
        self.world = MemoryWorld(self.dir)


MEMORY_SETTINGS = settings(
    max_examples=int(os.environ.get("SM_EXAMPLES", 50)),
    stateful_step_count=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def test_migrate_state_machine_memory(memory_plugin, tmp_path, monkeypatch):
    monkeypatch.setenv("ANNOBRIDGE_LOCK_DIR", str(tmp_path / "locks"))
    monkeypatch.setattr(MemoryMachine, "base", tmp_path)
    run_state_machine_as_test(MemoryMachine, settings=MEMORY_SETTINGS)


# ---------------------------------------------------------------------- sequences the machine found, kept as tests


def _frozen(path: Path) -> bytes | None:
    return path.read_bytes() if path.is_file() else None


@pytest.mark.parametrize("maker", ["another migration", "somebody by hand"])
def test_a_run_killed_before_making_its_project_does_not_take_over_one_another_made_under_that_name(
    memory_plugin, tmp_path, monkeypatch, maker
):
    """Killed before its project was made, a run leaves a ledger naming the project; whoever makes that name
    next, the rerun must not write into it (it existed before and this migration did not make it)."""
    monkeypatch.setenv("ANNOBRIDGE_LOCK_DIR", str(tmp_path / "locks"))
    mm.seed()
    ledger = tmp_path / "fruit.sqlite"
    mp.arm(mm.BETA, Fault(at=1, when="before", ops=("projects.create",)))
    with pytest.raises(Killed):
        annobridge.migrate(mm.ALPHA, mm.BETA, project="Fruit", target_project="X", ledger=ledger)
    mp.arm(mm.BETA, None)
    if maker == "another migration":
        annobridge.migrate(mm.ALPHA, mm.BETA, project="Veg", target_project="X", ledger=tmp_path / "veg.sqlite")
    else:
        MemoryWorld.make_project(mm.BETA, "X")
    before, ledger_before = mm.snapshot(), _frozen(ledger)
    with pytest.raises(Conflict):
        annobridge.migrate(mm.ALPHA, mm.BETA, project="Fruit", ledger=ledger)  # the same command, resumed
    assert mm.snapshot() == before, "the rerun wrote into a project it did not make"
    assert _frozen(ledger) == ledger_before


def test_concurrent_runs_into_one_target_on_one_machine_the_second_is_refused_and_writes_nothing(
    memory_plugin, tmp_path, monkeypatch
):
    monkeypatch.setenv("ANNOBRIDGE_LOCK_DIR", str(tmp_path / "locks"))
    mm.seed()
    fault = mp.arm(mm.BETA, Fault(at=2, when="block"))  # the first run holds its project and one batch in flight
    result: dict = {}
    first = threading.Thread(target=lambda: result.update(report=annobridge.migrate(
        mm.ALPHA, mm.BETA, project="Fruit", target_project="X", ledger=tmp_path / "one.sqlite", batch_size=1)))
    first.start()
    try:
        assert fault.reached.wait(30)
        before = mm.snapshot()
        with pytest.raises(Conflict):
            annobridge.migrate(mm.ALPHA, mm.BETA, project="Veg", target_project="X", into_existing=True,
                               ledger=tmp_path / "two.sqlite")
        assert mm.snapshot() == before and not (tmp_path / "two.sqlite").exists()
    finally:
        fault.release.set()
        first.join(30)
    held = mm.snapshot()[(mm.BETA, int(result["report"].target_project))]
    assert sorted(held.keys()) == sorted(str(i.id) for i in mp.server(mm.ALPHA).project_items(
        next(p.id for p in mp.server(mm.ALPHA).projects.values() if p.name == "Fruit")))
