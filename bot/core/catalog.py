"""Every command the bot answers, once: its name, one-line summary (an English message id,
translated like every other text), arguments, and where it is answered.

The core dispatches from this list, `/help` and the group help list it, and the adapters build
their platform's command menus from it (Telegram's `setMyCommands`, Discord's command tree).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Flag, auto

from bot.core.i18n import N_, Translate
from bot.core.markup import Line, line


class Scope(Flag):
    PRIVATE = auto()  # a learner's own chat with the bot
    GROUP = auto()  # a study group's chat
    BOTH = PRIVATE | GROUP


@dataclass(frozen=True, slots=True)
class Argument:
    name: str  # lowercase ASCII, a platform option name
    summary: str  # message id, shown in /help and as the option's description
    required: bool = False


@dataclass(frozen=True, slots=True)
class CommandSpec:
    name: str
    summary: str  # message id
    scope: Scope = Scope.PRIVATE
    arguments: tuple[Argument, ...] = ()
    admin_in_groups: bool = False  # in a group chat only its admins may use it
    # For the bot's operators (TUTORBOT_ADMINS): answered, but in no menu and not in /help.
    operators_only: bool = False

    def answers(self, is_group: bool) -> bool:
        return bool(self.scope & (Scope.GROUP if is_group else Scope.PRIVATE))


# Menu order: the daily loop first, housekeeping last.
CATALOG: tuple[CommandSpec, ...] = (
    CommandSpec("today", N_("Today's lesson"), Scope.BOTH),
    CommandSpec(
        "lesson",
        N_("The lesson of any day up to today (also /today N)"),
        arguments=(Argument("day", N_("a day number; alone: the backlog")),),
    ),
    CommandSpec("backlog", N_("Past lessons not done yet, to catch up")),
    CommandSpec(
        "quiz",
        N_("Review what you learned"),
        Scope.BOTH,
        (Argument("topic", N_("a day or a term")),),
    ),
    CommandSpec(
        "ask",
        N_("Ask a question about the plan"),
        Scope.BOTH,
        (Argument("question", N_("your question"), required=True),),
    ),
    CommandSpec("plan", N_("Your plan and progress")),
    CommandSpec("progress", N_("Streak, cards and retention")),
    CommandSpec("retro", N_("This week's retrospective")),
    CommandSpec("join", N_("Join the group's leaderboard"), Scope.GROUP),
    CommandSpec("leave", N_("Leave the group's leaderboard"), Scope.GROUP),
    CommandSpec("leaderboard", N_("This week's group ranking"), Scope.GROUP),
    CommandSpec(
        "settings",
        N_("Timezone, time, language, plan"),
        Scope.BOTH,
        (Argument("change", N_("e.g. timezone Asia/Tokyo, time 21:30, language en")),),
        admin_in_groups=True,
    ),
    CommandSpec("pause", N_("Stop the daily lessons"), Scope.BOTH, admin_in_groups=True),
    CommandSpec("resume", N_("Restart the daily lessons"), Scope.BOTH, admin_in_groups=True),
    CommandSpec("export", N_("Download all your data")),
    CommandSpec("forget", N_("Delete all your data")),
    CommandSpec("start", N_("Choose your plan and schedule"), Scope.BOTH, admin_in_groups=True),
    CommandSpec("help", N_("What I can do"), Scope.BOTH),
    CommandSpec(
        "admin",
        N_("Operator commands"),
        arguments=(Argument("action", N_("stats, broadcast TEXT, reindex, bank import")),),
        operators_only=True,
    ),
)

BY_NAME = {spec.name: spec for spec in CATALOG}


def find(name: str) -> CommandSpec | None:
    return BY_NAME.get(name)


def commands_for(scope: Scope) -> list[CommandSpec]:
    """The commands answered in that kind of chat, in menu order (operators' ones left out)."""
    return [spec for spec in CATALOG if spec.scope & scope and not spec.operators_only]


def usage(spec: CommandSpec, _: Translate) -> str:
    """`/quiz [a day or a term]`: the command as typed, its arguments described."""
    shown = [
        f"<{_(arg.summary)}>" if arg.required else f"[{_(arg.summary)}]" for arg in spec.arguments
    ]
    return " ".join([f"/{spec.name}", *shown])


def help_line(spec: CommandSpec, _: Translate) -> Line:
    return line(f"{usage(spec, _)} — {_(spec.summary)}")
