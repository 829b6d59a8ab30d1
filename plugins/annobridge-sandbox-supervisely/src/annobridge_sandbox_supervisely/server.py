"""Running the sandbox: in a background thread for tests (running_sandbox) or in the foreground (serve)."""

from __future__ import annotations

import errno
import socket
import threading
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator

import uvicorn
from starlette.applications import Starlette

from .app import DEFAULT_TOKEN, create_app
from .store import Store, check_data_file


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


def check_token(token: object) -> str:
    """The token the sandbox will accept; ValidationError (showing no part of it) if clients could not send it.

    >>> check_token("")
    Traceback (most recent call last):
    annobridge.errors.ValidationError: --token: the sandbox needs a non-blank API token
    """
    from annobridge.errors import ValidationError

    if not isinstance(token, str) or not token.strip():
        raise ValidationError("--token: the sandbox needs a non-blank API token")
    if not all(33 <= ord(c) < 127 for c in token):
        raise ValidationError(
            "--token: the sandbox token must be printable ASCII without spaces (clients send it in the x-api-key header)"
        )
    return token


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening socket on host:port; ValidationError/ConfigurationError in one line when that cannot be had.

    >>> bind_socket("127.0.0.1", 70000)
    Traceback (most recent call last):
    annobridge.errors.ValidationError: --port 70000: a port is 0 (any free one) to 65535
    """
    from annobridge.errors import ConfigurationError, ValidationError

    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise ValidationError(f"--port {port}: a port is 0 (any free one) to 65535")
    try:
        found = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ValidationError(f"--host {host!r}: not an address, nor a name this machine resolves ({reason})") from None
    failure: OSError | None = None
    for family, kind, proto, _, address in found:
        sock = socket.socket(family, kind, proto)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(address)
            sock.listen(2048)  # as uvicorn would; a port another socket holds fails here, not inside the server
            return sock
        except OSError as exc:
            sock.close()
            failure = failure or exc
    assert failure is not None
    if failure.errno == errno.EADDRINUSE:
        raise ConfigurationError(f"--port {port}: already in use on {host}; pick another, or 0 for a free one")
    if failure.errno == errno.EADDRNOTAVAIL:
        raise ValidationError(f"--host {host!r}: not an address of this machine")
    raise ConfigurationError(f"cannot listen on {host}:{port}: {failure.strerror or failure}")


def _address(sock: socket.socket, host: str) -> str:
    """The SERVER_ADDRESS clients use for a socket bound to `host` (loopback for all interfaces)."""
    port = sock.getsockname()[1]
    if sock.family == socket.AF_INET6:
        return f"http://[{'::1' if host in ('', '::') else host}]:{port}"
    return f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{port}"


@contextmanager
def running_sandbox(port: int = 0, token: str = DEFAULT_TOKEN, db_path: str | None = None) -> Iterator[SandboxHandle]:
    """Serve a seeded sandbox on 127.0.0.1 (a free port when 0) in a background thread until the block ends.

    >>> with running_sandbox() as sb:
    ...     sb.server_address.startswith("http://127.0.0.1:")
    True
    """
    check_token(token)
    sock = bind_socket("127.0.0.1", port)
    try:
        app = create_app(db_path=db_path, token=token)
    except BaseException:
        sock.close()
        raise
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


def serve(host: str = "127.0.0.1", port: int = 8000, token: str = DEFAULT_TOKEN, db_path: str | None = None,
          on_ready: Callable[[str], None] | None = None) -> None:
    """Serve the sandbox in the foreground; first prints the two lines for ~/supervisely.env (or, with
    `on_ready`, calls it with the address instead).

    The token is printed on purpose (it is the one you chose, or the offline demo token) and
    is never written to the access log, which shows methods and paths only. A blank token, a
    port outside 0-65535 or in use, a host that is not this machine's, or a --data file that is not
    a sandbox database is refused in one line (ValidationError/ConfigurationError) before anything
    is written.
    """
    check_token(token)
    if db_path is not None:
        check_data_file(db_path)
    sock = bind_socket(host, port)
    try:
        app = create_app(db_path=db_path, token=token)
    except BaseException:
        sock.close()
        raise
    if on_ready is not None:
        on_ready(_address(sock, host))
    else:
        print(f"SERVER_ADDRESS={_address(sock, host)}", flush=True)
        print(f"API_TOKEN={token}", flush=True)
    server = uvicorn.Server(uvicorn.Config(app, log_level="info", lifespan="off"))
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn re-raises Ctrl+C after its clean shutdown
        pass
    finally:
        sock.close()
