"""The command menus Telegram shows next to the message box (`setMyCommands`), from the core's
command catalog: one for private chats and one for group chats, per language."""

from __future__ import annotations

from bot.core.catalog import CATALOG, Scope, commands_for
from bot.core.i18n import translator

# Telegram's limit for a command's description.
DESCRIPTION_LIMIT = 256


def core_commands() -> list[str]:
    """Every command the core answers, each of which gets a command handler."""
    return [spec.name for spec in CATALOG]


def menu(language: str, scope: Scope = Scope.PRIVATE) -> list[tuple[str, str]]:
    """(command, description) pairs in `language` for one kind of chat, in menu order."""
    _ = translator(language)
    return [(spec.name, _(spec.summary)[:DESCRIPTION_LIMIT]) for spec in commands_for(scope)]
