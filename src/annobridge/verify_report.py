"""VerifyReport: what `annobridge verify` found, item by item, as JSON, a rich table, or (verify_html.py) a page."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from .fidelity import FidelityReport

__all__ = ["RANK", "Difference", "ItemCounts", "Sample", "Status", "VerifyReport"]

Status = Literal["unexplained", "explained", "identical"]
RANK = {"unexplained": 0, "explained": 1, "identical": 2}


class Difference(BaseModel):
    """One place where the target's item differs from the source's, and whether the conversion explains it."""

    source_key: str
    target_item: str | None = None
    name: str = ""
    where: str
    source: str
    target: str
    expected: str | None = None  # what the target's converters make of the source there
    explained: bool = False
    report: list[str] = Field(default_factory=list)  # the conversion report's lines for this item


class ItemCounts(BaseModel):
    """Items on each side, and how the matched ones compared."""

    source: int = 0
    target: int = 0
    matched: int = 0
    identical: int = 0
    explained: int = 0  # every difference explained
    unexplained: int = 0  # at least one difference unexplained
    only_in_source: int = 0
    only_in_target: int = 0
    target_without_key: int = 0  # target items no migration carried (no source key): counted, not compared


class Sample(BaseModel):
    """An item chosen for the picture: its keys, how it compared, and (not in the JSON) both sides' annotations."""

    source_key: str
    target_item: str | None = None
    name: str = ""
    status: Status
    where: list[str] = Field(default_factory=list)
    width: int = 0
    height: int = 0
    source_annotations: list[Any] = Field(default_factory=list, exclude=True)
    target_annotations: list[Any] | None = Field(default=None, exclude=True)  # None: not on the target
    media: bytes | None = Field(default=None, exclude=True, repr=False)


class VerifyReport(BaseModel):
    """What `verify()` found: items matched and not, annotations compared, differences explained and not."""

    source: str
    target: str
    source_project: str
    target_project: str
    target_project_name: str | None = None
    items: ItemCounts = Field(default_factory=ItemCounts)
    annotations: dict[str, int] = Field(default_factory=lambda: {"source": 0, "target": 0})
    objects: dict[str, int] = Field(default_factory=lambda: {"source": 0, "target": 0})
    differences_explained: int = 0
    differences_unexplained: int = 0
    differences: list[Difference] = Field(default_factory=list)  # the first ones, unexplained first (capped)
    only_in_source: list[str] = Field(default_factory=list)  # source keys (the first KEYS_KEPT)
    only_in_target: list[str] = Field(default_factory=list)
    conversion: dict[str, Any] = Field(default_factory=dict)  # FidelityReport.to_json(): the loss table
    notes: list[str] = Field(default_factory=list)
    samples: list[Sample] = Field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every difference is explained by the conversion (or there is none).

        >>> VerifyReport(source="memory://a", target="memory://b", source_project="1", target_project="2").ok
        True
        """
        return self.differences_unexplained == 0

    @property
    def exit_code(self) -> int:
        """The command line's exit code: 0 when ok, 1 when any difference is unexplained."""
        return 0 if self.ok else 1

    def to_json(self) -> str:
        """The report as indented JSON (annotations and media of the samples left out)."""
        return self.model_dump_json(indent=2)

    def losses(self) -> FidelityReport:
        """The conversion report (the loss table) as a FidelityReport."""
        return FidelityReport.from_json(self.conversion) if self.conversion else FidelityReport()

    def to_table(self, shown: int = 20):
        """A rich renderable for people: the counts, the first `shown` differences and the loss table."""
        from rich.console import Group
        from rich.table import Table

        summary = Table(title=f"Verify {self.source} #{self.source_project} -> {self.target} #{self.target_project}")
        summary.add_column("what")
        summary.add_column("count", justify="right")
        rows = [(k.replace("_", " "), v) for k, v in self.items.model_dump().items()]
        rows += [("annotations (source/target)", f"{self.annotations['source']}/{self.annotations['target']}"),
                 ("objects (source/target)", f"{self.objects['source']}/{self.objects['target']}"),
                 ("differences explained", self.differences_explained),
                 ("differences unexplained", f"[{'red' if self.differences_unexplained else 'green'}]"
                                             f"{self.differences_unexplained}[/]")]
        for what, count in rows:
            summary.add_row(what, str(count))
        parts: list[Any] = [summary]
        if self.differences:
            table = Table(title="Differences" + (f" (first {shown})" if len(self.differences) > shown else ""))
            for column in ("item", "where", "source", "target", "verdict"):
                table.add_column(column, overflow="fold")
            for d in self.differences[:shown]:
                verdict = "[green]explained[/]" if d.explained else "[red]unexplained[/]"
                table.add_row(f"{d.name} ({d.source_key})", d.where, d.source, d.target, verdict)
            parts.append(table)
        losses = self.losses()
        if losses:
            parts.append(losses.to_table("Conversion report"))
        parts += [f"note: {n}" for n in self.notes]
        return Group(*parts)
