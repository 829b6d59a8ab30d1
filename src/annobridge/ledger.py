"""The migration ledger: a SQLite file mapping source ids to target ids, bound to one migration, so a rerun resumes.

A ledger serves exactly one migration: its `Binding` (source backend and project, target
backend and project, media mode) is written when the first run starts and checked, before
anything is written, by every later run: a file that is not a ledger, or a ledger of another
migration, is refused in one line and left as it was.

A batch is written to the ledger as *pending* before it is sent to the target, and
marked *done* with its target ids after. A run killed between the two leaves the
batch pending; the next run reconciles it (asks the target which of those items it
already holds, by the source key annobridge wrote on each) instead of sending it
again, so nothing is duplicated. Only URLs are stored, never a token.

It also keeps the migration's report (format 3): the part of the report a batch produced (its
counts, conversion losses and users, as JSON) is stored in the transaction that marks the batch
done, so a kill can never leave a batch done without its counts, nor count one twice; and each run
is recorded (its number, start, end if it ended, and what it counted outside its batches). A
ledger of format 2 still resumes: the tables are added when a run starts writing into it, and
what it had carried before is then named as not counted (`History.uncounted`).
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Mapping

from .errors import ValidationError
from .sqlite_files import reading, tables

__all__ = ["Binding", "History", "Ledger", "RunRecord", "mismatch", "read_binding", "read_history"]

FORMAT, VERSION = "annobridge-ledger", "3"
RESUMES = ("2", VERSION)  # format 2 kept no counts: upgraded when a run starts writing into it

_SCHEMA = """
CREATE TABLE IF NOT EXISTS ledger (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries (
    kind TEXT NOT NULL,
    source_id TEXT NOT NULL,
    target_id TEXT,
    batch INTEGER,
    state TEXT NOT NULL CHECK (state IN ('pending', 'done')),
    PRIMARY KEY (kind, source_id)
);
CREATE TABLE IF NOT EXISTS migration_runs (
    number INTEGER PRIMARY KEY,
    started TEXT NOT NULL,
    ended TEXT,
    part TEXT,
    summary TEXT
);
CREATE TABLE IF NOT EXISTS batch_reports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run INTEGER,
    kind TEXT NOT NULL,
    part TEXT NOT NULL
);
"""
# migration_runs.part: what the run counted outside its batches (the schema's losses, work the ledger does not
# record); summary: the run's own figures, written when it ends. batch_reports.part: one finished batch's counts.


@dataclass(frozen=True)
class Binding:
    """The one migration a ledger serves: canonical backend URLs, the source project's id,
    the target project as the first run named it (a name or an id), and the media mode.
    `migration` is a random id the first run draws, written into the description of the project it
    makes, so that a rerun knows that project (and no other of the same name) for its own;
    `target_project_id` is what the ledger recorded once the target existed. Neither is part of the identity.
    `shard` ("K/N", or "" for the whole source) is: each shard of a sharded migration has a ledger of its own, and
    a ledger written before shards existed reads as unsharded. A sharded migration's id is not random but the same
    for its N shards (shards.py), so that each knows the project any of them made.

    >>> Binding("supervisely+http://127.0.0.1:8000", "5555", "labelstudio+http://127.0.0.1:8080", "Lemons", "copy")
    ... # doctest: +ELLIPSIS
    Binding(source='supervisely+http://127.0.0.1:8000', source_project='5555', ...)
    """

    source: str
    source_project: str
    target: str
    target_project: str
    media: str
    shard: str = ""
    migration: str = field(default="", compare=False)
    target_project_id: str | None = field(default=None, compare=False)

    @property
    def marker(self) -> str:
        """The line a project this migration makes carries in its description."""
        return f"Migrated by annobridge from {self.source} project {self.source_project} (migration {self.migration})"

    def describe(self) -> str:
        """The migration in words, for messages."""
        sharded = f", shard {self.shard}" if self.shard else ""
        return (
            f"{self.source} project {self.source_project} -> {self.target} project {self.target_project!r} "
            f"(media {self.media}{sharded})"
        )


def read_binding(path: str | Path) -> Binding | None:
    """The binding of the ledger at `path`, None if there is no file; reads only, never writes.

    Anything at `path` that is not an annobridge ledger (a directory, another SQLite file, text,
    a truncated or corrupt file, a ledger of an older format) is a ValidationError in one line.

    >>> read_binding("/nonexistent-dir/ledger.sqlite")
    Traceback (most recent call last):
    ...
    annobridge.errors.ValidationError: ledger /nonexistent-dir/ledger.sqlite: the directory /nonexistent-dir does not exist
    """
    if str(path) == ":memory:":
        return None
    with reading(path, "ledger") as db:
        return None if db is None else _checked(db, path)[0]


def _checked(db: sqlite3.Connection, path: str | Path) -> tuple[Binding, dict[str, str]]:
    """The binding of the ledger open as `db`, and its key/value table; refuses what is not a ledger it can read."""
    found = tables(db)
    values = dict(db.execute("SELECT key, value FROM ledger").fetchall()) if "ledger" in found else {}
    if "runs" in found and not values:
        raise ValidationError(
            f"ledger: {path} was written by annobridge 0.1 (format 1), which this version cannot resume; pass a new "
            "--ledger with --into-existing --target-project ID: the target's items carry their source keys, "
            "so only what is missing is added"
        )
    if values.get("format") != FORMAT:
        raise ValidationError(f"ledger: {path} is a SQLite file but not an annobridge ledger; pass another --ledger")
    if values.get("version") not in RESUMES:
        raise ValidationError(
            f"ledger: {path} has ledger format {values.get('version')}; this annobridge reads {' and '.join(RESUMES)}"
        )
    try:
        identity = {f.name: values[f.name] for f in fields(Binding) if f.compare and f.name != "shard"}
        identity["shard"] = values.get("shard", "")  # a ledger from before shards: the whole source
        binding = Binding(**identity, migration=values["migration"], target_project_id=values.get("target_project_id"))
    except KeyError as exc:
        raise ValidationError(f"ledger: {path} lacks its {exc.args[0]} binding; it is not a complete ledger") from None
    return binding, values


@dataclass(frozen=True)
class RunRecord:
    """One run of a migration as its ledger recorded it: number, start and end (UTC, ISO 8601; no end: the run was
    killed or failed), what it counted outside its batches and its own figures (JSON texts, None if not written)."""

    number: int
    started: str
    ended: str | None
    part: str | None
    summary: str | None


@dataclass(frozen=True)
class History:
    """What a ledger holds of its migration's report: the binding, the runs, every finished batch's part (JSON
    texts, in the order the batches finished), and what runs before the ledger kept counts carried, by entry kind."""

    binding: Binding
    runs: list[RunRecord]
    parts: list[str]
    uncounted: dict[str, int]
    upgraded: bool  # a format 2 ledger a later run upgraded

    def last_summary(self) -> dict:
        """The figures the last run wrote as it ended ({} if it did not end)."""
        last = self.runs[-1] if self.runs else None
        return json.loads(last.summary) if last is not None and last.summary else {}


def read_history(path: str | Path) -> History:
    """The report history of the ledger at `path`, read-only: the file is left byte for byte as it was.

    No file at `path`, or one that is not a ledger, is a ValidationError in one line (as read_binding says).

    >>> read_history("/nonexistent-dir/ledger.sqlite")
    Traceback (most recent call last):
    ...
    annobridge.errors.ValidationError: ledger /nonexistent-dir/ledger.sqlite: the directory /nonexistent-dir does not exist
    """
    with reading(path, "ledger") as db:
        if db is None:
            raise ValidationError(f"ledger: there is no ledger at {path}")
        binding, values = _checked(db, path)
        return _history(db, binding, values)


def _history(db: sqlite3.Connection, binding: Binding, values: Mapping[str, str]) -> History:
    if values.get("version") != VERSION:  # format 2, not upgraded yet: no counts, everything done is uncounted
        rows = db.execute("SELECT kind, COUNT(*) FROM entries WHERE state = 'done' GROUP BY kind").fetchall()
        return History(binding, [], [], dict(rows), upgraded=False)
    runs = [RunRecord(*row) for row in db.execute(
        "SELECT number, started, ended, part, summary FROM migration_runs ORDER BY number"
    )]
    parts = [row[0] for row in db.execute("SELECT part FROM batch_reports ORDER BY id")]
    uncounted = json.loads(values.get("uncounted", "{}"))
    return History(binding, runs, parts, uncounted, upgraded="upgraded_from" in values)


def mismatch(path: str | Path, known: Binding, wanted: Binding) -> ValidationError:
    """The one-line refusal of a ledger bound to `known` for the migration `wanted`, naming both."""
    if replace(known, shard=wanted.shard) == wanted:  # the same migration, another slice of it
        return ValidationError(
            f"ledger: {path} is the ledger of {_slice(known)} of the migration {replace(known, shard='').describe()}, "
            f"not of {_slice(wanted)}; each shard has a ledger of its own: pass another --ledger for this one"
        )
    return ValidationError(
        f"ledger: {path} belongs to the migration {known.describe()}, not {wanted.describe()}; "
        "pass another --ledger for this one"
    )


def _slice(binding: Binding) -> str:
    return f"shard {binding.shard}" if binding.shard else "the unsharded run"


class Ledger:
    """Source id -> target id, per kind of thing ("item", "job"), for the one migration `binding` names.

    Opening checks the file first (read_binding) and refuses a ledger of another migration
    before writing anything; a new file is created and bound.

    >>> b = Binding("supervisely://a", "1", "labelstudio://b", "Lemons", "copy")
    >>> ledger = Ledger(":memory:", b)
    >>> batch = ledger.begin_batch("item", ["11", "12"])
    >>> ledger.finish_batch("item", {"11": "901", "12": "902"})
    >>> ledger.target_id("item", "12")
    '902'
    """

    def __init__(self, path: str | Path, binding: Binding) -> None:
        self.path = str(path)
        self.binding = binding
        known = read_binding(path)
        if known is not None and known != binding:
            raise mismatch(path, known, binding)
        self._db = sqlite3.connect(self.path, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL" if self.path != ":memory:" else "PRAGMA journal_mode=MEMORY")
        if known is None:
            with self._tx():  # the tables and the binding, whole or not at all
                for statement in filter(str.strip, _SCHEMA.split(";")):
                    self._db.execute(statement)
                bound = {f.name: getattr(binding, f.name) for f in fields(Binding) if f.name != "target_project_id"}
                pairs = {"format": FORMAT, "version": VERSION} | bound
                self._db.executemany("INSERT INTO ledger (key, value) VALUES (?, ?)", pairs.items())
        self._current = self._value("version") == VERSION  # False: format 2, upgraded when a run starts writing
        self._run: int | None = None  # the run this process began, if any

    @classmethod
    def existing(cls, path: str | Path) -> Ledger:
        """The ledger already at `path`, opened for the migration it is bound to (to read or resume it)."""
        binding = read_binding(path)
        if binding is None:
            raise ValidationError(f"ledger: there is no ledger at {path}")
        return cls(path, binding)

    def _tx(self):
        return _Transaction(self._db)

    def close(self) -> None:
        self._db.close()

    def _value(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM ledger WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _upgrade(self) -> None:
        """Within a transaction: a format 2 ledger gets the report tables, and notes what it carried uncounted."""
        if self._current:
            return
        for statement in filter(str.strip, _SCHEMA.split(";")):
            self._db.execute(statement)
        done = self._db.execute("SELECT kind, COUNT(*) FROM entries WHERE state = 'done' GROUP BY kind").fetchall()
        self._db.execute("UPDATE ledger SET value = ? WHERE key = 'version'", (VERSION,))
        self._db.executemany(
            "INSERT OR REPLACE INTO ledger (key, value) VALUES (?, ?)",
            [("upgraded_from", "2"), ("uncounted", json.dumps(dict(done)))],
        )
        self._current = True

    def begin_run(self, part: str | None = None) -> int:
        """Record that a run starts (upgrading a format 2 ledger first); `part` is what it counts outside its
        batches as far as it knows at its start (JSON). Returns the run's number: 1, 2, ..."""
        with self._tx():
            self._upgrade()
            number = self._db.execute("SELECT COALESCE(MAX(number), 0) + 1 FROM migration_runs").fetchone()[0]
            self._db.execute(
                "INSERT INTO migration_runs (number, started, part) VALUES (?, ?, ?)", (number, _now(), part)
            )
        self._run = number
        return number

    def end_run(self, number: int, part: str, summary: str) -> None:
        """Record that run `number` ended, with what it counted outside its batches and its own figures (JSON)."""
        with self._tx():
            self._db.execute(
                "UPDATE migration_runs SET ended = ?, part = ?, summary = ? WHERE number = ?",
                (_now(), part, summary, number),
            )

    def history(self) -> History:
        """The report history this ledger holds (runs, finished batches' parts), as read_history gives it."""
        return _history(self._db, *_checked(self._db, self.path))

    @property
    def target_project_id(self) -> str | None:
        """The id of the target project this migration writes into, once it exists."""
        row = self._db.execute("SELECT value FROM ledger WHERE key = 'target_project_id'").fetchone()
        return row[0] if row else None

    @target_project_id.setter
    def target_project_id(self, value: object) -> None:
        known = self.target_project_id
        if known is not None and known != str(value):
            raise ValidationError(f"ledger: {self.path} writes into target project {known}, not {value}")
        with self._tx():
            self._db.execute("INSERT OR IGNORE INTO ledger (key, value) VALUES ('target_project_id', ?)", (str(value),))

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

    def finish_batch(self, kind: str, mapping: Mapping[object, object], part: str | None = None) -> None:
        """Record the target ids of a batch the target has accepted, and `part`, the report part it produced
        (JSON), in the same transaction; a batch whose every entry is done already is not counted again."""
        pairs = [(kind, str(s), str(t)) for s, t in mapping.items()]
        with self._tx():
            if part is not None:
                self._upgrade()
                if not pairs or self._count_done(kind, [s for _, s, _ in pairs]) < len(pairs):
                    self._db.execute(
                        "INSERT INTO batch_reports (run, kind, part) VALUES (?, ?, ?)", (self._run, kind, part)
                    )
            self._db.executemany(
                "INSERT INTO entries (kind, source_id, target_id, state) VALUES (?, ?, ?, 'done') "
                "ON CONFLICT (kind, source_id) DO UPDATE SET target_id = excluded.target_id, state = 'done'",
                pairs,
            )

    def _count_done(self, kind: str, source_ids: list[str]) -> int:
        """How many of `source_ids` are done (asked 500 at a time: SQLite bounds the parameters of a statement)."""
        done = 0
        for start in range(0, len(source_ids), 500):
            chunk = source_ids[start : start + 500]
            done += self._db.execute(
                f"SELECT COUNT(*) FROM entries WHERE kind = ? AND state = 'done' AND source_id IN "
                f"({','.join('?' * len(chunk))})",
                [kind, *chunk],
            ).fetchone()[0]
        return done

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


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on error: a batch is recorded whole or not at all."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type, exc, tb) -> None:
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")
