"""Logging for `tutorbot run`: plain lines, or one JSON object per line
(TUTORBOT_OPS__LOG_FORMAT=json) for log collectors. Either way every configured secret, and
anything shaped like a bot token, is replaced before a line is written: a token must not leak
through an exception message or a URL. What learners write is never logged by the bot's own
code; only what happened to it (counts, ids, outcomes)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Iterable

from pydantic import BaseModel, SecretStr

from bot.settings import Settings

REDACTED = "[redacted]"
# Telegram bot tokens, `<bot id>:<35 characters>`, also inside Bot API URLs (`.../bot<token>/`).
TOKEN_SHAPE = re.compile(r"(?<!\d)\d{5,}:[A-Za-z0-9_-]{30,}")


def secret_values(settings: Settings) -> list[str]:
    """Every SecretStr value in the settings (tokens, API keys, webhook secret)."""
    found: list[str] = []

    def walk(model: BaseModel) -> None:
        for name in type(model).model_fields:
            value = getattr(model, name)
            if isinstance(value, SecretStr) and value.get_secret_value():
                found.append(value.get_secret_value())
            elif isinstance(value, BaseModel):
                walk(value)

    walk(settings)
    return found


class Redactor:
    def __init__(self, secrets: Iterable[str]) -> None:
        # Longest first, so a secret containing another is replaced whole.
        self._secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return TOKEN_SHAPE.sub(REDACTED, text)


class RedactingFormatter(logging.Formatter):
    def __init__(self, redact: Redactor, fmt: str | None = None) -> None:
        super().__init__(fmt)
        self._redact = redact

    def format(self, record: logging.LogRecord) -> str:
        return self._redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """`{"time", "level", "logger", "message"[, "exception"]}`, secrets redacted."""

    def __init__(self, redact: Redactor) -> None:
        super().__init__()
        self._redact = redact

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": self._redact(record.getMessage()),
        }
        if record.exc_info:
            entry["exception"] = self._redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def configure(settings: Settings) -> None:
    """Root logging for a long-running process, replacing any handler set before."""
    redact = Redactor(secret_values(settings))
    handler = logging.StreamHandler()
    if settings.ops.log_format == "json":
        handler.setFormatter(JsonFormatter(redact))
    else:
        handler.setFormatter(
            RedactingFormatter(redact, "%(asctime)s %(levelname)s %(name)s: %(message)s")
        )
    root = logging.getLogger()
    for old in list(root.handlers):
        if type(old) is logging.StreamHandler:  # keep pytest's capture handlers
            root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(settings.ops.log_level)
    # httpx logs every request URL at INFO, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # Two lines a minute for every scheduler tick otherwise.
    logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)
