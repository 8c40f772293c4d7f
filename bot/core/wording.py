"""Phrases several messages share, with the plural form their number needs."""

from __future__ import annotations

from bot.core.i18n import TranslatePlural


def streak_text(ngettext: TranslatePlural, days: int) -> str:
    return ngettext("🔥 Streak: {days} day", "🔥 Streak: {days} days", days).format(days=days)
