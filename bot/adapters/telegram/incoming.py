"""Telegram updates -> core `Incoming` messages."""

from __future__ import annotations

from telegram import Chat, Update

from bot.core.messages import Incoming

PLATFORM = "telegram"
GROUP_CHATS = (Chat.GROUP, Chat.SUPERGROUP)


def to_incoming(update: Update) -> Incoming | None:
    """A typed text or a button press; None for anything else (stickers, edits, joins...).
    `is_admin` stays False: asking Telegram who administers a group belongs to group support."""
    user = update.effective_user
    if user is None or user.is_bot:
        return None
    query = update.callback_query
    if query is not None:
        chat = query.message.chat if query.message is not None else None
        return Incoming(
            platform=PLATFORM,
            user_id=str(user.id),
            chat_id=str(chat.id if chat is not None else user.id),
            display_name=user.full_name,
            callback=query.data or "",
            locale_hint=user.language_code,
            is_group=chat is not None and chat.type in GROUP_CHATS,
            chat_title=(chat.title or "") if chat is not None else "",
        )
    message = update.message
    if message is None or message.text is None:
        return None
    return Incoming(
        platform=PLATFORM,
        user_id=str(user.id),
        chat_id=str(message.chat.id),
        display_name=user.full_name,
        text=message.text,
        locale_hint=user.language_code,
        is_group=message.chat.type in GROUP_CHATS,
        chat_title=message.chat.title or "",
    )
