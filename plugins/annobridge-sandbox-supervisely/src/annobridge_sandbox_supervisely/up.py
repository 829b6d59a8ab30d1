"""`annobridge up supervisely`: the offline Supervisely sandbox on 127.0.0.1, seeded, with the export lines printed."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import typer

from annobridge.commands.up import BACKGROUND

from .defaults import DEFAULT_TOKEN

__all__ = ["register"]

NAME = "supervisely"
TOKEN_ENV = "ANNOBRIDGE_SANDBOX_TOKEN"  # how a background sandbox gets its token: never on a command line


def register(up: typer.Typer) -> None:
    """Add `annobridge up supervisely`."""

    @up.command(NAME)
    def supervisely(
        port: int = typer.Option(8000, "--port", help="Port on 127.0.0.1, 0-65535 (0 picks a free one)."),
        token: str = typer.Option(DEFAULT_TOKEN, "--token", envvar=TOKEN_ENV, show_default=False,
                                  help=f"API token the sandbox accepts (${TOKEN_ENV}; the offline demo token if unset)."),
        background: bool = BACKGROUND,
    ) -> None:
        """Start the Supervisely sandbox (Supervisely's API, seeded with the demo team and projects) and print the
        export lines for SERVER_ADDRESS and API_TOKEN. Its state lives in memory: gone when it stops."""
        from annobridge.local_servers import announce, check_free

        from .server import check_token, serve

        check_token(token)
        if background:
            check_free(NAME)
            _start_in_background(port, token)
            return

        def ready(address: str) -> None:
            announce(NAME, address, {"SERVER_ADDRESS": address, "API_TOKEN": token}, background=False)

        serve(port=port, token=token, on_ready=ready)


def _start_in_background(port: int, token: str) -> None:
    """Run `annobridge up supervisely` as a process of its own session, wait until it answers, record it."""
    import httpx

    from annobridge.errors import BackendError
    from annobridge.local_servers import LocalServer, announce, record

    from .server import bind_socket

    sock = bind_socket("127.0.0.1", port)  # refuses a port in use or out of range in one line, before anything starts
    port = sock.getsockname()[1]
    sock.close()
    scratch = Path(tempfile.mkdtemp(prefix="annobridge-sandbox-"))
    log = scratch / "sandbox.log"
    with log.open("wb") as errors:
        process = subprocess.Popen(
            [sys.executable, "-m", "annobridge.cli", "up", NAME, "--port", str(port)],
            env={**os.environ, TOKEN_ENV: token}, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=errors, start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            tail = log.read_text(errors="replace").strip().splitlines()[-1:] or ["no output"]
            raise BackendError(f"the Supervisely sandbox did not start: {tail[0]}")
        try:
            httpx.get(url + "/", timeout=1)
            break
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                process.kill()
                raise BackendError(f"the Supervisely sandbox did not answer at {url} within 60s") from None
            time.sleep(0.2)
    record(LocalServer(NAME, url, process.pid, "annobridge.cli", str(scratch)))
    announce(NAME, url, {"SERVER_ADDRESS": url, "API_TOKEN": token}, background=True)
