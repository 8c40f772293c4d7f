"""Everything one handler call needs: the session, the sender, the clock, the translator."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.i18n import (
    Translate,
    TranslatePlural,
    normalise_language,
    plural_translator,
    translator,
)
from bot.core.markup import Doc, doc
from bot.core.messages import EXPECTS_TEXT, Button, Incoming, Reply
from bot.db.models import Learner
from bot.services import menus
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.services.answer_grading import AnswerGrader
    from bot.services.ask_engine import AskEngine
    from bot.services.llm_client import LLMClient

ButtonSpec = tuple[str, str]  # (label, action)


@dataclass
class Context:
    session: AsyncSession
    incoming: Incoming
    now: dt.datetime
    settings: Settings
    learner: Learner | None
    replies: list[Reply] = field(default_factory=list)
    # A group's language, for messages posted in its channel.
    language_override: str | None = None
    # The retriever and answer model behind /ask (built once per process by the app).
    ask_engine: AskEngine | None = None
    # Grades typed answers to recall and cloze cards (built once per process by the app).
    grader: AnswerGrader | None = None
    # The answer model's client, shared by /ask, grading and the retrospectives' narratives.
    llm_client: LLMClient | None = None

    @property
    def language(self) -> str:
        if self.language_override is not None:
            return self.language_override
        if self.learner is not None:
            return self.learner.language
        return normalise_language(self.incoming.locale_hint)

    @property
    def _(self) -> Translate:  # noqa: N802 - reads like gettext at call sites: ctx._("...")
        return translator(self.language)

    @property
    def ngettext(self) -> TranslatePlural:
        """Plural-aware messages: ctx.ngettext("{n} day", "{n} days", n).format(n=n)."""
        return plural_translator(self.language)

    async def commit(self) -> None:
        """End the transaction here, with what the message did so far, before slow work that
        needs no database (a search, the answer model, drawing a chart): no transaction (and no
        row lock) stays open across it. The next query begins a new one, which the core commits
        when the message is handled."""
        await self.session.commit()

    def enrolled_learner(self) -> Learner | None:
        """The learner, when they have chosen a plan; otherwise None, after telling them how to
        begin. Every command about one's own plan starts here."""
        if self.learner is None or not self.learner.enrolled:
            self.say(self._("You have not chosen a study plan yet. Send /start to begin."))
            return None
        return self.learner

    def say(self, body: Doc | str, *, notice: bool = False) -> None:
        self.replies.append(Reply(body=body if isinstance(body, Doc) else doc(body), notice=notice))

    def expect_text(self) -> None:
        """Mark the last reply as asking for a typed answer (see `messages.EXPECTS_TEXT`)."""
        self.replies[-1].extra[EXPECTS_TEXT] = "1"

    async def ask(self, body: Doc | str, flow: str, rows: list[list[ButtonSpec]]) -> str:
        """Send a reply with buttons whose presses come back as the given actions; returns the
        menu's token."""
        assert self.learner is not None, "menus belong to a learner"
        actions = [action for row in rows for _, action in row]
        token = await menus.open_menu(
            self.session,
            self.learner,
            flow,
            actions,
            self.now,
            dt.timedelta(hours=self.settings.button_ttl_hours),
        )
        buttons: list[tuple[Button, ...]] = []
        index = 0
        for row in rows:
            built = []
            for label, _ in row:
                built.append(Button(label=label, data=menus.callback_data(token, index)))
                index += 1
            buttons.append(tuple(built))
        self.replies.append(
            Reply(body=body if isinstance(body, Doc) else doc(body), buttons=tuple(buttons))
        )
        return token
