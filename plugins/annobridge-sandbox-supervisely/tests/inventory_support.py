"""The inventory test's registry: one call per answered SDK method, and the world the calls run in.

Call modules (inventory_calls_*.py) import these names package-relative (`from .inventory_support import call`).
A call prepares what it needs, then makes the one SDK call
under test inside `with world.sent():`, and asserts what the answer means.
"""

from __future__ import annotations

import contextlib
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

CALLS: dict[str, Callable[["World"], None]] = {}
SEED = dict(team=8, workspace=349, project=5555, dataset=10555, admin=7)  # the tutorial's ids the seed makes


def call(*names: str) -> Callable:
    """Register `function(world)` as the call of the inventory entries `names` ("group.method")."""

    def register(function: Callable[["World"], None]) -> Callable[["World"], None]:
        for name in names:
            assert name not in CALLS, f"two calls registered for {name}"
            CALLS[name] = function
        return function

    return register


@dataclass
class World:
    """A seeded sandbox of the inventory test's own: `api` (a real sly.Api), `handle`, the seed's ids."""

    api: Any
    handle: Any
    seed: dict = field(default_factory=lambda: dict(SEED))
    sent_by_call: Counter | None = None

    @staticmethod
    def unique(prefix: str = "inv") -> str:
        """A fresh name for a project, dataset, user..."""
        return f"{prefix}-{uuid.uuid4().hex[:8]}"

    @contextlib.contextmanager
    def sent(self) -> Iterator[Counter]:
        """Count the API methods sent inside the block: the call under test, checked against the inventory."""
        before = Counter(self.handle.calls)
        counted: Counter = Counter()
        try:
            yield counted
        finally:
            counted.update(Counter(self.handle.calls) - before)
            self.sent_by_call = (self.sent_by_call or Counter()) + counted
