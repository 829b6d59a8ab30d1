"""Where the Supervisely address, token, team and workspace come from: the environment, then ~/supervisely.env."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from annobridge.tokens import bound_token, clean_token
from annobridge.urls import BackendURL

ENV_FILE = "~/supervisely.env"


class SuperviselySettings(BaseSettings):
    """Supervisely's own variables (SERVER_ADDRESS, API_TOKEN, TEAM_ID, WORKSPACE_ID), environment first."""

    model_config = SettingsConfigDict(env_file=ENV_FILE, extra="ignore")

    server_address: str | None = None
    api_token: SecretStr | None = None
    team_id: int | None = None
    workspace_id: int | None = None

    @classmethod
    def load(cls) -> SuperviselySettings:
        """The settings as they are now: `~` in the env file is the HOME of this moment (so a test that sets HOME,
        or an environment variable, sees its own)."""
        env_file = cls.model_config.get("env_file")
        if isinstance(env_file, str):
            env_file = Path(env_file).expanduser()
        return cls(_env_file=env_file)

    def token_for(self, address: BackendURL, server: str) -> str | None:
        """API_TOKEN, stripped, if SERVER_ADDRESS names `address`'s server (scheme, host, port); None if unset.

        Otherwise AuthenticationError in one line: pass token= / --token, or set SERVER_ADDRESS.

        >>> settings = SuperviselySettings(server_address="http://127.0.0.1:8000", api_token=" t0k\\n", _env_file=None)
        >>> settings.token_for(BackendURL.parse("supervisely+http://127.0.0.1:8000"), "sv")
        't0k'
        """
        if self.api_token is None:
            return None
        in_environment = any(name.upper() == "API_TOKEN" for name in os.environ)
        source = "API_TOKEN" if in_environment else f"API_TOKEN in {ENV_FILE}"
        token = self.api_token.get_secret_value()
        token = bound_token(token, source, address, self.server_address, "SERVER_ADDRESS", server=server, required=True)
        return clean_token(token, source, server)
