"""Waiting for work a Label Studio server finishes in the background (imports, bulk assignments): one polling loop."""

from __future__ import annotations

import time
from typing import Any, Callable, TypeVar

from annobridge.errors import BackendError, TimedOut

__all__ = ["IMPORT_TIMEOUT", "finished_import", "wait_for"]

IMPORT_TIMEOUT = 600.0  # seconds an import may take in the server's background

T = TypeVar("T")


def wait_for(step: Callable[[], T | None], what: str, timeout: float, *, first: float = 0.2, longest: float = 5.0) -> T:
    """Call `step` until it returns something other than None, sleeping `first` seconds, then 1.6 times longer each
    round up to `longest`; TimedOut naming `what` once `timeout` seconds have passed.

    >>> answers = iter([None, None, "done"])
    >>> wait_for(lambda: next(answers), "the import", 10, first=0)
    'done'
    >>> wait_for(lambda: None, "import 7 into project 3", 0, first=0)
    Traceback (most recent call last):
    annobridge.errors.TimedOut: import 7 into project 3 not done after 0s
    """
    deadline, delay = time.monotonic() + timeout, first
    while True:
        found = step()
        if found is not None:
            return found
        if time.monotonic() >= deadline:
            raise TimedOut(f"{what} not done after {timeout:g}s")
        time.sleep(delay)
        delay = min(max(delay, 0.05) * 1.6, longest)


def finished_import(conn: Any, pid: int, answer: dict[str, Any], timeout: float = IMPORT_TIMEOUT) -> dict[str, Any]:
    """What an import into project `pid` made: `answer` itself where the server imported at once (Community);
    where it answered `{"import": id}` (every other edition, data_import/api.py), the ProjectImport read back
    until "completed" (task_ids, file_upload_ids, counts). BackendError if it failed."""
    if "import" not in answer:
        return answer
    import_id = answer["import"]

    def done() -> dict[str, Any] | None:
        status = conn.request(
            "GET", f"api/projects/{pid}/imports/{import_id}/", f"polling import {import_id} of project {pid}"
        ).json()
        if status.get("status") == "failed":
            raise BackendError(f"import into project {pid} failed on {conn.server}: {status.get('error')}")
        return status if status.get("status") == "completed" else None

    return wait_for(done, f"import {import_id} into project {pid}", timeout)
