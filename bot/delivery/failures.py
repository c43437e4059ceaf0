"""Sorting Telegram failures by what the sender should do about them, in one place."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum

from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut


class Action(Enum):
    RETRY_AFTER = "retry_after"
    """Flood control: wait as told, then send again. Not a failed attempt."""
    BACKOFF = "backoff"
    """Network trouble, a timeout or a 5xx: wait a little longer each time, give up after a few tries."""
    DEACTIVATE = "deactivate"
    """The reader blocked the bot, was deleted, or the chat is gone: stop sending to them."""
    MIGRATE = "migrate"
    """The group became a supergroup: send to its new id."""
    SKIP = "skip"
    """Telegram refused this message (a bug on our side): record the failure, move on."""


@dataclass(frozen=True, slots=True)
class Failure:
    action: Action
    reason: str
    retry_after: float = 0.0
    new_chat_id: int | None = None


GONE_PHRASES = ("chat not found", "user is deactivated", "bot was kicked", "have no rights to send", "peer_id_invalid")


def classify(error: TelegramError) -> Failure:
    reason = str(error)
    if isinstance(error, RetryAfter):
        wait = error.retry_after
        seconds = wait.total_seconds() if isinstance(wait, dt.timedelta) else float(wait)
        return Failure(Action.RETRY_AFTER, reason, retry_after=max(seconds, 0.5))
    if isinstance(error, ChatMigrated):
        return Failure(Action.MIGRATE, reason, new_chat_id=error.new_chat_id)
    if isinstance(error, Forbidden):
        return Failure(Action.DEACTIVATE, reason)
    if isinstance(error, BadRequest):
        if any(phrase in reason.lower() for phrase in GONE_PHRASES):
            return Failure(Action.DEACTIVATE, reason)
        return Failure(Action.SKIP, reason)
    if isinstance(error, TimedOut | NetworkError):
        # PTB raises NetworkError for 5xx answers too.
        return Failure(Action.BACKOFF, reason)
    return Failure(Action.SKIP, reason)
