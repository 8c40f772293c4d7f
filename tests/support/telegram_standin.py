"""A local stand-in for the Telegram Bot API, so the real python-telegram-bot `Application`
talks real HTTP to it. It speaks the Bot API's shapes (form, multipart or JSON requests;
`{"ok": true, "result": ...}` answers; errors with `error_code`, `description`, `parameters`),
delivers updates through long-polled `getUpdates`, and checks what Telegram would refuse
(malformed HTML, over-long texts, callback data over 64 bytes, answering a query twice).

    async with TelegramStandIn() as api:
        application = build_application(api.token, base_url=api.base_url)
        ...
        api.push(api.text_update(ALICE, "/start"))
        sent = await api.wait_for_messages(ALICE.id, 1)
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import re
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

JSON_FIELDS = {
    "reply_markup",
    "commands",
    "scope",
    "allowed_updates",
    "link_preview_options",
    "reply_parameters",
    "entities",
    "caption_entities",
    "show_alert",
    "disable_notification",
    "drop_pending_updates",
    "protect_content",
}
INT_FIELDS = {"chat_id", "message_id", "offset", "limit", "timeout", "max_connections"}
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
# The longest getUpdates long poll the stand-in holds open, whatever the client asks.
MAX_POLL_SECONDS = 5.0
ALLOWED_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "tg-spoiler",
    "span",
    "blockquote",
}
TOKEN = re.compile(
    r"<(?P<close>/?)(?P<tag>[a-z-]+)(?P<attrs>(?:\s+[a-z-]+=\"[^\"<>]*\")*)\s*>"
    r"|&(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);"
)
CANNED_ERRORS = {
    429: {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    },
    403: {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"},
}


class BotApiError(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


def html_to_text(source: str) -> str:
    """What Telegram shows for an HTML message (tags dropped, entities decoded); raises
    BotApiError(400) for HTML Telegram cannot parse."""
    stack: list[str] = []
    position = 0
    for match in TOKEN.finditer(source):
        between = source[position : match.start()]
        if any(char in between for char in "<>&"):
            raise BotApiError(400, f"Bad Request: can't parse entities: unescaped text {between!r}")
        position = match.end()
        tag = match.group("tag")
        if tag is None:
            continue
        if tag not in ALLOWED_TAGS:
            raise BotApiError(400, f"Bad Request: can't parse entities: unsupported tag {tag}")
        if match.group("close"):
            if not stack or stack.pop() != tag:
                raise BotApiError(400, f"Bad Request: can't parse entities: unexpected </{tag}>")
        else:
            stack.append(tag)
    rest = source[position:]
    if any(char in rest for char in "<>&"):
        raise BotApiError(400, f"Bad Request: can't parse entities: unescaped text {rest!r}")
    if stack:
        raise BotApiError(400, f"Bad Request: can't parse entities: unclosed <{stack[-1]}>")
    return html.unescape(re.sub(r"<[^>]*>", "", source))


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True, slots=True)
class User:
    id: int
    first_name: str
    language_code: str | None = "en"
    last_name: str | None = None

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.language_code:
            data["language_code"] = self.language_code
        return data


@dataclass(frozen=True, slots=True)
class Upload:
    field: str
    filename: str
    content: bytes


@dataclass
class Call:
    """One Bot API request as the stand-in received it."""

    method: str
    params: dict[str, Any]
    files: dict[str, Upload] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)


@dataclass
class ChatMessage:
    """A message in a chat as it stands now (edits applied)."""

    message_id: int
    chat_id: int
    from_bot: bool
    text: str = ""  # what the user sees (HTML already parsed)
    html: str = ""  # what the bot sent
    reply_markup: dict[str, Any] | None = None
    photo: Upload | None = None
    document: Upload | None = None
    edits: int = 0

    def buttons(self) -> list[tuple[str, str]]:
        """(label, callback data) of the inline keyboard, row by row."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [(button["text"], button.get("callback_data", "")) for row in rows for button in row]


