"""Before long polling starts: is the Bot API server there, and does it take our token?

PTB's own start-up fails with a page of tracebacks and leaves its HTTP sessions open. Here the first
``getMe`` is made by hand: network trouble (a closed port, an unknown host, a server still starting) is
retried with backoff for a bounded time, one log line per try; a token the server rejects ends it at once.
Either way the operator gets one line that names the cause and the server's URL, never the token.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from telegram import Bot
from telegram.error import InvalidToken, NetworkError, TelegramError, TimedOut

from bot.delivery.transport import AiohttpRequest

if TYPE_CHECKING:
    from bot.config import Settings  # a type only: pydantic loads with load_settings, not with the app

logger = logging.getLogger(__name__)

STARTUP_WAIT = 60.0
"""Seconds ``briefing run`` keeps trying to reach the Bot API server before giving up."""
FIRST_BACKOFF, MAX_BACKOFF = 1.0, 15.0


class StartupError(Exception):
    """The bot cannot start; the message is one line for the operator, without the token."""


def network_reason(exc: BaseException) -> str:
    """ "connection refused", "unknown host", "timed out": what went wrong, in the operator's words."""
    if isinstance(exc, TimedOut):
        return "timed out"
    import aiohttp  # loaded with the first request anyway; not with the application

    cause = exc.__cause__
    if isinstance(cause, aiohttp.ClientConnectorDNSError):
        return "unknown host"
    if isinstance(cause, aiohttp.ClientConnectorError):
        if isinstance(cause.os_error, ConnectionRefusedError):
            return "connection refused"
        return cause.os_error.strerror or type(cause.os_error).__name__
    if isinstance(cause, aiohttp.ClientError):
        return type(cause).__name__
    return str(exc)


def rejected_token(exc: InvalidToken) -> str:
    status = "404 Not Found" if "not found" in str(exc).lower() else "401 Unauthorized"
    return f"the Bot API server rejected the token ({status}): check TELEGRAM_BOT_TOKEN"


async def wait_for_bot_api(
    settings: Settings,
    *,
    wait: float = STARTUP_WAIT,
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
) -> str:
    """Call ``getMe`` until it answers; returns the bot's username.

    Raises:
        StartupError: the token was rejected (at once), or the server could not be reached within ``wait``
            seconds.
    """
    url = settings.telegram_api_url
    request = AiohttpRequest(connection_limit=1, connect_timeout=5.0, read_timeout=10.0)
    bot = Bot(settings.token, base_url=f"{url}/bot", request=request, get_updates_request=request)
    deadline = time.monotonic() + wait
    delay = FIRST_BACKOFF
    try:
        await request.initialize()
        while True:
            try:
                me = await bot.get_me()
                return me.username or ""
            except InvalidToken as exc:
                raise StartupError(rejected_token(exc)) from None
            except NetworkError as exc:  # TimedOut included
                reason = network_reason(exc)
                left = deadline - time.monotonic()
                if left <= 0:
                    raise StartupError(f"cannot reach {url} ({reason}); gave up after {wait:g} s") from None
                pause = min(delay, left)
                logger.warning("cannot reach %s (%s); retrying in %.0f s", url, reason, pause)
                await sleep(pause)
                delay = min(delay * 2, MAX_BACKOFF)
            except TelegramError as exc:
                raise StartupError(f"the Bot API server at {url} refused getMe: {exc}") from None
    finally:
        await request.shutdown()
