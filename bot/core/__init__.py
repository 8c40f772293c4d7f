"""The transport-agnostic conversation."""

from bot.core.catalog import CATALOG, CommandSpec, Scope
from bot.core.conversation import Core
from bot.core.markup import Doc, render_plain
from bot.core.messages import Button, Document, Incoming, Reply, settled
from bot.core.transport import (
    NO_LIMITS,
    Adapter,
    PlatformLimits,
    RecipientBlocked,
    RetryLater,
    Transport,
)

__all__ = [
    "CATALOG",
    "NO_LIMITS",
    "Adapter",
    "Button",
    "CommandSpec",
    "Core",
    "Doc",
    "Document",
    "Incoming",
    "PlatformLimits",
    "RecipientBlocked",
    "Reply",
    "RetryLater",
    "Scope",
    "Transport",
    "render_plain",
    "settled",
]
