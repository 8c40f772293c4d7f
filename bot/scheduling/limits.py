"""Client-side rate limits per platform, so that the platform never has to say 429. The overall
rate is a `Budget` (shared between processes on PostgreSQL); per-chat limits stay in-process,
as one push goes to a chat at a time."""

from __future__ import annotations

from collections import OrderedDict

from aiolimiter import AsyncLimiter

from bot.core.transport import PlatformLimits
from bot.scheduling.budget import Budget, LocalBudget

# Per-chat limiters are kept for the most recent chats only.
MAX_TRACKED_CHATS = 10_000


class RateLimiter:
    def __init__(self, limits: PlatformLimits, overall: Budget | None = None) -> None:
        self._limits = limits
        if overall is None and limits.per_second:
            overall = LocalBudget(limits.per_second)
        self._overall = overall
        self._chats: OrderedDict[str, AsyncLimiter] = OrderedDict()

    def _chat_limiter(self, chat_id: str, is_group: bool) -> AsyncLimiter | None:
        if is_group and self._limits.per_group_per_minute:
            rate, period = self._limits.per_group_per_minute, 60.0
        elif self._limits.per_chat_per_second:
            rate, period = self._limits.per_chat_per_second, 1.0
        else:
            return None
        limiter = self._chats.get(chat_id)
        if limiter is None:
            limiter = self._chats[chat_id] = AsyncLimiter(rate, period)
            if len(self._chats) > MAX_TRACKED_CHATS:
                self._chats.popitem(last=False)
        else:
            self._chats.move_to_end(chat_id)
        return limiter

    async def acquire(self, chat_id: str, is_group: bool) -> None:
        chat = self._chat_limiter(chat_id, is_group)
        if chat is not None:
            await chat.acquire()
        if self._overall is not None:
            await self._overall.acquire()
