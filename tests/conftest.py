"""Shared test setup. End-to-end fixtures (the local Bot API server and the real bot) live in tests/e2e.py."""

import os

# PTB 22 warns on every RetryAfter/time period unless opted in to timedelta values, and warnings are errors
# here; the bot opts in the same way at start-up (bot/cli.py).
os.environ.setdefault("PTB_TIMEDELTA", "true")

from collections.abc import AsyncIterator

import pytest

from tests.e2e import EDITOR, START, Harness


@pytest.fixture
async def harness(tmp_path, request) -> AsyncIterator[Harness]:
    """The real bot, polling the local Bot API server over HTTP, with a temp database and a manual clock.

    Mark a test ``@pytest.mark.settings(NAME=value, ...)`` to override settings, and
    ``@pytest.mark.limits(None)`` to switch the server's flood limits off (on by default, as in Telegram).
    """
    from bot.app import build_application, running
    from bot.clock import ManualClock
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
