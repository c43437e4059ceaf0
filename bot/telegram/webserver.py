"""The bot's one HTTP server: health, readiness, Prometheus metrics and, in webhook mode, Telegram's updates.

It is an ``aiohttp.web`` application on the Application's own event loop, as in PTB's custom-webhook
examples: a webhook update is checked (path and secret header), put on ``Application.update_queue`` and
answered 200 at once; the Application's dispatcher handles it like a polled one.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from telegram import Update

from bot.telegram.context import BriefingApplication
from bot.telegram.metrics import Metrics

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
TICK_STALE = 180.0
"""Seconds: the minute tick must have run within the last three minutes."""
API_STALE = 180.0
"""Seconds: some Bot API call must have succeeded within this (polling calls every few seconds; webhook
mode keeps a once-a-minute heartbeat)."""
DB_PROBE_TIMEOUT = 2.0


@dataclass(frozen=True, slots=True)
class Webhook:
    """Where Telegram posts updates and the secret it must send with them."""

    path: str
    secret: str


class WebServer:
    """``/healthz``, ``/readyz``, ``/metrics`` and the webhook path, served on ``host:port``.

    Args:
        app: the PTB application whose update queue webhook updates go to.
        metrics: what ``/metrics`` shows and readiness reads.
        check_db: raises unless the database takes a write (``Database.check_writable``).
        refresh: updates the gauges read from the database before each scrape.
        webhook: accept updates on this path with this secret; None in polling mode.
    """

    def __init__(
        self,
        app: BriefingApplication,
        metrics: Metrics,
        *,
        check_db: Callable[[], Awaitable[None]],
        refresh: Callable[[], Awaitable[None]],
        webhook: Webhook | None = None,
        db_timeout: float = DB_PROBE_TIMEOUT,
    ) -> None:
        self._app = app
        self._metrics = metrics
        self._check_db = check_db
        self._refresh = refresh
        self._webhook = webhook
        self._db_timeout = db_timeout
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    def build(self) -> web.Application:
        web_app = web.Application(client_max_size=1024 * 1024)
        web_app.router.add_get("/healthz", self._healthz)
        web_app.router.add_get("/readyz", self._readyz)
        web_app.router.add_get("/metrics", self._metrics_page)
        if self._webhook is not None:
            web_app.router.add_post(self._webhook.path, self._update)
        return web_app

    async def start(self, host: str, port: int) -> None:
        runner = web.AppRunner(self.build(), access_log=None, handle_signals=False, shutdown_timeout=2.0)
        await runner.setup()
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        try:
            sock = socket.create_server((host, port), family=family, reuse_port=False)
        except OSError:
            await runner.cleanup()
            raise
        await web.SockSite(runner, sock).start()
        self._runner = runner
        self.port = sock.getsockname()[1]
        logger.info("HTTP server on %s:%s%s", host, self.port, " (webhook)" if self._webhook else "")

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    # -- routes ----------------------------------------------------------------------------------------

    async def _healthz(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def _readyz(self, request: web.Request) -> web.Response:
        failed = await self.problems()
        if failed:
            return web.json_response({"status": "not ready", "failed": failed}, status=503)
        return web.json_response({"status": "ready"})

    async def problems(self) -> dict[str, str]:
        """What keeps the bot from being ready, by check name; empty when ready."""
        failed: dict[str, str] = {}
        try:
            await asyncio.wait_for(self._check_db(), self._db_timeout)
        except TimeoutError:
            failed["database"] = f"not writable: no write lock within {self._db_timeout:g}s"
        except Exception as exc:
            failed["database"] = f"not writable: {type(exc).__name__}: {exc}"
        metrics, now = self._metrics, self._metrics.now()
        if metrics.last_api_ok is None:
            failed["bot_api"] = f"no successful call yet ({metrics.last_api_error or 'none made'})"
        elif now - metrics.last_api_ok > API_STALE:
            failed["bot_api"] = (
                f"last successful call {now - metrics.last_api_ok:.0f}s ago ({metrics.last_api_error or 'no error'})"
            )
        if metrics.last_tick_at is None:
            # The first tick runs at the top of the next minute: a bot that just started is not late yet,
            # and a proxy that waits for readiness must not refuse Telegram's webhook POSTs meanwhile.
            if (since_start := now - metrics.started_at) > TICK_STALE:
                failed["tick"] = f"the minute tick has not run since the bot started {since_start:.0f}s ago"
        elif now - metrics.last_tick_at > TICK_STALE:
            failed["tick"] = f"the minute tick last ran {now - metrics.last_tick_at:.0f}s ago"
        return failed

    async def _metrics_page(self, request: web.Request) -> web.Response:
        try:
            await self._refresh()
        except Exception as exc:  # the counters are still worth serving
            logger.warning("metrics: database gauges not refreshed: %s", exc)
        body = self._metrics.exposition()
        return web.Response(body=body, headers={"Content-Type": self._metrics.content_type})

    async def _update(self, request: web.Request) -> web.Response:
        assert self._webhook is not None
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self._webhook.secret.encode()):
            logger.warning("webhook: refused a POST without the right secret from %s", request.remote)
            return web.json_response({"ok": False, "description": "Forbidden"}, status=403)
        try:
            data: Any = await request.json()
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                raise ValueError("not an update")
            update = Update.de_json(data, self._app.bot)
        except (json.JSONDecodeError, ValueError, TypeError, KeyError) as exc:
            logger.warning("webhook: refused a malformed update: %s", type(exc).__name__)
            return web.json_response({"ok": False, "description": "Bad Request"}, status=400)
        await self._app.update_queue.put(update)
        return web.json_response({"ok": True})
