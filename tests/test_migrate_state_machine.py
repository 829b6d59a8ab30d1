"""A state machine over migrate(): random runs, kills, ledger deletions, concurrent starts and target choices.

Every step runs migrations the way a user would (with or without --target-project, into a named
existing project with or without --into-existing, into the source project itself, with one of a
few ledgers or the default one, by copy or by link) and may kill a run at its n-th write: before
the write is applied, after it is applied but before it returns, or half way through a batch.
A model says, from the rules alone (never from the engine's own state), what each run must do:
succeed into which project, or be refused with which error. After every step:

- a run that completed holds every source item exactly once in the project it was meant for;
- no project holds an item twice, at any time (after kills too), and no server holds two
  projects of one name;
- nothing changes anywhere else: no other project gains or loses an item, the source is unchanged;
- a refused run writes nothing: no item, no project, the ledger file's bytes as they were.

"Concurrent start" runs a migration in a thread that blocks inside one of its writes while a
second one starts (same machine: the locks must refuse it if it shares the ledger or the target);
"race" does the same with the second run on another machine (another lock directory) making the
same project name, which the first must then give up.

The memory machine runs against the in-memory provider (tests/memory_provider.py, seeded by
tests/migrate_memory.py); a trimmed one runs Supervisely sandbox -> real Label Studio.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import uuid
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

import annobridge
from annobridge.errors import Conflict, ValidationError
from annobridge.ledger import read_binding
from annobridge.migration import default_ledger, schema_signature
from annobridge.models import Project

from . import memory_provider as mp
from . import migrate_memory as mm
from .memory_provider import Fault, Killed
from .migrate_fixtures import ls, sandbox, sv  # noqa: F401 - fixtures (the real machine's)
from .migrate_memory import Held

KILLS = ("before", "after", "partial")
TRANSIENT = ("lost", "unavailable")


@dataclass(frozen=True)
class Run:
    """One migration as a user starts it."""

    source: tuple[str, int]  # (server, project id)
    source_ref: str  # what project= is given: the name or the id
    target: str  # the target server
    target_project: str | None
    into_existing: bool
    ledger: str | None  # a file name in the run directory; None: the default ledger in the current directory
    media: str = "copy"
    batch_size: int = 2

    def __repr__(self) -> str:
        into = " --into-existing" if self.into_existing else ""
        named = f" --target-project {self.target_project!r}" if self.target_project is not None else ""
        return (
            f"<migrate {self.source[0]} project {self.source_ref!r} -> {self.target}{named}{into} "
            f"--ledger {self.ledger} --media {self.media} --batch-size {self.batch_size}>"
        )


@dataclass
class Plan:
    """What the rules say a run must do, decided before it starts."""

    run: Run
    path: Path
    identity: tuple[str, int]  # (ledger path, its generation): deleting a ledger file starts a new one
    keys: dict[str, int]  # the source's items as the run starts: source key -> annotations
    expect: type[BaseException] | None = None  # None: it completes
    why: str = ""
    name: str | None = None  # the target project it writes into
    into: tuple[str, int] | None = None  # the existing project it writes into; None: it makes `name`
    binding: tuple | None = None  # what a new ledger is bound to


@dataclass
class Outcome:
    error: BaseException | None = None
    report: Any = None
    fired: str | None = None  # the write a fault fired at, and how: "transfer.write/after"


class Model:
    """What the machine knows from the runs it made: ledgers, who made which project, where each ledger writes."""

    def __init__(self) -> None:
        self.ledgers: dict[str, tuple[int, tuple | None]] = {}  # path -> (generation, binding)
        self.made_by: dict[tuple[str, int], tuple[str, int]] = {}  # project -> the ledger identity whose run made it
        self.names: dict[tuple[str, int], str] = {}  # project -> its name, for every project a run made
        self.bound: dict[tuple[str, int], tuple[str, int]] = {}  # ledger identity -> the project it writes into

    def ledger(self, path: Path) -> tuple[int, tuple | None]:
        return self.ledgers.get(str(path), (0, None))


def plan_run(model: Model, world, run: Run, before: dict, *, held_ledgers=(), held_targets=()) -> Plan:
    """The rules, in the order a user meets them: ledger lock, ledger binding, target lock, the target itself."""
    path = world.ledger_path(run, before)
    gen, known = model.ledger(path)
    identity = (str(path), gen)
    keys = world.source_keys(run.source, before)
    plan = Plan(run, path, identity, keys)

    def refuse(error, why):
        plan.expect, plan.why = error, why
        return plan

    if str(path) in held_ledgers:
        return refuse(Conflict, "its ledger is in use by a running migration")
    named = run.target_project
    bound = model.bound.get(identity)
    if known is not None:
        if known[:3] != (run.source[0], str(run.source[1]), run.target):
            return refuse(ValidationError, f"its ledger belongs to another migration {known}")
        if named is not None and named != known[3] and (bound is None or named != str(bound[1])):
            return refuse(ValidationError, f"its ledger writes into {known[3]!r}, not {named!r}")
        if run.media != known[4]:
            return refuse(ValidationError, f"its ledger carries media by {known[4]}")
        name = known[3]
    else:
        name = named if named is not None else world.default_name(run.source, before)
    plan.name = name
    plan.binding = (run.source[0], str(run.source[1]), run.target, name, run.media)
    if (run.target, name) in held_targets:
        return refuse(Conflict, f"the target {name!r} is in use by a running migration")
    found = None
    if bound is not None:
        if bound not in before:
            return refuse(ValidationError, "the project its ledger wrote into is gone")
        found = bound
    elif name.isdigit() and (run.target, int(name)) in before:
        found = (run.target, int(name))
    elif name.isdigit():
        return refuse(ValidationError, f"there is no project with id {name}")
    else:
        same = [p for p, held in before.items() if p[0] == run.target and held.name == name]
        if len(same) > 1:
            return refuse(ValidationError, f"{len(same)} projects are named {name!r}")
        found = same[0] if same else None
    if found is None:
        return plan  # it makes the project `name`
    if found == run.source:
        return refuse(ValidationError, "the target is the source project itself")
    ours = bound == found or model.made_by.get(found) == identity
    if not ours and not run.into_existing:
        return refuse(Conflict, f"{before[found].name!r} {found} exists and this migration's ledger did not make it")
    if world.signature(found) != world.signature(run.source):
        return refuse(ValidationError, f"{before[found].name!r} has another schema")
    plan.into, plan.name = found, before[found].name
    return plan


def check_run(plan: Plan, outcome: Outcome, before: dict, after: dict, ledger_before, ledger_after, world, *,
              ignore=frozenset()) -> tuple[str, int] | None:
    """Assert what the run did against its plan; returns the project it wrote into (made or existing), if any.

    `ignore`: projects another run (running at the same time) wrote into.
    """
    run, error = plan.run, outcome.error
    what = f"{run!r} (plan: {'complete' if plan.expect is None else plan.expect.__name__} {plan.why})"
    if error is not None and not isinstance(error, (Killed, Conflict, ValidationError)):
        raise AssertionError(f"{what}: failed with {error!r}") from error
    killed = isinstance(error, Killed)
    if killed:
        assert outcome.fired is not None and outcome.fired.split("/")[1] in KILLS, what
    elif plan.expect is None:
        assert error is None, f"{what}: expected to complete, got {error!r}"
    else:
        assert isinstance(error, plan.expect), f"{what}: expected {plan.expect.__name__}, got {error!r}"
    # what the source held at the start or holds now (a run going on beside this one may add to it)
    allowed = set(plan.keys) | set(world.source_keys(run.source, after) if run.source in after else ())
    before = {p: h for p, h in before.items() if p not in ignore}
    after = {p: h for p, h in after.items() if p not in ignore}
    gone = sorted(set(before) - set(after))
    assert not gone, f"{what}: projects {gone} disappeared"
    made = sorted(set(after) - set(before))
    assert len(made) <= 1, f"{what}: made {len(made)} projects {[(p, after[p].name) for p in made]}"
    for p in made:
        assert p[0] == run.target and after[p].name == plan.name, (
            f"{what}: made {after[p].name!r} {p}, meant {plan.name!r} on {run.target}"
        )
    into = plan.into or (made[0] if made else None)
    if plan.into is not None:
        assert not made, f"{what}: meant to write into {plan.into}, made {made}"
    for p in set(before) & set(after):
        if p != into:
            assert before[p] == after[p], (
                f"{what}: project {before[p].name!r} {p} changed: {sorted(before[p].items)} -> {sorted(after[p].items)}"
            )
    if into is not None:
        had = before[into].items if into in before else frozenset()
        assert had <= after[into].items, f"{what}: items of {after[into].name!r} changed or went"
        strangers = [k for _, k, _ in after[into].items - had if k not in allowed]
        assert not strangers, f"{what}: {after[into].name!r} gained items of keys {strangers} not in the source"
    if plan.expect is not None and not killed:
        assert not made and (into is None or before[into] == after[into]), f"{what}: a refused run wrote"
        assert ledger_after == ledger_before, f"{what}: a refused run changed its ledger {plan.path}"
    if plan.expect is None and not killed:
        report = outcome.report
        assert into is not None and report.target_project == str(into[1]), (
            f"{what}: reported target {report.target_project}, meant {into}"
        )
        counts: dict[str, list[int]] = {}
        for _, key, annotations in after[into].items:
            counts.setdefault(key, []).append(annotations)
        wrong = {k: counts.get(k) for k, n in plan.keys.items() if counts.get(k) != [world.annotations_of(n)]}
        assert not wrong, f"{what}: source items not exactly once (with their annotations) in {into}: {wrong}"
    return into


class MigrationMachine(RuleBasedStateMachine):
    """The rules and the invariants; a world (memory, or the real servers) supplies the backends."""

    world: Any = None
    base: Path = Path(tempfile.gettempdir())

    def __init__(self) -> None:
        super().__init__()
        self.model = Model()
        self.dir = Path(tempfile.mkdtemp(prefix="sm-", dir=self.base))
        self.cwd = os.getcwd()
        os.chdir(self.dir)  # the default ledger goes in the current directory
        self.extra_names: list[str] = []
        self.extra_ledgers: list[str] = []
        self.threads: list[tuple[threading.Thread, Fault]] = []
        self.killed: list[Run] = []  # runs a kill stopped, for `resume`
        self.meant: list[tuple[str, str]] = []  # (server, name) of the projects runs set out to make

    def teardown(self) -> None:
        for thread, fault in self.threads:
            fault.release.set()
            thread.join(60)
        os.chdir(self.cwd)
        self.world.cleanup()
        shutil.rmtree(self.dir, ignore_errors=True)

    @initialize()
    def seed(self) -> None:
        self.world.seed()

    # ------------------------------------------------------------------ drawing runs

    def draw_run(self, data, *, name: str | None = "draw", ledger: str | None = "draw") -> Run:
        world = self.world
        sources = world.sources(self.model)
        source = data.draw(st.sampled_from(sources), label="source")
        target = data.draw(st.sampled_from(world.targets), label="target")
        ref = world.reference(source)
        made = sorted({called for p, called in self.model.names.items() if p[0] == target})  # by earlier runs
        choices = [*([None] if world.default_names else []), *world.names, *self.extra_names, *made]
        if target == source[0]:  # the source project itself, by name and by id
            choices += [world.project_name(source), str(source[1])]
        if name == "draw":
            name = data.draw(st.sampled_from(choices), label="target_project")
        if ledger == "draw":
            files = [*world.default_ledger, *world.ledgers, *self.extra_ledgers]
            ledger = data.draw(st.sampled_from(files), label="ledger")
            if ledger == "own":  # one file per source and target server
                ledger = f"own-{source[1]}-to-{target.split('//')[1]}"
        return Run(
            source=source,
            source_ref=ref,
            target=target,
            target_project=name,
            into_existing=data.draw(st.booleans(), label="into_existing"),
            ledger=ledger,
            media=data.draw(world.media, label="media"),
            batch_size=data.draw(st.integers(1, 3), label="batch_size"),
        )

    # ------------------------------------------------------------------ running and checking

    def start(self, run: Run, **held) -> tuple[Plan, dict, bytes | None]:
        """The plan of `run` (`held`: the locks a run going on now holds), the state before it, its ledger's bytes."""
        before = self.world.snapshot()
        plan = plan_run(self.model, self.world, run, before, **held)
        return plan, before, self.world.ledger_bytes(plan.path)

    def execute(self, run: Run, fault: Fault | None) -> Outcome:
        self.world.arm(run.target, fault)
        outcome = Outcome()
        try:
            outcome.report = self.world.migrate(run)
        except BaseException as exc:  # Killed included: the run died there
            outcome.error = exc
        finally:
            self.world.arm(run.target, None)
        if fault is not None and fault.fired is not None:
            outcome.fired = f"{fault.fired}/{fault.when}"
        return outcome

    def finish(self, plan: Plan, outcome: Outcome, before, ledger_before, *, ignore=frozenset()):
        after = self.world.snapshot()
        into = check_run(
            plan, outcome, before, after, ledger_before, self.world.ledger_bytes(plan.path), self.world, ignore=ignore
        )
        self.learn(plan, outcome, before, after, into)
        return into

    def learn(self, plan: Plan, outcome: Outcome, before, after, into) -> None:
        """What the run taught the model: the project it made, where its ledger writes, the ledger's binding."""
        model = self.model
        if plan.expect is None and plan.into is None and (plan.run.target, plan.name) not in self.meant:
            self.meant.append((plan.run.target, plan.name))
        if into is not None and into not in before and into in after:
            model.made_by[into] = plan.identity
            model.names[into] = after[into].name
        fired_at_write = outcome.fired is not None and outcome.fired.startswith("transfer.write")
        if into is not None and (outcome.error is None or (isinstance(outcome.error, Killed) and fired_at_write)):
            model.bound[plan.identity] = into
        gen, known = model.ledger(plan.path)
        if plan.expect is not None and not isinstance(outcome.error, Killed):
            return  # refused: its ledger is as it was (checked), or another run's that holds it
        found = self.world.binding(plan.path)
        if known is not None:
            assert found == known, f"{plan.run!r}: ledger {plan.path} was bound to {known}, now {found}"
        elif found is not None:
            assert found == plan.binding, f"{plan.run!r}: ledger {plan.path} bound to {found}, meant {plan.binding}"
        model.ledgers[str(plan.path)] = (gen, found)

    # ------------------------------------------------------------------ rules

    @rule(data=st.data())
    def migrate(self, data) -> None:
        """A run that completes or is refused, unless a transient fault or a kill meets one of its writes."""
        fault = None
        if data.draw(st.booleans(), label="fault?"):
            fault = self.draw_fault(data, self.world.faults)
        self.one_run(self.draw_run(data), fault)

    @rule(data=st.data())
    def killed_run(self, data) -> None:
        """A run killed at one of its writes (if it gets that far): before, after, or half way through it."""
        run = self.draw_run(data)
        plan = plan_run(self.model, self.world, run, self.world.snapshot())
        creates = plan.expect is None and plan.into is None
        when = data.draw(st.sampled_from(self.world.kills), label="kill")
        if creates and data.draw(st.booleans(), label="at its project's creation"):
            fault = Fault(at=1, when=when, ops=("projects.create",))
        else:
            fault = Fault(at=data.draw(st.integers(1, 3), label="at batch"), when=when, ops=("transfer.write",))
        self.one_run(run, fault)

    @rule(data=st.data())
    def resume(self, data) -> None:
        """The command of a killed run, started again as it was (or without --target-project: the ledger has it)."""
        if not self.killed:
            return
        run = data.draw(st.sampled_from(self.killed), label="killed run")
        if self.world.default_names and data.draw(st.booleans(), label="without --target-project"):
            run = replace(run, target_project=None)
        fault = self.draw_fault(data, self.world.kills) if data.draw(st.booleans(), label="killed again?") else None
        self.one_run(run, fault)

    @rule(data=st.data())
    def someone_makes_a_project(self, data) -> None:
        """Somebody makes a project by hand on a target server, under a name a migration may mean."""
        now = self.world.snapshot()
        unmade = [(server, name) for server, name in self.meant if not any(
            p[0] == server and held.name == name for p, held in now.items())]
        if unmade and data.draw(st.booleans(), label="a name a run meant and did not make"):
            server, name = data.draw(st.sampled_from(unmade), label="server and name")
        else:
            server = data.draw(st.sampled_from(sorted(set(self.world.targets))), label="server")
            name = data.draw(st.sampled_from([*self.world.names, *self.extra_names]), label="name")
        if any(p[0] == server and held.name == name for p, held in self.world.snapshot().items()):
            return  # one name, one project: the invariant holds for what users do too
        self.world.make_project(server, name)

    def draw_fault(self, data, kinds) -> Fault:
        op = data.draw(st.sampled_from(("projects.create", "transfer.write", "any")), label="fault at")
        when = data.draw(st.sampled_from(kinds), label="fault")
        if op == "projects.create":
            return Fault(at=1, when=when, ops=(op,))
        at = data.draw(st.integers(1, 3), label="at write")
        return Fault(at=at, when=when) if op == "any" else Fault(at=at, when=when, ops=(op,))

    def one_run(self, run: Run, fault: Fault | None) -> None:
        plan, before, ledger_before = self.start(run)
        outcome = self.execute(run, fault)
        self.finish(plan, outcome, before, ledger_before)
        if isinstance(outcome.error, Killed) and run not in self.killed:
            self.killed.append(run)

    @rule(data=st.data())
    def delete_ledger(self, data) -> None:
        own = sorted(p.name for p in self.dir.glob("own-*") if not p.name.endswith(("-wal", "-shm", "-journal")))
        choices = [*self.world.ledgers[1:], *own, *self.extra_ledgers]
        path = self.dir / data.draw(st.sampled_from(choices), label="ledger")
        if data.draw(st.booleans(), label="the default ledger instead") and self.world.default_ledger:
            defaults = sorted(self.dir.glob("annobridge-*.ledger.sqlite"))
            if defaults:
                path = data.draw(st.sampled_from(defaults), label="default ledger")
        for suffix in ("", "-wal", "-shm", "-journal"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
        gen, _ = self.model.ledger(path)
        self.model.ledgers[str(path)] = (gen + 1, None)

    @rule(data=st.data())
    def concurrent_start(self, data) -> None:
        """A second run starts while the first one is blocked inside its n-th write."""
        first, second = self.draw_run(data), self.draw_run(data)
        fault = Fault(at=data.draw(st.integers(1, 3), label="first blocks at write"), when="block")
        plan_a, before_a, ledger_a = self.start(first)
        outcome_a, thread = self.in_thread(first, fault)
        blocked = self.wait_blocked(fault, thread)
        if not blocked:  # it ended before its n-th write: one run after the other
            self.finish(plan_a, outcome_a, before_a, ledger_a)
            plan_b, before_b, ledger_b = self.start(second)
            self.finish(plan_b, self.execute(second, None), before_b, ledger_b)
            return
        held = {"held_ledgers": {str(plan_a.path)}, "held_targets": {(first.target, plan_a.name)}}
        plan_b, before_b, ledger_b = self.start(second, **held)
        try:
            outcome_b = self.execute(second, None)
            touched = self.finish(plan_b, outcome_b, before_b, ledger_b)
        finally:
            fault.release.set()
            thread.join(60)
        assert not thread.is_alive(), f"{first!r} never finished"
        ignore = frozenset({touched} if touched is not None else ())
        self.finish(plan_a, outcome_a, before_a, ledger_a, ignore=ignore)

    @rule(data=st.data())
    def race_to_create(self, data) -> None:
        """Two runs on two machines (two lock directories) make the same new project name at once.

        The first is blocked just before its project is created; the second makes the name and
        completes; the first then makes a younger twin, which it must remove, and stop, writing nothing.
        """
        n = len(self.extra_names)
        name, ledgers = self.world.fresh_name(f"Z{n}"), (f"race{n}-a", f"race{n}-b")
        self.extra_names.append(name)
        self.extra_ledgers.extend(ledgers)
        first = replace(self.draw_run(data, name=name, ledger=ledgers[0]), into_existing=False)
        second = replace(self.draw_run(data, name=name, ledger=ledgers[1]), target=first.target)
        fault = Fault(at=1, when="block", ops=("projects.create",))
        plan_a, before_a, ledger_a = self.start(first)
        if plan_a.expect is not None:  # e.g. the source itself is Z0 on that server: an ordinary refused run
            self.finish(plan_a, self.execute(first, None), before_a, ledger_a)
            return
        outcome_a, thread = self.in_thread(first, fault)
        assert self.wait_blocked(fault, thread), f"{first!r} did not reach its create"
        plan_b, before_b, ledger_b = self.start(second)
        try:
            with self.world.other_machine():
                outcome_b = self.execute(second, None)
            touched = self.finish(plan_b, outcome_b, before_b, ledger_b)
        finally:
            fault.release.set()
            thread.join(60)
        ignore = frozenset({touched} if touched is not None else ())
        if touched is not None:  # the second made the name first: the first must give up
            plan_a.expect, plan_a.why = Conflict, f"another run made {name!r} first"
        self.finish(plan_a, outcome_a, before_a, ledger_a, ignore=ignore)

    def in_thread(self, run: Run, fault: Fault) -> tuple[Outcome, threading.Thread]:
        """Start `run` in a thread with `fault` armed on its target; the outcome is filled in when it ends."""
        outcome = Outcome()

        def go():
            try:
                outcome.report = self.world.migrate(run)
            except BaseException as exc:  # Killed included
                outcome.error = exc
            finally:
                outcome.fired = f"{fault.fired}/{fault.when}" if fault.fired else None

        self.world.arm(run.target, fault)
        thread = threading.Thread(target=go, name=f"migrate {run!r}", daemon=True)
        thread.start()
        self.threads.append((thread, fault))
        return outcome, thread

    @staticmethod
    def wait_blocked(fault: Fault, thread: threading.Thread) -> bool:
        while thread.is_alive():
            if fault.reached.wait(0.01):
                return True
        return fault.reached.is_set()

    # ------------------------------------------------------------------ invariants

    @invariant()
    def nothing_twice_and_no_twins(self) -> None:
        if not getattr(self.world, "seeded", False):
            return
        now = self.world.snapshot()
        for project, held in now.items():
            keys = held.keys()
            twice = sorted({k for k in keys if keys.count(k) > 1})
            assert not twice, f"{held.name!r} {project} holds items {twice} more than once"
        names: dict[tuple[str, str], list[int]] = {}
        for (server, pid), held in now.items():
            if self.world.watched(held.name):
                names.setdefault((server, held.name), []).append(pid)
        twins = {k: v for k, v in names.items() if len(v) > 1}
        assert not twins, f"projects of one name: {twins}"
        self.world.check_sources(now)


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

    @staticmethod
    def source_keys(source, before) -> dict[str, int]:
        return {str(item): annotations for item, _, annotations in before[source].items}

    @staticmethod
    def annotations_of(n: int) -> int:
        return n

    @staticmethod
    def signature(project) -> tuple:
        return schema_signature(mp.server(project[0]).projects[project[1]].schema_)

    @staticmethod
    def ledger_bytes(path: Path) -> bytes | None:
        return path.read_bytes() if path.is_file() else None

    @staticmethod
    def binding(path: Path) -> tuple | None:
        found = read_binding(path)
        return None if found is None else (
            found.source, found.source_project, found.target, found.target_project, found.media
        )

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
        return _lock_dir(self.dir / "other-machine-locks")

    def check_sources(self, now) -> None:
        """Nothing more to check: every run's own check covers its source (it may be another's target)."""


class _lock_dir:
    """ANNOBRIDGE_LOCK_DIR set to `path` for the block: a run as if on another machine."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> None:
        self.saved = os.environ.get("ANNOBRIDGE_LOCK_DIR")
        os.environ["ANNOBRIDGE_LOCK_DIR"] = str(self.path)

    def __exit__(self, *exc) -> None:
        if self.saved is None:
            os.environ.pop("ANNOBRIDGE_LOCK_DIR", None)
        else:
            os.environ["ANNOBRIDGE_LOCK_DIR"] = self.saved


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


# ---------------------------------------------------------------------- the real servers


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

    source_keys = staticmethod(MemoryWorld.source_keys)
    ledger_bytes = staticmethod(MemoryWorld.ledger_bytes)
    binding = staticmethod(MemoryWorld.binding)

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
        return _lock_dir(self.dir / "other-machine-locks")

    def check_sources(self, now) -> None:
        assert now[self.source] == self.original, "the source project changed"


LEMONS = 5555


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
