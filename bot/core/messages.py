"""What adapters hand the core and what the core hands back: no platform types here."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from bot.core.markup import Doc


@dataclass(frozen=True, slots=True)
class Incoming:
    """A typed message (`text`) or a button press (`callback`) from one user in one chat."""

    platform: str
    user_id: str
    chat_id: str
    display_name: str = ""
    text: str | None = None
    callback: str | None = None
    # The platform's language hint (e.g. Telegram's `language_code`), used before onboarding.
    locale_hint: str | None = None
    is_group: bool = False
    # In a group: whether the sender administers it (the adapter asks the platform).
    is_admin: bool = False
    chat_title: str = ""


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    data: str


@dataclass(frozen=True, slots=True)
class Document:
    filename: str
    content: bytes
    mime_type: str = "application/json"


# `Reply.extra` key: the reply asks for a typed answer (a cloze card, a typed timezone), so an
# adapter whose chat cannot take typed text there offers another way to send it.
EXPECTS_TEXT = "expects_text"


@dataclass(frozen=True, slots=True)
class Reply:
    body: Doc
    buttons: tuple[tuple[Button, ...], ...] = ()
    image: Path | None = None
    document: Document | None = None
    # A refusal to a button press: adapters may show it as a toast instead of a message.
    notice: bool = False
    extra: dict[str, str] = field(default_factory=dict)
    # A streamed answer: each item is the whole text so far, the last one the final text. An
    # adapter sends `body` first and edits the message with each item; one that cannot edit
    # shows only the final item (see `settled`).
    stream: AsyncIterator[Doc] | None = None

    def flat_buttons(self) -> list[Button]:
        return [button for row in self.buttons for button in row]


async def settled(reply: Reply) -> Reply:
    """The reply with its stream drained: `body` is the final text."""
    if reply.stream is None:
        return reply
    body = reply.body
    async for item in reply.stream:
        body = item
    return replace(reply, body=body, stream=None)
