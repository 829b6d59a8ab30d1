"""`annobridge up labelstudio`: a scratch Label Studio server on 127.0.0.1, its URL and token printed once."""

from __future__ import annotations

import socket

import typer

from annobridge.commands.up import BACKGROUND

__all__ = ["register"]

NAME = "labelstudio"


def _check_port(port: int) -> None:
    """ValidationError, before anything starts, for a port out of range or in use on 127.0.0.1."""
    from annobridge.errors import ValidationError

    if not 0 <= port <= 65535:
        raise ValidationError(f"--port: {port} is not a port (0-65535; 0 picks a free one)")
    if port:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                raise ValidationError(f"--port: {port} is in use on 127.0.0.1; pick another or 0 for a free one") from None


def register(up: typer.Typer) -> None:
    """Add `annobridge up labelstudio`."""

    @up.command(NAME)
    def labelstudio(
        port: int = typer.Option(8080, "--port", help="Port on 127.0.0.1, 0-65535 (0 picks a free one)."),
        background: bool = BACKGROUND,
    ) -> None:
        """Start Label Studio Community on 127.0.0.1 and print the export lines for its URL and token.

        A scratch server: an admin with a new password and token each time, its projects gone when it stops.
        The first run installs the server into annobridge's own environment for it (a few minutes).
        """
        from rich.console import Console

        from annobridge.errors import BackendError
        from annobridge.local_servers import LocalServer, announce, check_free, record, wait_for_ctrl_c

        from .server import LocalLabelStudio
        from .server_env import LABEL_STUDIO_VERSION, server_env

        _check_port(port)
        if background:
            check_free(NAME)
        server = LocalLabelStudio(venv=server_env(), port=port or None)
        with Console(stderr=True).status(f"starting Label Studio {LABEL_STUDIO_VERSION} (about a minute)"):
            try:
                server.start()
            except RuntimeError as exc:
                raise BackendError(f"Label Studio did not start: {str(exc).splitlines()[-1]}") from None
        exports = {"LABEL_STUDIO_URL": server.url, "LABEL_STUDIO_API_KEY": server.token}
        if background:
            record(LocalServer(NAME, server.url, server.pid or 0, "label-studio", str(server.data_dir)))
        announce(NAME, server.url, exports, background=background)
        typer.echo(f"# the web UI: log in as {server.username} with password {server.password}")
        if background:
            return
        try:
            if not wait_for_ctrl_c(lambda: server.running):
                raise BackendError(f"Label Studio stopped by itself: {server.log_tail(1)}")
        finally:
            server.stop()
