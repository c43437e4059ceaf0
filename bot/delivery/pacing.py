"""Pacing: stay under Telegram's flood limits instead of bouncing off them.

Telegram allows about 30 messages/s overall (1000/s with paid broadcasts) and about one message per second
in one chat, with short bursts. Sending at exactly the allowed rate, with slots reserved in advance, keeps
the bot under both limits with no 429 at all, while other chats fill the gaps a slow chat leaves.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable


class RateLimiter:
    """Hands out evenly spaced send slots at ``rate`` per second; :meth:`pause` holds everyone back.

    Slots are reserved, not polled: ``acquire`` computes when the caller may send and sleeps until then, so
    a thousand waiting senders cost a thousand timers, not a busy loop.
    """

    def __init__(
        self,
        rate: float,
        *,
        catch_up: float = 0.25,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self._interval = 1.0 / rate
        self._clock = clock
        self._sleep = sleep
        self._next_slot: float | None = None
        self._paused_until = 0.0
        # Slots missed while the sender was busy may be used late, up to this much time's worth, so the
        # rate is the rate sent and not a ceiling never reached; Telegram's own bucket allows such bursts.
        self._max_lag = catch_up

    @property
    def rate(self) -> float:
        return 1.0 / self._interval

    def reserve(self) -> float:
        """Reserve the next slot and return how long to wait for it."""
        now = self._clock()
        if self._next_slot is None:  # no credit before the first message
            self._next_slot = now
        slot = max(now - self._max_lag, self._next_slot)
        self._next_slot = slot + self._interval
        return max(0.0, slot - now)

    async def acquire(self) -> None:
        delay = self.reserve()
        while delay > 0:
            await self._sleep(delay)
            # A pause that began while this sender waited for its slot holds it back too.
            delay = self._paused_until - self._clock()

    def pause(self, seconds: float) -> None:
        """Nobody sends for ``seconds`` (Telegram answered 429 with retry_after), even with a slot reserved."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)
        self._next_slot = max(self._next_slot or 0.0, self._paused_until)


class ChatPacer:
    """At most ``burst`` messages back to back per chat, then one per ``interval`` seconds.

    The default interval is a little over Telegram's one second, so that network jitter between us and the
    server never makes two messages look closer together than they were sent.

    Remembers only recently active chats (an LRU of ``capacity``), so a million readers cost nothing.
    """

    def __init__(
        self,
        *,
        interval: float = 1.1,
        burst: int = 3,
        capacity: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._interval = interval
        self._burst = burst
        self._capacity = capacity
        self._clock = clock
        # chat id -> (tokens, when counted): a token bucket per chat.
        self._buckets: OrderedDict[int, tuple[float, float]] = OrderedDict()

    def reserve(self, chat_id: int) -> float:
        """Take a token for ``chat_id``; return how long to wait before the message may go."""
        now = self._clock()
        tokens, at = self._buckets.pop(chat_id, (float(self._burst), now))
        tokens = min(float(self._burst), tokens + (now - at) / self._interval)
        tokens -= 1.0
        self._buckets[chat_id] = (tokens, now)
        if len(self._buckets) > self._capacity:
            self._buckets.popitem(last=False)
        return 0.0 if tokens >= 0 else -tokens * self._interval

    async def acquire(self, chat_id: int) -> None:
        delay = self.reserve(chat_id)
        if delay > 0:
            await asyncio.sleep(delay)