@dataclass
class TelegramStandIn:
    token: str = "123456:TEST-standin-token"
    username: str = "tutorbot_test_bot"
    calls: list[Call] = field(default_factory=list)
    chats: dict[int, list[ChatMessage]] = field(default_factory=lambda: defaultdict(list))
    webhook: dict[str, Any] = field(default_factory=dict)
    answered_queries: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Group chat id -> user ids that administer it (getChatMember answers "administrator").
    admins: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    port: int = 0
    _updates: list[dict[str, Any]] = field(default_factory=list)
    _update_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _message_ids: dict[int, itertools.count[int]] = field(
        default_factory=lambda: defaultdict(lambda: itertools.count(1))
    )
    _query_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _failures: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    _new_updates: asyncio.Event = field(default_factory=asyncio.Event)
    _runner: web.AppRunner | None = None

    # server -------------------------------------------------------------------------------

    @property
    def bot_id(self) -> int:
        return int(self.token.split(":", 1)[0])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    async def __aenter__(self) -> TelegramStandIn:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._endpoint)
        # No access log: Bot API paths carry the token, and tests check the bot never logs it.
        self._runner = web.AppRunner(app, shutdown_timeout=0.1, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _endpoint(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        method = request.match_info["method"]
        params, files = await _read_params(request)
        self.calls.append(Call(method, params, files))
        failures = self._failures.get(method)
        if failures:
            code = failures.pop(0)
            return web.json_response(CANNED_ERRORS[code], status=code)
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found: method not found"},
                status=404,
            )
        try:
            result = await handler(params, files)
        except BotApiError as error:
            return web.json_response(
                {"ok": False, "error_code": error.code, "description": error.description},
                status=error.code,
            )
        return web.json_response({"ok": True, "result": result})

    # what tests use -----------------------------------------------------------------------

    def fail_next(self, method: str, code: int) -> None:
        """Answer the next call of `method` with the canned 429 (retry after 1 s) or 403."""
        if code not in CANNED_ERRORS:
            raise ValueError(f"no canned error {code}")
        self._failures[method].append(code)

    def push(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for getUpdates; gives it the next update_id."""
        update = {"update_id": next(self._update_ids), **update}
        self._updates.append(update)
        self._new_updates.set()
        return update

    def text_update(self, user: User, text: str, chat: dict[str, Any] | None = None) -> dict:
        """A message from `user` (in their private chat unless `chat` is given)."""
        chat = chat or _private_chat(user)
        message_id = next(self._message_ids[chat["id"]])
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": chat,
            "from": user.as_json(),
            "text": text,
        }
        if text.startswith("/"):
            length = len(text.split(maxsplit=1)[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        self.chats[chat["id"]].append(
            ChatMessage(message_id, chat["id"], from_bot=False, text=text)
        )
        return {"message": message}

    def press_update(self, user: User, message: ChatMessage, data: str) -> dict:
        """`user` pressing a button with callback `data` under the bot's `message`."""
        return {
            "callback_query": {
                "id": str(next(self._query_ids)),
                "from": user.as_json(),
                "chat_instance": f"instance-{message.chat_id}",
                "message": self._message_json(message),
                "data": data,
            }
        }

    def bot_messages(self, chat_id: int) -> list[ChatMessage]:
        return [message for message in self.chats.get(chat_id, []) if message.from_bot]

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    async def wait_until(self, condition: Callable[[], bool], within: float = 10.0) -> None:
        deadline = time.monotonic() + within
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError("the bot did not get there in time")
            await asyncio.sleep(0.01)

    async def wait_for_messages(
        self, chat_id: int, count: int, within: float = 10.0
    ) -> list[ChatMessage]:
        """Wait until the bot has sent `count` messages in the chat (in all); returns them."""
        await self.wait_until(lambda: len(self.bot_messages(chat_id)) >= count, within)
        return self.bot_messages(chat_id)

    async def wait_for_calls(self, method: str, count: int, within: float = 10.0) -> list[Call]:
        await self.wait_until(lambda: len(self.calls_to(method)) >= count, within)
        return self.calls_to(method)

    # the Bot API --------------------------------------------------------------------------

    def _bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Tutorbot",
            "username": self.username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _message_json(self, message: ChatMessage) -> dict[str, Any]:
        data: dict[str, Any] = {
            "message_id": message.message_id,
            "date": int(time.time()),
            "chat": {"id": message.chat_id, "type": "private" if message.chat_id > 0 else "group"},
        }
        if message.chat_id < 0:
            data["chat"]["title"] = "Study group"
        if message.from_bot:
            data["from"] = self._bot_user()
        if message.photo is not None:
            data["photo"] = [
                {
                    "file_id": f"photo-{message.message_id}",
                    "file_unique_id": f"uphoto-{message.message_id}",
                    "width": 640,
                    "height": 480,
                    "file_size": len(message.photo.content),
                }
            ]
        if message.document is not None:
            data["document"] = {
                "file_id": f"document-{message.message_id}",
                "file_unique_id": f"udocument-{message.message_id}",
                "file_name": message.document.filename,
                "file_size": len(message.document.content),
            }
        if message.photo is not None or message.document is not None:
            if message.text:
                data["caption"] = message.text
        elif message.text:
            data["text"] = message.text
        if message.reply_markup:
            data["reply_markup"] = message.reply_markup
        return data

    def _new_message(self, params: dict[str, Any], **extra: Any) -> ChatMessage:
        chat_id = int(params["chat_id"])
        message = ChatMessage(next(self._message_ids[chat_id]), chat_id, from_bot=True, **extra)
        self.chats[chat_id].append(message)
        return message

    def _find(self, params: dict[str, Any]) -> ChatMessage:
        chat_id, message_id = int(params["chat_id"]), int(params["message_id"])
        for message in self.chats.get(chat_id, []):
            if message.message_id == message_id:
                return message
        raise BotApiError(400, "Bad Request: message to edit not found")

    async def _api_getMe(self, params: dict, files: dict) -> Any:  # noqa: N802
        return self._bot_user()

    async def _api_getUpdates(self, params: dict, files: dict) -> Any:  # noqa: N802
        offset = params.get("offset") or 0
        if offset:
            # Telegram forgets updates once a later offset confirms them.
            self._updates = [update for update in self._updates if update["update_id"] >= offset]
        wait = min(float(params.get("timeout") or 0), MAX_POLL_SECONDS)
        if not self._updates and wait > 0:
            self._new_updates.clear()
            try:
                await asyncio.wait_for(self._new_updates.wait(), timeout=wait)
            except TimeoutError:
                pass
        limit = params.get("limit") or 100
        return self._updates[:limit]

    async def _api_sendMessage(self, params: dict, files: dict) -> Any:  # noqa: N802
        source = str(params.get("text", ""))
        text = _checked_text(source, params.get("parse_mode"), TEXT_LIMIT, "message text")
        markup = _checked_markup(params.get("reply_markup"))
        message = self._new_message(params, text=text, html=source, reply_markup=markup)
        return self._message_json(message)

    async def _api_editMessageText(self, params: dict, files: dict) -> Any:  # noqa: N802
        message = self._find(params)
        source = str(params.get("text", ""))
        text = _checked_text(source, params.get("parse_mode"), TEXT_LIMIT, "message text")
        markup = _checked_markup(params.get("reply_markup"))
        if text == message.text and markup == message.reply_markup:
            raise BotApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message",
            )
        message.text, message.html, message.reply_markup = text, source, markup
        message.edits += 1
        return self._message_json(message)

    async def _api_editMessageReplyMarkup(self, params: dict, files: dict) -> Any:  # noqa: N802
        message = self._find(params)
        markup = _checked_markup(params.get("reply_markup"))
        if markup == message.reply_markup:
            raise BotApiError(400, "Bad Request: message is not modified")
        message.reply_markup = markup
        return self._message_json(message)

    async def _api_answerCallbackQuery(self, params: dict, files: dict) -> Any:  # noqa: N802
        query_id = str(params["callback_query_id"])
        if query_id in self.answered_queries:
            raise BotApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        if utf16_length(str(params.get("text") or "")) > 200:
            raise BotApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self.answered_queries[query_id] = params
        return True

    async def _send_file(self, params: dict, files: dict, kind: str) -> Any:
        upload = files.get(kind)
        if upload is None:
            raise BotApiError(400, f"Bad Request: there is no {kind} in the request")
        source = str(params.get("caption") or "")
        caption = _checked_text(source, params.get("parse_mode"), CAPTION_LIMIT, "caption", True)
        markup = _checked_markup(params.get("reply_markup"))
        message = self._new_message(
            params, text=caption, html=source, reply_markup=markup, **{kind: upload}
        )
        return self._message_json(message)

    async def _api_sendPhoto(self, params: dict, files: dict) -> Any:  # noqa: N802
        return await self._send_file(params, files, "photo")

    async def _api_sendDocument(self, params: dict, files: dict) -> Any:  # noqa: N802
        return await self._send_file(params, files, "document")

    async def _api_setMyCommands(self, params: dict, files: dict) -> Any:  # noqa: N802
        for command in params.get("commands", []):
            if not re.fullmatch(r"[a-z0-9_]{1,32}", command["command"]):
                raise BotApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(command["description"]) <= 256:
                raise BotApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        return True

    async def _api_deleteWebhook(self, params: dict, files: dict) -> Any:  # noqa: N802
        self.webhook = {}
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _api_setWebhook(self, params: dict, files: dict) -> Any:  # noqa: N802
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise BotApiError(400, "Bad Request: secret token contains unallowed characters")
        self.webhook = dict(params)
        return True

    async def _api_getChatMember(self, params: dict, files: dict) -> Any:  # noqa: N802
        chat_id, user_id = int(params["chat_id"]), int(params["user_id"])
        status = "administrator" if user_id in self.admins.get(chat_id, set()) else "member"
        member: dict[str, Any] = {
            "status": status,
            "user": {"id": user_id, "is_bot": False, "first_name": f"user{user_id}"},
        }
        if status == "administrator":
            member |= {
                "can_be_edited": False,
                "is_anonymous": False,
                "can_manage_chat": True,
                "can_delete_messages": True,
                "can_manage_video_chats": True,
                "can_restrict_members": True,
                "can_promote_members": False,
                "can_change_info": True,
                "can_invite_users": True,
                "can_post_stories": False,
                "can_edit_stories": False,
                "can_delete_stories": False,
            }
        return member

    async def _api_getWebhookInfo(self, params: dict, files: dict) -> Any:  # noqa: N802
        return {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }


def _private_chat(user: User) -> dict[str, Any]:
    return {"id": user.id, "type": "private", "first_name": user.first_name}


async def _read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, Upload]]:
    """Bot API parameters: JSON bodies as they are; form fields JSON-decoded where the Bot API
    takes objects, numbers where it takes integers; multipart file parts as uploads."""
    if request.content_type == "application/json":
        return await request.json(), {}
    params: dict[str, Any] = dict(request.query)
    files: dict[str, Upload] = {}
    if request.can_read_body:
        form = await request.post()
        for name, value in form.items():
            if isinstance(value, web.FileField):
                files[name] = Upload(name, value.filename, value.file.read())
            elif isinstance(value, bytes):
                files[name] = Upload(name, name, value)
            else:
                params[name] = value
    for name, value in list(params.items()):
        if name in JSON_FIELDS and isinstance(value, str):
            params[name] = json.loads(value)
        elif name in INT_FIELDS and isinstance(value, str) and re.fullmatch(r"-?\d+", value):
            params[name] = int(value)
    return params, files


def _checked_text(
    source: str, parse_mode: str | None, limit: int, what: str, optional: bool = False
) -> str:
    text = html_to_text(source) if parse_mode == "HTML" else source
    if not text.strip() and not optional:
        raise BotApiError(400, f"Bad Request: {what} is empty")
    if utf16_length(text) > limit:
        raise BotApiError(400, f"Bad Request: {what} is too long")
    return text


def _checked_markup(markup: Any) -> dict[str, Any] | None:
    if not markup:
        return None
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if len(str(button.get("callback_data", "")).encode("utf-8")) > 64:
                raise BotApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    return markup if markup.get("inline_keyboard") else None
