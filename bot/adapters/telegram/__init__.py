"""Telegram adapter on python-telegram-bot: updates -> core messages -> Bot API calls.

`from_settings(settings, core)` builds it from `TUTORBOT_TELEGRAM__*`; `await adapter.start()`
long-polls (or serves the webhook), `await adapter.stop()` stops.
"""

from bot.adapters.telegram.application import (
    LIMITS,
    PerChatUpdates,
    TelegramAdapter,
    Webhook,
    build_application,
)
from bot.adapters.telegram.incoming import PLATFORM, to_incoming
from bot.adapters.telegram.rendering import render_telegram_html, split_html
from bot.adapters.telegram.sending import TelegramSender
from bot.adapters.telegram.wiring import from_settings

__all__ = [
    "LIMITS",
    "PLATFORM",
    "PerChatUpdates",
    "TelegramAdapter",
    "TelegramSender",
    "Webhook",
    "build_application",
    "from_settings",
    "render_telegram_html",
    "split_html",
    "to_incoming",
]
