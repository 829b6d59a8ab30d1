"""LocalLabelStudio: the real Label Studio server, started from its own virtual environment on 127.0.0.1.

Example::

    with LocalLabelStudio() as ls:
        backend = annobridge.connect(ls.backend_url, token=ls.token)

The server runs in a temporary data directory with a generated admin, password and legacy
token; it never phones home (no version check, no Sentry, no analytics). It takes about a
minute to start, so start it once per test session (see annobridge_labelstudio.testing).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

__all__ = ["LocalLabelStudio", "find_venv"]

VENV_NAME = ".venv-labelstudio"
_STARTED = re.compile(r"Starting development server at (http://[^/\s]+)/")


def find_venv(start: str | Path | None = None) -> Path:
    """The Label Studio virtual environment: $ANNOBRIDGE_LABEL_STUDIO_VENV, else `.venv-labelstudio` above `start`
    (or above this package); FileNotFoundError naming `make setup` and the variable when there is none."""
    explicit = os.environ.get("ANNOBRIDGE_LABEL_STUDIO_VENV")
    if explicit:
        return Path(explicit)
    for origin in (Path(start or os.getcwd()).resolve(), Path(__file__).resolve()):
        for folder in (origin, *origin.parents):
            candidate = folder / VENV_NAME
            if (candidate / "bin" / "label-studio").exists():
                return candidate
    raise FileNotFoundError(
        f"no {VENV_NAME} with a label-studio executable above {start or os.getcwd()}; "
        "run `make setup` or set ANNOBRIDGE_LABEL_STUDIO_VENV"
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LocalLabelStudio:
    """A Label Studio server process on 127.0.0.1; a context manager yielding itself once /health answers.

    Attributes once started: `url` (http://127.0.0.1:PORT), `backend_url` (labelstudio+http://...),
    `token` (legacy token), `personal_token` (a personal access token, created on first use),
    `username`, `password`, `files_root` (LOCAL_FILES_DOCUMENT_ROOT for local-files storages).

    `allow_local_urls` turns the server's SSRF protection off, so that storages and URLs on
    127.0.0.1 (a local S3 endpoint, say) are reachable; Label Studio refuses them otherwise.
    """

    def __init__(
        self,
        *,
        venv: str | Path | None = None,
        port: int | None = None,
        data_dir: str | Path | None = None,
        files_root: str | Path | None = None,
        username: str = "admin@example.com",
        allow_local_urls: bool = True,
        startup_timeout: float = 240.0,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        self.venv = Path(venv) if venv else find_venv()
        self.requested_port = port
        self._own_data_dir = data_dir is None
        self.data_dir = Path(data_dir) if data_dir else Path(tempfile.mkdtemp(prefix="annobridge-ls-"))
        self.files_root = Path(files_root) if files_root else self.data_dir / "files"
        self.username = username
        self.password = secrets.token_urlsafe(12)
        self.token = secrets.token_hex(20)
        self.allow_local_urls = allow_local_urls
        self.startup_timeout = startup_timeout
        self.extra_env = dict(extra_env or {})
        self.url = ""
        self.log_path = self.data_dir / "label-studio.log"
        self._process: subprocess.Popen[bytes] | None = None
        self._personal_token: str | None = None

    @property
    def backend_url(self) -> str:
        """The annobridge URL of this server: labelstudio+http://127.0.0.1:PORT."""
        return "labelstudio+" + self.url

    def environment(self) -> dict[str, str]:
        """The environment the server process runs with (no secrets beyond its own generated ones)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("LABEL_STUDIO_", "DJANGO_", "VIRTUAL_ENV"))}
        env.update(
            {
                "LABEL_STUDIO_BASE_DATA_DIR": str(self.data_dir / "ls"),
                "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
                "LABEL_STUDIO_USERNAME": self.username,
                "LABEL_STUDIO_PASSWORD": self.password,
                "LABEL_STUDIO_USER_TOKEN": self.token,
                "LOCAL_FILES_SERVING_ENABLED": "true",
                "LOCAL_FILES_DOCUMENT_ROOT": str(self.files_root),
                "LATEST_VERSION_CHECK": "false",
                "COLLECT_ANALYTICS": "false",
                "SENTRY_DSN": "",
                "FRONTEND_SENTRY_DSN": "",
                "SECRET_KEY": secrets.token_hex(32),
                "SSRF_PROTECTION_ENABLED": "false" if self.allow_local_urls else "true",
                "PATH": f"{self.venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
            }
        )
        env.update(self.extra_env)
        return env

    def start(self) -> LocalLabelStudio:
        """Start the server and wait for /health; RuntimeError with the log's tail if it does not come up."""
        import httpx

        self.files_root.mkdir(parents=True, exist_ok=True)
        port = self.requested_port or _free_port()
        command = [
            str(self.venv / "bin" / "label-studio"), "start", "--no-browser",
            "--internal-host", "127.0.0.1", "--port", str(port),
        ]
        log = open(self.log_path, "wb")
        self._process = subprocess.Popen(
            command, env=self.environment(), cwd=self.data_dir, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"Label Studio exited with code {self._process.returncode}:\n{self.log_tail()}")
            match = _STARTED.search(self.log_path.read_text(errors="replace"))
            if match:
                self.url = match.group(1)
                try:
                    if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                        return self
                except httpx.HTTPError:
                    pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"Label Studio did not answer /health within {self.startup_timeout}s:\n{self.log_tail()}")

    @property
    def pid(self) -> int | None:
        """The server's process id (it leads a process group of its own), None before start and after stop."""
        return self._process.pid if self._process is not None else None

    @property
    def running(self) -> bool:
        """Whether the server process is still there."""
        return self._process is not None and self._process.poll() is None

    @property
    def personal_token(self) -> str:
        """A personal access token (a JWT refresh token) of the admin, created on first use."""
        if self._personal_token is None:
            from label_studio_sdk.client import LabelStudio

            client = LabelStudio(base_url=self.url, api_key=self.token)
            self._personal_token = client.tokens.create().token
        return self._personal_token

    def log_tail(self, lines: int = 40) -> str:
        """The last lines the server wrote."""
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        """Stop the server (its own process group only) and remove a data directory it created."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
            except ProcessLookupError:
                pass
        if self._own_data_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self) -> LocalLabelStudio:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<LocalLabelStudio {self.url or 'not started'}>"
