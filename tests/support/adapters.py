"""Helpers shared by the chat-platform adapter tests (Telegram, Discord)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from sqlalchemy import select

from bot.app import App
from bot.db.models import Learner


@dataclass
class Clock:
    """A clock the test moves by hand."""

    now: dt.datetime = field(default_factory=lambda: dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC))

    def __call__(self) -> dt.datetime:
        return self.now


class Buttoned(Protocol):
    def buttons(self) -> Sequence[tuple[str, Any]]: ...


M = TypeVar("M", bound=Buttoned)


def newest_offering(messages: Sequence[M], label: str) -> M:
    """The newest bot message offering a button whose label contains `label`."""
    for message in reversed(messages):
        if any(label in text for text, _ in message.buttons()):
            return message
    raise AssertionError(f"no message offers {label!r}")


async def learner_row(app: App, platform: str, user_id: int) -> Learner | None:
    async with app.sessions() as session:
        return await session.scalar(
            select(Learner).where(
                Learner.platform == platform, Learner.platform_user_id == str(user_id)
            )
        )


async def onboard_in_english(
    start: Callable[[], Awaitable[Sequence[Any]]],
    press: Callable[[str], Awaitable[Sequence[Any]]],
) -> None:
    """/start in English: the 100-day plan, application track, Shanghai, 08:00. `start` sends
    /start, `press` presses a button; both return the new messages (with a `.text`)."""
    welcome = await start()
    assert "Welcome" in welcome[0].text
    for label in ("English", "100", "Application", "Asia/Shanghai"):
        await press(label)
    done = await press("08:00")
    assert "You're all set!" in done[0].text
