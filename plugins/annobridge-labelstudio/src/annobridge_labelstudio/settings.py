"""Where the Label Studio token comes from when it is not passed: LABEL_STUDIO_API_KEY."""

from __future__ import annotations

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class LabelStudioSettings(BaseSettings):
    """Label Studio's own environment variables (the names its SDK and docs use)."""

    model_config = SettingsConfigDict(env_prefix="LABEL_STUDIO_", extra="ignore")

    api_key: SecretStr | None = None
    url: str | None = None
