"""The slash commands, built from the core's command catalog: every command with its text
option, the study-group commands under `/group`, descriptions localised (zh-CN, en-US) from the
gettext catalogs through an `app_commands.Translator`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import discord
from discord import app_commands
from discord.app_commands import TranslationContextLocation, locale_str

from bot.core.catalog import CATALOG, Argument, CommandSpec, Scope, commands_for
from bot.core.i18n import N_, translator

# Discord locales the catalogs answer for; any other locale sees the English base strings.
LOCALES = {
    discord.Locale.chinese: "zh",
    discord.Locale.american_english: "en",
    discord.Locale.british_english: "en",
}
NAME_LOCATIONS = {
    TranslationContextLocation.command_name,
    TranslationContextLocation.group_name,
    TranslationContextLocation.parameter_name,
}


# Study groups live in server channels: their commands are `/group <name>` (so that `/today`
# stays the learner's own), with `/group create` for the core's `/start`, and `/leaderboard`.
GROUP_NAME = "group"
GROUP_DESCRIPTION = N_("The study group of this channel")
GROUP_RENAMES = {"start": "create"}
GROUP_SUMMARIES = {"start": N_("Make this channel a study group (Manage Server)")}
TOP_LEVEL_GROUP_COMMANDS = ("leaderboard",)


@dataclass(frozen=True, slots=True)
class SlashCommand:
    """A slash command: the catalog's command, its Discord name, and whether it is sent on
    behalf of the channel's study group (else it is the learner's own)."""

    spec: CommandSpec
    name: str
    group: bool

    @property
    def description(self) -> str:
        return (
            GROUP_SUMMARIES.get(self.spec.name, self.spec.summary)
            if self.group
            else self.spec.summary
        )

    @property
    def argument(self) -> Argument | None:
        assert len(self.spec.arguments) <= 1, "a slash command here takes one text option"
        return self.spec.arguments[0] if self.spec.arguments else None


def personal_commands() -> list[SlashCommand]:
    return [SlashCommand(spec, spec.name, False) for spec in commands_for(Scope.PRIVATE)]


def group_commands() -> list[SlashCommand]:
    return [
        SlashCommand(spec, GROUP_RENAMES.get(spec.name, spec.name), True)
        for spec in commands_for(Scope.GROUP)
        if spec.name not in TOP_LEVEL_GROUP_COMMANDS
    ]


def top_level_group_commands() -> list[SlashCommand]:
    return [
        SlashCommand(spec, spec.name, True)
        for spec in CATALOG
        if spec.name in TOP_LEVEL_GROUP_COMMANDS
    ]


Handler = Callable[[discord.Interaction, SlashCommand, str], Awaitable[None]]


class CatalogTranslator(app_commands.Translator):
    """Descriptions from the gettext catalogs. Names stay the core's (the bot's help and
    messages refer to /today, /quiz ...), and are given for each locale unchanged."""

    async def translate(
        self,
        string: locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        language = LOCALES.get(locale)
        if language is None:
            return None
        if context.location in NAME_LOCATIONS:
            return string.message
        return translator(language)(string.message)


def _callback(spec: SlashCommand, handler: Handler) -> Callable[..., Coroutine[Any, Any, None]]:
    """A command callback whose signature discord.py reads for the option (if any)."""
    argument = spec.argument
    if argument is None:

        async def plain(interaction: discord.Interaction) -> None:
            await handler(interaction, spec, "")

        return plain
    if argument.required:

        async def required(interaction: discord.Interaction, text: str) -> None:
            await handler(interaction, spec, text)

        callback = required
    else:

        async def optional(interaction: discord.Interaction, text: str | None = None) -> None:
            await handler(interaction, spec, text or "")

        callback = optional
    callback = app_commands.rename(text=argument.name)(callback)
    return app_commands.describe(text=locale_str(argument.summary))(callback)


def _command(spec: SlashCommand, handler: Handler, **extra: object) -> app_commands.Command:
    return app_commands.Command(
        name=spec.name,
        description=locale_str(spec.description),
        callback=_callback(spec, handler),
        **extra,  # type: ignore[arg-type]
    )


def build_tree(client: discord.Client, handler: Handler) -> app_commands.CommandTree:
    """The command tree: personal commands anywhere, the group commands in servers only."""
    tree = app_commands.CommandTree(client)
    for spec in personal_commands():
        tree.add_command(_command(spec, handler))
    guild_only = app_commands.AppCommandContext(guild=True)
    group = app_commands.Group(
        name=GROUP_NAME, description=locale_str(GROUP_DESCRIPTION), allowed_contexts=guild_only
    )
    for spec in group_commands():
        group.add_command(_command(spec, handler))
    tree.add_command(group)
    for spec in top_level_group_commands():
        tree.add_command(_command(spec, handler, allowed_contexts=guild_only))
    return tree
