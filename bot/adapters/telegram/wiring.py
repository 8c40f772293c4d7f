"""The Telegram adapter as the settings describe it: `from_settings(settings, core)`."""

from __future__ import annotations

import secrets

from bot.adapters.telegram.application import TelegramAdapter, Webhook, build_application
from bot.core import Core
from bot.settings import Settings


def webhook_from(settings: Settings) -> Webhook | None:
    telegram = settings.telegram
    if not telegram.webhook_url:
        return None
    secret = telegram.webhook_secret
    return Webhook(
        url=telegram.webhook_url,
        # Without a configured secret, one per run: Telegram learns it from setWebhook.
        secret=secret.get_secret_value() if secret else secrets.token_urlsafe(32),
        listen=telegram.webhook_listen,
        port=telegram.webhook_port,
    )


def from_settings(settings: Settings, core: Core) -> TelegramAdapter | None:
    """The adapter when a bot token is set (long polling, or webhook mode with a webhook URL);
    None without a token."""
    if settings.telegram.token is None:
        return None
    application = build_application(
        settings.telegram.token.get_secret_value(), base_url=settings.telegram.api_url
    )
    return TelegramAdapter(
        core,
        application,
        webhook=webhook_from(settings),
        edit_interval=settings.ask.stream_interval_seconds,
    )
