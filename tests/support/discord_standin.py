"""A local stand-in for Discord, so the real, unmodified `discord.Client` connects to it over real
HTTP and a real websocket. It speaks the REST API (JSON or multipart bodies, `Content-Type`
exactly `application/json` both ways, errors as `{"code", "message"}`, 429 with `retry_after` and
the `Via` header discord.py looks for) and the Gateway (HELLO, IDENTIFY, READY with
`resume_gateway_url`, GUILD_CREATE, heartbeats, RESUME, INTERACTION_CREATE). It records every REST
call and checks what Discord would refuse: over-long contents and embeds, more than 5 rows of
buttons, an interaction answered twice or later than 3 seconds, a callback posted without
`?with_response=1`.

    async with DiscordStandIn() as api, api.pointed_at():
        client = discord.Client(intents=...)
        ...
        api.slash(ALICE, "today")
        sent = await api.wait_for_messages(api.dm_channel_id(ALICE), 1)
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import itertools
import json
import re
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import yarl
from aiohttp import web

API_PREFIX = "/api/v10"
CONTENT_LIMIT = 2000
ACTION_ROWS = 5
BUTTONS_PER_ROW = 5
CUSTOM_ID_LIMIT = 100
LABEL_LIMIT = 80
EMBEDS_PER_MESSAGE = 10
EMBED_TITLE_LIMIT = 256
EMBED_DESCRIPTION_LIMIT = 4096
EMBED_TOTAL_LIMIT = 6000
# An interaction must be acknowledged within this many seconds, or its token is gone.
ACK_SECONDS = 3.0
EPHEMERAL = 1 << 6
LOADING = 1 << 7
MANAGE_GUILD = 1 << 5
MEMBER_PERMISSIONS = (
    (1 << 10) | (1 << 11) | (1 << 16) | (1 << 31)
)  # view, send, history, use commands
GUILD_TEXT, DM = 0, 1
CALLBACK_MESSAGE, CALLBACK_DEFERRED, CALLBACK_DEFERRED_UPDATE, CALLBACK_UPDATE = 4, 5, 6, 7
CALLBACK_MODAL = 9
EPOCH = "2026-01-01T00:00:00+00:00"


class DiscordError(Exception):
    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True, slots=True)
class DiscordUser:
    id: int
    name: str
    locale: str = "en-US"

    def as_json(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "username": self.name.lower(),
            "global_name": self.name,
            "discriminator": "0",
            "avatar": None,
            "bot": False,
        }


@dataclass(frozen=True, slots=True)
class Upload:
    filename: str
    content: bytes


@dataclass
class RestCall:
    """One REST request as the stand-in received it; `route` is Discord's route template, like
    `POST /channels/{channel_id}/messages`."""

    route: str
    path: str
    query: dict[str, str]
    content_type: str
    json: Any = None
    files: list[Upload] = field(default_factory=list)
    status: int = 200
    at: float = field(default_factory=time.monotonic)


@dataclass
class Message:
    """A message as it stands now (edits applied)."""

    id: int
    channel_id: int
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[Upload] = field(default_factory=list)
    flags: int = 0
    # An ephemeral message is seen by this user only.
    ephemeral_for: int | None = None
    webhook_id: int | None = None
    edits: int = 0
    edited_at: list[float] = field(default_factory=list)

    @property
    def loading(self) -> bool:
        return bool(self.flags & LOADING)

    def buttons(self) -> list[tuple[str, str]]:
        """(label, custom_id) of every button, row by row."""
        return [
            (button.get("label", ""), button.get("custom_id", ""))
            for row in self.components
            for button in row.get("components", [])
        ]

    @property
    def text(self) -> str:
        """Everything the message shows as text: content, then each embed's parts."""
        parts = [self.content]
        for embed in self.embeds:
            parts += [embed.get("title", ""), embed.get("description", "")]
            for item in embed.get("fields", []):
                parts += [item.get("name", ""), item.get("value", "")]
            parts.append(embed.get("footer", {}).get("text", ""))
        return "\n".join(part for part in parts if part)


@dataclass
class Channel:
    id: int
    type: int
    name: str = ""
    guild_id: int | None = None
    recipient: DiscordUser | None = None

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": str(self.id), "type": self.type}
        if self.type == DM:
            assert self.recipient is not None
            data["recipients"] = [self.recipient.as_json()]
            data["last_message_id"] = None
        else:
            data.update(
                name=self.name,
                guild_id=str(self.guild_id),
                position=0,
                permission_overwrites=[],
                nsfw=False,
                parent_id=None,
            )
        return data


