"""The fidelity report: what a conversion carried, approximated, kept for the way back or dropped, by kind.

Every converter returns `(result, report)`. A report line reads like
"polygon hole -> kept for the way back (label studio): 3" or "relation -> dropped (label studio): 1",
and it keeps the first few items where each happened, so a migration can point at them.
"Kept" is what the target cannot show but stores out of its users' way (keep.py), so it comes
back when the item migrates back; "dropped" is lost.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any

__all__ = ["FidelityReport", "Outcome", "LABEL_STUDIO", "NEUTRAL", "SUPERVISELY"]

SUPERVISELY = "supervisely"
LABEL_STUDIO = "label studio"
NEUTRAL = "annobridge"
_EXAMPLES = 5


class Outcome(str, Enum):
    """What happened to one thing in a conversion."""

    CARRIED = "carried"
    APPROXIMATED = "approximated"
    KEPT = "kept"  # not shown by the target, stored for the way back
    DROPPED = "dropped"


@dataclass(frozen=True, order=True)
class _Key:
    kind: str
    outcome: Outcome
    target: str
    how: str


class FidelityReport:
    """Counts of what was carried, approximated and dropped, by kind and target.

    >>> r = FidelityReport()
    >>> r.dropped("polygon hole", "label studio", item="img1")
    >>> r.carried("polygon", "label studio", 2)
    >>> print(r)
    polygon -> carried (label studio): 2
    polygon hole -> dropped (label studio): 1  [img1]
    >>> r.lossless
    False
    """

    def __init__(self) -> None:
        self._counts: dict[_Key, int] = {}
        self._items: dict[_Key, list[Any]] = {}

    def record(
        self, kind: str, outcome: Outcome | str, target: str, count: int = 1, *, how: str = "", item: Any = None
    ) -> None:
        """Count `count` things of `kind` that met `outcome` going to `target`; `how` says how, or why."""
        if count <= 0:
            return
        key = _Key(kind, Outcome(outcome), target, how)
        self._counts[key] = self._counts.get(key, 0) + count
        seen = self._items.setdefault(key, [])
        if item is not None and item not in seen and len(seen) < _EXAMPLES:
            seen.append(item)

    def carried(self, kind: str, target: str, count: int = 1, *, item: Any = None) -> None:
        """Count things carried over exactly."""
        self.record(kind, Outcome.CARRIED, target, count, item=item)

    def approximated(self, kind: str, target: str, how: str, count: int = 1, *, item: Any = None) -> None:
        """Count things carried in an approximate form, saying which ("as bounding rectangle")."""
        self.record(kind, Outcome.APPROXIMATED, target, count, how=how, item=item)

    def kept(self, kind: str, target: str, how: str = "", count: int = 1, *, item: Any = None) -> None:
        """Count things the target cannot show but keeps for the way back; `how` says what it shows instead."""
        self.record(kind, Outcome.KEPT, target, count, how=how, item=item)

    def dropped(self, kind: str, target: str, why: str = "", count: int = 1, *, item: Any = None) -> None:
        """Count things the target cannot hold, optionally saying why."""
        self.record(kind, Outcome.DROPPED, target, count, how=why, item=item)

    def merge(self, *others: FidelityReport) -> FidelityReport:
        """Add the counts of other reports into this one; returns self.

        >>> a, b = FidelityReport(), FidelityReport()
        >>> a.carried("point", "supervisely"); b.carried("point", "supervisely", 2)
        >>> a.merge(b).count("point")
        3
        """
        for other in others:
            for key, count in other._counts.items():
                self.record(key.kind, key.outcome, key.target, count, how=key.how)
                seen = self._items.setdefault(key, [])
                for item in other._items.get(key, ()):
                    if item not in seen and len(seen) < _EXAMPLES:
                        seen.append(item)
        return self

    def __add__(self, other: FidelityReport) -> FidelityReport:
        return FidelityReport().merge(self, other)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FidelityReport) and self._counts == other._counts

    def __bool__(self) -> bool:
        return bool(self._counts)

    def count(self, kind: str | None = None, outcome: Outcome | str | None = None, target: str | None = None) -> int:
        """How many things match; leave an argument out to match any.

        >>> r = FidelityReport(); r.dropped("rotation", "supervisely", count=2)
        >>> r.count(outcome="dropped"), r.count("rotation", "carried")
        (2, 0)
        """
        wanted = Outcome(outcome) if outcome is not None else None
        return sum(
            n
            for key, n in self._counts.items()
            if (kind is None or key.kind == kind)
            and (wanted is None or key.outcome is wanted)
            and (target is None or key.target == target)
        )

    @property
    def lossless(self) -> bool:
        """True when nothing was approximated or dropped (what was kept for the way back is not lost).

        >>> r = FidelityReport(); r.kept("polygon hole", "label studio")
        >>> r.lossless, r.exact
        (True, False)
        """
        return not any(key.outcome in (Outcome.APPROXIMATED, Outcome.DROPPED) for key in self._counts)

    @property
    def exact(self) -> bool:
        """True when everything was carried as it was: nothing approximated, kept aside or dropped."""
        return all(key.outcome is Outcome.CARRIED for key in self._counts)

    def losses(self) -> list[str]:
        """One line per kind of loss, the way __str__ prints them."""
        return [self._line(key) for key in self._keys() if key.outcome is not Outcome.CARRIED]

    def _keys(self) -> Iterable[_Key]:
        order = list(Outcome)
        return sorted(self._counts, key=lambda k: (order.index(k.outcome), k.kind, k.target, k.how))

    def _line(self, key: _Key) -> str:
        examples = self._items.get(key)
        suffix = f"  [{', '.join(str(i) for i in examples)}]" if examples else ""
        return f"{_phrase(key)}: {self._counts[key]}{suffix}"

    def __str__(self) -> str:
        return "\n".join(self._line(key) for key in self._keys()) or "nothing converted"

    def __repr__(self) -> str:
        totals = ", ".join(f"{o.value}={self.count(outcome=o)}" for o in Outcome)
        return f"<FidelityReport {totals}>"

    def to_json(self) -> dict[str, Any]:
        """A JSON-able dict: totals by outcome and one entry per kind, outcome, target and how.

        >>> r = FidelityReport(); r.approximated("rotation", "supervisely", "as bounding rectangle")
        >>> r.to_json()["entries"][0]["line"]
        'rotation -> approximated as bounding rectangle (supervisely)'
        """
        return {
            "totals": {o.value: self.count(outcome=o) for o in Outcome},
            "entries": [
                {
                    "kind": key.kind,
                    "outcome": key.outcome.value,
                    "target": key.target,
                    "how": key.how,
                    "count": self._counts[key],
                    "items": list(self._items.get(key, ())),
                    "line": _phrase(key),
                }
                for key in self._keys()
            ],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FidelityReport:
        """Rebuild a report from to_json() output (for ledgers and resumed migrations)."""
        report = cls()
        for entry in data.get("entries", ()):
            key = _Key(entry["kind"], Outcome(entry["outcome"]), entry["target"], entry.get("how", ""))
            report._counts[key] = report._counts.get(key, 0) + int(entry["count"])
            report._items[key] = list(entry.get("items", ()))[:_EXAMPLES]
        return report

    def to_table(self, title: str = "Conversion fidelity"):
        """A rich Table with one row per kind, outcome and target.

        >>> FidelityReport().to_table().title
        'Conversion fidelity'
        """
        from rich.table import Table

        table = Table(title=title)
        for column, justify in (("kind", "left"), ("outcome", "left"), ("target", "left"), ("count", "right")):
            table.add_column(column, justify=justify)
        table.add_column("examples")
        styles = {
            Outcome.CARRIED: "green",
            Outcome.APPROXIMATED: "yellow",
            Outcome.KEPT: "cyan",
            Outcome.DROPPED: "red",
        }
        for key in self._keys():
            outcome = key.outcome.value + (f" {key.how}" if key.how else "")
            table.add_row(
                key.kind,
                f"[{styles[key.outcome]}]{outcome}[/]",
                key.target,
                str(self._counts[key]),
                ", ".join(str(i) for i in self._items.get(key, ())),
            )
        return table

    def __rich__(self):
        return self.to_table()


def _phrase(key: _Key) -> str:
    if key.outcome is Outcome.KEPT:
        shown = f", {key.how}" if key.how else ""
        return f"{key.kind} -> kept for the way back ({key.target}{shown})"
    if key.outcome is Outcome.APPROXIMATED and key.how:
        return f"{key.kind} -> approximated {key.how} ({key.target})"
    if key.how:
        return f"{key.kind} -> {key.outcome.value} ({key.target}, {key.how})"
    return f"{key.kind} -> {key.outcome.value} ({key.target})"
