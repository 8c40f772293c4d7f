"""Core replies -> Bot API calls: HTML messages cut to size, inline keyboards, photos, documents,
and streamed answers shown by editing one message."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterable, Sequence

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.adapters.streaming import EDIT_INTERVAL_SECONDS, throttled_edits
from bot.adapters.telegram.rendering import CAPTION_LIMIT, split_html
from bot.core.markup import Doc
from bot.core.messages import Reply

log = logging.getLogger(__name__)

CALLBACK_DATA_BYTES = 64
# Shown while a streamed answer has produced nothing yet.
STREAM_PLACEHOLDER = "…"
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    for button in reply.flat_buttons():
        if len(button.data.encode("utf-8")) > CALLBACK_DATA_BYTES:
            raise ValueError(f"callback data over {CALLBACK_DATA_BYTES} bytes: {button.data!r}")
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(button.label, callback_data=button.data) for button in row]
            for row in reply.buttons
        ]
    )


def _chat(chat_id: str) -> int | str:
    """Numeric ids as numbers (the rate limiter tells groups by their sign), @names as they are."""
    try:
        return int(chat_id)
    except ValueError:
        return chat_id


def _not_modified(error: BadRequest) -> bool:
    return "not modified" in error.message.lower()


class TelegramSender:
    """Sends replies to one chat in order. Bot API errors propagate (`Forbidden`, `RetryAfter`
    once the rate limiter's retries are spent, network errors): callers decide what they mean."""

    def __init__(self, bot: Bot, edit_interval: float = EDIT_INTERVAL_SECONDS) -> None:
        self._bot = bot
        self._edit_interval = edit_interval

    async def send(self, chat_id: str, replies: Sequence[Reply]) -> None:
        for reply in replies:
            await self.send_reply(chat_id, reply)

    async def send_reply(self, chat_id: str, reply: Reply) -> None:
        if reply.stream is not None:
            await self._send_stream(chat_id, reply, reply.stream)
        elif reply.image is not None or reply.document is not None:
            await self._send_file(chat_id, reply)
        else:
            await self._send_texts(chat_id, split_html(reply.body), keyboard(reply))

    async def _send_texts(
        self, chat_id: str, chunks: Sequence[str], markup: InlineKeyboardMarkup | None
    ) -> Message | None:
        """Each chunk as a message; the keyboard goes under the last one."""
        sent = None
        for index, chunk in enumerate(chunks):
            sent = await self._bot.send_message(
                _chat(chat_id),
                chunk,
                parse_mode=ParseMode.HTML,
                link_preview_options=NO_PREVIEW,
                reply_markup=markup if index == len(chunks) - 1 else None,
            )
        return sent

    async def _send_file(self, chat_id: str, reply: Reply) -> None:
        """A photo or document, its body as the caption when it fits in one, else as messages
        just before it."""
        captions = split_html(reply.body, CAPTION_LIMIT)
        caption = captions[0] if len(captions) == 1 else None
        if caption is None:
            await self._send_texts(chat_id, split_html(reply.body), None)
        markup = keyboard(reply)
        if reply.image is not None:
            last = reply.document is None
            await self._bot.send_photo(
                _chat(chat_id),
                photo=reply.image,
                caption=caption,
                parse_mode=ParseMode.HTML if caption else None,
                reply_markup=markup if last else None,
            )
            caption = None
        if reply.document is not None:
            await self._bot.send_document(
                _chat(chat_id),
                document=reply.document.content,
                filename=reply.document.filename,
                caption=caption,
                parse_mode=ParseMode.HTML if caption else None,
                reply_markup=markup,
            )

    async def _send_stream(self, chat_id: str, reply: Reply, stream: AsyncIterable[Doc]) -> None:
        """Send the body, then edit that message as the stream grows (throttled); text beyond
        one message and the keyboard are added once the stream ends."""
        shown = (split_html(reply.body) or [STREAM_PLACEHOLDER])[0]
        message = await self._bot.send_message(
            _chat(chat_id), shown, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW
        )

        async def edit(body: Doc) -> None:
            nonlocal shown
            head = (split_html(body) or [shown])[0]
            if head == shown:
                return
            try:
                await self._bot.edit_message_text(
                    head,
                    chat_id=message.chat_id,
                    message_id=message.message_id,
                    parse_mode=ParseMode.HTML,
                    link_preview_options=NO_PREVIEW,
                )
            except Forbidden:
                raise
            except BadRequest as error:
                if not _not_modified(error):
                    log.warning("could not update a streamed message: %s", error)
                    return
            except TelegramError as error:
                # One lost edit is not worth the answer: the next one shows the newer text.
                log.warning("could not update a streamed message: %s", error)
                return
            shown = head

        final = await throttled_edits(stream, edit, interval=self._edit_interval)
        rest = split_html(final if final is not None else reply.body)[1:]
        markup = keyboard(reply)
        if rest:
            await self._send_texts(chat_id, rest, markup)
        elif markup is not None:
            await self._bot.edit_message_reply_markup(
                chat_id=message.chat_id, message_id=message.message_id, reply_markup=markup
            )
