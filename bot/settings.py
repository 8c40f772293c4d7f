"""Settings from environment variables `TUTORBOT_*` (nested with `__`) and an optional `.env`."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATA_DIR = Path("data")


class DatabaseSettings(BaseModel):
    # SQLite is the embedded default; PostgreSQL takes `postgresql+asyncpg://...`.
    url: str = f"sqlite+aiosqlite:///{DEFAULT_DATA_DIR / 'tutorbot.db'}"
    echo: bool = False


class LearnerDefaults(BaseModel):
    language: str = "zh"
    timezone: str = "Asia/Shanghai"
    push_time: str = "08:00"


class TelegramSettings(BaseModel):
    token: SecretStr | None = None
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None


class DiscordSettings(BaseModel):
    token: SecretStr | None = None


class LLMSettings(BaseModel):
    base_url: str | None = None
    model: str | None = None
    api_key: SecretStr | None = None
    timeout_seconds: float = 20.0


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="TUTORBOT_",
        env_nested_delimiter="__",
        env_file=".env",
        extra="ignore",
    )

    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    defaults: LearnerDefaults = Field(default_factory=LearnerDefaults)
    telegram: TelegramSettings = Field(default_factory=TelegramSettings)
    discord: DiscordSettings = Field(default_factory=DiscordSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    # Text a single message may carry; longer input is refused before any parsing.
    max_message_chars: int = 4000
    # How long an inline keyboard stays valid.
    button_ttl_hours: int = 48


@cache
def get_settings() -> Settings:
    return Settings()
