"""Sorting Telegram failures by what the sender should do about them, in one place.

The rule (issue #14): a recipient is failed for good only for a reason that will not change (blocked,
chat gone, message rejected as invalid). Everything else (the token rejected, the network, a 5xx, a
timeout, a 429) may pass and is retried. A send whose answer was lost after the request went out
(a read timeout, a dropped connection) may have been delivered: its outcome is unknown, and the engine
repeats it at most once. A connect error means nothing was sent, so repeating it is safe.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum

from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)


class Action(Enum):
    RETRY_AFTER = "retry_after"
    """Flood control: wait as told, then send again. Not a failed attempt."""
    BACKOFF = "backoff"
    """Network trouble, a timeout or a 5xx: wait a little longer each time, then retry later."""
    HALT = "halt"
    """The token was rejected (401/404): every send would fail the same way. Stop sending; retry later."""
    DEACTIVATE = "deactivate"
    """The reader blocked the bot, was deleted, or the chat is gone: stop sending to them."""
    MIGRATE = "migrate"
    """The group became a supergroup: send to its new id."""
    SKIP = "skip"
    """Telegram refused this message (a bug on our side): record the failure for good, move on."""


@dataclass(frozen=True, slots=True)
class Failure:
    """A Telegram failure sorted by kind: what to do about it, and why."""

    action: Action
    reason: str
    retry_after: float = 0.0
    new_chat_id: int | None = None
    outcome_unknown: bool = False
    """The request may have reached Telegram and been carried out although no answer came back."""
    unreachable: bool = False
    """Nothing was sent: the connection to the Bot API could not even be opened."""


GONE_PHRASES = ("chat not found", "user is deactivated", "bot was kicked", "have no rights to send", "peer_id_invalid")



def classify(error: TelegramError) -> Failure:
    reason = str(error)
    if isinstance(error, RetryAfter):
        wait = error.retry_after
        seconds = wait.total_seconds() if isinstance(wait, dt.timedelta) else float(wait)
        return Failure(Action.RETRY_AFTER, reason, retry_after=max(seconds, 0.5))
    if isinstance(error, ChatMigrated):
        return Failure(Action.MIGRATE, reason, new_chat_id=error.new_chat_id)
    if isinstance(error, InvalidToken):
        return Failure(Action.HALT, f"the Bot API rejected the token ({reason})")
    if isinstance(error, Forbidden):
        return Failure(Action.DEACTIVATE, reason)
    if isinstance(error, BadRequest):
        if any(phrase in reason.lower() for phrase in GONE_PHRASES):
            return Failure(Action.DEACTIVATE, reason)
        return Failure(Action.SKIP, reason)
    if isinstance(error, TimedOut | NetworkError):
        if _never_sent(error):
            return Failure(Action.BACKOFF, f"cannot reach the Bot API ({reason})", unreachable=True)
        if isinstance(error, TimedOut) or error.__cause__ is not None:
            # A read timeout or a connection dropped mid-answer: the message may have gone out.
            return Failure(Action.BACKOFF, reason, outcome_unknown=True)
        # An HTTP answer (5xx): Telegram said it did not carry the request out.
        return Failure(Action.BACKOFF, reason)
    return Failure(Action.SKIP, reason)


def _never_sent(error: BaseException) -> bool:
    """The transport's error meant the request never left: the connection could not be opened.

    Transports raise Telegram's errors *from* their own (``raise NetworkError(...) from exc``): aiohttp's,
    or the engine's lean client's :class:`~bot.delivery.keepalive.ConnectFailed`. aiohttp is imported
    here, on a failure, not with the engine.
    """
    import aiohttp

    from bot.delivery.keepalive import ConnectFailed

    return _caused_by(error, (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError, ConnectFailed))


def _caused_by(error: BaseException, kinds: tuple[type[BaseException], ...]) -> bool:
    cause = error.__cause__
    while cause is not None:
        if isinstance(cause, kinds):
            return True
        cause = cause.__cause__
    return False
