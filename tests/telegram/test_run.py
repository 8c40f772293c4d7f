"""`tutorbot run`: what it starts from the settings, and the Telegram bot polling for real."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import SecretStr

from bot.app import build_app
from bot.cli import build_parser, main
from bot.cli import run as run_module
from bot.cli.run import Named, build_services, serve
from bot.settings import DiscordSettings, Settings, TelegramSettings
from tests.support.telegram_standin import TelegramStandIn
from tests.telegram.conftest import ALICE, TelegramChat

TOKEN_VARIABLES = ("TUTORBOT_TELEGRAM__TOKEN", "TUTORBOT_DISCORD__TOKEN")


@pytest.fixture
def no_tokens(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in (*TOKEN_VARIABLES, "TUTORBOT_TELEGRAM__WEBHOOK_URL"):
        monkeypatch.delenv(name, raising=False)
    yield


def settings_with(**telegram: Any) -> Settings:
    return Settings(_env_file=None, telegram=TelegramSettings(**telegram))  # type: ignore[call-arg]


def test_without_any_token_it_says_what_to_set(
    no_tokens: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(run_module, "get_settings", lambda: settings_with())
    assert main(["run"]) == 2
    error = capsys.readouterr().err
    assert all(name in error for name in TOKEN_VARIABLES)


async def test_a_discord_token_alone_starts_discord(database_url: str) -> None:
    discord = DiscordSettings(token=SecretStr("discord-token"))
    settings = Settings(_env_file=None, discord=discord)  # type: ignore[call-arg]
    app = build_app(settings, database_url)
    try:
        services = build_services(app, build_parser().parse_args(["run"]))
        assert [named.name for named in services] == ["discord", "scheduler"]
    finally:
        await app.close()


async def test_services_follow_the_settings(database_url: str) -> None:
    parse = build_parser().parse_args
    app = build_app(settings_with(token=SecretStr("1:x")), database_url)
    try:
        polling = build_services(app, parse(["run"]))
        assert [named.name for named in polling] == ["telegram", "scheduler"]
        assert polling[0].service.webhook is None  # type: ignore[attr-defined]
        assert [named.name for named in build_services(app, parse(["run", "--no-scheduler"]))] == [
            "telegram"
        ]
    finally:
        await app.close()

    app = build_app(
        settings_with(
            token=SecretStr("1:x"),
            webhook_url="https://bot.example.test/tg/hook",
            webhook_secret=SecretStr("configured-secret"),
        ),
        database_url,
    )
    try:
        [telegram, _] = build_services(app, parse(["run", "--webhook-port", "9000"]))
        webhook = telegram.service.webhook  # type: ignore[attr-defined]
        assert (webhook.path, webhook.port, webhook.secret) == (
            "tg/hook",
            9000,
            "configured-secret",
        )
    finally:
        await app.close()


async def test_run_polls_telegram_until_stopped(api: TelegramStandIn, database_url: str) -> None:
    app = build_app(settings_with(token=SecretStr(api.token)), database_url)
    args = build_parser().parse_args(["run", "--no-scheduler", "--telegram-api-url", api.base_url])
    stop = asyncio.Event()
    try:
        task = asyncio.create_task(serve(build_services(app, args), stop))
        await api.wait_for_calls("getUpdates", 1)
        assert api.calls_to("getMe") and api.calls_to("deleteWebhook")
        assert len(api.calls_to("setMyCommands")) == 2
        replies = await TelegramChat(api, ALICE).say("/start", expect=2)
        assert "Welcome" in replies[0].text
        stop.set()
        await asyncio.wait_for(task, timeout=10)
    finally:
        await app.close()


async def test_serve_stops_what_started_when_a_later_service_fails() -> None:
    events: list[str] = []

    class Recorder:
        def __init__(self, name: str, fail: bool = False) -> None:
            self.name, self.fail = name, fail

        async def start(self) -> None:
            if self.fail:
                raise RuntimeError("no network")
            events.append(f"start {self.name}")

        async def stop(self) -> None:
            events.append(f"stop {self.name}")

    services = [
        Named("a", Recorder("a")),
        Named("b", Recorder("b")),
        Named("c", Recorder("c", True)),
    ]
    with pytest.raises(RuntimeError):
        await serve(services, asyncio.Event())
    assert events == ["start a", "start b", "stop b", "stop a"]


async def test_the_command_runs_until_sigint_without_logging_the_token(
    api: TelegramStandIn,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    settings = settings_with(token=SecretStr(api.token))
    monkeypatch.setattr(run_module, "get_settings", lambda: settings)
    args = build_parser().parse_args(
        ["run", "--db", database_url, "--telegram-api-url", api.base_url]
    )
    command = asyncio.create_task(args.handler(args))
    try:
        await api.wait_for_calls("getUpdates", 1)
        replies = await TelegramChat(api, ALICE).say("/help")
        assert "/today" in replies[0].text
    finally:
        os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C: caught by the command's own handler
        assert await asyncio.wait_for(command, timeout=30) == 0
    log = caplog.text
    assert "scheduler started" in log and "telegram stopped" in log
    # httpx would log every request URL at INFO, token included.
    assert api.token not in log and api.token.split(":")[1] not in log
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
