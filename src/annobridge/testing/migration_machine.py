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

A world supplies the backends (seed, snapshot, arm a Fault, migrate, clean up; MemoryWorld in
tests/test_migrate_state_machine.py has every member one needs): the tests run one on the in-memory
provider and a trimmed one from the Supervisely sandbox to the real Label Studio server.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from annobridge.errors import Conflict
from annobridge.ledger import read_binding
from annobridge.testing.kills import Fault, Killed
from annobridge.testing.migration_model import Model, Outcome, Plan, Run, check_run, plan_run

__all__ = ["MigrationMachine", "OtherMachine", "binding", "ledger_bytes", "source_keys"]


def source_keys(source, before) -> dict[str, int]:
    """The source's items in a snapshot: source key -> annotations."""
    return {str(item): count for item, _, count in before[source].items}


def ledger_bytes(path: Path) -> bytes | None:
    """The ledger file's bytes, None when there is none."""
    return path.read_bytes() if path.is_file() else None


def binding(path: Path) -> tuple | None:
    """What the ledger at `path` is bound to, as a Plan's binding tuple."""
    found = read_binding(path)
    return None if found is None else (
        found.source, found.source_project, found.target, found.target_project, found.media
    )


class OtherMachine:
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
