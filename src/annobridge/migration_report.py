"""MigrationReport: what a migration carried, approximated and dropped, by kind, as JSON or a rich table."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, Field

from .fidelity import FidelityReport, Outcome

__all__ = ["KINDS", "MigrationReport", "Tally"]

KINDS = ("items", "annotations", "objects", "tags", "jobs", "assignments", "reviews", "users")


class Tally(BaseModel):
    """How many things of one kind were carried, approximated and dropped."""

    carried: int = 0
    approximated: int = 0
    dropped: int = 0


class MigrationReport(BaseModel):
    """The outcome of `annobridge.migrate()`: counts by kind, every conversion loss, and the unmapped users.

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
    counts: dict[str, Tally] = Field(default_factory=dict)
    objects_by_shape: dict[str, int] = Field(default_factory=dict)
    users_unmapped: list[str] = Field(default_factory=list)
    already_done: int = 0  # items the ledger says an earlier run carried: not read again
    reconciled: int = 0  # items of a batch an earlier run left pending, found on the target
    already_present: int = 0  # items the target held already (by source key) that the ledger did not know
    retried: int = 0  # tries again after a transient failure (a batch reconciled and rewritten, a project creation)
    fidelity: dict[str, Any] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)

    def tally(self, kind: str) -> Tally:
        """The counts of `kind` ("items", "objects", ...), made on first use."""
        return self.counts.setdefault(kind, Tally())

    def add(self, kind: str, outcome: Outcome | str, count: int = 1) -> None:
        """Count `count` things of `kind` with `outcome` (carried, approximated, dropped)."""
        tally = self.tally(kind)
        name = Outcome(outcome).value
        setattr(tally, name, getattr(tally, name) + count)

    def absorb(self, report: FidelityReport) -> None:
        """Merge a converter's FidelityReport into `fidelity` (kept as its JSON form)."""
        merged = FidelityReport.from_json(self.fidelity) if self.fidelity else FidelityReport()
        self.fidelity = merged.merge(report).to_json()

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
        caption = f"source project {self.source_project} -> target {into}; ledger {self.ledger}"
        table = Table(title=title, caption=caption)
        table.add_column("kind")
        for column, style in (("carried", "green"), ("approximated", "yellow"), ("dropped", "red")):
            table.add_column(column, justify="right", style=style)
        for kind in [k for k in KINDS if k in self.counts] + sorted(set(self.counts) - set(KINDS)):
            t = self.counts[kind]
            table.add_row(kind, str(t.carried), str(t.approximated), str(t.dropped))
        for shape, n in sorted(self.objects_by_shape.items()):
            table.add_row(f"  objects: {shape}", str(n), "", "")
        for label, n in (
            ("items done by an earlier run (ledger)", self.already_done),
            ("items of a pending batch found on the target", self.reconciled),
            ("items the target held already (left alone)", self.already_present),
            ("tries again after a transient failure", self.retried),
        ):
            if n:
                table.add_row(f"[dim]{label}: {n}[/]", "", "", "")
        for line in self.losses:
            table.add_row(f"[dim]{line}[/]", "", "", "")
        if self.users_unmapped:
            table.add_row(f"users unmapped: {', '.join(self.users_unmapped)}", "", "", "")
        for note in self.notes:
            table.add_row(f"[dim]{note}[/]", "", "", "")
        return table

    def __rich__(self):
        return self.to_table()
