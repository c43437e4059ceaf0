"""Shared test setup. End-to-end fixtures (the local Bot API server and the real bot) live in tests/e2e.py."""

import os
from collections.abc import AsyncIterator

import pytest

from bot.rules.clock import ManualClock
from storage import Database
from tests.harness import EDITOR, START, Harness
from tests.storage_fixtures import make_clock

# PTB 22 warns on every RetryAfter/time period unless opted in to timedelta values (it reads the variable
# when it builds one), and warnings are errors here; the bot opts in the same way at start-up (bot/cli.py).
os.environ.setdefault("PTB_TIMEDELTA", "true")


@pytest.fixture
def clock() -> ManualClock:
    """The clock the ``db`` fixture's database uses; a module may override it with another start."""
    return make_clock()


@pytest.fixture
async def db(clock: ManualClock) -> AsyncIterator[Database]:
    """A fresh, migrated in-memory database per test."""
    database = await Database.open(":memory:", clock=clock)
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
async def harness(tmp_path, request) -> AsyncIterator[Harness]:
    """The real bot, polling the local Bot API server over HTTP, with a temp database and a manual clock.

    Mark a test ``@pytest.mark.settings(NAME=value, ...)`` to override settings, and
    ``@pytest.mark.limits(None)`` to switch the server's flood limits off (on by default, as in Telegram).
    """
    from bot.app import build_application, running
    from bot.config import load_settings
    from bot.sandbox.limits import FloodLimits
    from bot.sandbox.server import BotApiServer

    limits_marker = request.node.get_closest_marker("limits")
    limits = limits_marker.args[0] if limits_marker else FloodLimits()
    settings_marker = request.node.get_closest_marker("settings")
    overrides = {k.lower(): v for k, v in (settings_marker.kwargs if settings_marker else {}).items()}
    clock = ManualClock(START)
    async with BotApiServer(limits=limits) as server:
        db_path = tmp_path / "bot.db"
        settings = load_settings(
            {"ADMIN_IDS": str(EDITOR)},
            telegram_bot_token=server.token,
            telegram_api_url=server.url,
            briefing_db=db_path,
            **overrides,
        )
        app = build_application(settings, clock=clock)
        async with running(app, poll_timeout=1):
            yield Harness(server=server, app=app, settings=settings, clock=clock, db_path=db_path)
