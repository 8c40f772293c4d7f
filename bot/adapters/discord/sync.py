"""`tutorbot discord sync`: publish the slash commands (with their zh-CN/en-US localisations)
to Discord, globally or to one server. Done explicitly, not at every start: Discord limits how
often commands may be created."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.adapters.discord.commands import CatalogTranslator, SlashCommand, build_tree


async def _unused(interaction: discord.Interaction, spec: SlashCommand, args: str) -> None:
    raise RuntimeError("a sync-only client does not answer commands")


async def sync_commands(token: str, guild_id: int | None = None) -> list[app_commands.AppCommand]:
    """Log in over HTTP only (no gateway), sync the tree and return what Discord stored. A
    server sync copies the global commands to that server (they appear there at once)."""
    client = discord.Client(intents=discord.Intents.none())
    tree = build_tree(client, _unused)
    await tree.set_translator(CatalogTranslator())
    try:
        await client.login(token)
        if guild_id is None:
            return await tree.sync()
        guild = discord.Object(guild_id)
        tree.copy_global_to(guild=guild)
        return await tree.sync(guild=guild)
    finally:
        await client.close()
