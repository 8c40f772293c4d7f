"""The contract between the core and a chat platform's adapter.

An adapter package (one folder under `bot/adapters/`) translates platform events into
`Core.handle` calls and core replies into platform calls. It exposes
`from_settings(settings, core) -> Adapter | None` (None when the platform is not configured);
`bot.app.build_adapters` collects them and `tutorbot run` starts and stops them. The scheduler
sees only the `Transport` half: where pushes go and how fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.core.messages import Reply


class RecipientBlocked(Exception):
    """The platform says this chat will never accept a message from us (blocked, kicked)."""


class RetryLater(Exception):
    """The platform asked us to wait (HTTP 429 and its `retry_after`)."""

    def __init__(self, seconds: float, message: str = "rate limited") -> None:
        super().__init__(message)
        self.seconds = seconds


@dataclass(frozen=True, slots=True)
class PlatformLimits:
    """Sending limits a platform documents; None lifts a limit."""

    per_second: float | None  # all chats together
    per_chat_per_second: float | None
    per_group_per_minute: float | None


NO_LIMITS = PlatformLimits(None, None, None)


class Transport(Protocol):
    """What the dispatcher needs to push a message: the platform's name (outbox rows carry it),
    its sending limits, and a way to send."""

    @property
    def platform(self) -> str: ...

    @property
    def limits(self) -> PlatformLimits: ...

    async def deliver(self, chat_id: str, is_group: bool, replies: list[Reply]) -> None:
        """Send the replies in order. Raise RecipientBlocked, RetryLater, or any other exception
        for a failure worth retrying (network errors)."""


class Adapter(Transport, Protocol):
    """A chat platform: a transport for pushes that also receives messages between `start`
    (connect, begin receiving) and `stop` (stop receiving, disconnect)."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...
