"""Console adapter: a chat on stdin/stdout. `!press N` presses the Nth button of the last reply,
`!now ISO-DATETIME` moves the clock (for demos and tests)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import TextIO

from bot.core import Core, Incoming, Reply, render_plain, settled
from bot.core.readable import small_number
from bot.core.transport import NO_LIMITS

PLATFORM = "console"
Clock = Callable[[], dt.datetime]


def parse_now(text: str) -> dt.datetime:
    """An ISO datetime; a naive one is taken as UTC."""
    value = dt.datetime.fromisoformat(text.strip())
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def fixed_clock(text: str) -> Clock:
    moment = parse_now(text)
    return lambda: moment


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def format_reply(reply: Reply) -> str:
    parts = [render_plain(reply.body)]
    numbered = [f"[{index}] {button.label}" for index, button in enumerate(reply.flat_buttons(), 1)]
    if numbered:
        parts.append("  ".join(numbered))
    if reply.image is not None:
        parts.append(f"🖼 {reply.image}")
    if reply.document is not None:
        parts.append(f"📎 {reply.document.filename}")
        parts.append(reply.document.content.decode("utf-8"))
    return "\n".join(parts)


class ConsoleChat:
    """One learner's terminal. It is also the console's transport for pushes (daily lessons,
    retrospectives), which the dispatcher hands to `deliver`."""

    platform = PLATFORM
    limits = NO_LIMITS

    def __init__(self, core: Core, user: str, clock: Clock, out: TextIO) -> None:
        self._core = core
        self._user = user
        self._clock = clock
        self._out = out
        self._last_buttons: list[str] = []

    @property
    def user(self) -> str:
        return self._user

    def now(self) -> dt.datetime:
        return self._clock()

    def _show(self, replies: list[Reply]) -> None:
        for reply in replies:
            self._print(format_reply(reply))
            self._print("")
            if reply.buttons:
                self._last_buttons = [button.data for button in reply.flat_buttons()]

    async def deliver(self, chat_id: str, is_group: bool, replies: list[Reply]) -> None:
        self._print("📬")
        self._show(replies)

    def _print(self, text: str) -> None:
        self._out.write(text + "\n")
        self._out.flush()

    async def send(self, line: str) -> list[Reply]:
        line = line.rstrip("\n")
        if line.startswith("!now "):
            try:
                moment = parse_now(line[5:])
            except ValueError:
                self._print("(!now wants an ISO datetime, e.g. 2026-03-08T09:00:00+00:00)")
                return []
            self._clock = fixed_clock(line[5:])
            self._print(f"(clock set to {moment.isoformat()})")
            return []
        incoming = Incoming(
            platform=PLATFORM,
            user_id=self._user,
            chat_id=self._user,
            display_name=self._user,
            text=line,
        )
        if line.startswith("!press"):
            target = self._button(line[6:].strip())
            if target is None:
                self._print(f"(no button {line[6:].strip()[:16] or '?'} in the last reply)")
                return []
            incoming = Incoming(
                platform=PLATFORM,
                user_id=self._user,
                chat_id=self._user,
                display_name=self._user,
                callback=target,
            )
        # A terminal cannot edit what it printed: a streamed answer is shown once, complete.
        replies = [
            await settled(reply) for reply in await self._core.handle(incoming, self._clock())
        ]
        self._show(replies)
        return replies

    def _button(self, number: str) -> str | None:
        index = small_number(number)
        if index is None or not 1 <= index <= len(self._last_buttons):
            return None
        return self._last_buttons[index - 1]

    async def run(self, lines: Iterable[str]) -> None:
        for line in lines:
            if line.strip():
                await self.send(line)
