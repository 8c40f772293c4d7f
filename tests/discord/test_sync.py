"""`tutorbot discord sync`: what reaches Discord, localised, globally or to one server."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from bot.adapters.discord import sync_commands
from bot.adapters.discord.commands import personal_commands
from bot.cli import build_parser, discord_cmd, main
from bot.settings import DiscordSettings, Settings
from tests.support.discord_standin import DiscordStandIn


def by_name(commands: list[dict[str, object]]) -> dict[str, dict[str, object]]:
    return {str(command["name"]): command for command in commands}


async def test_global_sync_carries_chinese_and_english_descriptions(api: DiscordStandIn) -> None:
    synced = await sync_commands(api.token)
    stored = by_name(api.commands[None])
    assert {command.name for command in synced} == set(stored)
    personal = {command.name for command in personal_commands()}
    assert set(stored) == personal | {"group", "leaderboard"}
    assert {"today", "quiz", "ask", "start", "settings", "export", "forget"} <= personal
    today = stored["today"]
    assert today["description"] == "Today's lesson"
    assert today["description_localizations"] == {
        "zh-CN": "今天的课程",
        "en-US": "Today's lesson",
        "en-GB": "Today's lesson",
    }
    assert today["name_localizations"]["zh-CN"] == "today"
    ask = stored["ask"]
    [question] = ask["options"]  # type: ignore[misc]
    assert question["name"] == "question" and question["required"] is True
    assert question["description_localizations"]["zh-CN"] != question["description"]
    group = stored["group"]
    subcommands = {option["name"] for option in group["options"]}  # type: ignore[union-attr]
    assert {"create", "join", "leave", "settings", "quiz", "today"} <= subcommands
    assert "start" not in subcommands and "leaderboard" not in subcommands
    assert group["contexts"] == [0] and stored["leaderboard"]["contexts"] == [0]
    # Nothing Discord would refuse (bad names, long descriptions, unknown locales).
    assert all(call.status < 400 for call in api.calls)
    # HTTP only: the sync never opened the gateway.
    assert api.identifies == []


async def test_the_cli_syncs_to_one_server(
    api: DiscordStandIn, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    token = DiscordSettings(token=SecretStr(api.token))
    settings = Settings(_env_file=None, discord=token)  # type: ignore[call-arg]
    monkeypatch.setattr(discord_cmd, "get_settings", lambda: settings)
    args = build_parser().parse_args(["discord", "sync", "--guild", "4242"])
    assert await args.handler(args) == 0
    assert "synced to server 4242" in capsys.readouterr().out
    stored = by_name(api.commands[4242])
    assert "today" in stored and "group" in stored
    assert None not in api.commands  # copied to the server, not published globally


def test_the_cli_needs_a_token(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    monkeypatch.setattr(discord_cmd, "get_settings", lambda: settings)
    assert main(["discord", "sync"]) == 2
    assert "TUTORBOT_DISCORD__TOKEN" in capsys.readouterr().err
