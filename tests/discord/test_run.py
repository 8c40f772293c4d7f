"""`tutorbot run` with both tokens: Telegram and Discord side by side on one event loop."""

from __future__ import annotations

import asyncio

import discord
import pytest
from pydantic import SecretStr

from bot.adapters.discord import DiscordAdapter
from bot.app import App, build_adapters, build_app
from bot.cli import build_parser
from bot.cli import run as run_module
from bot.cli.run import build_services, serve
from bot.settings import DiscordSettings, Settings, TelegramSettings
from tests.discord.conftest import ALICE, DiscordChat
from tests.support.discord_standin import DiscordStandIn
from tests.support.telegram_standin import TelegramStandIn, User
from tests.telegram.conftest import TelegramChat


async def test_run_serves_telegram_and_discord_together(
    api: DiscordStandIn, database_url: str
) -> None:
    async with TelegramStandIn() as telegram:
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            telegram=TelegramSettings(token=SecretStr(telegram.token), api_url=telegram.base_url),
            discord=DiscordSettings(token=SecretStr(api.token)),
        )
        app = build_app(settings, database_url)
        stop = asyncio.Event()
        try:
            services = build_services(app, build_adapters(settings, app.core))
            assert [named.name for named in services] == ["discord", "telegram", "scheduler"]
            task = asyncio.create_task(serve(services, stop))
            await api.wait_until(lambda: api.connected == 1)
            on_discord = await DiscordChat(api, ALICE).run("help")
            on_telegram = await TelegramChat(telegram, User(1001, "Ada", "en")).say("/help")
            assert "/today" in on_discord[0].text and "/today" in on_telegram[0].text
            stop.set()
            await asyncio.wait_for(task, timeout=20)
            assert api.connected == 0
        finally:
            await app.close()


async def test_a_wrong_token_fails_the_start_and_leaves_nothing_running(
    api: DiscordStandIn, app: App
) -> None:
    adapter = DiscordAdapter(app.core, "not-the-token")
    with pytest.raises(discord.LoginFailure):
        await adapter.start()
    assert adapter.client.is_closed() and api.identifies == []


async def test_run_says_when_discord_rejects_the_token(
    api: DiscordStandIn,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    wrong = "revoked-discord-token"
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, discord=DiscordSettings(token=SecretStr(wrong))
    )
    monkeypatch.setattr(run_module, "get_settings", lambda: settings)
    args = build_parser().parse_args(["run", "--db", database_url])
    assert await args.handler(args) == 2
    error = capsys.readouterr().err
    assert "Discord rejected the bot token (TUTORBOT_DISCORD__TOKEN)" in error
    assert wrong not in error and api.identifies == []
