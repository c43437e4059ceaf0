"""The one factory that wires the running bot: PTB Application, database, services, handlers, menu."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import logging
import signal
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from telegram import BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import BadRequest, InvalidToken, NetworkError, TelegramError
from telegram.ext import ApplicationBuilder, ContextTypes

import handlers
from bot.delivery.channels import ChannelPoster, build_channel_poster
from bot.delivery.engine import DeliveryEngine, build_engine
from bot.delivery.pacing import SendBudget
from bot.delivery.transport import AiohttpRequest
from bot.features.services import Services
from bot.render.commands import READER_COMMANDS, editor_menu
from bot.rules.clock import Clock, SystemClock
from bot.telegram.context import BotData, BriefingApplication, BriefingContext
from bot.telegram.metrics import UPDATE_KINDS, MeteredUpdateProcessor, Metrics, ObservedRequest
from bot.telegram.progress import resume_progress
from bot.telegram.ratelimit import BudgetRateLimiter
from bot.telegram.startup import STARTUP_WAIT, StartupError, network_reason, rejected_token, wait_for_bot_api
from storage import Database, LeaseRepository, Repositories, this_process

if TYPE_CHECKING:
    from bot.config import Settings  # a type only: pydantic loads with load_settings, not with the app
    from bot.telegram.webserver import WebServer

logger = logging.getLogger(__name__)

ALLOWED_UPDATES = list(UPDATE_KINDS)

HEARTBEAT_SECONDS = 60
"""With no Bot API call succeeding for this long (a quiet webhook bot), getMe checks Telegram is there."""

BOT_LEASE = "bot"
"""One ``briefing run`` per database: real Telegram answers 409 Conflict to a second poller of one token,
and two bots would each tick and deliver. The same lease table as the delivery engine's."""
BOT_LEASE_TTL = dt.timedelta(seconds=30)


class AlreadyRunning(Exception):
    """Another live ``briefing run`` holds the database; the message names it."""


def already_running(db_path: object, holder: str) -> str:
    return f"{db_path}: another briefing run ({holder}) is using this database; stop it first"


async def bot_lease_holder(db: Database) -> str | None:
    """Who runs the bot on this database now (a live process on this host, or an unexpired lease)."""
    lease = await LeaseRepository(db).holder(BOT_LEASE)
    return None if lease is None or lease.owner == this_process() else lease.owner


def build_application(settings: Settings, *, clock: Clock | None = None) -> BriefingApplication:
    """Build the application; the database is opened (and migrated) in ``post_init``, closed at shutdown."""
    clock = clock or SystemClock()
    metrics = Metrics()
    # One budget for every message this token sends: the engine's pushes and the replies (which go first).
    budget = SendBudget(settings.send_rate)

    async def post_init(app: BriefingApplication) -> None:
        db = await Database.open(settings.briefing_db, clock=clock)
        leases = LeaseRepository(db)
        if not await leases.acquire(BOT_LEASE, this_process(), BOT_LEASE_TTL):
            holder = await bot_lease_holder(db)
            await db.close()
            raise AlreadyRunning(already_running(settings.briefing_db, holder or "another process"))
        await db.refresh_statistics()
        repos = Repositories.over(db, timezone=settings.timezone)
        engine = build_engine(repos, settings, budget=budget, observer=metrics)
        channels = build_channel_poster(repos, settings, app.bot.username)
        app.bot_data.engine = engine
        app.bot_data.channels = channels
        # Replies are paced per chat by the rate limiter, on the budget's pacer the engine uses too; the
        # services' own pacer only spaces the parts of a long reply (sharing it would count them twice).
        app.bot_data.services = Services.over(db, settings, clock, delivery=_Delivery(engine, channels))
        # Progress messages first, so a broadcast the engine finishes at once still gets its report.
        await resume_progress(app)
        await engine.start()
        await channels.start()
        _schedule_ticks(app)
        _schedule_heartbeat(app)
        _schedule_statistics(app, db)
        _keep_bot_lease(app, leases)
        if settings.feed_url:
            _schedule_feed_polls(app, settings)
        await _publish_command_menu(app, settings)
        logger.info("bot @%s ready; database %s", app.bot.username, settings.briefing_db)

    async def post_shutdown(app: BriefingApplication) -> None:
        if app.bot_data.channels is not None:
            await app.bot_data.channels.stop()
            app.bot_data.channels = None
        if app.bot_data.engine is not None:
            await app.bot_data.engine.stop()
            app.bot_data.engine = None
        services: Services | None = app.bot_data.services
        if services is not None:
            await LeaseRepository(services.db).release(BOT_LEASE, this_process())
            await services.db.close()
            app.bot_data.services = None
        logger.info("bot stopped")

    app = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(f"{settings.telegram_api_url}/bot")
        .base_file_url(f"{settings.telegram_api_url}/file/bot")
        .context_types(ContextTypes(context=BriefingContext, bot_data=BotData))
        .request(ObservedRequest(AiohttpRequest(connection_limit=32), metrics))
        .get_updates_request(ObservedRequest(AiohttpRequest(connection_limit=1), metrics))
        .rate_limiter(BudgetRateLimiter(budget, max_retries=2))
        .concurrent_updates(MeteredUpdateProcessor(8, metrics))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    app.bot_data.settings = settings
    app.bot_data.metrics = metrics
    handlers.register(app)
    return app


