"""Typed answers where a server channel gives the bot no message text: a reply that asks for a
typed answer (a cloze card, a typed timezone) gets a "✍️ Answer" button, which opens a form
(a modal) whose text goes to the core as if typed in a DM."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace

import discord

from bot.core.i18n import N_, translator
from bot.core.messages import EXPECTS_TEXT, Button, Reply

# The data of the answer button (core button data is `token:index`, so it never collides).
ANSWER_BUTTON = "answer"
FORM_ID = "tutorbot-answer"
ANSWER_LIMIT = 1000
BUTTON_LABEL = N_("✍️ Answer")
FORM_TITLE = N_("Your answer")

OnAnswer = Callable[[discord.Interaction, str], Awaitable[None]]


def with_answer_buttons(replies: list[Reply], locale: str) -> list[Reply]:
    """Replies asking for a typed answer, each with a button opening the answer form."""
    label = translator(locale)(BUTTON_LABEL)
    return [
        replace(reply, buttons=(*reply.buttons, (Button(label, ANSWER_BUTTON),)))
        if reply.extra.get(EXPECTS_TEXT)
        else reply
        for reply in replies
    ]


class AnswerForm(discord.ui.Modal):
    """One text field; its submission goes to `on_answer`."""

    def __init__(self, locale: str, on_answer: OnAnswer) -> None:
        _ = translator(locale)
        # Forms the user closes without sending are forgotten after a while.
        super().__init__(title=_(FORM_TITLE), custom_id=FORM_ID, timeout=900)
        self.answer: discord.ui.TextInput[AnswerForm] = discord.ui.TextInput(
            label=_(FORM_TITLE), custom_id="answer", max_length=ANSWER_LIMIT
        )
        self.add_item(self.answer)
        self._on_answer = on_answer

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await self._on_answer(interaction, self.answer.value)
