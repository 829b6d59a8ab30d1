"""SQLite state of the Supervisely sandbox: schema, JSON columns, and one lock-guarded transaction per request.

Every table is created when a Store opens, with CREATE TABLE IF NOT EXISTS, so a database file
made by an older sandbox gets the tables it lacks. The core tables are `SCHEMA` below; a module
that owns tables of its own (archiving, tasks, videos...) declares them in a module-level `TABLES`
string and is named in `TABLE_MODULES`, so its SQL stays next to the code that uses it.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from contextlib import contextmanager
from datetime import datetime, timezone
from importlib import import_module
from pathlib import Path
from typing import Any, Iterator

SCHEMA = """
CREATE TABLE IF NOT EXISTS roles (
    id INTEGER PRIMARY KEY, role TEXT NOT NULL, created_at TEXT, updated_at TEXT);
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY AUTOINCREMENT, login TEXT NOT NULL UNIQUE, password TEXT,
    name TEXT, email TEXT, role TEXT, role_id INTEGER, is_restricted INTEGER DEFAULT 0,
    disabled INTEGER DEFAULT 0, logins INTEGER DEFAULT 0, last_login TEXT,
    created_at TEXT, updated_at TEXT);
CREATE TABLE IF NOT EXISTS teams (
    id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, description TEXT,
    created_at TEXT, updated_at TEXT);
CREATE TABLE IF NOT EXISTS members (
    team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role_id INTEGER NOT NULL REFERENCES roles(id), PRIMARY KEY (team_id, user_id));
CREATE TABLE IF NOT EXISTS workspaces (
    id INTEGER PRIMARY KEY AUTOINCREMENT, team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    name TEXT NOT NULL, description TEXT, created_at TEXT, updated_at TEXT);
CREATE TABLE IF NOT EXISTS projects (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name TEXT NOT NULL, description TEXT, readme TEXT, type TEXT, custom_data TEXT, settings TEXT,
    created_by INTEGER, created_at TEXT, updated_at TEXT);
CREATE TABLE IF NOT EXISTS obj_classes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tag_metas (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS datasets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    parent_id INTEGER REFERENCES datasets(id) ON DELETE CASCADE,
    name TEXT NOT NULL, description TEXT, custom_data TEXT, created_by INTEGER,
    created_at TEXT, updated_at TEXT);
CREATE TABLE IF NOT EXISTS blobs (
    hash TEXT PRIMARY KEY, data BLOB NOT NULL, mime TEXT, width INTEGER, height INTEGER,
    size INTEGER);
CREATE TABLE IF NOT EXISTS images (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    name TEXT NOT NULL, hash TEXT NOT NULL REFERENCES blobs(hash), meta TEXT, description TEXT,
    ann_extra TEXT, created_by INTEGER, created_at TEXT, updated_at TEXT);
CREATE TABLE IF NOT EXISTS image_tags (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    tag_id INTEGER NOT NULL REFERENCES tag_metas(id) ON DELETE CASCADE,
    value TEXT, labeler_login TEXT, created_at TEXT, updated_at TEXT);
CREATE TABLE IF NOT EXISTS figures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    class_id INTEGER NOT NULL REFERENCES obj_classes(id) ON DELETE CASCADE,
    geometry_type TEXT NOT NULL, geometry TEXT NOT NULL, description TEXT, extra TEXT,
    labeler_login TEXT, created_at TEXT, updated_at TEXT);
CREATE TABLE IF NOT EXISTS figure_tags (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    figure_id INTEGER NOT NULL REFERENCES figures(id) ON DELETE CASCADE,
    tag_id INTEGER NOT NULL REFERENCES tag_metas(id) ON DELETE CASCADE,
    value TEXT, labeler_login TEXT, created_at TEXT, updated_at TEXT);
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, readme TEXT, description TEXT,
    dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    created_by INTEGER, assigned_to INTEGER, reviewer_id INTEGER,
    created_at TEXT, started_at TEXT, finished_at TEXT, status TEXT NOT NULL,
    disabled INTEGER DEFAULT 0, priority INTEGER DEFAULT 2, meta TEXT NOT NULL, custom_data TEXT);
CREATE TABLE IF NOT EXISTS job_entities (
    job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    review_status TEXT NOT NULL DEFAULT 'none', touched INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (job_id, image_id));
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT, team_id INTEGER, user_id INTEGER, action TEXT NOT NULL,
    date TEXT NOT NULL, project_id INTEGER, dataset_id INTEGER, image_id INTEGER, class_id INTEGER,
    figure_id INTEGER, job_id INTEGER, tag_id INTEGER, meta TEXT);
