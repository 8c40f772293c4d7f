"""A chat-log driver over the core, so conversation tests read like the conversation."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from bot.core import Core, Incoming, Reply, render_plain, settled


@dataclass
class Chat:
    core: Core
    user: str = "alice"
    now: dt.datetime = field(default_factory=lambda: dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC))
    platform: str = "console"
    locale_hint: str | None = None
    # A group chat: several Chats share one `group` id; `admin` says who administers it.
    group: str | None = None
    admin: bool = False
    replies: list[Reply] = field(default_factory=list)
    last_buttons: list[tuple[str, str]] = field(default_factory=list)
    # The text of the reply that offered `last_buttons`.
    last_menu_text: str = ""

    async def _send(self, incoming: Incoming) -> str:
        # Streamed answers are read to the end, as an adapter that edits its message would.
        self.replies = [
            await settled(reply) for reply in await self.core.handle(incoming, self.now)
        ]
        for reply in self.replies:
            if reply.buttons:
                self.last_buttons = [(button.label, button.data) for button in reply.flat_buttons()]
                self.last_menu_text = render_plain(reply.body)
        return self.text

    @property
    def text(self) -> str:
        return "\n\n".join(render_plain(reply.body) for reply in self.replies)

    def _incoming(self, **kwargs: str | None) -> Incoming:
        return Incoming(
            platform=self.platform,
            user_id=self.user,
            chat_id=self.group or self.user,
            display_name=self.user.title(),
            locale_hint=self.locale_hint,
            is_group=self.group is not None,
            is_admin=self.admin,
            chat_title=f"group {self.group}" if self.group else "",
            **kwargs,  # type: ignore[arg-type]
        )

    async def say(self, text: str) -> str:
        return await self._send(self._incoming(text=text))

    def button(self, label: str) -> str:
        """Callback data of the last offered button whose label contains `label`."""
        matches = [data for name, data in self.last_buttons if label in name]
        assert matches, f"no button {label!r} among {[name for name, _ in self.last_buttons]}"
        return matches[0]

    async def press(self, label: str) -> str:
        return await self._send(self._incoming(callback=self.button(label)))

    def letter_of(self, option: str) -> str:
        """The letter a choice card shows for `option` (options are shuffled per presentation)."""
        text = self.last_menu_text
        found = re.search(rf"^([A-F])\. {re.escape(option)}$", text, re.MULTILINE)
        assert found, f"no option {option!r} in {text!r}"
        return found.group(1)

    async def choose(self, option: str) -> str:
        """Press the letter of the choice card's option that reads `option`."""
        return await self.press(self.letter_of(option))

    async def choose_other_than(self, option: str) -> str:
        """Press a letter of the choice card that is not `option`: a wrong answer."""
        wrong = "B" if self.letter_of(option) == "A" else "A"
        return await self.press(wrong)

    async def press_data(self, data: str) -> str:
        return await self._send(self._incoming(callback=data))

    def advance(self, **delta: float) -> None:
        self.now = self.now + dt.timedelta(**delta)


async def enrol(
    chat: Chat,
    plan_label: str = "100",
    track_label: str | None = "Application",
    timezone: str = "Asia/Shanghai",
    time: str = "08:00",
    language: str = "English",
) -> str:
    """Walk /start with buttons: language, plan, track, timezone, time."""
    await chat.say("/start")
    await chat.press(language)
    await chat.press(plan_label)
    if track_label:
        await chat.press(track_label)
    await chat.press(timezone)
    return await chat.press(time)
