"""Reading a SQLite file the user named (a ledger, a sandbox's data) without changing it, refusing one that is not sound."""

from __future__ import annotations

import sqlite3
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Iterator

from .errors import ValidationError

__all__ = ["reading", "tables"]


@contextmanager
def reading(path: str | Path, what: str) -> Iterator[sqlite3.Connection | None]:
    """A read-only connection to the sound SQLite file at `path`, or None if there is no file yet.

    A directory, a file in a missing directory, and a file that is not a whole SQLite database
    (random bytes, text, a truncated copy) are a ValidationError naming `what` in one line. Nothing
    is written: the file is opened read-only, and the side files SQLite makes to read it go again.

    >>> with reading("/no/such/dir/ledger.sqlite", "ledger") as db:
    ...     pass
    Traceback (most recent call last):
    annobridge.errors.ValidationError: ledger /no/such/dir/ledger.sqlite: the directory /no/such/dir does not exist
    """
    path = Path(path)
    if "\x00" in str(path):
        raise ValidationError(f"{what} {str(path)!r}: holds a NUL character")
    if not path.parent.is_dir():
        raise ValidationError(f"{what} {path}: the directory {path.parent} does not exist")
    if path.is_dir():
        raise ValidationError(f"{what} {path}: is a directory, not a file")
    if not path.exists():
        yield None
        return
    side = [Path(f"{path}{suffix}") for suffix in ("-wal", "-shm")]
    made = [p for p in side if not p.exists()]
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
            verdict = db.execute("PRAGMA quick_check").fetchone()[0]
            if verdict != "ok":
                raise sqlite3.DatabaseError(verdict)
            yield db
    except sqlite3.Error as exc:
        raise ValidationError(f"{what} {path}: not a SQLite database, or a truncated or damaged one ({exc})") from None
    except OSError as exc:
        raise ValidationError(f"{what} {path}: cannot be read ({exc.strerror or exc})") from None
    finally:
        for leftover in made:
            leftover.unlink(missing_ok=True)


def tables(db: sqlite3.Connection) -> set[str]:
    """The names of the tables in `db`."""
    return {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
