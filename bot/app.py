"""The one factory that wires the running bot: PTB Application, database, services, handlers, menu."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from telegram import BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, ApplicationBuilder, ContextTypes

import handlers
from bot.delivery.engine import build_engine
from bot.delivery.transport import AiohttpRequest
from bot.features.publishing import announce_published
from bot.features.services import Services
from bot.render.commands import READER_COMMANDS, editor_menu
from bot.rules.clock import Clock, SystemClock
from bot.telegram.context import BotData, BriefingApplication, BriefingContext
from bot.telegram.progress import resume_progress
from storage import Database, Repositories

if TYPE_CHECKING:
    from bot.config import Settings  # a type only: pydantic loads with load_settings, not with the app

logger = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "inline_query"]


def build_application(settings: Settings, *, clock: Clock | None = None) -> BriefingApplication:
    """Build the application; the database is opened (and migrated) in ``post_init``, closed at shutdown."""
    clock = clock or SystemClock()

    async def post_init(app: BriefingApplication) -> None:
        db = await Database.open(settings.briefing_db, clock=clock)
        engine = build_engine(Repositories.over(db), settings)
        app.bot_data.engine = engine
        app.bot_data.services = Services.over(db, settings, clock, delivery=engine)
        # Progress messages first, so a broadcast the engine finishes at once still gets its report.
        await resume_progress(app)
        await engine.start()
        _schedule_ticks(app)
        if settings.feed_url:
            _schedule_feed_polls(app, settings)
        await _publish_command_menu(app, settings)
        logger.info("bot @%s ready; database %s", app.bot.username, settings.briefing_db)

    async def post_shutdown(app: BriefingApplication) -> None:
        if app.bot_data.engine is not None:
            await app.bot_data.engine.stop()
            app.bot_data.engine = None
        services: Services | None = app.bot_data.services
        if services is not None:
            await services.db.close()
            app.bot_data.services = None
        logger.info("bot stopped")

    app = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(f"{settings.telegram_api_url}/bot")
        .base_file_url(f"{settings.telegram_api_url}/file/bot")
        .context_types(ContextTypes(context=BriefingContext, bot_data=BotData))
        .request(AiohttpRequest(connection_limit=32))
        .get_updates_request(AiohttpRequest(connection_limit=1))
        .rate_limiter(AIORateLimiter(max_retries=2))
        .concurrent_updates(8)
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    handlers.register(app)
    return app


def _schedule_ticks(app: BriefingApplication) -> None:
    """A tick at the top of every minute; a late tick still runs (misfire grace) and ticks never pile up."""

    async def tick(context: BriefingContext) -> None:
        services = context.services
        result = await services.scheduler.tick()
        if result.queued:
            services.delivery.wake()

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


def _schedule_feed_polls(app: BriefingApplication, settings: Settings) -> None:
    """Poll FEED_URL every FEED_POLL_MINUTES, starting shortly after start-up."""
    from bot.features.publishing import daily_digests
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
            services = context.services
            daily = await daily_digests(services)
            await daily.assemble_due(functools.partial(announce_published, services))

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
    """Run ``app`` inside an event loop someone else owns (the sandbox, tests), as run_polling would.

    PTB calls ``post_init``/``post_shutdown`` only from its own ``run_*`` methods, so they are called here.
    """
    await app.initialize()
    try:
        if app.post_init:
            await app.post_init(app)
        await app.start()
        assert app.updater is not None
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
            if app.running:
                await app.stop()
    finally:
        if app.post_shutdown:
            await app.post_shutdown(app)
        await app.shutdown()


def run_polling(settings: Settings, *, clock: Clock | None = None, **polling: Any) -> None:
    """Long-poll until SIGINT/SIGTERM; PTB's run_polling stops the updater, the app, then post_shutdown."""
    app = build_application(settings, clock=clock)
    app.run_polling(allowed_updates=ALLOWED_UPDATES, **polling)
