"""The webhook server: Telegram POSTs each update to it. A request without the secret token is
refused (403) and its body dropped; a body larger than `MAX_BODY_BYTES` is refused (413) before
it is read; a body that is not a JSON update is a 400 with a one-line warning, no traceback."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
from http import HTTPStatus
from typing import Any

import tornado.web
from telegram import Bot, Update
from tornado.httpserver import HTTPServer

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Updates are a few kilobytes (files come as ids); nothing bigger is read.
MAX_BODY_BYTES = 1024 * 1024


@tornado.web.stream_request_body
class _UpdateHandler(tornado.web.RequestHandler):
    SUPPORTED_METHODS = ("POST",)

    def initialize(self, bot: Bot, queue: asyncio.Queue[object], secret: str) -> None:
        self._bot, self._queue, self._secret = bot, queue, secret
        self._body = bytearray()

    def prepare(self) -> None:
        token = self.request.headers.get(SECRET_HEADER, "")
        self._forbidden = not hmac.compare_digest(token.encode(), self._secret.encode())
        length = self.request.headers.get("Content-Length", "0")
        if not length.isdigit() or int(length) > MAX_BODY_BYTES:
            # Answered before the body is read (the client may see the connection close).
            status = (
                HTTPStatus.FORBIDDEN if self._forbidden else HTTPStatus.REQUEST_ENTITY_TOO_LARGE
            )
            raise tornado.web.HTTPError(status)
        # A chunked body has no length up front: the connection ends once it passes the limit.
        self.request.connection.set_max_body_size(MAX_BODY_BYTES)  # type: ignore[union-attr]

    def data_received(self, chunk: bytes) -> None:
        if not self._forbidden:
            self._body += chunk

    async def post(self) -> None:
        if self._forbidden:
            self.set_status(HTTPStatus.FORBIDDEN)
            return
        try:
            data = json.loads(self._body.decode("utf-8"))
        except ValueError:  # includes UnicodeDecodeError
            return self._refuse("a body that is not UTF-8 JSON")
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            return self._refuse("JSON that is not a Telegram update")
        try:
            update = Update.de_json(data, self._bot)
        except Exception as error:  # PTB raises whatever a malformed field makes it raise
            return self._refuse(f"an update that could not be read ({type(error).__name__})")
        await self._queue.put(update)

    def _refuse(self, what: str) -> None:
        log.warning("webhook: refused %s (%d bytes)", what, len(self._body))
        self.set_status(HTTPStatus.BAD_REQUEST)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self.finish()  # the status says it all; no HTML page


def _log_request(handler: tornado.web.RequestHandler) -> None:
    log.debug("%s %s %s", handler.get_status(), handler.request.method, handler.request.uri)


class WebhookServer:
    """Listens on `listen:port` and puts each update on the application's queue."""

    def __init__(
        self, bot: Bot, queue: asyncio.Queue[object], path: str, secret: str, listen: str, port: int
    ) -> None:
        handler_args = {"bot": bot, "queue": queue, "secret": secret}
        routes = [(rf"/{re.escape(path.strip('/'))}/?", _UpdateHandler, handler_args)]
        application = tornado.web.Application(routes, log_function=_log_request)
        self._server = HTTPServer(application, max_body_size=MAX_BODY_BYTES)
        self._listen, self._port = listen, port

    def start(self) -> None:
        self._server.listen(self._port, address=self._listen)

    async def stop(self) -> None:
        self._server.stop()
        await self._server.close_all_connections()