-- lookups by parent: without them every page, count and cascade scans the whole child table
CREATE INDEX IF NOT EXISTS images_by_dataset ON images(dataset_id, name);
CREATE INDEX IF NOT EXISTS datasets_by_project ON datasets(project_id);
CREATE INDEX IF NOT EXISTS figures_by_image ON figures(image_id);
CREATE INDEX IF NOT EXISTS image_tags_by_image ON image_tags(image_id);
CREATE INDEX IF NOT EXISTS figure_tags_by_figure ON figure_tags(figure_id);
CREATE INDEX IF NOT EXISTS job_entities_by_image ON job_entities(image_id);
"""

TABLE_MODULES = (
    "archive", "figure_archive", "image_embeddings", "image_links", "project_embeddings", "project_meta",
    "tag_custom_data", "tasks", "task_data", "teams", "video_files", "video_store", "workspaces",
)
"""Sandbox modules whose `TABLES` a Store creates after `SCHEMA` when it opens."""


SANDBOX_TABLES = frozenset({"users", "teams", "workspaces", "projects", "datasets", "images", "jobs"})
"""Tables a file must already hold to be taken for a sandbox database (a fresh or empty file gets them all)."""


def check_data_file(path: str | Path) -> None:
    """Refuse, in one line and before anything is written to it, a file the sandbox cannot keep its state in.

    A missing file (in an existing directory) or an empty one is a fresh database; an existing
    one must be a sound SQLite file with the sandbox's tables. Another SQLite file, random bytes
    or a damaged database are left exactly as they were.

    >>> check_data_file("/no/such/dir/sandbox.sqlite")
    Traceback (most recent call last):
    annobridge.errors.ValidationError: sandbox data file /no/such/dir/sandbox.sqlite: the directory /no/such/dir does not exist
    """
    from annobridge.errors import ValidationError
    from annobridge.sqlite_files import reading, tables

    if not str(path).strip():
        raise ValidationError(f"sandbox data file {str(path)!r}: a file name is needed")
    with reading(path, "sandbox data file") as db:
        found = SANDBOX_TABLES if db is None else tables(db)
    missing = sorted(SANDBOX_TABLES - found) if found else []  # an empty file is a fresh database
    if missing:
        raise ValidationError(
            f"sandbox data file {path}: a SQLite file, but not a sandbox database (it has no {', '.join(missing)} table)"
        )


def now() -> str:
    """The current UTC time the way Supervisely writes it: '2022-10-05T08:42:30.588Z'."""
    stamp = datetime.now(timezone.utc)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"


def dumps(value: Any) -> str | None:
    """JSON text for a JSON column (None stays NULL)."""
    return None if value is None else json.dumps(value)


def loads(text: str | None, default: Any = None) -> Any:
    """The value of a JSON column, or `default` for NULL."""
    return default if text is None else json.loads(text)


class Store:
    """One SQLite connection (a file, or memory when `path` is None) shared by all requests.

    >>> store = Store()
    >>> with store.transaction():
    ...     _ = store.execute("INSERT INTO teams (name) VALUES (?)", ("t",))
    >>> store.one("SELECT name FROM teams")["name"]
    't'
    """

    def __init__(self, path: str | Path | None = None):
        if path is not None and str(path) != ":memory:":
            check_data_file(path)  # before connecting: a file that is not the sandbox's stays as it was
        self.path = str(path) if path is not None else ":memory:"
        # requests arrive on the server thread, seeding and test helpers on others: one lock for all
        self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        self._depth = 0
        self.rows_read = 0  # rows every query has returned, so tests can see what a request reads
        self._conn.execute("PRAGMA foreign_keys = ON")
        self._conn.executescript(SCHEMA)
        for name in TABLE_MODULES:  # imported here, not at the top: each of them imports this module
            self._conn.executescript(import_module(f".{name}", __package__).TABLES)

    @contextmanager
    def transaction(self) -> Iterator["Store"]:
        """Run the block atomically; nested blocks join the outer one."""
        with self._lock:
            self._depth += 1
            if self._depth == 1:
                self._conn.execute("BEGIN")
            try:
                yield self
            except BaseException:
                if self._depth == 1:
                    self._conn.execute("ROLLBACK")
                raise
            else:
                if self._depth == 1:
                    self._conn.execute("COMMIT")
            finally:
                self._depth -= 1

    def execute(self, sql: str, args: tuple | list = ()) -> int:
        """Run one statement; returns the last inserted row id."""
        with self._lock:
            return self._conn.execute(sql, args).lastrowid

    def rows(self, sql: str, args: tuple | list = ()) -> list[dict]:
        """All rows of a query, as dicts."""
        with self._lock:
            rows = [dict(row) for row in self._conn.execute(sql, args).fetchall()]
            self.rows_read += len(rows)
        return rows

    def one(self, sql: str, args: tuple | list = ()) -> dict | None:
        """The first row of a query, or None."""
        with self._lock:
            row = self._conn.execute(sql, args).fetchone()
            self.rows_read += row is not None
        return None if row is None else dict(row)

    def scalar(self, sql: str, args: tuple | list = ()) -> Any:
        """The first column of the first row, or None."""
        row = self.one(sql, args)
        return None if row is None else next(iter(row.values()))

    def is_empty(self) -> bool:
        """True until the first user exists (a fresh file or memory database)."""
        return self.scalar("SELECT COUNT(*) FROM users") == 0

    def set_next_id(self, table: str, next_id: int) -> None:
        """Make the next AUTOINCREMENT id of `table` at least `next_id` (ids look like a real instance's)."""
        with self._lock:
            current = self.scalar("SELECT seq FROM sqlite_sequence WHERE name = ?", (table,))
            if current is None:
                self._conn.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (table, next_id - 1))
            elif current < next_id - 1:
                self._conn.execute("UPDATE sqlite_sequence SET seq = ? WHERE name = ?", (next_id - 1, table))

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()
