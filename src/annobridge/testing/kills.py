"""Runs killed on purpose: Killed (as under SIGKILL) and the Fault a test arms to kill, lose or block a write.

A provider under test applies an armed Fault at its `at`-th write (the in-memory provider of the tests does so
itself; a real provider is wrapped by the test). The migration state machine (annobridge.testing.migration_machine)
draws them.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

__all__ = ["WRITES", "Fault", "Killed"]

WRITES = ("projects.create", "projects.delete", "projects.set_schema", "transfer.write")
"""The writes a fault counts by default: what a migration changes on its target. Other writes
(jobs.create, assignments.assign, reviews.set, annotations.write...) count when a fault names them in `ops`."""


class Killed(BaseException):
    """The run died here (a SIGKILL, a power cut): not an Exception, so nothing on the way catches it."""


@dataclass
class Fault:
    """What happens at the server's `at`-th write (counted from when the fault was armed).

    `when`: "before" (Killed, the write not applied), "after" (applied, then Killed before it
    returns), "partial" (a transfer.write applies the first half of its new items, then Killed;
    other writes behave as "after"), "lost" (applied, then Unavailable: the answer was lost),
    "unavailable" (Unavailable, not applied), or "block" (signal `reached`, wait for `release`,
    then apply as usual). `ops` limits which writes count (default: all of WRITES).
    """

    at: int
    when: str = "before"
    ops: tuple[str, ...] = WRITES
    reached: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    fired: str | None = None  # the op it fired at
    seen: int = 0

    def __post_init__(self) -> None:
        if self.when not in ("before", "after", "partial", "lost", "unavailable", "block"):
            raise ValueError(f"unknown fault {self.when!r}")
