"""Server-side request counting for benchmarks: a Supervisely sandbox that counts every request, and the LS access log.

Both count on the server, so every way of talking to it (annobridge, the SDKs, plain httpx or
requests, image downloads through storage links) is counted the same way.

    >>> with counting_sandbox("/tmp/bench.sqlite") as sandbox:            # doctest: +SKIP
    ...     before = sandbox.requests
"""

from __future__ import annotations

import re
import resource
import socket
import threading
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator


@dataclass
class CountingSandbox:
    """A running sandbox: address, token, and every HTTP request it answered (`requests`, `by_path`)."""

    server_address: str
    token: str = field(repr=False)
    by_path: Counter = field(default_factory=Counter)

    @property
    def requests(self) -> int:
        """HTTP requests answered so far, API methods and image storage links alike."""
        return sum(self.by_path.values())


def _counting(app: Any, counts: Counter) -> Any:
    """ASGI middleware: count each HTTP request by its first path segment after the API prefix."""

    async def middleware(scope, receive, send):
        if scope["type"] == "http":
            path = scope["path"]
            counts[path.rsplit("/", 1)[-1] if "/public/api/" in path else "storage link"] += 1
        await app(scope, receive, send)

    return middleware


@contextmanager
def counting_sandbox(db_path: str | Path) -> Iterator[CountingSandbox]:
    """The Supervisely sandbox over `db_path` on a free 127.0.0.1 port, in a thread, counting every request."""
    import uvicorn
    from annobridge_sandbox_supervisely import DEFAULT_TOKEN, create_app

    app = create_app(db_path=str(db_path), token=DEFAULT_TOKEN)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    handle = CountingSandbox(f"http://127.0.0.1:{sock.getsockname()[1]}", DEFAULT_TOKEN)
    config = uvicorn.Config(_counting(app, handle.by_path), log_level="error", lifespan="off", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="bench-sandbox", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the Supervisely sandbox did not start")
        time.sleep(0.01)
    try:
        yield handle
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        app.state.store.close()


# Label Studio's Django dev server logs every request through "django.server"; its logging config
# sends each record to the 'django' logger's console handler and again to root's, so twice.
_REQUEST_LINE = re.compile(rb"\[django\.server::log_message::\d+\] \[\w+\] \"[A-Z]+ ")
_COPIES = 2


class LabelStudioLog:
    """Requests a Label Studio server has answered, read from its log file (LocalLabelStudio.log_path).

    >>> log = LabelStudioLog(server.log_path); start = log.settled()      # doctest: +SKIP
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def count(self) -> int:
        """Requests logged so far."""
        lines = len(_REQUEST_LINE.findall(self.path.read_bytes()))
        return lines // _COPIES

    def settled(self, quiet: float = 0.5, timeout: float = 30.0) -> int:
        """The count once it has not moved for `quiet` seconds (the server logs after it answers)."""
        deadline, last, since = time.monotonic() + timeout, self.count(), time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.1)
            now = self.count()
            if now != last:
                last, since = now, time.monotonic()
            elif time.monotonic() - since >= quiet:
                break
        return last


def peak_rss_mb() -> float:
    """This process's peak resident set size so far, in MiB (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    """This process's resident set size now, in MiB."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() / 2**20
