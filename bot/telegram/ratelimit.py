"""PTB's rate limiter for the bot's own requests (replies, previews, progress), on the shared send budget.

PTB's AIORateLimiter paces with buckets of its own, so replies and the delivery engine together sent
more than the 30 messages/s Telegram allows one token (a push during busy reading drew 429s, and an
editor's preview of seven messages drew sixteen). This limiter takes its slots from the same
:class:`~bot.delivery.pacing.SendBudget` as the engine, ahead of it: a person is waiting for a reply.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.delivery.pacing import SendBudget

logger = logging.getLogger(__name__)

JSONResult = bool | dict[str, Any] | list[dict[str, Any]]

_SENDING = ("send", "edit", "copy", "forward")
"""Methods that put something in a chat count against the budget; answers, getters and polls do not."""


class BudgetRateLimiter(BaseRateLimiter[int]):
    """Interactive sends: first claim on the shared budget's slots, paced per chat, 429s retried.

    Args:
        budget: the budget the delivery engine draws on too.
        max_retries: how often a request answered 429 is sent again (after the whole budget paused).
    """

    def __init__(self, budget: SendBudget, *, max_retries: int = 2) -> None:
        self._budget = budget
        self._max_retries = max_retries

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSONResult]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> JSONResult:
        counted = endpoint.lower().startswith(_SENDING)
        chat_id = data.get("chat_id")
        tries = 0
        while True:
            if counted:
                if isinstance(chat_id, int):
                    # Telegram's group and channel ids are negative: 20 messages a minute there.
                    await self._budget.pacer.acquire(chat_id, shared=chat_id < 0)
                await self._budget.limiter.acquire_first()
                if isinstance(chat_id, int):
                    self._budget.pacer.sent(chat_id)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if tries >= self._max_retries:
                    raise
                tries += 1
                wait = exc.retry_after
                seconds = wait.total_seconds() if isinstance(wait, dt.timedelta) else float(wait)
                logger.warning("flood limit on %s: pausing every send for %.1fs", endpoint, seconds)
                self._budget.limiter.pause(seconds)
