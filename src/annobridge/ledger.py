"""The migration ledger: a SQLite file mapping source ids to target ids, so a rerun resumes.

A batch is written to the ledger as *pending* before it is sent to the target, and
marked *done* with its target ids after. A run killed between the two leaves the
batch pending; the next run reconciles it (asks the target which of those items it
already holds, by the source key annobridge wrote on each) instead of sending it
again, so nothing is duplicated. Only URLs are stored, never a token.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Iterable, Mapping

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    target_project TEXT,
    PRIMARY KEY (source, target)
);
CREATE TABLE IF NOT EXISTS entries (
    kind TEXT NOT NULL,
    source_id TEXT NOT NULL,
    target_id TEXT,
    batch INTEGER,
    state TEXT NOT NULL CHECK (state IN ('pending', 'done')),
    PRIMARY KEY (kind, source_id)
);
"""


class Ledger:
    """Source id -> target id, per kind of thing ("item", "job", "project"), for one source/target pair.

    >>> ledger = Ledger(":memory:", source="supervisely://a/projects/1", target="labelstudio://b")
    >>> batch = ledger.begin_batch("item", ["11", "12"])
    >>> ledger.finish_batch("item", {"11": "901", "12": "902"})
    >>> ledger.target_id("item", "12")
    '902'
    """

    def __init__(self, path: str | Path, *, source: str, target: str) -> None:
        self.path = str(path)
        self.source, self.target = source, target
        self._db = sqlite3.connect(self.path, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL" if self.path != ":memory:" else "PRAGMA journal_mode=MEMORY")
        self._db.executescript(_SCHEMA)
        with self._tx():
            self._db.execute("INSERT OR IGNORE INTO runs (source, target) VALUES (?, ?)", (source, target))
            known = self._db.execute("SELECT source, target FROM runs").fetchall()
        if len(known) > 1 or known[0] != (source, target):
            raise ValueError(
                f"ledger {self.path} belongs to {known[0][0]} -> {known[0][1]}, not {source} -> {target}"
            )

    def _tx(self):
        return _Transaction(self._db)

    def close(self) -> None:
        self._db.close()

    @property
    def target_project(self) -> str | None:
        """The target project this run writes into, once it exists."""
        return self._db.execute("SELECT target_project FROM runs").fetchone()[0]

    @target_project.setter
    def target_project(self, value: str) -> None:
        with self._tx():
            self._db.execute("UPDATE runs SET target_project = ?", (str(value),))

    def target_id(self, kind: str, source_id: object) -> str | None:
        """The target id `source_id` was carried to, or None if it is not done."""
        row = self._db.execute(
            "SELECT target_id FROM entries WHERE kind = ? AND source_id = ? AND state = 'done'",
            (kind, str(source_id)),
        ).fetchone()
        return row[0] if row else None

    def done(self, kind: str) -> dict[str, str]:
        """Every finished source id -> target id of `kind`."""
        rows = self._db.execute(
            "SELECT source_id, target_id FROM entries WHERE kind = ? AND state = 'done'", (kind,)
        )
        return dict(rows.fetchall())

    def todo(self, kind: str, source_ids: Iterable[object]) -> list[str]:
        """Those of `source_ids` not yet done (pending ones included: they need reconciling)."""
        ids = [str(i) for i in source_ids]
        finished = set(self.done(kind)) if ids else set()
        return [i for i in ids if i not in finished]

    def pending(self, kind: str) -> list[str]:
        """Source ids sent in a batch that never finished: the target may or may not hold them."""
        rows = self._db.execute("SELECT source_id FROM entries WHERE kind = ? AND state = 'pending'", (kind,))
        return [r[0] for r in rows.fetchall()]

    def begin_batch(self, kind: str, source_ids: Iterable[object]) -> int:
        """Record that these source ids are about to be sent; returns the batch number."""
        ids = [str(i) for i in source_ids]
        with self._tx():
            batch = self._db.execute("SELECT COALESCE(MAX(batch), 0) + 1 FROM entries").fetchone()[0]
            self._db.executemany(
                "INSERT INTO entries (kind, source_id, batch, state) VALUES (?, ?, ?, 'pending') "
                "ON CONFLICT (kind, source_id) DO UPDATE SET batch = excluded.batch WHERE state = 'pending'",
                [(kind, i, batch) for i in ids],
            )
        return batch

    def finish_batch(self, kind: str, mapping: Mapping[object, object]) -> None:
        """Record the target ids of a batch the target has accepted."""
        with self._tx():
            self._db.executemany(
                "INSERT INTO entries (kind, source_id, target_id, state) VALUES (?, ?, ?, 'done') "
                "ON CONFLICT (kind, source_id) DO UPDATE SET target_id = excluded.target_id, state = 'done'",
                [(kind, str(s), str(t)) for s, t in mapping.items()],
            )

    def forget_pending(self, kind: str, source_ids: Iterable[object]) -> None:
        """Drop pending entries the target turned out not to hold, so they are sent again."""
        with self._tx():
            self._db.executemany(
                "DELETE FROM entries WHERE kind = ? AND source_id = ? AND state = 'pending'",
                [(kind, str(i)) for i in source_ids],
            )

    def counts(self) -> dict[str, dict[str, int]]:
        """kind -> state -> how many, for reports."""
        out: dict[str, dict[str, int]] = {}
        with closing(self._db.execute("SELECT kind, state, COUNT(*) FROM entries GROUP BY kind, state")) as cur:
            for kind, state, n in cur:
                out.setdefault(kind, {})[state] = n
        return out


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on error: a batch is recorded whole or not at all."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type, exc, tb) -> None:
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")
