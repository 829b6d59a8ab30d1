"""Where the Supervisely address and token come from: SERVER_ADDRESS, API_TOKEN, ~/supervisely.env."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class SuperviselySettings(BaseSettings):
    """Supervisely's own variables, from the environment first, then ~/supervisely.env."""

    model_config = SettingsConfigDict(env_file=Path("~/supervisely.env").expanduser(), extra="ignore")

    server_address: str | None = None
    api_token: SecretStr | None = None
