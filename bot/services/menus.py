"""Button menus: each reply's buttons get a one-time token bound to their owner.

Callback data is `<token>:<index>`; the actions themselves stay server-side, so a forged or
replayed press can do nothing that the owner's menu did not offer.
"""

from __future__ import annotations

import datetime as dt
import enum
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import ButtonMenu, Learner

TOKEN_BYTES = 9  # 12 url-safe characters: callback data stays far below Telegram's 64 bytes


class Refusal(enum.Enum):
    MALFORMED = "malformed"
    UNKNOWN = "unknown"
    FOREIGN = "foreign"
    USED = "used"
    STALE = "stale"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class Press:
    action: str
    flow: str
    menu: ButtonMenu


async def open_menu(
    session: AsyncSession,
    learner: Learner,
    flow: str,
    actions: list[str],
    now: dt.datetime,
    ttl: dt.timedelta,
) -> str:
    """Store a menu and return its token; older open menus of the same flow become stale."""
    await session.execute(
        update(ButtonMenu)
        .where(
            ButtonMenu.learner_id == learner.id,
            ButtonMenu.flow == flow,
            ButtonMenu.used_at.is_(None),
        )
        .values(superseded=True)
    )
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(
        ButtonMenu(
            token=token,
            learner_id=learner.id,
            flow=flow,
            actions=actions,
            created_at=now,
            expires_at=now + ttl,
            superseded=False,
        )
    )
    await session.flush()
    return token


def callback_data(token: str, index: int) -> str:
    return f"{token}:{index}"


# Menus anyone in the chat may press, each person once (the caller records who answered):
# a question posted to a study group.
SHARED_FLOWS = frozenset({"group-quiz"})


def _refusal(menu: ButtonMenu | None, presser: Learner | None, now: dt.datetime) -> Refusal | None:
    if menu is None:
        return Refusal.UNKNOWN
    shared = menu.flow in SHARED_FLOWS
    if not shared and (presser is None or menu.learner_id != presser.id):
        return Refusal.FOREIGN
    if menu.used_at is not None:
        return Refusal.USED
    if menu.superseded:
        return Refusal.STALE
    if menu.expires_at <= now:
        return Refusal.EXPIRED
    return None


async def resolve_press(
    session: AsyncSession, presser: Learner | None, data: str, now: dt.datetime
) -> Press | Refusal:
    """Check a press and, when it is valid, consume the menu. Refusals change nothing."""
    token, _, index_text = data.partition(":")
    # ASCII digits only: `isdigit()` also accepts `²`, which `int()` refuses.
    if not token or not (index_text.isascii() and index_text.isdigit()) or len(data) > 64:
        return Refusal.MALFORMED
    menu = await session.get(ButtonMenu, token, with_for_update=True)
    refusal = _refusal(menu, presser, now)
    if refusal is not None:
        return refusal
    assert menu is not None
    index = int(index_text)
    if index >= len(menu.actions):
        return Refusal.MALFORMED
    if menu.flow not in SHARED_FLOWS:
        menu.used_at = now
    return Press(action=str(menu.actions[index]), flow=menu.flow, menu=menu)


async def claim(
    session: AsyncSession, owner: Learner, token: str, now: dt.datetime
) -> Refusal | None:
    """Consume a menu without a press, e.g. when a typed answer replaces its buttons."""
    menu = await session.get(ButtonMenu, token, with_for_update=True)
    refusal = _refusal(menu, owner, now)
    if refusal is None:
        assert menu is not None
        menu.used_at = now
    return refusal


async def open_menus(session: AsyncSession, learner_id: int) -> list[ButtonMenu]:
    rows = await session.scalars(
        select(ButtonMenu).where(ButtonMenu.learner_id == learner_id, ButtonMenu.used_at.is_(None))
    )
    return list(rows)
