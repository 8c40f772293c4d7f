"""Core replies -> Discord messages, through an interaction's follow-ups (the answer to a
command or a press) or a channel (pushes). Streamed answers edit one message, throttled."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterable
from typing import Any, Protocol

import discord

from bot.adapters.discord.buttons import view_of
from bot.adapters.discord.rendering import Outgoing, button_pages, outgoing, split_markdown
from bot.adapters.streaming import throttled_edits
from bot.core.markup import Doc
from bot.core.messages import Reply

log = logging.getLogger(__name__)

# At most 5 edits in any 5 seconds: one a second.
EDIT_INTERVAL_SECONDS = 1.0
STREAM_PLACEHOLDER = "…"


class Target(Protocol):
    async def send(self, **fields: Any) -> discord.Message: ...


class InteractionTarget:
    """Follow-ups of an acknowledged interaction; `ephemeral` ones only its user sees."""

    def __init__(self, interaction: discord.Interaction, ephemeral: bool) -> None:
        self._interaction = interaction
        self._ephemeral = ephemeral

    async def send(self, **fields: Any) -> discord.Message:
        return await self._interaction.followup.send(ephemeral=self._ephemeral, wait=True, **fields)


class ChannelTarget:
    def __init__(self, channel: discord.abc.Messageable) -> None:
        self._channel = channel

    async def send(self, **fields: Any) -> discord.Message:
        return await self._channel.send(**fields)


class DiscordSender:
    """Sends replies in order. HTTP errors propagate (`Forbidden`, `RateLimited`, ...): callers
    decide what they mean."""

    def __init__(
        self,
        button: type[discord.ui.DynamicItem[Any]],
        edit_interval: float = EDIT_INTERVAL_SECONDS,
    ) -> None:
        self._button = button
        self._edit_interval = edit_interval

    def _fields(self, message: Outgoing) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        if message.content is not None:
            fields["content"] = message.content
        if message.embed is not None:
            fields["embed"] = message.embed
        if message.files:
            fields["files"] = message.files
        view = view_of(self._button, message.rows)
        if view is not None:
            fields["view"] = view
        return fields

    async def send(self, target: Target, replies: list[Reply]) -> None:
        for reply in replies:
            if reply.stream is not None:
                await self._send_stream(target, reply, reply.stream)
                continue
            for message in outgoing(reply):
                await target.send(**self._fields(message))

    async def _send_stream(self, target: Target, reply: Reply, stream: AsyncIterable[Doc]) -> None:
        """Send the body, edit that message as the stream grows (throttled); text beyond one
        message and the buttons are added once the stream ends."""
        shown = (split_markdown(reply.body) or [STREAM_PLACEHOLDER])[0]
        message = await target.send(content=shown)

        async def edit(body: Doc) -> None:
            nonlocal shown
            head = (split_markdown(body) or [shown])[0]
            if head == shown:
                return
            try:
                await message.edit(content=head)
            except discord.Forbidden:
                raise
            except discord.HTTPException as error:
                # One lost edit is not worth the answer: the next one shows the newer text.
                log.warning("could not update a streamed message: %s", error)
                return
            shown = head

        final = await throttled_edits(stream, edit, interval=self._edit_interval)
        rest = split_markdown(final if final is not None else reply.body)[1:]
        pages = button_pages(reply.buttons)
        for index, chunk in enumerate(rest):
            last = index == len(rest) - 1
            await target.send(
                **self._fields(Outgoing(content=chunk, rows=pages[0] if last and pages else []))
            )
        if pages and not rest:
            await message.edit(view=view_of(self._button, pages[0]))
        for page in pages[1:]:
            await target.send(**self._fields(Outgoing(content=STREAM_PLACEHOLDER, rows=page)))
