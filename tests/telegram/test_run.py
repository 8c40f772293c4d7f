"""`tutorbot run`: the adapters and services it starts from the settings, and the Telegram bot polling for real."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import SecretStr

from bot.adapters.telegram import TelegramAdapter
from bot.app import build_adapters, build_app
from bot.cli import build_parser, main
from bot.cli import run as run_module
from bot.cli.run import Named, build_services, serve
from bot.settings import Settings, TelegramSettings
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


async def test_adapters_and_services_follow_the_settings(database_url: str) -> None:
    app = build_app(settings_with(), database_url)
    try:
        assert build_adapters(app.settings, app.core) == []
    finally:
        await app.close()

    app = build_app(settings_with(token=SecretStr("1:x")), database_url)
    try:
        adapters = build_adapters(app.settings, app.core)
        assert [adapter.platform for adapter in adapters] == ["telegram"]
        assert isinstance(adapters[0], TelegramAdapter) and adapters[0].webhook is None
        services = build_services(app, adapters)
        assert [named.name for named in services] == ["telegram", "scheduler"]
        assert [named.name for named in build_services(app, adapters, scheduler=False)] == [
            "telegram"
        ]
    finally:
        await app.close()

    app = build_app(
        settings_with(
            token=SecretStr("1:x"),
            webhook_url="https://bot.example.test/tg/hook",
            webhook_secret=SecretStr("configured-secret"),
            webhook_port=9000,
        ),
        database_url,
    )
    try:
        [telegram] = build_adapters(app.settings, app.core)
        webhook = telegram.webhook  # type: ignore[attr-defined]
        assert (webhook.path, webhook.port, webhook.secret) == (
            "tg/hook",
            9000,
            "configured-secret",
        )
    finally:
        await app.close()


async def test_run_polls_telegram_until_stopped(api: TelegramStandIn, database_url: str) -> None:
    app = build_app(settings_with(token=SecretStr(api.token), api_url=api.base_url), database_url)
    stop = asyncio.Event()
    try:
        adapters = build_adapters(app.settings, app.core)
        task = asyncio.create_task(serve(build_services(app, adapters, scheduler=False), stop))
        await api.wait_for_calls("getUpdates", 1)
        assert api.calls_to("getMe") and api.calls_to("deleteWebhook")
        assert len(api.calls_to("setMyCommands")) == 4  # private and group menus, zh and en
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
    settings = settings_with(token=SecretStr(api.token), api_url=api.base_url)
    monkeypatch.setattr(run_module, "get_settings", lambda: settings)
    args = build_parser().parse_args(["run", "--db", database_url])
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