@dataclass
class Guild:
    id: int
    name: str
    owner_id: int
    channels: list[Channel] = field(default_factory=list)
    # Members who may manage the server (the Manage Server permission).
    managers: set[int] = field(default_factory=set)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "name": self.name,
            "owner_id": str(self.owner_id),
            "icon": None,
            "features": [],
            "roles": [
                {
                    "id": str(self.id),
                    "name": "@everyone",
                    "permissions": str(MEMBER_PERMISSIONS),
                    "position": 0,
                    "color": 0,
                    "hoist": False,
                    "managed": False,
                    "mentionable": False,
                    "flags": 0,
                }
            ],
            "emojis": [],
            "stickers": [],
            "channels": [channel.as_json() for channel in self.channels],
            "threads": [],
            "members": [],
            "member_count": 3,
            "large": False,
            "unavailable": False,
            "preferred_locale": "en-US",
            "joined_at": EPOCH,
        }

    def permissions_of(self, user: DiscordUser) -> int:
        return MEMBER_PERMISSIONS | (MANAGE_GUILD if user.id in self.managers else 0)


@dataclass
class Interaction:
    id: int
    token: str
    user: DiscordUser
    channel: Channel
    payload: dict[str, Any]
    message: Message | None = None
    sent_at: float = field(default_factory=time.monotonic)
    acknowledged_at: float | None = None
    callback_type: int | None = None
    original: Message | None = None
    followups: list[Message] = field(default_factory=list)
    # The form (modal) this interaction was answered with, as the bot sent it.
    form: dict[str, Any] | None = None


@dataclass
class Failure:
    status: int
    code: int
    message: str
    retry_after: float | None = None


