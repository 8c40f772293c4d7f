"""Discord adapter on discord.py: slash commands and persistent buttons -> core messages ->
interaction follow-ups, DMs and study-group channels.

`DiscordAdapter.from_settings(settings, core)`, then `await adapter.start()` and
`await adapter.stop()`; `sync_commands(token, guild_id)` publishes the slash commands.
"""

from bot.adapters.discord.adapter import PLATFORM, DiscordAdapter
from bot.adapters.discord.commands import CatalogTranslator, build_tree
from bot.adapters.discord.rendering import as_embed, button_pages, outgoing, split_markdown
from bot.adapters.discord.sync import sync_commands

__all__ = [
    "PLATFORM",
    "CatalogTranslator",
    "DiscordAdapter",
    "as_embed",
    "build_tree",
    "button_pages",
    "outgoing",
    "split_markdown",
    "sync_commands",
]
