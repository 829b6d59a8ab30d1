"""Where the Supervisely address, token, team and workspace come from: the environment, then ~/supervisely.env."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class SuperviselySettings(BaseSettings):
    """Supervisely's own variables (SERVER_ADDRESS, API_TOKEN, TEAM_ID, WORKSPACE_ID), environment first."""

    model_config = SettingsConfigDict(env_file=Path("~/supervisely.env").expanduser(), extra="ignore")

    server_address: str | None = None
    api_token: SecretStr | None = None
    team_id: int | None = None
    workspace_id: int | None = None
