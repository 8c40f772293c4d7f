"""Fixtures shared by the conversation tests."""

from __future__ import annotations

import pytest

from bot.app import App
from tests.support.chat import Chat, enrol


@pytest.fixture
async def enrolled(app: App) -> Chat:
    """Alice, enrolled in English on the 100-day plan's app track."""
    chat = Chat(app.core)
    await enrol(chat)
    return chat