class _Delivery:
    """What the use cases wake: the engine (readers) and the channel poster (CHANNELS)."""

    def __init__(self, engine: DeliveryEngine, channels: ChannelPoster) -> None:
        self._engine = engine
        self._channels = channels

    def wake(self) -> None:
        self._engine.wake()
        self._channels.wake()

    def forget_digest(self, digest_id: int) -> None:
        self._engine.forget_digest(digest_id)


def _keep_bot_lease(app: BriefingApplication, leases: LeaseRepository) -> None:
    """Renew the bot's lease every 10 s; a bot that died on another host is replaced 30 s later."""

    async def renew(context: BriefingContext) -> None:
        if not await leases.acquire(BOT_LEASE, this_process(), BOT_LEASE_TTL):
            logger.error("another briefing run took over this database; this one should be stopped")

    assert app.job_queue is not None
    app.job_queue.run_repeating(renew, interval=BOT_LEASE_TTL.total_seconds() / 3, first=1, name="bot-lease")


def _schedule_ticks(app: BriefingApplication) -> None:
    """A tick at the top of every minute; a late tick still runs (misfire grace) and ticks never pile up."""

    async def tick(context: BriefingContext) -> None:
        services = context.services
        result = await services.scheduler.tick()
        if result.queued:
            services.delivery.wake()
        if context.bot_data.metrics is not None:
            context.bot_data.metrics.ticked(result.due, result.queued)

    assert app.job_queue is not None
    now = dt.datetime.now(dt.UTC)
    first = 60 - now.second - now.microsecond / 1e6
    app.job_queue.run_repeating(
        tick,
        interval=60,
        first=first,
        name="delivery-tick",
        job_kwargs={"misfire_grace_time": 50, "coalesce": True, "max_instances": 1},
    )


def _schedule_statistics(app: BriefingApplication, db: Database) -> None:
    """Hourly sampled ANALYZE: readers who join by the thousand change the minute tick's best plan."""

    async def refresh(context: BriefingContext) -> None:
        try:
            await db.refresh_statistics()
        except Exception as exc:  # the planner keeps its older statistics; the next hour tries again
            logger.warning("database statistics not refreshed: %s", exc)

    assert app.job_queue is not None
    app.job_queue.run_repeating(refresh, interval=3600, first=3600, name="db-statistics")


def _schedule_heartbeat(app: BriefingApplication) -> None:
    """Keep readiness honest in a quiet webhook bot: getMe when no Bot API call succeeded for a minute."""

    async def heartbeat(context: BriefingContext) -> None:
        metrics = context.bot_data.metrics
        if metrics is None:
            return
        if metrics.last_api_ok is not None and metrics.now() - metrics.last_api_ok < HEARTBEAT_SECONDS:
            return
        try:
            await context.bot.get_me()
        except TelegramError as exc:
            logger.warning("Bot API heartbeat failed: %s", exc)

    assert app.job_queue is not None
    app.job_queue.run_repeating(
        heartbeat,
        interval=HEARTBEAT_SECONDS,
        first=HEARTBEAT_SECONDS,
        name="api-heartbeat",
        job_kwargs={"misfire_grace_time": 30, "coalesce": True, "max_instances": 1},
    )


def _schedule_feed_polls(app: BriefingApplication, settings: Settings) -> None:
    """Poll FEED_URL every FEED_POLL_MINUTES, starting shortly after start-up."""
    from bot.features.publishing import announce_published, assemble_daily, daily_digests
    from bot.sources.poller import FeedPoller

    async def poll(context: BriefingContext) -> None:
        services = context.services
        announce = functools.partial(announce_published, services)
        daily = await daily_digests(services) if settings.feed_mode == "daily" else None
        await FeedPoller(services.db, services.digests, settings.feed_url, announce=announce, daily=daily).poll_all()

    assert app.job_queue is not None
    app.job_queue.run_repeating(
        poll,
        interval=settings.feed_poll_minutes * 60,
        first=5,
        name="feed-poll",
        job_kwargs={"misfire_grace_time": 60, "coalesce": True, "max_instances": 1},
    )
    if settings.feed_mode == "daily":

        async def assemble(context: BriefingContext) -> None:
            await assemble_daily(context.services)

        # At the cutoff itself, not at the next poll: the day's digest goes out when the publisher said.
        app.job_queue.run_daily(
            assemble,
            time=settings.digest_cutoff.replace(tzinfo=settings.timezone),
            name="daily-digest",
            job_kwargs={"misfire_grace_time": 3600, "coalesce": True, "max_instances": 1},
        )


