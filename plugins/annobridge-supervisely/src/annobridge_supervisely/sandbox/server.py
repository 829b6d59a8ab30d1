"""Running the sandbox: in a background thread for tests (running_sandbox) or in the foreground (serve)."""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

import uvicorn
from starlette.applications import Starlette

from .app import DEFAULT_TOKEN, create_app
from .store import Store


@dataclass
class SandboxHandle:
    """A running sandbox: where it listens, its token, its app, store and per-method request counts."""

    server_address: str
    token: str
    app: Starlette

    @property
    def store(self) -> Store:
        """The SQLite store behind the app (for the lifecycle functions and direct checks)."""
        return self.app.state.store

    @property
    def calls(self) -> Counter:
        """How many requests each API method has had, e.g. calls["jobs.info"]."""
        return self.app.state.calls

    def __repr__(self) -> str:  # never show the token
        return f"SandboxHandle(server_address={self.server_address!r})"


def _bind(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock


@contextmanager
def running_sandbox(port: int = 0, token: str = DEFAULT_TOKEN, db_path: str | None = None) -> Iterator[SandboxHandle]:
    """Serve a seeded sandbox on 127.0.0.1 (a free port when 0) in a background thread until the block ends.

    >>> with running_sandbox() as sb:
    ...     sb.server_address.startswith("http://127.0.0.1:")
    True
    """
    app = create_app(db_path=db_path, token=token)
    sock = _bind("127.0.0.1", port)
    config = uvicorn.Config(app, log_level="error", lifespan="off", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="supervisely-sandbox", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise RuntimeError("the Supervisely sandbox did not start")
        time.sleep(0.01)
    try:
        yield SandboxHandle(f"http://127.0.0.1:{sock.getsockname()[1]}", token, app)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        app.state.store.close()


def serve(host: str = "127.0.0.1", port: int = 8000, token: str = DEFAULT_TOKEN, db_path: str | None = None) -> None:
    """Serve the sandbox in the foreground; first prints the two lines for ~/supervisely.env.

    The token is printed on purpose (it is the one you chose, or the offline demo token) and
    is never written to the access log, which shows methods and paths only.
    """
    app = create_app(db_path=db_path, token=token)
    sock = _bind(host, port)
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
    print(f"SERVER_ADDRESS=http://{shown}:{sock.getsockname()[1]}", flush=True)
    print(f"API_TOKEN={token}", flush=True)
    server = uvicorn.Server(uvicorn.Config(app, log_level="info", lifespan="off"))
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn re-raises Ctrl+C after its clean shutdown
        pass
    finally:
        sock.close()
