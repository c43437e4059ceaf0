"""The running bot's Prometheus metrics and the facts readiness is judged by.

Everything lives in a registry of this object's own (prometheus_client's default registry is a process
global). Labels carry kinds and results only, never chat ids or texts. The delivery layer reports through
:class:`bot.delivery.observer.DeliveryObserver`, which this class implements; PTB's update processing is
timed by :class:`MeteredUpdateProcessor`; Bot API calls by :class:`ObservedRequest`.

prometheus_client (with the HTTP and WSGI servers its exposition module imports) loads when the metrics are
built by ``build_application``, not with ``import bot.app`` (issue #15).
"""

from __future__ import annotations

import datetime as dt
import platform
import time
from collections.abc import Awaitable, Callable
from typing import Any

import telegram
from telegram import Update
from telegram.ext import SimpleUpdateProcessor
from telegram.request import BaseRequest, RequestData

from bot.delivery.observer import SendResult

UPDATE_KINDS = (
    "message",
    "edited_message",
    "callback_query",
    "inline_query",
    "chosen_inline_result",
    "my_chat_member",
    "message_reaction_count",
)
"""The kinds of update the handlers use (and the webhook asks Telegram for)."""

HANDLER_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
LAG_BUCKETS = (1, 5, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400)
"""Seconds from due to sent: at 30/s a large slot takes an hour or more, so the buckets reach hours."""


class Metrics:
    """The metrics of one running bot, plus the times /readyz looks at.

    Args:
        monotonic: seconds for "how long ago"; tests inject their own.
    """

    def __init__(self, *, monotonic: Callable[[], float] = time.monotonic) -> None:
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info
        from prometheus_client.exposition import CONTENT_TYPE_LATEST

        self._monotonic = monotonic
        self.content_type = CONTENT_TYPE_LATEST
        """The Content-Type of :meth:`exposition`'s text."""
        self.registry = CollectorRegistry()
        r = self.registry
        self.updates = Counter("briefing_updates", "Telegram updates handled, by kind", ["kind"], registry=r)
        self.handler_seconds = Histogram(
            "briefing_handler_seconds", "Time to handle one update", ["kind"], buckets=HANDLER_BUCKETS, registry=r
        )
        self.messages_sent = Counter(
            "briefing_messages_sent", "Delivery messages by result (ok, 429, blocked, error)", ["result"], registry=r
        )
        self.retries = Counter("briefing_send_retries", "Sends tried again, by reason", ["reason"], registry=r)
        self.queue_depth = Gauge(
            "briefing_delivery_queue_depth", "Recipients pending or being sent (issues and broadcasts)", registry=r
        )
        self.push_lag = Histogram(
            "briefing_push_lag_seconds", "From a reader's due time to their issue sent", buckets=LAG_BUCKETS, registry=r
        )
        self.active_subscribers = Gauge("briefing_active_subscribers", "Readers with status active", registry=r)
        self.last_tick = Gauge(
            "briefing_last_tick_timestamp_seconds", "When the minute tick last finished (Unix time)", registry=r
        )
        self.api_requests = Counter(
            "briefing_bot_api_requests", "Bot API calls of the bot (not the engine's sends), by outcome",
            ["outcome"], registry=r,
        )
        self.build = Info("briefing_build", "Version of the bot and its runtime", registry=r)
        from bot.config import app_version  # with the settings' module, loaded when the metrics are built

        self.build.info({"version": app_version(), "python": platform.python_version(), "ptb": telegram.__version__})
        for kind in UPDATE_KINDS:
            self.updates.labels(kind)
            self.handler_seconds.labels(kind)
        for result in SendResult:
            self.messages_sent.labels(result.value)
        for reason in ("429", "network"):
            self.retries.labels(reason)
        for outcome in ("ok", "error"):
            self.api_requests.labels(outcome)
        self.last_api_ok: float | None = None
        """Monotonic time of the last Bot API call that answered 2xx."""
        self.last_api_error: str | None = None
        self.last_tick_at: float | None = None
        """Monotonic time the minute tick last finished."""
        self.started_at = self.now()
        """Monotonic time the bot started: the first tick comes at the top of the next minute."""

    def now(self) -> float:
        return self._monotonic()

    def exposition(self) -> bytes:
        """The Prometheus text format of every metric."""
        from prometheus_client import generate_latest

        return generate_latest(self.registry)

    # -- the delivery observer -----------------------------------------------------------------------

    def message_sent(self, result: SendResult) -> None:
        self.messages_sent.labels(result.value).inc()
        if result is SendResult.OK:
            self.api_answered(200)

    def retried(self, reason: str) -> None:
        self.retries.labels(reason).inc()

    def delivered(self, lag: dt.timedelta | None) -> None:
        if lag is not None:
            self.push_lag.observe(max(0.0, lag.total_seconds()))

    def ticked(self, due: int, queued: int) -> None:
        self.last_tick_at = self.now()
        self.last_tick.set(time.time())

    # -- updates and Bot API calls ---------------------------------------------------------------------

    def update_handled(self, kind: str, seconds: float) -> None:
        self.updates.labels(kind).inc()
        self.handler_seconds.labels(kind).observe(seconds)

    def api_answered(self, status: int) -> None:
        if 200 <= status < 300:
            self.last_api_ok = self.now()
            self.last_api_error = None
        else:
            self.last_api_error = f"HTTP {status}"

    def api_failed(self, error: BaseException) -> None:
        self.last_api_error = type(error).__name__


def update_kind(update: object) -> str:
    """Which of :data:`UPDATE_KINDS` an update is (``other`` for anything else)."""
    if isinstance(update, Update):
        for kind in UPDATE_KINDS:
            if getattr(update, kind) is not None:
                return kind
    return "other"


class MeteredUpdateProcessor(SimpleUpdateProcessor):
    """PTB's concurrent update processor, timing each update's handling and counting it by kind."""

    __slots__ = ("_metrics",)

    def __init__(self, max_concurrent_updates: int, metrics: Metrics) -> None:
        super().__init__(max_concurrent_updates)
        self._metrics = metrics

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        started = time.perf_counter()
        try:
            await coroutine
        finally:
            self._metrics.update_handled(update_kind(update), time.perf_counter() - started)


class ObservedRequest(BaseRequest):
    """A request object that tells :class:`Metrics` how each Bot API call went, then answers as ``inner``."""

    __slots__ = ("_inner", "_metrics")

    def __init__(self, inner: BaseRequest, metrics: Metrics) -> None:
        self._inner = inner
        self._metrics = metrics

    @property
    def read_timeout(self) -> float | None:
        return self._inner.read_timeout

    async def initialize(self) -> None:
        await self._inner.initialize()

    async def shutdown(self) -> None:
        await self._inner.shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        try:
            status, body = await self._inner.do_request(
                url,
                method,
                request_data,
                read_timeout=read_timeout,
                write_timeout=write_timeout,
                connect_timeout=connect_timeout,
                pool_timeout=pool_timeout,
            )
        except Exception as exc:
            self._metrics.api_requests.labels("error").inc()
            self._metrics.api_failed(exc)
            raise
        self._metrics.api_requests.labels("ok" if 200 <= status < 300 else "error").inc()
        self._metrics.api_answered(status)
        return status, body
