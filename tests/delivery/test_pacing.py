"""Pacing arithmetic with a fake clock: even slots, bounded catch-up, pauses, per-chat bursts."""

from __future__ import annotations

import pytest

from bot.delivery.pacing import ChatPacer, RateLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_slots_are_evenly_spaced_at_the_rate() -> None:
    clock = FakeClock()
    limiter = RateLimiter(10, catch_up=0.0, clock=clock)
    waits = [limiter.reserve() for _ in range(5)]
    assert waits == pytest.approx([0.0, 0.1, 0.2, 0.3, 0.4])


def test_no_credit_before_the_first_message() -> None:
    clock = FakeClock()
    limiter = RateLimiter(100, catch_up=0.05, clock=clock)
    assert limiter.reserve() == 0.0
    assert limiter.reserve() == pytest.approx(0.01)


def test_missed_slots_are_caught_up_only_within_the_bound() -> None:
    clock = FakeClock()
    limiter = RateLimiter(100, catch_up=0.05, clock=clock)
    limiter.reserve()
    clock.now += 10  # idle for a long time: no credit beyond 50 ms
    immediate = 0
    while limiter.reserve() < 1e-6:
        immediate += 1
    assert immediate == 6  # 5 caught-up slots plus the current one


async def test_a_pause_during_the_wait_for_a_slot_holds_that_slot_back() -> None:
    clock = FakeClock()
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        if not slept:  # while this sender waits, another one's send is answered with a 429
            limiter.pause(3.0)
        slept.append(seconds)
        clock.now += seconds

    limiter = RateLimiter(10, catch_up=0.0, clock=clock, sleep=sleep)
    await limiter.acquire()
    await limiter.acquire()
    assert clock.now == pytest.approx(103.0)
    assert slept == pytest.approx([0.1, 2.9])


def test_pause_holds_everyone_back() -> None:
    clock = FakeClock()
    limiter = RateLimiter(30, clock=clock)
    limiter.pause(2.0)
    assert limiter.reserve() == pytest.approx(2.0)


def test_chat_pacer_allows_a_burst_then_one_per_interval() -> None:
    clock = FakeClock()
    pacer = ChatPacer(interval=1.0, burst=3, clock=clock)
    assert [pacer.reserve(7) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert pacer.reserve(7) == pytest.approx(1.0)
    assert pacer.reserve(8) == 0.0  # other chats are not held back
    clock.now += 5
    assert pacer.reserve(7) == 0.0


def test_chat_pacer_forgets_old_chats_beyond_its_capacity() -> None:
    clock = FakeClock()
    pacer = ChatPacer(interval=1.0, burst=1, capacity=2, clock=clock)
    pacer.reserve(1)
    pacer.reserve(2)
    pacer.reserve(3)  # chat 1 is forgotten: a fresh bucket next time
    assert pacer.reserve(1) == 0.0
