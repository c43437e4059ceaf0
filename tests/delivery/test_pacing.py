"""Pacing arithmetic with a fake clock: even slots, bounded catch-up, pauses, per-chat bursts."""

from __future__ import annotations

import asyncio

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


async def test_fast_bulk_senders_go_at_the_start_of_their_slots_tick() -> None:
    clock = FakeClock()
    woke: list[float] = []

    async def sleep(seconds: float) -> None:
        clock.now += seconds

    limiter = RateLimiter(1000, catch_up=0.0, tick=0.025, clock=clock, sleep=sleep)
    for _ in range(60):
        start = clock.now
        await limiter.acquire()
        woke.append(clock.now)
        clock.now = start
    # 60 slots 1 ms apart from 100.0 s: those up to 100.025 at once, the others in two wake-ups, not 59.
    assert len({round(t, 6) for t in woke}) == 3
    for index, at in enumerate(woke):
        slot = 100.0 + index * 0.001
        assert slot - 0.025 - 1e-9 <= at <= slot + 1e-9  # at most one tick early, never late


async def test_senders_due_in_one_tick_share_one_timer_and_go_in_slot_order() -> None:
    clock = FakeClock()
    timers: list[float] = []
    ring = asyncio.Event()

    async def sleep(seconds: float) -> None:
        timers.append(seconds)
        await ring.wait()

    limiter = RateLimiter(1000, catch_up=0.0, tick=0.025, clock=clock, sleep=sleep)
    went: list[int] = []

    async def sender(n: int) -> None:
        await limiter.acquire()
        went.append(n)

    tasks = [asyncio.create_task(sender(n)) for n in range(60)]
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert len(timers) == 2  # the first tick's slots go at once; 35 more slots 1 ms apart: two timers, not 35
    ring.set()
    await asyncio.gather(*tasks)
    assert went == list(range(60))


async def test_a_pause_holds_fast_senders_to_the_instant_although_they_go_in_ticks() -> None:
    clock = FakeClock()
    clock.now = 100.01  # inside a tick: a send due at the tick's start may not go early into the pause

    async def sleep(seconds: float) -> None:
        clock.now += seconds

    limiter = RateLimiter(1000, catch_up=0.0, tick=0.025, clock=clock, sleep=sleep)
    await limiter.acquire()
    limiter.pause(1.0)
    await limiter.acquire()
    assert clock.now >= 101.01 - 1e-9


async def test_slots_wider_than_the_tick_are_kept_exactly() -> None:
    clock = FakeClock()

    async def sleep(seconds: float) -> None:
        clock.now += seconds

    limiter = RateLimiter(30, catch_up=0.0, clock=clock, sleep=sleep)
    woke = []
    for _ in range(4):
        start = clock.now
        await limiter.acquire()
        woke.append(clock.now - 100.0)
        clock.now = start
    assert woke == pytest.approx([0.0, 1 / 30, 2 / 30, 3 / 30])


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


def test_an_interactive_send_goes_ahead_of_bulk_and_pushes_it_back() -> None:
    clock = FakeClock()
    limiter = RateLimiter(10, catch_up=0.0, clock=clock)
    bulk = [limiter.reserve() for _ in range(5)]  # a push has reserved half a second ahead
    assert bulk[-1] == pytest.approx(0.4)
    assert limiter.reserve_first() == 0.0  # the reply goes now, not after the push's reservations
    assert limiter.reserve_first() == pytest.approx(0.1)  # replies are paced among themselves
    # The next bulk slot moved back by the two slots the replies took: together they keep to the rate.
    assert limiter.reserve() == pytest.approx(0.7)


def test_a_pause_holds_replies_back_too() -> None:
    clock = FakeClock()
    limiter = RateLimiter(30, clock=clock)
    limiter.pause(2.0)
    assert limiter.reserve_first() == pytest.approx(2.0)


def test_a_shared_chat_gets_at_most_20_messages_in_any_minute() -> None:
    clock = FakeClock()
    pacer = ChatPacer(interval=1.1, burst=3, clock=clock)
    sent: list[float] = []
    for _ in range(45):
        wait = pacer.reserve(-1001, shared=True)
        clock.now += wait  # the sender waits as told, then sends
        sent.append(clock.now)
    for index in range(len(sent) - 20):
        assert sent[index + 20] - sent[index] >= 60.0, f"21 messages within a minute from message {index}"
    # A private chat is held only to one a second after its burst.
    private = [pacer.reserve(42) for _ in range(4)]
    assert private == pytest.approx([0.0, 0.0, 0.0, 1.1])


def test_a_private_chat_is_not_counted_per_minute() -> None:
    clock = FakeClock()
    pacer = ChatPacer(interval=1.1, burst=3, clock=clock)
    for _ in range(30):
        clock.now += pacer.reserve(42)
    assert clock.now - 100.0 == pytest.approx(27 * 1.1), "one a second, no minute window"


def test_time_spent_waiting_for_the_overall_rate_is_not_rest_for_the_chat() -> None:
    """A message that waited for an overall slot after its chat's turn went out later than planned: its
    chat's bucket counts from when it was sent, so the next message keeps its distance from it."""
    clock = FakeClock()
    pacer = ChatPacer(interval=1.0, burst=3, clock=clock)
    for _ in range(3):  # a burst reserved at once, sent a second later (a busy overall rate)
        assert pacer.reserve(7) == 0.0
    clock.now += 1.0
    for _ in range(3):
        pacer.sent(7)
    assert pacer.reserve(7) == pytest.approx(1.0), "three went out just now: the fourth waits a full interval"
