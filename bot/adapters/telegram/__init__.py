"""Telegram adapter on python-telegram-bot: updates -> core messages -> Bot API calls.

`TelegramAdapter(app.core, build_application(token))`, then `await adapter.start()` (long
polling) or `await adapter.start(Webhook(url, secret))`, and `await adapter.stop()`.
"""

from bot.adapters.streaming import throttled_edits
from bot.adapters.telegram.application import (
    PerChatUpdates,
    TelegramAdapter,
    Webhook,
    build_application,
)
from bot.adapters.telegram.incoming import PLATFORM, to_incoming
from bot.adapters.telegram.rendering import render_telegram_html, split_html
from bot.adapters.telegram.sending import TelegramSender

__all__ = [
    "PLATFORM",
    "PerChatUpdates",
    "TelegramAdapter",
    "TelegramSender",
    "Webhook",
    "build_application",
    "render_telegram_html",
    "split_html",
    "throttled_edits",
    "to_incoming",
]
