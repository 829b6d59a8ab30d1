"""Machine-wide locks: two migrations never use one ledger or target at once, and some steps never run side by side."""

from __future__ import annotations

import hashlib
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from .errors import Conflict

__all__ = ["hold", "lock_dir"]


def lock_dir() -> Path:
    """Where the lock files live: ANNOBRIDGE_LOCK_DIR, else annobridge's user cache directory.

    >>> lock_dir().name
    'locks'
    """
    configured = os.environ.get("ANNOBRIDGE_LOCK_DIR")
    if configured:
        return Path(configured)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("annobridge")) / "locks"


@contextmanager
def hold(key: str, what: str, *, wait: float = 0) -> Iterator[None]:
    """Hold the lock named `key` for the block; Conflict naming `what` if another process (or thread) still holds it
    after `wait` seconds.

    By default it never waits: a second migration into the same target is refused in one line, not queued. A step
    that must only never overlap (see TargetChooser.create) waits its turn.

    >>> with hold("target labelstudio://ls.example.com 'Lemons'", "target project 'Lemons'"):
    ...     pass
    """
    from filelock import FileLock, Timeout

    folder = lock_dir()
    folder.mkdir(parents=True, exist_ok=True)
    lock = FileLock(folder / f"{hashlib.sha256(key.encode()).hexdigest()[:32]}.lock", timeout=wait, thread_local=False)
    try:
        lock.acquire()
    except Timeout:
        raise Conflict(f"{what} is in use by another migration running now; run again when it has finished") from None
    try:
        yield
    finally:
        lock.release()
