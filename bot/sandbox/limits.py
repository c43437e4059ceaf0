"""Flood control: Telegram's per-bot and per-chat sending limits as token buckets."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FloodLimits:
    """How fast the sandbox lets a bot send, modelled on Telegram's documented limits.

    Attributes:
        global_per_second: messages per second across all chats (Telegram: about 30).
        paid_per_second: the ceiling for requests with ``allow_paid_broadcast=true``.
        per_chat_per_second: sustained rate into one chat (Telegram: about 1).
        per_chat_burst: how many messages one chat accepts back to back before throttling.
        shared_chat_per_minute: the cap on messages into one group or channel in any 60 seconds.
        enabled: ``False`` switches flood control off while keeping the numbers.
    """

    global_per_second: float = 30
    paid_per_second: float = 1000
    per_chat_per_second: float = 1.0
    per_chat_burst: int = 3
    shared_chat_per_minute: int = 20
    """Messages into one group, supergroup or channel in any 60 seconds (Telegram: 20)."""
    enabled: bool = True


@dataclass(slots=True)
class TokenBucket:
    """Holds up to ``capacity`` tokens and refills at ``rate`` per second; a request costs one."""

    rate: float
    capacity: float
    tokens: float
    updated: float

    @classmethod
    def full(cls, rate: float, capacity: float, now: float) -> TokenBucket:
        return cls(rate=rate, capacity=capacity, tokens=capacity, updated=now)

    def refill(self, now: float) -> None:
        if now > self.updated:
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now

    def wait(self) -> float:
        """Seconds until a token is available (after :meth:`refill`)."""
        if self.tokens >= 1:
            return 0.0
        return (1 - self.tokens) / self.rate if self.rate > 0 else math.inf


class FloodControl:
    """Admits or rejects sending requests; one instance per server, no shared state."""

    def __init__(self, limits: FloodLimits | None, clock: Callable[[], float]) -> None:
        self._clock = clock
        self.configure(limits)

    def configure(self, limits: FloodLimits | None) -> None:
        """Switch to new limits (``None`` = off) and forget the old buckets."""
        self._limits = limits if limits is not None and limits.enabled else None
        self._chats: dict[int, TokenBucket] = {}
        self._minutes: dict[int, deque[float]] = {}
        now = self._clock()
        shape = self._limits or FloodLimits()
        self._free = TokenBucket.full(shape.global_per_second, shape.global_per_second, now)
        self._paid = TokenBucket.full(shape.paid_per_second, shape.paid_per_second, now)

    @property
    def limits(self) -> FloodLimits | None:
        return self._limits

    def admit(self, chat_id: int | None, *, paid: bool = False, shared: bool = False) -> int | None:
        """Take a token for one request; return ``retry_after`` seconds if it must be rejected.

        Both the bot-wide and the per-chat bucket must have a token, and a ``shared`` chat (group,
        supergroup, channel) must have had fewer than ``shared_chat_per_minute`` messages in the last 60
        seconds; a rejected request takes none, like Telegram, which does not deliver it either.
        """
        limits = self._limits
        if limits is None:
            return None
        now = self._clock()
        overall = self._paid if paid else self._free
        overall.refill(now)
        buckets = [overall]
        if chat_id is not None:
            chat = self._chats.get(chat_id)
            if chat is None:
                burst = max(1.0, float(limits.per_chat_burst))
                chat = self._chats[chat_id] = TokenBucket.full(limits.per_chat_per_second, burst, now)
            chat.refill(now)
            buckets.append(chat)
        wait = max(bucket.wait() for bucket in buckets)
        window = self._minutes.setdefault(chat_id, deque()) if shared and chat_id is not None else None
        if window is not None:
            while window and window[0] <= now - 60.0:
                window.popleft()
            if len(window) >= limits.shared_chat_per_minute:
                wait = max(wait, window[0] + 60.0 - now)
        if wait > 0:
            return max(1, math.ceil(wait)) if math.isfinite(wait) else 3600
        for bucket in buckets:
            bucket.tokens -= 1
        if window is not None:
            window.append(now)
        return None
