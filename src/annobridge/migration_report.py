"""MigrationReport: what a whole migration carried, approximated, kept and dropped, by kind, as JSON or a rich table.

A migration's report is a sum. Each batch a run finishes leaves its `ReportPart` (counts, objects by
shape, conversion losses, the users it met) in the ledger with the batch itself; what a run counts
outside its batches (the schema's losses, work the ledger does not record) is the run's own part.
The report is the sum of every batch's part and the last run's own part, however many runs it took,
so a migration killed and resumed reports what an uninterrupted one would.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from pydantic import BaseModel, Field

from .fidelity import FidelityReport, Outcome

if TYPE_CHECKING:
    from .ledger import History

__all__ = ["KINDS", "MigrationReport", "ReportPart", "Tally"]

KINDS = ("items", "annotations", "objects", "tags", "jobs", "assignments", "reviews", "users")


class Tally(BaseModel):
    """How many things of one kind were carried, approximated, kept for the way back and dropped."""

    carried: int = 0
    approximated: int = 0
    kept: int = 0  # not shown by the target, stored for the way back (Outcome.KEPT)
    dropped: int = 0


class _Counting:
    """`tally`, `add` and `absorb` over a model's `counts` and `fidelity` fields: a report and its parts count alike.
    (No annotations here: pydantic would take them for fields.)"""

    def tally(self, kind: str) -> Tally:
        """The counts of `kind` ("items", "objects", ...), made on first use."""
        return self.counts.setdefault(kind, Tally())

    def add(self, kind: str, outcome: Outcome | str, count: int = 1) -> None:
        """Count `count` things of `kind` with `outcome` (carried, approximated, kept, dropped)."""
        tally = self.tally(kind)
        name = Outcome(outcome).value
        setattr(tally, name, getattr(tally, name) + count)

    def absorb(self, report: FidelityReport) -> None:
        """Merge a converter's FidelityReport into `fidelity` (kept as its JSON form)."""
        merged = FidelityReport.from_json(self.fidelity) if self.fidelity else FidelityReport()
        self.fidelity = merged.merge(report).to_json()


class ReportPart(_Counting, BaseModel):
    """What one batch (or one run, outside its batches) adds to a migration's report; the ledger keeps it as JSON.

    >>> part = ReportPart(); part.add("items", "carried", 2)
    >>> ReportPart.model_validate_json(part.model_dump_json()).tally("items").carried
    2
    """

    counts: dict[str, Tally] = Field(default_factory=dict)
    objects_by_shape: dict[str, int] = Field(default_factory=dict)
    fidelity: dict[str, Any] = Field(default_factory=dict)
    users_mapped: list[str] = Field(default_factory=list)  # source authors it met that have a target user
    users_unmapped: list[str] = Field(default_factory=list)  # ...and that have none
    notes: list[str] = Field(default_factory=list)

    def merge(self, other: ReportPart) -> None:
        """Add `other` into this part."""
        self.merge_all([other])

    def merge_all(self, parts: Iterable[ReportPart]) -> None:
        """Add every part of `parts` into this one, in order (the losses keep their first examples)."""
        losses = FidelityReport.from_json(self.fidelity) if self.fidelity else FidelityReport()
        mapped, unmapped = set(self.users_mapped), set(self.users_unmapped)
        for part in parts:
            for kind, tally in part.counts.items():
                for outcome in Outcome:
                    self.add(kind, outcome, getattr(tally, outcome.value))
            for shape, n in part.objects_by_shape.items():
                self.objects_by_shape[shape] = self.objects_by_shape.get(shape, 0) + n
            if part.fidelity:
                losses.merge(FidelityReport.from_json(part.fidelity))
            mapped.update(part.users_mapped)
            unmapped.update(part.users_unmapped)
            self.notes.extend(note for note in part.notes if note not in self.notes)
        self.fidelity = losses.to_json() if losses else self.fidelity
        self.users_mapped, self.users_unmapped = sorted(mapped), sorted(unmapped)


