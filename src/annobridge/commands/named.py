"""Named backends: a JSON file under the user config dir mapping a name to a URL and where its token comes from.

    annobridge backends add prod-ls labelstudio://ls.example.com --token-env PROD_LS_TOKEN
    annobridge jobs list --backend prod-ls

The file holds the URL and the token's source (an environment variable, or a command whose output is
the token, such as a password manager's), never a token. `ANNOBRIDGE_CONFIG_DIR` moves it.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..errors import ConfigurationError, ValidationError

__all__ = ["NamedBackend", "config_file", "load", "resolve", "save"]

NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class NamedBackend(BaseModel):
    """A backend by name: its URL, and the environment variable or command its token comes from (or neither)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str
    token_env: str | None = None
    token_command: str | None = None

    @field_validator("url")
    @classmethod
    def _a_backend_url(cls, value: str) -> str:
        from ..urls import BackendURL

        BackendURL.parse(value)  # InvalidURL, naming the problem, for a URL connect() would refuse
        return value

    @field_validator("token_env")
    @classmethod
    def _an_env_name(cls, value: str | None) -> str | None:
        if value is not None and not ENV_NAME.match(value):
            raise ValueError(f"{value!r} is not an environment variable name")
        return value

    @model_validator(mode="after")
    def _one_source(self) -> NamedBackend:
        if self.token_env and self.token_command:
            raise ValueError("give token_env or token_command, not both")
        return self


class BackendsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    backends: dict[str, NamedBackend] = Field(default_factory=dict)


def config_file() -> Path:
    """Where named backends live: $ANNOBRIDGE_CONFIG_DIR/backends.json, else the user config dir's."""
    folder = os.environ.get("ANNOBRIDGE_CONFIG_DIR")
    if not folder:
        from platformdirs import user_config_dir

        folder = user_config_dir("annobridge")
    return Path(folder) / "backends.json"


def load() -> dict[str, NamedBackend]:
    """The named backends (none when the file does not exist); a broken file is refused naming it."""
    path = config_file()
    if not path.exists():
        return {}
    try:
        return BackendsFile.model_validate_json(path.read_bytes()).backends
    except ValueError as exc:
        problem = " ".join(str(exc).split())[:300]
        raise ConfigurationError(f"named backends file {str(path)!r} cannot be read: {problem}") from None


def save(backends: dict[str, NamedBackend]) -> Path:
    """Write the named backends (whole, through a temporary file, so a crash leaves the old file); its path."""
    path = config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    body = BackendsFile(backends=dict(sorted(backends.items()))).model_dump(exclude_none=True)
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, path)
    return path


def check_name(name: str) -> str:
    """A backend name: a letter, then letters, digits, '_', '-', '.' (so it can never be taken for a URL)."""
    if not NAME.match(name):
        raise ValidationError(f"backend name {name!r}: a letter, then up to 63 letters, digits, '_', '-' or '.'")
    return name


def resolve(backend: str | None, token: str | None = None, token_env: str | None = None) -> tuple[str, str | None]:
    """(URL, token) for --backend URL|NAME (or ANNOBRIDGE_BACKEND), --token and --token-env.

    The token is --token, else the variable --token-env names, else the named backend's source, else
    None (the provider then reads its vendor's environment, bound to its server).
    """
    if not backend:
        raise ValidationError("--backend: a backend URL or name is needed (or set ANNOBRIDGE_BACKEND)")
    named = None
    if "://" in backend:
        url = backend
    else:
        known = load()
        named = known.get(backend)
        if named is None:
            found = ", ".join(sorted(known)) or "none (add one with `annobridge backends add`)"
            raise ValidationError(f"--backend: {backend!r} is not a URL nor a named backend; named: {found}")
        url = named.url
    if token is not None:
        return url, token
    if token_env:
        return url, _from_env(token_env, "--token-env")
    if named is not None and named.token_env:
        return url, _from_env(named.token_env, f"backend {backend!r}")
    if named is not None and named.token_command:
        return url, _from_command(named.token_command, backend)
    return url, None


def _from_env(name: str, where: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise ConfigurationError(f"{where}: the environment variable {name} that holds the token is not set")
    return value


def _from_command(command: str, backend: str) -> str:
    """The token a command prints (a password manager's, a cloud CLI's); its output never appears in an error."""
    try:
        done = subprocess.run(shlex.split(command), capture_output=True, text=True, timeout=60, check=False)
    except (OSError, ValueError, subprocess.TimeoutExpired) as exc:
        raise ConfigurationError(f"backend {backend!r}: its token command could not run ({type(exc).__name__})") from None
    token = done.stdout.strip()
    if done.returncode != 0 or not token:
        raise ConfigurationError(
            f"backend {backend!r}: its token command exited with {done.returncode} and printed "
            f"{'no token' if not token else 'output that is not used'}"
        )
    return token
