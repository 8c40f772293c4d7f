"""What adapters hand the core and what the core hands back: no platform types here."""

from __future__ import annotations

from dataclasses import dataclass, field
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


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    data: str


@dataclass(frozen=True, slots=True)
class Document:
    filename: str
    content: bytes
    mime_type: str = "application/json"


@dataclass(frozen=True, slots=True)
class Reply:
    body: Doc
    buttons: tuple[tuple[Button, ...], ...] = ()
    image: Path | None = None
    document: Document | None = None
    # A refusal to a button press: adapters may show it as a toast instead of a message.
    notice: bool = False
    extra: dict[str, str] = field(default_factory=dict)

    def flat_buttons(self) -> list[Button]:
        return [button for row in self.buttons for button in row]