class MigrationReport(_Counting, BaseModel):
    """The outcome of `annobridge.migrate()` for the whole migration, however many runs it took: counts by kind,
    every conversion loss, the unmapped users; and the last run's own figures (already_done, reconciled, ...).

    >>> r = MigrationReport(source="supervisely://sv", target="labelstudio://ls", source_project="5555")
    >>> r.add("items", "carried", 6); r.tally("items").carried
    6
    """

    source: str
    target: str
    source_project: str
    target_project: str | None = None  # the target project's id (None in a dry run that would create it)
    target_project_name: str | None = None
    ledger: str | None = None  # the ledger file's path
    dry_run: bool = False
    media: str = "copy"
    runs: int = 0  # the runs this migration took, this one included (0: a dry run, which writes no ledger)
    finished: bool = True  # False: the last run recorded in the ledger did not end (killed, or failed); rerun it
    counts: dict[str, Tally] = Field(default_factory=dict)
    objects_by_shape: dict[str, int] = Field(default_factory=dict)
    users_unmapped: list[str] = Field(default_factory=list)
    uncounted: dict[str, int] = Field(default_factory=dict)  # kind -> carried before the ledger kept counts (format 2)
    # the last run's own figures:
    already_done: int = 0  # items the ledger says an earlier run carried: not read again
    reconciled: int = 0  # items of a batch an earlier run left pending, found on the target
    already_present: int = 0  # items the target held already (by source key) that the ledger did not know
    retried: int = 0  # tries again after a transient failure (a batch reconciled and rewritten, a project creation)
    fidelity: dict[str, Any] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)

    def total(self, run_part: ReportPart, batches: Iterable[ReportPart]) -> None:
        """Set the counts, losses and users to the sum of a run's own part and every batch's part, then move
        what the converters approximated, kept or dropped out of the carried counts into their own columns."""
        whole = ReportPart(notes=list(self.notes))
        whole.merge_all([run_part, *batches])
        self.counts, self.objects_by_shape, self.fidelity = whole.counts, whole.objects_by_shape, whole.fidelity
        self.notes = whole.notes
        self.users_unmapped = whole.users_unmapped
        self.add("users", "carried", len(whole.users_mapped))
        self.add("users", "dropped", len(whole.users_unmapped))
        _losses_by_kind(self)

    def summarize(self, history: History) -> None:
        """Fill the totals from a ledger's history: every batch's part, and the own part of its last run that
        ended (else of its last run); runs, whether the last one ended, what went uncounted."""
        runs = history.runs
        ended = [run for run in runs if run.ended is not None]
        own = (ended or runs)[-1].part if runs else None
        self.runs = len(runs)
        self.finished = not runs or runs[-1].ended is not None
        self.uncounted = {_KIND_OF_ENTRY.get(k, k): n for k, n in history.uncounted.items() if n}
        if not self.finished:
            self.notes.append(
                f"run {runs[-1].number} did not end (killed, or failed): these counts are those of the batches "
                "it finished; run the migration again to resume it"
            )
        if self.uncounted:
            carried = ", ".join(f"{kind} {n}" for kind, n in sorted(self.uncounted.items()))
            runs_before = "runs before this ledger was upgraded" if history.upgraded else "this ledger's runs"
            self.notes.append(f"not in these counts: what {runs_before} carried (format 2 kept no counts): {carried}")
        parts = (ReportPart.model_validate_json(text) for text in history.parts)
        self.total(ReportPart.model_validate_json(own) if own else ReportPart(), parts)

    @classmethod
    def from_ledger(cls, path: str | Path) -> MigrationReport:
        """The report of the migration the ledger at `path` records, read from that file alone (read-only: no
        server, no token). The last run's figures (already_done, ...) are as that run ended.

        A missing file, or one that is not a ledger, is a ValidationError in one line.

        >>> MigrationReport.from_ledger("/nonexistent-dir/ledger.sqlite")
        Traceback (most recent call last):
        ...
        annobridge.errors.ValidationError: ledger /nonexistent-dir/ledger.sqlite: the directory /nonexistent-dir does not exist
        """
        from .ledger import read_history

        history = read_history(path)
        binding, last = history.binding, history.last_summary()
        report = cls(
            source=last.get("source", binding.source),
            target=last.get("target", binding.target),
            source_project=binding.source_project,
            target_project=binding.target_project_id,
            target_project_name=last.get("target_project_name", binding.target_project),
            ledger=str(path),
            media=binding.media,
            **{name: last.get(name, 0) for name in LAST_RUN},
        )
        report.summarize(history)
        return report

    def last_run(self) -> dict[str, Any]:
        """What a run records of itself in the ledger when it ends: the addresses it used and its own figures."""
        names = {"source": self.source, "target": self.target, "target_project_name": self.target_project_name}
        return names | {name: getattr(self, name) for name in LAST_RUN}

    @property
    def losses(self) -> list[str]:
        """One line per kind of loss, e.g. 'object timestamps -> dropped (label studio): 17'."""
        return FidelityReport.from_json(self.fidelity).losses() if self.fidelity else []

    def to_json(self, indent: int | None = 2) -> str:
        """The report as JSON text (no token is ever in it: only URLs and counts).

        >>> '"items"' in MigrationReport(source="a", target="b", source_project="1", counts={"items": Tally()}).to_json()
        True
        """
        return json.dumps(self.model_dump(mode="json") | {"losses": self.losses}, indent=indent)

    def to_table(self):
        """A rich Table: one row per kind, then one per loss."""
        from rich.table import Table

        title = f"{'Planned migration' if self.dry_run else 'Migration'} {self.source} -> {self.target}"
        into = f"project {self.target_project_name!r}" + (f" (id {self.target_project})" if self.target_project else "")
        runs = f"; {self.runs} run{'s' if self.runs != 1 else ''}" if self.runs else ""
        caption = f"source project {self.source_project} -> target {into}; ledger {self.ledger}{runs}"
        table = Table(title=title, caption=caption)
        table.add_column("kind")
        columns = (("carried", "green"), ("approximated", "yellow"), ("kept", "cyan"), ("dropped", "red"))
        for column, style in columns:
            table.add_column(column, justify="right", style=style)
        for kind in [k for k in KINDS if k in self.counts] + sorted(set(self.counts) - set(KINDS)):
            t = self.counts[kind]
            table.add_row(kind, *(str(getattr(t, column)) for column, _ in columns))
        for shape, n in sorted(self.objects_by_shape.items()):
            table.add_row(f"  objects: {shape}", str(n), "", "", "")
        for label, n in (
            ("last run: items done by an earlier run (ledger)", self.already_done),
            ("last run: items of a pending batch found on the target", self.reconciled),
            ("last run: items the target held already (left alone)", self.already_present),
            ("last run: tries again after a transient failure", self.retried),
        ):
            if n:
                table.add_row(f"[dim]{label}: {n}[/]", "", "", "", "")
        for line in self.losses:
            table.add_row(f"[dim]{line}[/]", "", "", "", "")
        if self.users_unmapped:
            table.add_row(f"users unmapped: {', '.join(self.users_unmapped)}", "", "", "", "")
        for note in self.notes:
            table.add_row(f"[dim]{note}[/]", "", "", "", "")
        return table

    def __rich__(self):
        return self.to_table()


LAST_RUN = ("already_done", "reconciled", "already_present", "retried")
_KIND_OF_ENTRY = {"item": "items", "job": "jobs"}  # ledger entry kinds -> report rows


def _losses_by_kind(report: MigrationReport) -> None:
    """Move what the converters approximated, kept for the way back or dropped from the carried counts into those
    columns (a thing kept for the way back is not shown by the target, so it is not counted as carried)."""
    for entry in report.fidelity.get("entries", ()):
        kind = _kind_of(entry["kind"])
        if kind is None or entry["outcome"] == Outcome.CARRIED.value:
            continue
        report.add(kind, entry["outcome"], entry["count"])  # approximated, kept or dropped
        report.add(kind, Outcome.CARRIED, -min(entry["count"], report.tally(kind).carried))


def _kind_of(entry: str) -> str | None:
    """Which report row a fidelity entry counts against ("bitmap object" -> objects; "annotation" -> annotations)."""
    if entry.endswith(" object"):
        return "objects"
    if entry in ("annotation", "skipped (cancelled) annotation"):
        return "annotations"
    if entry.endswith(" tag") and "timestamps" not in entry:
        return "tags"
    return None
