"""Sharded migrations: the K-th of N disjoint slices of a source, by a stable hash of each item's source key.

`annobridge migrate --shard K/N` runs one slice; N runs (at once, on one machine or many) carry the
whole source, each item by exactly one of them. The slice an item falls in depends only on its key
(sha256, never Python's salted hash()), so every process on every machine agrees.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator

from .errors import ValidationError
from .fidelity import FidelityReport
from .models import Id
from .transfer import Page, Record

__all__ = ["Shard", "ShardReader"]

_FORM = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*")


@dataclass(frozen=True)
class Shard:
    """The `index`-th (1-based) of `count` disjoint slices of a source.

    >>> str(Shard.parse("2/3")), [Shard(k, 3).holds("3882697") for k in (1, 2, 3)].count(True)
    ('2/3', 1)
    """

    index: int
    count: int

    def __post_init__(self) -> None:
        if not (isinstance(self.index, int) and isinstance(self.count, int) and 1 <= self.index <= self.count):
            raise ValidationError(f"shard: expected K/N with 1 <= K <= N, got '{self.index}/{self.count}'")

    @classmethod
    def parse(cls, value: Shard | str) -> Shard:
        """A Shard from "K/N" (or a Shard, returned as it is); anything else is a ValidationError in one line.

        >>> Shard.parse("4/3")
        Traceback (most recent call last):
        ...
        annobridge.errors.ValidationError: shard: expected K/N with 1 <= K <= N, got '4/3'
        """
        if isinstance(value, Shard):
            return value
        found = _FORM.fullmatch(value) if isinstance(value, str) else None
        if found is None:
            shown = value if isinstance(value, str) else repr(value)
            raise ValidationError(f"shard: expected K/N with 1 <= K <= N, got '{shown}'")
        return cls(int(found[1]), int(found[2]))

    def holds(self, key: str) -> bool:
        """Whether the item with source key `key` falls in this slice."""
        return int(hashlib.sha256(str(key).encode()).hexdigest()[:16], 16) % self.count == self.index - 1

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


class ShardReader:
    """A source reader (a provider's transfer, or a VideoTransfer) that reads only `shard`'s items.

    `keys(project_id)`, when given, lists every source key cheaply (ids only): the other slices' keys then go
    to the wrapped reader's `skip`, so their annotations are never read and their reading losses never
    counted here. Pages are re-batched to `batch_size`; everything else is the wrapped reader's.
    """

    def __init__(self, reader: Any, shard: Shard, keys: Callable[[Id], Iterable[str]] | None = None) -> None:
        self.reader, self.shard, self.keys = reader, shard, keys

    def __getattr__(self, name: str) -> Any:  # fetch_media, present, find, preview, write, ...
        if name == "reader":  # not set yet (a copy being made): no recursion
            raise AttributeError(name)
        return getattr(self.reader, name)

    def count(self, project_id: Id) -> int:
        """An estimate of this slice's size, for the progress bar: the source's count over N, rounded up."""
        return math.ceil(self.reader.count(project_id) / self.shard.count)

    def read(self, project_id: Id, *, batch_size: int = 100, skip: Iterable[str] = ()) -> Iterator[Page]:
        """This slice's records with their annotations, `batch_size` a page (the last one may hold fewer)."""
        skipped = set(skip)
        if self.keys is not None:
            skipped.update(k for k in map(str, self.keys(project_id)) if not self.shard.holds(k))
        records: list[Record] = []
        report = FidelityReport()
        for page in self.reader.read(project_id, batch_size=batch_size, skip=skipped):
            records.extend(r for r in page.records if self.shard.holds(r.key))
            report.merge(page.report)
            while len(records) >= batch_size:
                yield Page(records[:batch_size], report)
                records, report = records[batch_size:], FidelityReport()
        if records:
            yield Page(records, report)
