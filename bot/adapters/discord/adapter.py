"""The discord.py `Client` around the core: slash commands and button presses become core
messages (each interaction deferred first), replies become follow-ups, and scheduled pushes go
to DMs and study-group channels."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

import discord
from discord import app_commands

from bot.adapters.discord.answers import ANSWER_BUTTON, AnswerForm, with_answer_buttons
from bot.adapters.discord.buttons import press_item
from bot.adapters.discord.commands import CatalogTranslator, SlashCommand, build_tree
from bot.adapters.discord.rendering import CONTENT_LIMIT
from bot.adapters.discord.sending import (
    EDIT_INTERVAL_SECONDS,
    ChannelTarget,
    DiscordSender,
    InteractionTarget,
)
from bot.core import Core, Incoming, Reply, render_plain
from bot.core.i18n import translator
from bot.core.transport import PlatformLimits, RecipientBlocked, RetryLater

log = logging.getLogger(__name__)

PLATFORM = "discord"
# Discord's global limit is 50 requests a second; a channel takes about 5 messages in 5 seconds.
LIMITS = PlatformLimits(per_second=50, per_chat_per_second=1, per_group_per_minute=None)
Clock = Callable[[], dt.datetime]
# Slash commands and buttons arrive as interactions, and a bot reads the text of its own DMs
# without the privileged message-content intent: `guilds` (the channel cache) and `dm_messages`
# (typed answers: a cloze card, a timezone, a time) are all it needs.
INTENTS = discord.Intents(guilds=True, dm_messages=True)
# discord.py waits out shorter 429s itself; a longer one raises RateLimited (a push retries later).
MAX_RATELIMIT_WAIT_SECONDS = 60.0
READY_TIMEOUT_SECONDS = 60.0


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _chat_title(interaction: discord.Interaction) -> str:
    channel = interaction.channel
    name = getattr(channel, "name", None) or ""
    guild = interaction.guild.name if interaction.guild is not None else ""
    return f"{guild} #{name}".strip() if name else guild


class DiscordAdapter:
    """Translates interactions into `Core.handle` calls and replies into Discord messages. Also
    the scheduler's transport for Discord (`deliver`)."""

    platform = PLATFORM
    limits = LIMITS

    def __init__(
        self,
        core: Core,
        token: str,
        *,
        clock: Clock = system_clock,
        edit_interval: float = EDIT_INTERVAL_SECONDS,
        **client_options: Any,
    ) -> None:
        self._core = core
        self._token = token
        self._clock = clock
        self.client = discord.Client(
            intents=INTENTS, max_ratelimit_timeout=MAX_RATELIMIT_WAIT_SECONDS, **client_options
        )
        self.tree = build_tree(self.client, self._on_command)
        self.tree.on_error = self._on_tree_error  # type: ignore[method-assign]
        self._button = press_item(self._on_press)
        self.client.add_dynamic_items(self._button)
        self.client.event(self.on_message)
        self._sender = DiscordSender(self._button, edit_interval)
        self._connection: asyncio.Task[None] | None = None
        # Where each user last talked to the bot in a server, and in which locale: a learner
        # whose DMs are closed is told there, once.
        self._seen_in: dict[str, tuple[int, str]] = {}
        self._told: set[str] = set()

    # incoming -----------------------------------------------------------------------------

    def _incoming(
        self, interaction: discord.Interaction, *, is_group: bool, **content: str
    ) -> Incoming:
        permissions = interaction.permissions
        return Incoming(
            platform=PLATFORM,
            user_id=str(interaction.user.id),
            chat_id=str(interaction.channel_id or interaction.user.id),
            display_name=interaction.user.display_name,
            locale_hint=str(interaction.locale),
            is_group=is_group,
            is_admin=is_group and permissions.manage_guild,
            chat_title=_chat_title(interaction) if is_group else "",
            **content,
        )

    def _remember(self, interaction: discord.Interaction) -> None:
        if interaction.guild_id is not None and interaction.channel_id is not None:
            self._seen_in[str(interaction.user.id)] = (
                interaction.channel_id,
                str(interaction.locale),
            )

    async def _on_command(
        self, interaction: discord.Interaction, spec: SlashCommand, args: str
    ) -> None:
        """A slash command: deferred at once (Discord allows 3 seconds), then the core."""
        in_guild = interaction.guild_id is not None
        is_group = in_guild and spec.group
        # Personal answers in a server channel are for their user only.
        ephemeral = in_guild and not spec.group
        await interaction.response.defer(ephemeral=ephemeral, thinking=True)
        self._remember(interaction)
        text = f"/{spec.spec.name} {args.strip()}".strip()
        replies = await self._core.handle(
            self._incoming(interaction, is_group=is_group, text=text), self._clock()
        )
        await self._personal_or_group(interaction, replies, personal=ephemeral)

    async def _on_press(self, interaction: discord.Interaction, data: str) -> None:
        """A button press: acknowledged as an update of the pressed message, then the core.
        Refusals (someone else's button, a spent one) go to the presser alone; an accepted
        press spends its menu, so its buttons go away."""
        if data == ANSWER_BUTTON:  # the answer form is the acknowledgement itself
            await interaction.response.send_modal(
                AnswerForm(str(interaction.locale), self._on_answer)
            )
            return
        await interaction.response.defer()
        self._remember(interaction)
        in_guild = interaction.guild_id is not None
        message = interaction.message
        # Buttons on a public message in a server belong to the channel's study group.
        is_group = in_guild and not (message is not None and message.flags.ephemeral)
        replies = await self._core.handle(
            self._incoming(interaction, is_group=is_group, callback=data), self._clock()
        )
        notices = [reply for reply in replies if reply.notice]
        for notice in notices:
            text = render_plain(notice.body)[:CONTENT_LIMIT]
            await interaction.followup.send(text, ephemeral=True)
        if not notices and message is not None:
            try:
                await interaction.edit_original_response(view=None)
            except discord.HTTPException as error:
                log.info("could not remove a spent menu: %s", error)
        rest = [reply for reply in replies if not reply.notice]
        await self._personal_or_group(interaction, rest, personal=in_guild and not is_group)

    async def _on_answer(self, interaction: discord.Interaction, text: str) -> None:
        """The answer form: its text goes to the core as if typed in a DM."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        replies = await self._core.handle(
            self._incoming(interaction, is_group=False, text=text), self._clock()
        )
        await self._personal_or_group(interaction, replies, personal=True)

    async def _personal_or_group(
        self, interaction: discord.Interaction, replies: list[Reply], *, personal: bool
    ) -> None:
        """Follow-ups: a learner's own ones in a server are ephemeral, and where they ask for a
        typed answer (a server channel gives the bot no text) they offer the answer form."""
        if personal:
            replies = with_answer_buttons(replies, str(interaction.locale))
        await self._sender.send(InteractionTarget(interaction, personal), replies)

    async def on_message(self, message: discord.Message) -> None:
        """Text typed in a DM with the bot (in servers the bot sees no message text)."""
        if message.guild is not None or message.author.bot or not message.content:
            return
        if message.content.startswith("/"):
            return  # commands are slash commands: Discord sends those as interactions
        incoming = Incoming(
            platform=PLATFORM,
            user_id=str(message.author.id),
            chat_id=str(message.channel.id),
            display_name=message.author.display_name,
            text=message.content,
        )
        replies = await self._core.handle(incoming, self._clock())
        try:
            await self._sender.send(ChannelTarget(message.channel), replies)
        except discord.Forbidden as error:
            log.info("could not answer %s in their DMs: %s", message.author.id, error)

    async def _on_tree_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        log.error("discord interaction failed", exc_info=error)

    # scheduled pushes ---------------------------------------------------------------------

    async def deliver(self, chat_id: str, is_group: bool, replies: list[Reply]) -> None:
        """Send a push (the scheduler's transport contract): a learner's in their DMs, a
        group's in its channel. Closed DMs (50007, 50278) or a lost channel raise
        RecipientBlocked; a 429 longer than discord.py waits out raises RetryLater."""
        try:
            if is_group:
                channel: discord.abc.Messageable = self.client.get_partial_messageable(int(chat_id))
            else:
                channel = await self.client.create_dm(discord.Object(int(chat_id)))
            await self._sender.send(ChannelTarget(channel), replies)
        except (discord.Forbidden, discord.NotFound) as error:
            if not is_group:
                await self._tell_in_server(chat_id)
            raise RecipientBlocked(f"{error.code}: {error.text}") from error
        except discord.RateLimited as error:
            raise RetryLater(error.retry_after, str(error)) from error

    async def _tell_in_server(self, user_id: str) -> None:
        """Once per learner: say in the server channel where they last used the bot that their
        DMs are closed, so the daily lessons stopped."""
        seen = self._seen_in.get(user_id)
        if seen is None or user_id in self._told:
            return
        channel_id, locale = seen
        _ = translator(locale)
        text = _(
            "{mention} I cannot send you direct messages, so your daily lessons have stopped. "
            "Allow direct messages from this server's members, then send /today to start again."
        ).format(mention=f"<@{user_id}>")
        try:
            await self.client.get_partial_messageable(channel_id).send(
                text,
                allowed_mentions=discord.AllowedMentions(users=[discord.Object(int(user_id))]),
            )
        except discord.HTTPException as error:
            log.info("could not tell %s about their closed DMs: %s", user_id, error)
            return
        self._told.add(user_id)

    # lifecycle ----------------------------------------------------------------------------

    async def start(self) -> None:
        """Log in, connect to the gateway and wait for READY (commands are not synced here:
        `tutorbot discord sync` does that)."""
        await self.tree.set_translator(CatalogTranslator())
        try:
            await self.client.login(self._token)
        except BaseException:
            await self.client.close()  # a refused token must not leave the HTTP session open
            raise
        self._connection = asyncio.create_task(self.client.connect(), name="discord-gateway")
        ready = asyncio.create_task(self.client.wait_until_ready())
        done, _ = await asyncio.wait(
            {ready, self._connection},
            timeout=READY_TIMEOUT_SECONDS,
            return_when=asyncio.FIRST_COMPLETED,
        )
        if ready not in done:
            ready.cancel()
            connection, self._connection = self._connection, None
            failure = connection.exception() if connection in done else None
            if connection not in done:
                connection.cancel()
            await self.client.close()
            raise ConnectionError("the Discord gateway did not become ready") from failure
        log.info("discord bot %s is up", self.client.user)

    async def stop(self) -> None:
        await self.client.close()
        if self._connection is not None:
            try:
                await asyncio.wait_for(self._connection, READY_TIMEOUT_SECONDS)
            except Exception:
                log.exception("the Discord gateway did not close cleanly")
            self._connection = None
