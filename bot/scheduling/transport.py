"""What the dispatcher needs from an adapter: send replies to a chat, and say how it failed."""

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


TELEGRAM_LIMITS = PlatformLimits(per_second=30, per_chat_per_second=1, per_group_per_minute=20)
DISCORD_LIMITS = PlatformLimits(per_second=50, per_chat_per_second=5, per_group_per_minute=None)
NO_LIMITS = PlatformLimits(None, None, None)


class Transport(Protocol):
    platform: str
    limits: PlatformLimits

    async def deliver(self, chat_id: str, is_group: bool, replies: list[Reply]) -> None:
        """Send the replies in order. Raise RecipientBlocked, RetryLater, or any other exception
        for a failure worth retrying (network errors)."""
