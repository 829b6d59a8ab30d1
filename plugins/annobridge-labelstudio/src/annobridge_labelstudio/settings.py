"""Where the Label Studio token comes from when it is not passed: LABEL_STUDIO_API_KEY, bound to LABEL_STUDIO_URL."""

from __future__ import annotations

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from annobridge.tokens import bound_token, clean_token
from annobridge.urls import BackendURL


class LabelStudioSettings(BaseSettings):
    """Label Studio's own environment variables (the names its SDK and docs use)."""

    model_config = SettingsConfigDict(env_prefix="LABEL_STUDIO_", extra="ignore")

    api_key: SecretStr | None = None
    url: str | None = None


def environment_token(address: BackendURL, server: str) -> str | None:
    """LABEL_STUDIO_API_KEY, stripped, if it may go to `address`: LABEL_STUDIO_URL is unset or names that server.

    Otherwise AuthenticationError in one line (pass token= or set LABEL_STUDIO_URL); None if unset.

    Example::

        environment_token(BackendURL.parse("labelstudio+http://127.0.0.1:8080"), "ls")  # -> '0123abcd'
    """
    settings = LabelStudioSettings()
    if settings.api_key is None:
        return None
    token = bound_token(
        settings.api_key.get_secret_value(),
        "LABEL_STUDIO_API_KEY",
        address,
        settings.url,
        "LABEL_STUDIO_URL",
        server=server,
        required=False,
    )
    return clean_token(token, "LABEL_STUDIO_API_KEY", server)
