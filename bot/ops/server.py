"""The operations HTTP server of `tutorbot run` (TUTORBOT_OPS__HTTP_PORT): /metrics for
Prometheus, /healthz (the process answers) and /readyz (database and search index). It is not
meant to be public: the Telegram webhook has a server and a port of its own."""

from __future__ import annotations

import datetime as dt
import json
import logging

from aiohttp import web

from bot.app import App
from bot.ops import health, metrics

log = logging.getLogger(__name__)


class OpsServer:
    def __init__(self, app: App, host: str, port: int) -> None:
        self._app = app
        self._host, self._port = host, port
        self._index = health.IndexCheck(app.settings.qdrant, app.ask_engine.opened_index_count)
        self._runner: web.AppRunner | None = None

    @property
    def port(self) -> int:
        return self._port

    def application(self) -> web.Application:
        application = web.Application()
        application.router.add_get("/metrics", self._metrics)
        application.router.add_get("/healthz", self._healthz)
        application.router.add_get("/readyz", self._readyz)
        return application

    async def start(self) -> None:
        # No access log: a scrape every 15 s and probes every 10 s would drown everything else.
        self._runner = web.AppRunner(self.application(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        if self._port == 0:  # tests ask for any free port
            self._port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        log.info("metrics and health checks on port %d", self._port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        self._index.close()

    async def _metrics(self, request: web.Request) -> web.Response:
        try:
            await metrics.refresh_outbox(self._app.sessions, dt.datetime.now(dt.UTC))
        except Exception as error:  # the other metrics are still worth serving
            log.warning("outbox metrics unavailable: %s", type(error).__name__)
        return web.Response(body=metrics.exposition(), content_type="text/plain", charset="utf-8")

    async def _healthz(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def _readyz(self, request: web.Request) -> web.Response:
        checks = [await health.database(self._app.engine), await self._index()]
        ready = all(check.ok for check in checks)
        body = {
            "status": "ready" if ready else "not ready",
            "checks": {check.name: {"ok": check.ok, "detail": check.detail} for check in checks},
        }
        return web.Response(
            text=json.dumps(body), status=200 if ready else 503, content_type="application/json"
        )
