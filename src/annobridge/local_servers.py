"""Local backends started by `annobridge up`: one in the foreground until Ctrl-C, or on record for `annobridge down`.

A record (one JSON file per backend name in the state directory) holds the server's URL, its process id,
a word of its command line and the scratch folder made for it; never its token, which is printed once.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

from .errors import Conflict, NotFound

__all__ = [
    "LocalServer", "announce", "check_free", "record", "recorded", "state_dir", "stop", "stop_recorded", "wait_for_ctrl_c",
]


@dataclass(frozen=True)
class LocalServer:
    """A backend running on this machine: `pid` leads its process group; `marker` is in its command line."""

    name: str
    url: str
    pid: int
    marker: str
    scratch: str = ""  # a folder made for this server, removed when it stops


def state_dir() -> Path:
    """Where background servers are recorded: ANNOBRIDGE_STATE_DIR, else annobridge's user state directory."""
    configured = os.environ.get("ANNOBRIDGE_STATE_DIR")
    if configured:
        return Path(configured)
    from platformdirs import user_state_dir

    return Path(user_state_dir("annobridge")) / "up"


def announce(name: str, url: str, exports: dict[str, str], *, background: bool) -> None:
    """Print where the backend runs and the `export` lines that point annobridge (and the vendor SDK) at it:
    `exports` (the vendor's variables), then ANNOBRIDGE_BACKEND for the command line's --backend."""
    print(f"{name} is running at {url}", flush=True)
    for key, value in {**exports, "ANNOBRIDGE_BACKEND": f"{name}+{url}"}.items():
        print(f"export {key}={value}", flush=True)
    how = f"`annobridge down {name}` stops it" if background else "Ctrl-C stops it"
    print(f"# {how}", flush=True)


def wait_for_ctrl_c(alive: Callable[[], bool]) -> bool:
    """Block until Ctrl-C (or SIGTERM): True; or until `alive()` turns False (the server died): False."""
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        while alive():
            time.sleep(0.2)
        return False
    except KeyboardInterrupt:
        return True
    finally:
        signal.signal(signal.SIGTERM, previous)


def _path(name: str) -> Path:
    return state_dir() / f"{name}.json"


def _running(server: LocalServer) -> bool:
    """Whether the recorded process is still that server (a pid reused by another program is not)."""
    try:
        os.kill(server.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process now
        return False
    proc = Path(f"/proc/{server.pid}")
    if not proc.exists():  # no /proc here: the pid alone decides
        return True
    try:
        if "\nState:\tZ" in (proc / "status").read_text():  # exited, not yet collected
            return False
        command = (proc / "cmdline").read_bytes()
    except OSError:  # gone while being read
        return False
    return not command or server.marker.encode() in command  # an exiting process has an empty command line


def recorded() -> list[LocalServer]:
    """The servers `annobridge up --background` started that still run; stale records are dropped."""
    found = []
    for path in sorted(state_dir().glob("*.json")) if state_dir().is_dir() else []:
        try:
            server = LocalServer(**json.loads(path.read_text()))
        except (OSError, ValueError, TypeError):
            path.unlink(missing_ok=True)
            continue
        if _running(server):
            found.append(server)
        else:
            path.unlink(missing_ok=True)
    return found


def check_free(name: str) -> None:
    """Conflict if a background `name` is already running (one of each at a time)."""
    for server in recorded():
        if server.name == name:
            raise Conflict(f"{name} is already running at {server.url}; `annobridge down {name}` stops it")


def record(server: LocalServer) -> None:
    """Keep `server` on record for `annobridge down`."""
    state_dir().mkdir(parents=True, exist_ok=True)
    _path(server.name).write_text(json.dumps(asdict(server)))


def stop(server: LocalServer, grace: float = 20.0) -> None:
    """Stop the server's process group (SIGTERM, then SIGKILL after `grace` seconds) and remove its scratch folder."""
    try:
        os.killpg(server.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while _running(server) and time.monotonic() < deadline:
            _reap(server.pid)
            time.sleep(0.1)
        if _running(server):
            os.killpg(server.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    _reap(server.pid)
    if server.scratch:
        shutil.rmtree(server.scratch, ignore_errors=True)


def _reap(pid: int) -> None:
    """Collect the exit of a server this process started (else it lingers as a zombie and looks alive)."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def stop_recorded(name: str | None = None) -> list[LocalServer]:
    """Stop the background server called `name` (NotFound if none runs), or every one; the ones stopped."""
    running = [s for s in recorded() if name is None or s.name == name]
    if name is not None and not running:
        raise NotFound(f"no {name} started by `annobridge up {name} --background` is running")
    for server in running:
        stop(server)
        _path(server.name).unlink(missing_ok=True)
    return running