async def _publish_command_menu(app: BriefingApplication, settings: Settings) -> None:
    """Readers see their commands; each editor's own chat also lists the editor commands."""
    reader = [BotCommand(c.name, c.description) for c in READER_COMMANDS]
    await app.bot.set_my_commands(reader, scope=BotCommandScopeDefault())
    editor = [BotCommand(c.name, c.description) for c in editor_menu()]
    for admin_id in sorted(settings.admin_ids):
        try:
            await app.bot.set_my_commands(editor, scope=BotCommandScopeChat(admin_id))
        except TelegramError as exc:
            # Telegram refuses a chat scope until that editor has opened a chat with the bot.
            logger.warning("editor menu for %s not set: %s", admin_id, exc)


@contextlib.asynccontextmanager
async def running(
    app: BriefingApplication, *, poll_interval: float = 0.0, poll_timeout: int = 10
) -> AsyncIterator[None]:
    """Run ``app`` inside an event loop someone else owns (``serve``, the sandbox, tests), as run_polling would.

    Polling, or with WEBHOOK_URL set, the HTTP server takes updates and ``setWebhook`` points Telegram at
    it; the HTTP server also runs in polling mode when HTTP_PORT is set. PTB calls ``post_init`` and
    ``post_shutdown`` only from its own ``run_*`` methods, so they are called here.
    """
    settings: Settings | None = app.bot_data.settings
    await app.initialize()
    try:
        if app.post_init:
            await app.post_init(app)
        await app.start()
        server = await _start_web_server(app, settings)
        try:
            assert app.updater is not None
            if settings is not None and settings.webhook_mode:
                await _set_webhook(app, settings)
            else:
                # start_polling calls deleteWebhook first: coming back from webhook mode needs nothing more.
                await app.updater.start_polling(
                    poll_interval=poll_interval,
                    timeout=poll_timeout,
                    allowed_updates=ALLOWED_UPDATES,
                    drop_pending_updates=False,
                )
            try:
                yield
            finally:
                if app.updater.running:
                    await app.updater.stop()
        finally:
            if server is not None:
                await server.stop()
                app.bot_data.web = None
            if app.running:
                await app.stop()
    finally:
        if app.post_shutdown:
            await app.post_shutdown(app)
        await app.shutdown()


async def _start_web_server(app: BriefingApplication, settings: Settings | None) -> WebServer | None:
    """The HTTP server (health, readiness, metrics, webhook) if HTTP_PORT or webhook mode asks for one."""
    from bot.telegram.webserver import Webhook, WebServer  # aiohttp's server: only when one is asked for

    services: Services | None = app.bot_data.services
    metrics: Metrics | None = app.bot_data.metrics
    if settings is None or settings.listen_port is None or services is None or metrics is None:
        return None
    webhook = None
    if settings.webhook_mode and settings.webhook_secret is not None:
        webhook = Webhook(settings.webhook_path, settings.webhook_secret.get_secret_value())

    async def refresh() -> None:
        metrics.queue_depth.set(await services.deliveries.queued() + await services.broadcasts.queued())
        metrics.active_subscribers.set(await services.subscribers.count_active())

    server = WebServer(app, metrics, check_db=services.db.check_writable, refresh=refresh, webhook=webhook)
    await server.start(settings.http_host, settings.listen_port)
    app.bot_data.web = server
    return server


async def _set_webhook(app: BriefingApplication, settings: Settings) -> None:
    """Point Telegram at WEBHOOK_URL; a URL Telegram will not take is the operator's to fix: one line, exit 1."""
    assert settings.webhook_url is not None and settings.webhook_secret is not None
    try:
        await app.bot.set_webhook(
            settings.webhook_url,
            secret_token=settings.webhook_secret.get_secret_value(),
            allowed_updates=ALLOWED_UPDATES,
            drop_pending_updates=False,
        )
    except BadRequest as exc:  # a NetworkError subclass, but the server answered: it refused the URL
        raise StartupError(f"the Bot API refused WEBHOOK_URL {settings.webhook_url} ({exc.message})") from None
    logger.info("webhook set: Telegram posts updates to %s", settings.webhook_url)


async def serve(settings: Settings, *, clock: Clock | None = None, stop: asyncio.Event | None = None) -> None:
    """Run the bot until SIGINT/SIGTERM (or ``stop``): updates, ticks, sends, the HTTP server."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    app = build_application(settings, clock=clock)
    try:
        async with running(app):
            await stop.wait()
            logger.info("stopping")
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)


def run(settings: Settings, *, clock: Clock | None = None, startup_wait: float = STARTUP_WAIT) -> None:
    """``briefing run``: long polling, or webhook mode with WEBHOOK_URL, until SIGINT/SIGTERM.

    First make sure the Bot API server answers and takes the token (:func:`wait_for_bot_api`), so a
    server that is down or a wrong token is one line and exit 1 (:class:`StartupError`), not PTB's tracebacks.
    """
    asyncio.run(wait_for_bot_api(settings, wait=startup_wait))
    try:
        asyncio.run(serve(settings, clock=clock))
    except InvalidToken as exc:
        raise StartupError(rejected_token(exc)) from None
    except NetworkError as exc:  # the server went away between the check and PTB's own start-up
        raise StartupError(f"cannot reach {settings.telegram_api_url} ({network_reason(exc)})") from None
