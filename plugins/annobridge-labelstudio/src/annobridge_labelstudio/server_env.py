"""The Label Studio server's own environment: `make setup`'s .venv-labelstudio, or one made on first use.

The server pins its own SDK and Django, so it never shares annobridge's environment. `annobridge up labelstudio`
makes one in annobridge's user data directory the first time (a few minutes, with a progress bar).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from annobridge.errors import ConfigurationError

from .server import find_venv

__all__ = ["COMPLETE", "LABEL_STUDIO_VERSION", "default_env_dir", "install_env", "server_env"]

LABEL_STUDIO_VERSION = "1.23.2"  # the server the tests run against; the Makefile pins the same
COMPLETE = ".annobridge-complete"  # written last: an environment without it was cut short and is made again


def default_env_dir() -> Path:
    """Where `server_env` makes the environment: annobridge's user data directory, one per server version."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("annobridge")) / f"label-studio-{LABEL_STUDIO_VERSION}"


def server_env() -> Path:
    """The environment to run Label Studio from: ANNOBRIDGE_LABEL_STUDIO_VENV, a .venv-labelstudio above the
    current directory, or the one in the user data directory, made now if there is none."""
    try:
        return find_venv()
    except FileNotFoundError:
        pass
    made = default_env_dir()
    if not (made / COMPLETE).exists():
        install_env(made, [f"label-studio=={LABEL_STUDIO_VERSION}"], f"Label Studio {LABEL_STUDIO_VERSION}")
    return made


def install_env(target: Path, requirements: list[str], what: str) -> None:
    """Make a virtual environment at `target` with `requirements`, showing pip's progress; ConfigurationError
    with pip's last lines if it fails, and nothing half-made left at `target`."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    shutil.rmtree(target, ignore_errors=True)  # a venv's scripts name its folder: it is made where it will stay
    target.parent.mkdir(parents=True, exist_ok=True)
    tail: list[str] = []
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), transient=True) as bar:
        task = bar.add_task(f"installing {what} into {target} (once)")
        steps = [[sys.executable, "-m", "venv", str(target)],
                 [str(target / "bin" / "python"), "-m", "pip", "install", "--progress-bar", "off", *requirements]]
        for command in steps:
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            for line in process.stdout or ():
                tail = (tail + [line.rstrip()])[-15:]
                if line.startswith(("Collecting", "Downloading", "Installing", "Building", "Successfully")):
                    bar.update(task, description=f"{what}: {line.strip()[:70]}")
            if process.wait() != 0:
                shutil.rmtree(target, ignore_errors=True)
                raise ConfigurationError(f"installing {what} into {target} failed: " + " | ".join(tail[-3:]))
    (target / COMPLETE).write_text(" ".join(requirements) + "\n")
