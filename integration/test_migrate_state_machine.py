"""The migration state machine (annobridge.testing.migration_machine) from the Supervisely sandbox's "Lemons (Test)"
to the real Label Studio server: random runs, kills, ledger deletions, concurrent starts and target choices.

Trimmed against real servers: runs always name their target, copy media, and are killed before or after a write
(a Gate in front of the Label Studio provider fires the armed Fault); no shrinking.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import run_state_machine_as_test

import annobridge
from annobridge.migration import schema_signature
from annobridge.testing.kills import Fault, Killed
from annobridge.testing.migration_machine import MigrationMachine, OtherMachine, binding, ledger_bytes, source_keys
from annobridge.testing.migration_model import Held, Model, Run

from .migrate_fixtures import ls, sandbox, sv  # noqa: F401 - fixtures

LEMONS = 5555


class Gate:
    """Faults for a real provider: its projects.create/delete and transfer.write go through the armed Fault.

    A kill "before" never sends the request; "after" sends it, lets the server apply it, and dies
    before the answer reaches the engine; "block" waits (for the concurrency rules), then sends it.
    """

    def __init__(self, backend, monkeypatch) -> None:
        self.fault: Fault | None = None
        for op, owner, attr in (
            ("projects.create", backend.projects, "create"),
            ("projects.delete", backend.projects, "delete"),
            ("transfer.write", backend.transfer, "write"),
        ):
            monkeypatch.setattr(owner, attr, self._wrap(op, getattr(owner, attr)), raising=False)

    def _wrap(self, op: str, real):
        def call(*args, **kwargs):
            fault = self.fault
            if fault is None or fault.fired is not None or op not in fault.ops:
                return real(*args, **kwargs)
            fault.seen += 1
            if fault.seen < fault.at:
                return real(*args, **kwargs)
            fault.fired = op
            if fault.when == "block":
                fault.reached.set()
                if not fault.release.wait(120):
                    raise Killed(f"{op}: never released")
                return real(*args, **kwargs)
            if fault.when == "before":
                raise Killed(f"{op}: killed before it was sent")
            real(*args, **kwargs)
            raise Killed(f"{op}: killed after the server applied it")

        return call


class RealWorld:
    """The Supervisely sandbox's "Lemons (Test)" (6 images) -> the real Label Studio server, by connected providers.

    Target names carry a prefix of the example's own, so that only this example's projects are
    watched and removed afterwards; runs always name their target (no default name, no default
    ledger: those would meet projects other tests left on the shared server).
    """

    default_names = False
    ledgers = ("own", "shared")
    default_ledger = ()
    kills = ("before", "after")
    faults = kills
    media = st.just("copy")

    def __init__(self, directory: Path, sv, ls, gate: Gate) -> None:
        self.dir, self.sv, self.ls, self.gate = directory, sv, ls, gate
        self.seeded = False
        self.source = (sv.address.canonical, LEMONS)
        self.targets = (ls.address.canonical,)
        self.prefix = f"sm-{uuid.uuid4().hex[:8]}"
        self.names = (f"{self.prefix} X", f"{self.prefix} E")
        self._signatures: dict = {}
        self.original = None

    def seed(self) -> None:
        self.schema = self.sv.projects.get_schema(LEMONS)
        self.ls.projects.create(f"{self.prefix} E", schema=self.schema)  # an existing project of the same schema
        self.seeded = True
        self.original = self.snapshot()[self.source]

    def cleanup(self) -> None:
        self.gate.fault = None
        for project in self.ls.projects.list():
            if project.name.startswith(self.prefix):
                self.ls.projects.delete(project.id)

    def fresh_name(self, name: str) -> str:
        return f"{self.prefix} {name}"

    def watched(self, name: str) -> bool:
        return name.startswith(self.prefix)

    def sources(self, model: Model) -> list[tuple[str, int]]:
        return [self.source]

    def reference(self, source) -> str:
        return "Lemons (Test)"

    def project_name(self, source) -> str:
        return "Lemons (Test)"

    def default_name(self, source, before) -> str:
        raise AssertionError("the real machine always names its target")

    def ledger_path(self, run: Run, before) -> Path:
        return self.dir / run.ledger

    source_keys = staticmethod(source_keys)
    ledger_bytes = staticmethod(ledger_bytes)
    binding = staticmethod(binding)

    @staticmethod
    def annotations_of(n: int) -> int:
        return 1  # each Lemons image has one annotation (one author), one Label Studio annotation

    def signature(self, project) -> tuple:
        if project not in self._signatures:
            backend = self.sv if project == self.source else self.ls
            self._signatures[project] = schema_signature(backend.projects.get_schema(project[1]))
        return self._signatures[project]

    def arm(self, server: str, fault: Fault | None) -> None:
        self.gate.fault = fault

    def migrate(self, run: Run):
        return annobridge.migrate(
            self.sv,
            self.ls,
            project=run.source_ref,
            target_project=run.target_project,
            into_existing=run.into_existing,
            ledger=self.dir / run.ledger,
            media=run.media,
            batch_size=run.batch_size,
        )

    def snapshot(self) -> dict[tuple[str, int], Held]:
        """The source's images, and every Label Studio project (with its tasks when it is one of this example's)."""
        from annobridge.transfer import SOURCE_KEY

        images = frozenset((i.id, None, 1) for i in self.sv.items.list(project_id=LEMONS))
        out = {self.source: Held("Lemons (Test)", images)}
        canonical = self.targets[0]
        for project in self.ls.projects.list():
            items = frozenset()
            if self.watched(project.name):
                tasks = self.ls.items.tasks(project.id, include=None)
                items = frozenset(
                    (t["id"], (t.get("data") or {}).get(SOURCE_KEY), len(t.get("annotations") or [])) for t in tasks
                )
            out[(canonical, project.id)] = Held(project.name, items)
        return out

    def make_project(self, server: str, name: str) -> None:
        self.ls.projects.create(name, schema=self.schema)

    def other_machine(self):
        return OtherMachine(self.dir / "other-machine-locks")

    def check_sources(self, now) -> None:
        assert now[self.source] == self.original, "the source project changed"



class RealMachine(MigrationMachine):
    backends: tuple = ()

    def __init__(self) -> None:
        super().__init__()
        self.world = RealWorld(self.dir, *self.backends)


REAL_SETTINGS = settings(
    max_examples=int(os.environ.get("SM_REAL_EXAMPLES", 5)),
    stateful_step_count=6,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.generate],  # no shrinking against real servers: a failure prints its whole sequence
)


def test_migrate_state_machine_real_servers(sv, ls, tmp_path, monkeypatch):
    monkeypatch.setenv("ANNOBRIDGE_LOCK_DIR", str(tmp_path / "locks"))
    monkeypatch.setattr(RealMachine, "base", tmp_path)
    monkeypatch.setattr(RealMachine, "backends", (sv, ls, Gate(ls, monkeypatch)))
    # the supervisely SDK is imported on first use, and its import walks sys.modules, where hypothesis
    # keeps modules of its own that cannot be imported again: import it before the machine starts
    sv.projects.get_schema(LEMONS)
    run_state_machine_as_test(RealMachine, settings=REAL_SETTINGS)
