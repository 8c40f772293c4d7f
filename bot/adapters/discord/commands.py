"""The slash commands: every core command, one string option where the core takes an argument,
the study-group commands under `/group`, names and descriptions localised (zh-CN, en-US) from
the core's gettext catalogs through an `app_commands.Translator`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import discord
from bot.core.i18n import N_, translator
from discord import app_commands
from discord.app_commands import TranslationContextLocation, locale_str

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


@dataclass(frozen=True, slots=True)
class SlashCommand:
    """A slash command and the core command text it sends (`/name option-value`)."""

    name: str
    description: str
    core: str
    option: str | None = None
    option_description: str = ""
    required: bool = False
    # Sent in a server channel on behalf of the channel's study group (else: personal).
    group: bool = False


PERSONAL = (
    SlashCommand("today", N_("Today's lesson"), "today"),
    SlashCommand(
        "quiz",
        N_("Review what you learned"),
        "quiz",
        "topic",
        N_("A day number or a term to practise"),
    ),
    SlashCommand(
        "ask",
        N_("Ask a question about the plan"),
        "ask",
        "question",
        N_("Your question"),
        required=True,
    ),
    SlashCommand("plan", N_("Your plan and progress"), "plan"),
    SlashCommand("progress", N_("Streak, cards and retention"), "progress"),
    SlashCommand("retro", N_("This week's retrospective"), "retro"),
    SlashCommand(
        "settings",
        N_("Timezone, time, language, plan"),
        "settings",
        "change",
        N_("For example: timezone Asia/Tokyo, time 21:30, language en"),
    ),
    SlashCommand("pause", N_("Stop the daily lessons"), "pause"),
    SlashCommand("resume", N_("Restart the daily lessons"), "resume"),
    SlashCommand("export", N_("Download all your data"), "export"),
    SlashCommand("forget", N_("Delete all your data"), "forget"),
    SlashCommand("start", N_("Choose your plan and schedule"), "start"),
    SlashCommand("help", N_("What I can do"), "help"),
)
GROUP_NAME = "group"
GROUP_DESCRIPTION = N_("The study group of this channel")
GROUP = (
    SlashCommand(
        "create", N_("Make this channel a study group (Manage Server)"), "start", group=True
    ),
    SlashCommand(
        "settings",
        N_("The group's plan, time, timezone and language (Manage Server)"),
        "settings",
        "change",
        N_("For example: timezone Asia/Tokyo, time 21:30"),
        group=True,
    ),
    SlashCommand("join", N_("Join this channel's study group"), "join", group=True),
    SlashCommand("leave", N_("Leave this channel's study group"), "leave", group=True),
    SlashCommand("today", N_("The group's lesson of the day"), "today", group=True),
    SlashCommand("quiz", N_("A question for everyone in the group"), "quiz", group=True),
    SlashCommand(
        "pause", N_("Pause the group's daily lessons (Manage Server)"), "pause", group=True
    ),
    SlashCommand(
        "resume", N_("Resume the group's daily lessons (Manage Server)"), "resume", group=True
    ),
)
LEADERBOARD = SlashCommand(
    "leaderboard", N_("The study group's ranking this week"), "leaderboard", group=True
)

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


def _callback(spec: SlashCommand, handler: Handler) -> Callable[..., Awaitable[None]]:
    """A command callback whose signature discord.py reads for the option (if any)."""
    if spec.option is None:

        async def plain(interaction: discord.Interaction) -> None:
            await handler(interaction, spec, "")

        return plain
    if spec.required:

        async def required(interaction: discord.Interaction, text: str) -> None:
            await handler(interaction, spec, text)

        callback = required
    else:

        async def optional(interaction: discord.Interaction, text: str | None = None) -> None:
            await handler(interaction, spec, text or "")

        callback = optional
    callback = app_commands.rename(text=spec.option)(callback)
    return app_commands.describe(text=locale_str(spec.option_description))(callback)


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
    for spec in PERSONAL:
        tree.add_command(_command(spec, handler))
    guild_only = app_commands.AppCommandContext(guild=True)
    group = app_commands.Group(
        name=GROUP_NAME, description=locale_str(GROUP_DESCRIPTION), allowed_contexts=guild_only
    )
    for spec in GROUP:
        group.add_command(_command(spec, handler))
    tree.add_command(group)
    tree.add_command(_command(LEADERBOARD, handler, allowed_contexts=guild_only))
    return tree
