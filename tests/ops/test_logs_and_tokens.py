"""Logs without secrets (plain or JSON), and a token the platform rejects: `tutorbot run` says
which variable to fix and exits 2, without printing the token anywhere."""

from __future__ import annotations

import json
import logging
import sys

import pytest
from pydantic import SecretStr

from bot.cli import build_parser
from bot.cli import run as run_module
from bot.ops import logs
from bot.settings import OpsSettings, Settings, TelegramSettings
from tests.support.telegram_standin import TelegramStandIn

WRONG_TOKEN = "987654321:AAH-wrong-token-0123456789abcdefghijkl"


def test_json_lines_carry_no_secret() -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        telegram=TelegramSettings(token=SecretStr("555:short"), webhook_secret=SecretStr("hush")),
    )
    redact = logs.Redactor(logs.secret_values(settings))
    formatter = logs.JsonFormatter(redact)
    try:
        raise RuntimeError(f"POST https://api.telegram.org/bot{WRONG_TOKEN}/getMe failed")
    except RuntimeError:
        record = logging.LogRecord(
            "bot", logging.ERROR, __file__, 1, "token %s, secret %s", ("555:short", "hush"), None
        )

        record.exc_info = sys.exc_info()
    entry = json.loads(formatter.format(record))
    assert set(entry) == {"time", "level", "logger", "message", "exception"}
    assert entry["message"] == "token [redacted], secret [redacted]"
    assert WRONG_TOKEN not in entry["exception"] and "[redacted]" in entry["exception"]


async def test_a_rejected_token_is_reported_without_printing_it(
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    async with TelegramStandIn() as api:  # answers 401 to any other token
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            telegram=TelegramSettings(token=SecretStr(WRONG_TOKEN), api_url=api.base_url),
            ops=OpsSettings(log_format="json"),
        )
        monkeypatch.setattr(run_module, "get_settings", lambda: settings)
        args = build_parser().parse_args(["run", "--db", database_url])
        assert await args.handler(args) == 2
    captured = capsys.readouterr()
    assert "Telegram rejected the bot token (TUTORBOT_TELEGRAM__TOKEN)" in captured.err
    secret_part = WRONG_TOKEN.split(":")[1]
    for text in (captured.out, captured.err, caplog.text):
        assert secret_part not in text
