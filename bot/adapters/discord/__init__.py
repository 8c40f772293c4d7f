"""Discord adapter on discord.py: slash commands and persistent buttons -> core messages ->
interaction follow-ups, DMs and study-group channels.

`from_settings(settings, core)` gives the adapter when `TUTORBOT_DISCORD__TOKEN` is set;
`sync_commands(token, guild_id)` publishes the slash commands (`tutorbot discord sync`).
"""

from __future__ import annotations

from bot.adapters.discord.adapter import LIMITS, PLATFORM, DiscordAdapter
from bot.adapters.discord.commands import CatalogTranslator, build_tree
from bot.adapters.discord.rendering import as_embed, button_pages, outgoing, split_markdown
from bot.adapters.discord.sync import sync_commands
from bot.core import Core
from bot.settings import Settings


def from_settings(settings: Settings, core: Core) -> DiscordAdapter | None:
    """The adapter when a bot token is set; None without one."""
    if settings.discord.token is None:
        return None
    return DiscordAdapter(
        core,
        settings.discord.token.get_secret_value(),
        edit_interval=settings.ask.stream_interval_seconds,
    )


__all__ = [
    "LIMITS",
    "PLATFORM",
    "CatalogTranslator",
    "DiscordAdapter",
    "as_embed",
    "build_tree",
    "button_pages",
    "from_settings",
    "outgoing",
    "split_markdown",
    "sync_commands",
]
