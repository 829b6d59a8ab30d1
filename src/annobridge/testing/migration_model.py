"""The rules of the migration state machine: a run as a user starts it, what the rules say it must do (decided
before it starts, from the runs made so far alone), and the check of what it did against that plan."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annobridge.errors import Conflict, ValidationError
from annobridge.testing.kills import Killed

__all__ = ["KILLS", "TRANSIENT", "Held", "Model", "Outcome", "Plan", "Run", "check_run", "plan_run"]

KILLS = ("before", "after", "partial")
TRANSIENT = ("lost", "unavailable")


@dataclass(frozen=True)
class Held:
    """A project as a snapshot sees it: its name and its items as (id, source key, annotation count)."""

    name: str
    items: frozenset[tuple[int, str | None, int]]

    def keys(self) -> list[str]:
        return [key for _, key, _ in self.items if key is not None]


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
        for _, key, annotated in after[into].items:
            counts.setdefault(key, []).append(annotated)
        wrong = {k: counts.get(k) for k, n in plan.keys.items() if counts.get(k) != [world.annotations_of(n)]}
        assert not wrong, f"{what}: source items not exactly once (with their annotations) in {into}: {wrong}"
    return into
