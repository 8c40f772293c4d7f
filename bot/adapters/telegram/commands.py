"""The command menu Telegram shows next to the message box (`setMyCommands`), per language.

The commands themselves are the core's; only their one-line descriptions live here, in the
core's catalogs like every other text the bot shows.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from bot.core.conversation import COMMANDS
from bot.core.i18n import N_, translator

log = logging.getLogger(__name__)

# Menu order; commands the core does not (yet) have are left out of the menu.
DESCRIPTIONS = {
    "today": N_("Today's lesson"),
    "lesson": N_("The lesson of any day up to today: /lesson 3"),
    "backlog": N_("Past lessons not done yet"),
    "quiz": N_("Review what you learned"),
    "ask": N_("Ask a question about the plan"),
    "plan": N_("Your plan and progress"),
    "progress": N_("Streak, cards and retention"),
    "retro": N_("This week's retrospective"),
    "settings": N_("Timezone, time, language, plan"),
    "pause": N_("Stop the daily lessons"),
    "resume": N_("Restart the daily lessons"),
    "export": N_("Download all your data"),
    "forget": N_("Delete all your data"),
    "start": N_("Choose your plan and schedule"),
    "help": N_("What I can do"),
}


def core_commands() -> list[str]:
    """Every command the core answers, each of which gets a command handler."""
    return ["start", *COMMANDS]


def menu(language: str, commands: Iterable[str] | None = None) -> list[tuple[str, str]]:
    """(command, description) pairs in `language`, in menu order."""
    available = set(core_commands() if commands is None else commands)
    _ = translator(language)
    entries = [(name, _(text)) for name, text in DESCRIPTIONS.items() if name in available]
    for name in sorted(available - DESCRIPTIONS.keys()):
        # A command added to the core without a description still belongs in the menu.
        log.warning("no menu description for /%s", name)
        entries.append((name, f"/{name}"))
    return entries
