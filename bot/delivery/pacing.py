"""Pacing: stay under Telegram's flood limits instead of bouncing off them.

Telegram allows about 30 messages/s overall (1000/s with paid broadcasts) and about one message per second
in one chat, with short bursts. Sending at exactly the allowed rate, with slots reserved in advance, keeps
the bot under both limits with no 429 at all, while other chats fill the gaps a slow chat leaves.

The limits are per token, so every sender of one bot draws on one :class:`SendBudget`: the delivery
engine (bulk) and the replies to people (interactive, see ``bot.telegram.ratelimit``). A reply takes the
next free slot at once and pushes the bulk reservations back by one slot, so a reader waits for at most
the few bulk slots already handed out, and the sum stays within the rate.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable

from bot.rules.chats import SHARED_CHAT_PER_MINUTE, SHARED_CHAT_WINDOW

TICK = 0.025
"""Fast bulk sends wake together on a grid of this many seconds (see :class:`RateLimiter`)."""


class RateLimiter:
    """Hands out evenly spaced send slots at ``rate`` per second; :meth:`pause` holds everyone back.

    Slots are reserved, not polled: ``acquire`` computes when the caller may send and sleeps until then, so
    a thousand waiting senders cost a thousand timers, not a busy loop.

    When slots are at most a quarter of ``tick`` apart (160 messages/s and more), bulk senders go in
    ticks: the slots of one ``tick`` (a stretch between two of its multiples) go together at its start,
    woken by one timer, in the order of the slots, in one turn of the event loop. At 1,000/s a wake-up per
    message cost more CPU than the sending did (and the Bot API server, getting one request per turn,
    paid the same again; issue #15). A send goes at most one tick (25 ms) before its slot, a burst of 25
    messages at 1,000/s, well inside what Telegram's bucket (and ``catch_up``, 250 ms) allows; slots are
    reserved as before, so the rate over any longer stretch is unchanged, and a :meth:`pause` is kept to
    the instant. Interactive sends (:meth:`acquire_first`) go at their slot.
    """

    def __init__(
        self,
        rate: float,
        *,
        catch_up: float = 0.25,
        tick: float = TICK,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self._interval = 1.0 / rate
        self._tick = tick if self._interval <= tick / 4 else 0.0
        self._ticks: dict[float, list[asyncio.Future[None]]] = {}
        """Senders waiting for each coming tick, in the order of their slots."""
        self._ringers: set[asyncio.Task[None]] = set()
        self._clock = clock
        self._sleep = sleep
        self._next_slot: float | None = None
        self._paused_until = 0.0
        self._next_first = 0.0
        """The next slot for :meth:`reserve_first` (interactive sends, spaced among themselves)."""
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

    def reserve_first(self) -> float:
        """Reserve a slot ahead of the bulk senders (someone is waiting for this reply); how long to wait.

        It is the next slot not given to another interactive send, now if there is room; every bulk slot
        not yet reserved moves back by one, so interactive and bulk sends together keep to the rate.
        """
        now = self._clock()
        slot = max(now, self._paused_until, self._next_first)
        self._next_first = slot + self._interval
        self._next_slot = max(self._next_slot if self._next_slot is not None else now, now) + self._interval
        return slot - now

    async def acquire(self) -> None:
        delay = self.reserve()
        if delay > 0 and self._tick:
            await self._next_tick(delay)
            delay = self._paused_until - self._clock()
        await self._wait(delay)

    async def _next_tick(self, delay: float) -> None:
        """Wait for the start of the tick holding the slot ``delay`` from now, with the others in it."""
        now = self._clock()
        at = math.floor((now + delay) / self._tick) * self._tick
        if at <= now:
            return  # the slot is in the tick under way
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[None] = loop.create_future()
        waiters = self._ticks.get(at)
        if waiters is None:
            self._ticks[at] = waiters = []
            ringer = loop.create_task(self._ring(at, at - now, waiters), name="send-tick")
            self._ringers.add(ringer)
            ringer.add_done_callback(self._ringers.discard)
        waiters.append(waiter)
        await waiter  # a waiter of its own: a sender cancelled meanwhile cancels only its own

    async def _ring(self, at: float, delay: float, waiters: list[asyncio.Future[None]]) -> None:
        try:
            await self._sleep(delay)
        finally:
            del self._ticks[at]
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_result(None)

    async def acquire_first(self) -> None:
        await self._wait(self.reserve_first())

    async def _wait(self, delay: float) -> None:
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

    A shared chat (group, supergroup, channel: ``shared=True``) also takes at most ``per_minute`` messages in
    any ``window`` seconds, Telegram's 20 a minute, counted over the last sends into that chat.
    """

    def __init__(
        self,
        *,
        interval: float = 1.1,
        burst: int = 3,
        capacity: int = 100_000,
        per_minute: int = SHARED_CHAT_PER_MINUTE,
        window: float = SHARED_CHAT_WINDOW,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._interval = interval
        self._burst = burst
        self._capacity = capacity
        self._per_minute = per_minute
        self._window = window
        self._clock = clock
        # chat id -> (tokens, when counted): a token bucket per chat.
        self._buckets: OrderedDict[int, tuple[float, float]] = OrderedDict()
        # shared chat id -> the reserved send times of its last ``per_minute`` messages, oldest first.
        self._slots: OrderedDict[int, deque[float]] = OrderedDict()

    def reserve(self, chat_id: int, *, shared: bool = False) -> float:
        """Take a token for ``chat_id``; return how long to wait before the message may go."""
        now = self._clock()
        tokens, at = self._buckets.pop(chat_id, (float(self._burst), now))
        tokens = min(float(self._burst), tokens + (now - at) / self._interval)
        tokens -= 1.0
        delay = 0.0 if tokens >= 0 else -tokens * self._interval
        # The bucket as of when this message is planned to go (its debt paid by the wait), so that
        # :meth:`sent` can move that moment on if the message went out later than planned.
        self._buckets[chat_id] = (max(tokens, 0.0), now + delay)
        if len(self._buckets) > self._capacity:
            self._buckets.popitem(last=False)
        if shared:
            delay = self._reserve_minute(chat_id, now, delay)
        return delay

    def _reserve_minute(self, chat_id: int, now: float, delay: float) -> float:
        """Push the send back until it is the only one of ``per_minute`` in its window; reserve its slot."""
        slots = self._slots.pop(chat_id, None) or deque()
        self._slots[chat_id] = slots
        if len(self._slots) > self._capacity:
            self._slots.popitem(last=False)
        at = now + delay
        if len(slots) >= self._per_minute:
            at = max(at, slots[-self._per_minute] + self._window)
        slots.append(at)
        while len(slots) > self._per_minute:
            slots.popleft()
        return at - now

    def sent(self, chat_id: int) -> None:
        """The message reserved last for ``chat_id`` goes out now: a wait after its turn (for an overall
        slot) is not rest for the chat, so the bucket refills only from now. Without this, a burst held
        back by the overall rate reached Telegram late and bunched with the next message (a 429)."""
        entry = self._buckets.get(chat_id)
        now = self._clock()
        if entry is not None and now > entry[1]:
            self._buckets[chat_id] = (entry[0], now)

    async def acquire(self, chat_id: int, *, shared: bool = False) -> None:
        delay = self.reserve(chat_id, shared=shared)
        if delay > 0:
            await asyncio.sleep(delay)


class SendBudget:
    """Telegram's limits for one token, shared by everything that sends as that bot.

    ``limiter`` is the overall rate (bulk takes :meth:`RateLimiter.acquire`, replies
    :meth:`RateLimiter.acquire_first`); ``pacer`` the per-chat one, so a reader who gets the push and a
    reply at once is not sent to faster than one chat allows.
    """

    def __init__(
        self,
        rate: float,
        *,
        chat_interval: float = 1.1,
        chat_burst: int = 3,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limiter = RateLimiter(rate, clock=clock)
        self.pacer = ChatPacer(interval=chat_interval, burst=chat_burst, clock=clock)