@dataclass
class DiscordStandIn:
    token: str = "standin-bot-token"
    application_id: int = 900_000_000_000_000_001
    bot_name: str = "tutorbot"
    port: int = 0
    calls: list[RestCall] = field(default_factory=list)
    messages: dict[int, Message] = field(default_factory=dict)
    channels: dict[int, Channel] = field(default_factory=dict)
    guilds: dict[int, Guild] = field(default_factory=dict)
    interactions: dict[str, Interaction] = field(default_factory=dict)
    # Synced application commands: None for the global ones, else per guild id.
    commands: dict[int | None, list[dict[str, Any]]] = field(default_factory=dict)
    identifies: list[dict[str, Any]] = field(default_factory=list)
    resumes: list[dict[str, Any]] = field(default_factory=list)
    heartbeats: int = 0
    gateway_queries: list[dict[str, str]] = field(default_factory=list)
    # Users who do not accept DMs from the bot (50007).
    dms_closed: set[int] = field(default_factory=set)
    _failures: dict[str, list[Failure]] = field(default_factory=dict)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1_200_000_000_000_000_000))
    _sockets: list[tuple[web.WebSocketResponse, list[int]]] = field(default_factory=list)
    _changed: asyncio.Event = field(default_factory=asyncio.Event)
    _runner: web.AppRunner | None = None

    # server -------------------------------------------------------------------------------

    @property
    def bot_id(self) -> int:
        return self.application_id

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    def bot_user(self) -> dict[str, Any]:
        return {
            "id": str(self.bot_id),
            "username": self.bot_name,
            "global_name": None,
            "discriminator": "0",
            "avatar": None,
            "bot": True,
            "verified": True,
            "flags": 0,
            "mfa_enabled": False,
        }

    async def __aenter__(self) -> DiscordStandIn:
        app = web.Application(client_max_size=32 * 1024 * 1024)
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        for socket, _ in list(self._sockets):
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @contextlib.contextmanager
    def pointed_at(self) -> Iterator[None]:
        """Point discord.py's REST base and default gateway at this stand-in (both are class
        attributes, so every client in the process uses them) and restore them after."""
        from discord.gateway import DiscordWebSocket
        from discord.http import Route

        base, gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
        Route.BASE = self.base_url
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)
        try:
            yield
        finally:
            Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = base, gateway

    def new_id(self) -> int:
        return next(self._ids)

    def _touch(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_until(self, predicate: Callable[[], bool], within: float = 10.0) -> None:
        deadline = time.monotonic() + within
        while not predicate():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("the stand-in waited in vain")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(remaining, 0.2))

    # the world ----------------------------------------------------------------------------

    def add_guild(
        self, name: str, owner: DiscordUser, channels: tuple[str, ...] = ("general",)
    ) -> Guild:
        guild = Guild(self.new_id(), name, owner.id, managers={owner.id})
        for channel_name in channels:
            channel = Channel(self.new_id(), GUILD_TEXT, channel_name, guild.id)
            guild.channels.append(channel)
            self.channels[channel.id] = channel
        self.guilds[guild.id] = guild
        return guild

    def dm_channel(self, user: DiscordUser) -> Channel:
        """The bot's DM channel with `user` (opened on first use, one per user)."""
        for channel in self.channels.values():
            if channel.type == DM and channel.recipient and channel.recipient.id == user.id:
                return channel
        channel = Channel(self.new_id(), DM, recipient=user)
        self.channels[channel.id] = channel
        return channel

    def channel_messages(self, channel_id: int, viewer: DiscordUser | None = None) -> list[Message]:
        """Messages in a channel; with `viewer`, only those that user sees."""
        return [
            message
            for message in self.messages.values()
            if message.channel_id == channel_id
            and (viewer is None or message.ephemeral_for in (None, viewer.id))
        ]

    async def wait_for_messages(
        self, channel_id: int, count: int, viewer: DiscordUser | None = None, within: float = 10.0
    ) -> list[Message]:
        await self.wait_until(
            lambda: (
                len([m for m in self.channel_messages(channel_id, viewer) if not m.loading])
                >= count
            ),
            within,
        )
        return self.channel_messages(channel_id, viewer)

    def calls_to(self, route: str) -> list[RestCall]:
        return [call for call in self.calls if call.route == route]

    def fail(
        self,
        route: str,
        status: int,
        *,
        code: int = 0,
        message: str = "",
        retry_after: float | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` calls of `route` with an error: 429 (with `retry_after`),
        403 with a JSON error code such as 50007, or a 5xx."""
        failure = Failure(status, code, message or f"stand-in failure {status}", retry_after)
        self._failures.setdefault(route, []).extend([failure] * times)

    # the gateway --------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self.gateway_queries.append(dict(request.query))
        sequence = [0]
        entry = (socket, sequence)
        await socket.send_json(
            {"op": 10, "d": {"heartbeat_interval": 41_250}, "s": None, "t": None}
        )
        try:
            async for frame in socket:
                payload = json.loads(frame.data)
                op = payload.get("op")
                if op == 1:
                    self.heartbeats += 1
                    await socket.send_json({"op": 11, "d": None, "s": None, "t": None})
                elif op == 2:
                    self.identifies.append(payload["d"])
                    self._sockets.append(entry)
                    await self._send_ready(entry)
                elif op == 6:
                    self.resumes.append(payload["d"])
                    self._sockets.append(entry)
                    await self._dispatch_to(entry, "RESUMED", {})
                self._touch()
        finally:
            if entry in self._sockets:
                self._sockets.remove(entry)
            self._touch()
        return socket

    async def _send_ready(self, entry: tuple[web.WebSocketResponse, list[int]]) -> None:
        ready = {
            "v": 10,
            "user": self.bot_user(),
            "guilds": [{"id": str(gid), "unavailable": True} for gid in self.guilds],
            "session_id": secrets.token_hex(16),
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(self.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
        }
        await self._dispatch_to(entry, "READY", ready)
        for guild in self.guilds.values():
            await self._dispatch_to(entry, "GUILD_CREATE", guild.as_json())

    async def _dispatch_to(
        self, entry: tuple[web.WebSocketResponse, list[int]], event: str, data: dict[str, Any]
    ) -> None:
        socket, sequence = entry
        sequence[0] += 1
        await socket.send_json({"op": 0, "t": event, "s": sequence[0], "d": data})

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        if not self._sockets:
            raise AssertionError("no client is connected to the gateway")
        for entry in list(self._sockets):
            await self._dispatch_to(entry, event, data)

    @property
    def connected(self) -> int:
        return len(self._sockets)

    async def drop_connections(self) -> None:
        """Close every gateway socket the way Discord does before a reconnect."""
        for socket, _ in list(self._sockets):
            await socket.close(code=4000)

    # interactions -------------------------------------------------------------------------

    def _interaction(
        self,
        user: DiscordUser,
        channel: Channel | None,
        kind: int,
        data: dict[str, Any],
        message: Message | None = None,
    ) -> Interaction:
        channel = channel or self.dm_channel(user)
        interaction_id, token = self.new_id(), "itok-" + secrets.token_urlsafe(24)
        payload: dict[str, Any] = {
            "id": str(interaction_id),
            "application_id": str(self.application_id),
            "type": kind,
            "data": data,
            "token": token,
            "version": 1,
            "locale": user.locale,
            "attachment_size_limit": 8 * 1024 * 1024,
            "app_permissions": str(MEMBER_PERMISSIONS),
            "entitlements": [],
            "channel": channel.as_json(),
            "channel_id": str(channel.id),
        }
        if channel.guild_id is not None:
            guild = self.guilds[channel.guild_id]
            payload.update(
                guild_id=str(guild.id),
                guild_locale="en-US",
                guild={"id": str(guild.id), "locale": "en-US", "features": []},
                context=0,
                authorizing_integration_owners={"0": str(guild.id)},
                member={
                    "user": user.as_json(),
                    "roles": [],
                    "joined_at": EPOCH,
                    "deaf": False,
                    "mute": False,
                    "flags": 0,
                    "permissions": str(guild.permissions_of(user)),
                },
            )
        else:
            payload.update(
                user=user.as_json(),
                context=1,
                authorizing_integration_owners={"0": str(user.id)},
            )
        if message is not None:
            payload["message"] = self._message_json(message)
        interaction = Interaction(interaction_id, token, user, channel, payload, message)
        self.interactions[token] = interaction
        return interaction

    def command_id(self, name: str, guild_id: int | None = None) -> int:
        for command in self.commands.get(guild_id, []) + self.commands.get(None, []):
            if command["name"] == name:
                return int(command["id"])
        return self.new_id()

    async def slash(
        self,
        user: DiscordUser,
        name: str,
        options: dict[str, str] | None = None,
        *,
        subcommand: str | None = None,
        channel: Channel | None = None,
    ) -> Interaction:
        """The user runs `/name [subcommand] option:value...` in `channel` (their DM with the
        bot by default); the client receives INTERACTION_CREATE."""
        built = [{"name": key, "type": 3, "value": value} for key, value in (options or {}).items()]
        if subcommand is not None:
            built = [{"name": subcommand, "type": 1, "options": built}]
        guild_id = channel.guild_id if channel is not None else None
        data: dict[str, Any] = {
            "id": str(self.command_id(name, guild_id)),
            "name": name,
            "type": 1,
            "options": built,
        }
        if guild_id is not None:
            data["guild_id"] = str(guild_id)
        interaction = self._interaction(user, channel, 2, data)
        await self.dispatch("INTERACTION_CREATE", interaction.payload)
        return interaction

    async def type_dm(self, user: DiscordUser, text: str) -> None:
        """The user types `text` in their DM with the bot (MESSAGE_CREATE)."""
        channel = self.dm_channel(user)
        await self.dispatch(
            "MESSAGE_CREATE",
            {
                "id": str(self.new_id()),
                "channel_id": str(channel.id),
                "author": user.as_json(),
                "content": text,
                "timestamp": dt.datetime.now(dt.UTC).isoformat(),
                "edited_timestamp": None,
                "tts": False,
                "mention_everyone": False,
                "mentions": [],
                "mention_roles": [],
                "attachments": [],
                "embeds": [],
                "pinned": False,
                "type": 0,
                "flags": 0,
            },
        )

    async def press(self, user: DiscordUser, message: Message, label: str) -> Interaction:
        """The user presses the button whose label contains `label` on `message` (Discord lets
        anyone who sees a message press; ownership is the bot's business)."""
        custom_id = next(cid for text, cid in message.buttons() if label in text)
        channel = self.channels[message.channel_id]
        data = {"custom_id": custom_id, "component_type": 2}
        interaction = self._interaction(user, channel, 3, data, message)
        await self.dispatch("INTERACTION_CREATE", interaction.payload)
        return interaction

    async def submit_form(self, opened: Interaction, value: str) -> Interaction:
        """The user fills the form `opened` was answered with (its text fields get `value`) and
        sends it: a MODAL_SUBMIT interaction."""
        assert opened.form is not None, "that interaction opened no form"

        def filled(component: dict[str, Any]) -> dict[str, Any]:
            if component["type"] == 4:
                return {"type": 4, "custom_id": component["custom_id"], "value": value}
            return {
                "type": component["type"],
                "components": [filled(c) for c in component["components"]],
            }

        data = {
            "custom_id": opened.form["custom_id"],
            "components": [filled(component) for component in opened.form["components"]],
        }
        interaction = self._interaction(opened.user, opened.channel, 5, data)
        await self.dispatch("INTERACTION_CREATE", interaction.payload)
        return interaction

    async def wait_answered(self, interaction: Interaction, within: float = 10.0) -> None:
        """Until the interaction was acknowledged and nothing is loading any more."""
        await self.wait_until(
            lambda: (
                interaction.acknowledged_at is not None
                and not (interaction.original is not None and interaction.original.loading)
            ),
            within,
        )

    # REST ---------------------------------------------------------------------------------

    ROUTES: tuple[tuple[str, str, str], ...] = (
        ("GET", r"/users/@me", "_me"),
        ("GET", r"/oauth2/applications/@me", "_application"),
        ("GET", r"/gateway(/bot)?", "_gateway_info"),
        ("POST", r"/users/@me/channels", "_open_dm"),
        ("GET", r"/channels/(?P<channel_id>\d+)", "_get_channel"),
        ("POST", r"/channels/(?P<channel_id>\d+)/messages", "_create_message"),
        ("PATCH", r"/channels/(?P<channel_id>\d+)/messages/(?P<message_id>\d+)", "_edit_message"),
        ("PUT", r"/applications/(?P<application_id>\d+)/commands", "_put_commands"),
        (
            "PUT",
            r"/applications/(?P<application_id>\d+)/guilds/(?P<guild_id>\d+)/commands",
            "_put_commands",
        ),
        ("GET", r"/applications/(?P<application_id>\d+)/commands", "_get_commands"),
        (
            "POST",
            r"/interactions/(?P<interaction_id>\d+)/(?P<token>[^/]+)/callback",
            "_callback",
        ),
        ("POST", r"/webhooks/(?P<application_id>\d+)/(?P<token>[^/]+)", "_followup"),
        (
            "PATCH",
            r"/webhooks/(?P<application_id>\d+)/(?P<token>[^/]+)/messages/(?P<message_id>@original|\d+)",
            "_edit_webhook_message",
        ),
    )

    def _match(self, method: str, path: str) -> tuple[str, str, dict[str, str]] | None:
        for route_method, pattern, handler in self.ROUTES:
            found = re.fullmatch(pattern, path)
            if route_method == method and found is not None:
                template = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", pattern)
                template = template.replace("(/bot)?", "/bot" if path.endswith("/bot") else "")
                return f"{method} {template}", handler, found.groupdict()
        return None

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        found = self._match(request.method, path)
        call = RestCall(
            route=found[0] if found else f"{request.method} {path}",
            path=path,
            query=dict(request.query),
            content_type=request.headers.get("Content-Type", ""),
        )
        self.calls.append(call)
        try:
            await self._read_body(request, call)
            if found is None:
                raise DiscordError(404, 0, f"404: Not Found ({call.route})")
            if request.headers.get("Authorization") != f"Bot {self.token}" and not path.startswith(
                ("/webhooks/", "/interactions/")
            ):
                raise DiscordError(401, 0, "401: Unauthorized")
            failures = self._failures.get(call.route)
            if failures:
                return self._failure_response(call, failures.pop(0))
            _, handler, params = found
            result = await getattr(self, handler)(call, **params)
        except DiscordError as error:
            call.status = error.status
            self._touch()
            return _json({"code": error.code, "message": error.message}, error.status)
        self._touch()
        if result is None:
            call.status = 204
            return web.Response(status=204)
        return _json(result)

    async def _read_body(self, request: web.Request, call: RestCall) -> None:
        if not request.can_read_body:
            return
        if call.content_type.startswith("multipart/form-data"):
            form = await request.post()
            for name, value in form.items():
                if name == "payload_json":
                    call.json = json.loads(str(value))
                elif hasattr(value, "file"):
                    call.files.append(Upload(value.filename, value.file.read()))
            return
        if call.content_type != "application/json":
            raise DiscordError(
                400, 50035, f"Content-Type must be application/json: {call.content_type!r}"
            )
        call.json = await request.json()

    def _failure_response(self, call: RestCall, failure: Failure) -> web.Response:
        call.status = failure.status
        self._touch()
        if failure.status == 429:
            body = {
                "message": "You are being rate limited.",
                "retry_after": failure.retry_after or 0.5,
                "global": False,
            }
            headers = {"Via": "1.1 google", "X-RateLimit-Scope": "user"}
            return _json(body, 429, headers)
        return _json({"code": failure.code, "message": failure.message}, failure.status)

    # handlers -----------------------------------------------------------------------------

    async def _me(self, call: RestCall) -> dict[str, Any]:
        return self.bot_user()

    async def _application(self, call: RestCall) -> dict[str, Any]:
        return {
            "id": str(self.application_id),
            "name": self.bot_name,
            "description": "",
            "icon": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": {**self.bot_user(), "bot": False},
            "verify_key": "0" * 64,
            "flags": 0,
            "team": None,
            "summary": "",
            "interactions_endpoint_url": None,
        }

    async def _gateway_info(self, call: RestCall) -> dict[str, Any]:
        return {
            "url": self.gateway_url,
            "shards": 1,
            "session_start_limit": {
                "total": 1000,
                "remaining": 1000,
                "reset_after": 0,
                "max_concurrency": 1,
            },
        }

    async def _open_dm(self, call: RestCall) -> dict[str, Any]:
        user_id = int(call.json["recipient_id"])
        known = {c.recipient.id: c.recipient for c in self.channels.values() if c.recipient}
        user = known.get(user_id) or DiscordUser(user_id, f"user{user_id}")
        return self.dm_channel(user).as_json()

    def _channel(self, channel_id: str) -> Channel:
        channel = self.channels.get(int(channel_id))
        if channel is None:
            raise DiscordError(404, 10003, "Unknown Channel")
        return channel

    async def _get_channel(self, call: RestCall, channel_id: str) -> dict[str, Any]:
        return self._channel(channel_id).as_json()

    async def _create_message(self, call: RestCall, channel_id: str) -> dict[str, Any]:
        channel = self._channel(channel_id)
        if channel.type == DM and channel.recipient and channel.recipient.id in self.dms_closed:
            raise DiscordError(403, 50007, "Cannot send messages to this user")
        message = self._new_message(channel.id, call)
        return self._message_json(message)

    async def _edit_message(
        self, call: RestCall, channel_id: str, message_id: str
    ) -> dict[str, Any]:
        message = self.messages.get(int(message_id))
        if message is None or message.channel_id != int(channel_id):
            raise DiscordError(404, 10008, "Unknown Message")
        self._apply(message, call, edit=True)
        return self._message_json(message)

    async def _put_commands(
        self, call: RestCall, application_id: str, guild_id: str | None = None
    ) -> list[dict[str, Any]]:
        if int(application_id) != self.application_id:
            raise DiscordError(403, 50001, "Missing Access")
        stored = []
        for command in call.json:
            _check_command(command)
            stored.append(
                {
                    **command,
                    "id": str(
                        self.command_id(command["name"], int(guild_id) if guild_id else None)
                    ),
                    "application_id": application_id,
                    "version": str(self.new_id()),
                    **({"guild_id": guild_id} if guild_id else {}),
                }
            )
        self.commands[int(guild_id) if guild_id else None] = stored
        return stored

    async def _get_commands(self, call: RestCall, application_id: str) -> list[dict[str, Any]]:
        return self.commands.get(None, [])

    def _live_interaction(self, token: str) -> Interaction:
        interaction = self.interactions.get(token)
        if interaction is None:
            raise DiscordError(404, 10062, "Unknown interaction")
        return interaction

    async def _callback(self, call: RestCall, interaction_id: str, token: str) -> dict[str, Any]:
        interaction = self._live_interaction(token)
        if call.query.get("with_response") not in {"1", "true", "True"}:
            raise DiscordError(400, 50035, "discord.py posts callbacks with ?with_response=1")
        if interaction.acknowledged_at is not None:
            raise DiscordError(400, 40060, "Interaction has already been acknowledged.")
        if time.monotonic() - interaction.sent_at > ACK_SECONDS:
            raise DiscordError(404, 10062, "Unknown interaction")
        kind = call.json["type"]
        data = call.json.get("data") or {}
        interaction.acknowledged_at, interaction.callback_type = time.monotonic(), kind
        ephemeral = bool(int(data.get("flags", 0)) & EPHEMERAL)
        channel_id = interaction.channel.id
        if kind == CALLBACK_MESSAGE:
            interaction.original = self._new_message(channel_id, call, interaction, ephemeral)
        elif kind == CALLBACK_DEFERRED:
            flags = LOADING | (EPHEMERAL if ephemeral else 0)
            interaction.original = self._store(
                Message(self.new_id(), channel_id, flags=flags), interaction, ephemeral
            )
        elif kind == CALLBACK_MODAL:
            _check_form(data)
            interaction.form = data
        elif kind in (CALLBACK_DEFERRED_UPDATE, CALLBACK_UPDATE):
            assert interaction.message is not None, "an update needs a component's message"
            interaction.original = self.messages[interaction.message.id]
            if kind == CALLBACK_UPDATE:
                self._apply(interaction.original, call, edit=True)
        else:
            raise DiscordError(400, 50035, f"unsupported callback type {kind}")
        response: dict[str, Any] = {
            "interaction": {
                "id": interaction_id,
                "type": interaction.payload["type"],
                "response_message_id": str(interaction.original.id)
                if interaction.original
                else None,
                "response_message_loading": kind == CALLBACK_DEFERRED,
                "response_message_ephemeral": ephemeral,
            }
        }
        if interaction.original is not None and kind != CALLBACK_DEFERRED_UPDATE:
            response["resource"] = {
                "type": kind,
                "message": self._message_json(interaction.original),
            }
        return response

    async def _followup(self, call: RestCall, application_id: str, token: str) -> dict[str, Any]:
        interaction = self._live_interaction(token)
        if interaction.acknowledged_at is None:
            raise DiscordError(404, 10015, "Unknown Webhook")
        original = interaction.original
        if original is not None and original.loading:
            # After a deferred reply, the first follow-up replaces the "thinking…" message.
            original.flags &= ~LOADING
            self._apply(original, call, edit=False)
            interaction.followups.append(original)
            return self._message_json(original)
        flags = int((call.json or {}).get("flags", 0))
        message = self._new_message(
            interaction.channel.id, call, interaction, bool(flags & EPHEMERAL)
        )
        interaction.followups.append(message)
        return self._message_json(message)

    async def _edit_webhook_message(
        self, call: RestCall, application_id: str, token: str, message_id: str
    ) -> dict[str, Any]:
        interaction = self._live_interaction(token)
        if message_id == "@original":
            message = interaction.original
        else:
            message = self.messages.get(int(message_id))
        if message is None:
            raise DiscordError(404, 10008, "Unknown Message")
        message.flags &= ~LOADING
        self._apply(message, call, edit=True)
        return self._message_json(message)

    # messages -----------------------------------------------------------------------------

    def _store(self, message: Message, interaction: Interaction | None, ephemeral: bool) -> Message:
        if interaction is not None:
            message.webhook_id = self.application_id
            if ephemeral:
                message.flags |= EPHEMERAL
                message.ephemeral_for = interaction.user.id
        self.messages[message.id] = message
        return message

    def _new_message(
        self,
        channel_id: int,
        call: RestCall,
        interaction: Interaction | None = None,
        ephemeral: bool = False,
    ) -> Message:
        message = Message(self.new_id(), channel_id)
        self._apply(message, call, edit=False)
        if not (message.content or message.embeds or message.attachments):
            raise DiscordError(400, 50006, "Cannot send an empty message")
        return self._store(message, interaction, ephemeral)

    def _apply(self, message: Message, call: RestCall, *, edit: bool) -> None:
        body = call.json or {}
        data = body.get("data", body) if "type" in body and "data" in body else body
        _check_message(data)
        if "content" in data:
            message.content = data["content"] or ""
        if "embeds" in data:
            message.embeds = data["embeds"] or []
        if "components" in data:
            message.components = data["components"] or []
        if call.files:
            message.attachments = list(call.files)
        elif "attachments" in data and edit:
            kept = {int(item["id"]) for item in data["attachments"] if "id" in item}
            message.attachments = [a for i, a in enumerate(message.attachments) if i in kept]
        if edit:
            message.edits += 1
            message.edited_at.append(time.monotonic())

    def _message_json(self, message: Message) -> dict[str, Any]:
        channel = self.channels.get(message.channel_id)
        author = self.bot_user()
        data: dict[str, Any] = {
            "id": str(message.id),
            "channel_id": str(message.channel_id),
            "author": author,
            "content": message.content,
            "timestamp": dt.datetime.now(dt.UTC).isoformat(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [
                {
                    "id": str(index),
                    "filename": upload.filename,
                    "size": len(upload.content),
                    "url": f"http://127.0.0.1:{self.port}/attachments/{upload.filename}",
                    "proxy_url": f"http://127.0.0.1:{self.port}/attachments/{upload.filename}",
                }
                for index, upload in enumerate(message.attachments)
            ],
            "embeds": message.embeds,
            "components": message.components,
            "pinned": False,
            "type": 0,
            "flags": message.flags,
        }
        if message.webhook_id is not None:
            data["webhook_id"] = str(message.webhook_id)
        if channel is not None and channel.guild_id is not None:
            data["guild_id"] = str(channel.guild_id)
        return data


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # discord.py parses a body as JSON only when Content-Type is exactly application/json.
    return web.Response(
        status=status,
        body=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
    )


def _invalid(message: str) -> DiscordError:
    return DiscordError(400, 50035, f"Invalid Form Body: {message}")


def _check_message(data: dict[str, Any]) -> None:
    content = data.get("content") or ""
    if len(content) > CONTENT_LIMIT:
        raise _invalid(f"content: Must be {CONTENT_LIMIT} or fewer in length ({len(content)})")
    rows = data.get("components") or []
    if len(rows) > ACTION_ROWS:
        raise _invalid(f"components: Must be {ACTION_ROWS} or fewer in length")
    for row in rows:
        buttons = row.get("components", [])
        if row.get("type") != 1 or not 1 <= len(buttons) <= BUTTONS_PER_ROW:
            raise _invalid("components: an action row holds 1 to 5 buttons")
        for button in buttons:
            if len(button.get("custom_id", "")) > CUSTOM_ID_LIMIT:
                raise _invalid("custom_id: Must be 100 or fewer in length")
            if len(button.get("label", "")) > LABEL_LIMIT:
                raise _invalid("label: Must be 80 or fewer in length")
    embeds = data.get("embeds") or []
    if len(embeds) > EMBEDS_PER_MESSAGE:
        raise _invalid("embeds: Must be 10 or fewer in length")
    total = 0
    for embed in embeds:
        title, description = embed.get("title", ""), embed.get("description", "")
        if len(title) > EMBED_TITLE_LIMIT or len(description) > EMBED_DESCRIPTION_LIMIT:
            raise _invalid("embeds: title or description too long")
        total += len(title) + len(description)
        total += sum(
            len(f.get("name", "")) + len(f.get("value", "")) for f in embed.get("fields", [])
        )
        total += len(embed.get("footer", {}).get("text", ""))
    if total > EMBED_TOTAL_LIMIT:
        raise _invalid("embeds: Embed size exceeds maximum size of 6000")


def _check_form(data: dict[str, Any]) -> None:
    title, custom_id = data.get("title", ""), data.get("custom_id", "")
    if not 1 <= len(title) <= 45 or not 1 <= len(custom_id) <= CUSTOM_ID_LIMIT:
        raise _invalid("a modal needs a title of 1-45 and a custom_id of 1-100 characters")
    if not 1 <= len(data.get("components") or []) <= ACTION_ROWS:
        raise _invalid("a modal holds 1 to 5 components")


COMMAND_NAME = re.compile(r"^[-_\w]{1,32}$")


def _check_command(command: dict[str, Any]) -> None:
    """What Discord refuses in a synced command: bad names, over-long descriptions, and
    localisations for locales it does not know."""
    names = [command["name"], *(command.get("name_localizations") or {}).values()]
    descriptions = [
        command.get("description", ""),
        *(command.get("description_localizations") or {}).values(),
    ]
    if any(not COMMAND_NAME.fullmatch(name) or name != name.lower() for name in names):
        raise _invalid(f"name: invalid command name in {names}")
    if any(len(text) > 100 for text in descriptions):
        raise _invalid("description: Must be 100 or fewer in length")
    for key in ("name_localizations", "description_localizations"):
        unknown = set(command.get(key) or {}) - KNOWN_LOCALES
        if unknown:
            raise _invalid(f"{key}: unknown locales {sorted(unknown)}")
    for option in command.get("options") or []:
        _check_command(option)


KNOWN_LOCALES = {
    "id", "da", "de", "en-GB", "en-US", "es-ES", "es-419", "fr", "hr", "it", "lt", "hu", "nl",
    "no", "pl", "pt-BR", "ro", "fi", "sv-SE", "vi", "tr", "cs", "el", "bg", "ru", "uk", "hi",
    "th", "zh-CN", "ja", "zh-TW", "ko",
}  # fmt: skip
