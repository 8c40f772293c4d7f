"""The transport-agnostic conversation."""

from bot.core.conversation import Core
from bot.core.markup import Doc, render_plain
from bot.core.messages import Button, Document, Incoming, Reply, settled

__all__ = ["Button", "Core", "Doc", "Document", "Incoming", "Reply", "render_plain", "settled"]
