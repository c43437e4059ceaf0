"""Deliveries under faults (issue #14): nothing lost, nothing doubled.

Against the local Bot API server's fault injection, with the real PTB client and the manual clock: a
rejected token stops the push at once and fails nobody; an outage defers readers instead of failing
them; a multi-part issue resumes from its first unsent part; a lost answer is repeated at most once.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import socket

import pytest

from bot.config import load_settings
from bot.delivery.engine import LEASE, DeliveryEngine
from bot.delivery.push import PushHandedOver, push_issue
from bot.delivery.sender import ApiSender
from bot.rules.clock import ManualClock
from bot.rules.preferences import Format
from storage import DeliveryStatus, LeaseRepository, Repositories
from tests.delivery.test_engine import Rig, run


def wrong_token(token: str) -> str:
    return token[:-1] + ("x" if token[-1] != "x" else "y")


def db_clock(rig: Rig) -> ManualClock:
    clock = rig.services.db.clock
    assert isinstance(clock, ManualClock)
    return clock


def copies(rig: Rig, chat_id: int) -> list[str]:
    """Every message the reader has, however it arrived (a lost answer still delivers)."""
    return rig.received(chat_id)


async def test_push_with_a_rejected_token_stops_at_once_and_the_next_push_delivers(rig: Rig) -> None:
    await rig.readers(*range(1, 41))
    bad = load_settings({}, telegram_bot_token=wrong_token(rig.server.token), telegram_api_url=rig.server.url)
    report = await push_issue(rig.services.db, bad, rate=30, progress=False)
    assert report.halted is not None and "rejected the token" in report.halted
    assert report.failed == 0 and report.sent == 0
    assert "push stopped" in report.describe()
    counts = await rig.services.deliveries.counts(rig.digest_id)
    assert counts[DeliveryStatus.FAILED] == 0
    assert counts[DeliveryStatus.PENDING] == 40
    # Stopped at once: the few sends in flight (8 at 30/s), not one per reader.
    assert rig.server.stats().errors.get(401, 0) <= 8

    report = await push_issue(rig.services.db, rig.services.settings, rate=200, progress=False)
    assert report.sent == 40 and report.failed == 0 and report.ok
    assert all(len(copies(rig, c)) == 1 for c in range(1, 41))


async def test_an_outage_defers_readers_and_the_next_push_delivers_to_everyone(rig: Rig) -> None:
    await rig.readers(*range(1, 11))
    await rig.services.deliveries.enqueue_active(rig.digest_id)
    rig.server.inject_faults("5xx", 40, {"sendMessage"}, status=502)  # more than the quick retries absorb
    engine = rig.engine(rate=200, concurrency=4)
    await run(engine, rig.digest_id)
    counts = await rig.services.deliveries.counts(rig.digest_id)
    assert counts[DeliveryStatus.FAILED] == 0
    stuck = await rig.services.deliveries.queue.stuck(rig.digest_id)
    assert stuck.count >= 1 and stuck.count == counts[DeliveryStatus.PENDING]
    assert "Bad Gateway" in (stuck.last_error or "")

    rig.server.clear_faults()
    report = await push_issue(rig.services.db, rig.services.settings, rate=200, progress=False)
    assert report.retried_failures == stuck.count
    assert report.failed == 0 and report.retrying == 0
    assert all(len(copies(rig, c)) == 1 for c in range(1, 11)), [len(copies(rig, c)) for c in range(1, 11)]


async def test_the_engine_retries_deferred_readers_for_the_retry_window_then_fails_them(rig: Rig) -> None:
    await rig.readers(1)
    await rig.services.deliveries.enqueue_active(rig.digest_id)
    clock = db_clock(rig)
    rig.server.inject_faults("5xx", 1000, {"sendMessage"})
    engine = rig.engine(rate=200, retry_window=dt.timedelta(hours=2))
    await run(engine)
    delivery = await rig.services.deliveries.status(rig.digest_id, 1)
    assert delivery is not None and delivery.status == DeliveryStatus.PENDING and delivery.retryable
    assert delivery.next_attempt_at is not None and delivery.next_attempt_at > clock.now()

    # Not due yet: a round claims nobody.
    engine = rig.engine(rate=200, retry_window=dt.timedelta(hours=2))
    await run(engine)
    assert engine.stats.retrying == 0
    clock.advance(dt.timedelta(minutes=2))
    engine = rig.engine(rate=200, retry_window=dt.timedelta(hours=2))
    await run(engine)
    assert engine.stats.retrying == 1  # tried again, still failing, still waiting

    clock.advance(dt.timedelta(hours=3))
    engine = rig.engine(rate=200, retry_window=dt.timedelta(hours=2))
    await run(engine)
    delivery = await rig.services.deliveries.status(rig.digest_id, 1)
    assert delivery is not None and delivery.status == DeliveryStatus.FAILED and delivery.retryable
    assert engine.stats.failed == 1

    # Failed for a reason that may pass: the next push tries again.
    rig.server.clear_faults()
    report = await push_issue(rig.services.db, rig.services.settings, rate=200, progress=False)
    assert report.retried_failures == 1 and report.sent == 1
    assert len(copies(rig, 1)) == 1


async def test_blocked_readers_and_refused_messages_fail_for_good(rig: Rig) -> None:
    await rig.readers(1, 2)
    rig.server.block_user(1)
    await rig.services.deliveries.enqueue_active(rig.digest_id)
    await run(rig.engine(rate=200))
    delivery = await rig.services.deliveries.status(rig.digest_id, 1)
    assert delivery is not None and delivery.status == DeliveryStatus.FAILED and not delivery.retryable
    assert await rig.services.deliveries.queue.requeue_retryable(rig.digest_id) == 0


async def test_a_multi_part_issue_resumes_from_its_first_unsent_part(rig: Rig) -> None:
    await rig.readers(1, fmt=Format.FULL)
    await rig.services.deliveries.enqueue_active(rig.digest_id)
    engine = rig.engine(rate=200, concurrency=1, chat_interval=0.3, chat_burst=1)

    async def outage_after_first_part() -> None:
        await rig.server.wait_for(chat_id=1, count=1, method="sendMessage")
        rig.server.inject_faults("5xx", 6, {"sendMessage"})  # the quick retries of part 2 all fail

    outage = asyncio.create_task(outage_after_first_part())
    await run(engine)
    await outage
    first = copies(rig, 1)
    assert len(first) == 1
    delivery = await rig.services.deliveries.status(rig.digest_id, 1)
    assert delivery is not None and delivery.status == DeliveryStatus.PENDING
    assert len(delivery.message_ids) == 1

    db_clock(rig).advance(dt.timedelta(minutes=2))
    await run(rig.engine(rate=200, concurrency=1))
    parts = copies(rig, 1)
    assert len(parts) > 2
    assert len(set(parts)) == len(parts)  # no part twice: resumed after part 1, not from the start
    assert parts[0] == first[0]
    delivery = await rig.services.deliveries.status(rig.digest_id, 1)
    assert delivery is not None and delivery.status == DeliveryStatus.SENT
    assert len(delivery.message_ids) == len(parts)


async def test_a_lost_answer_is_repeated_at_most_once_and_counted(rig: Rig) -> None:
    await rig.readers(1, 2)
    await rig.services.deliveries.enqueue_active(rig.digest_id)
    # Three answers in a row lost although each message arrived: before, the reader got four copies.
    rig.server.inject_faults("timeout", 3, {"sendMessage"}, delay=1.0, delivered=True)
    engine = rig.engine(rate=200, concurrency=1, read_timeout=0.3)
    await run(engine)
    assert max(len(copies(rig, c)) for c in (1, 2)) <= 2
    assert engine.stats.possibly_doubled >= 1
    for chat_id in (1, 2):
        delivery = await rig.services.deliveries.status(rig.digest_id, chat_id)
        assert delivery is not None and delivery.status == DeliveryStatus.SENT
    assert await rig.services.deliveries.queue.possibly_doubled(rig.digest_id) == engine.stats.possibly_doubled
    assert engine.stats.unconfirmed == 1  # the third lost answer: not sent a third time


async def test_possibly_doubled_sends_are_in_the_push_report(rig: Rig) -> None:
    await rig.readers(*range(1, 31))
    # Dropped connections after the message was delivered: the push cannot know, sends again once.
    rig.server.inject_faults("network", 5, {"sendMessage"}, delivered=True)
    settings = load_settings({}, telegram_bot_token=rig.server.token, telegram_api_url=rig.server.url)
    report = await push_issue(rig.services.db, settings, rate=200, progress=False)
    assert report.possibly_doubled == 5
    assert "5 possibly doubled" in report.describe()
    assert report.sent == 30
    assert max(len(copies(rig, c)) for c in range(1, 31)) == 2


async def test_a_connect_error_is_retried_and_an_unreachable_server_stops_sending(rig: Rig) -> None:
    await rig.readers(1, 2, 3)
    await rig.services.deliveries.enqueue_active(rig.digest_id)
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sender = ApiSender(f"http://127.0.0.1:{port}/bot{rig.server.token}", connect_timeout=1.0)

    async def no_wait(_: float) -> None:
        return None

    engine = DeliveryEngine(Repositories.over(rig.services.db), sender, rate=200, sleep=no_wait)
    await run(engine)
    assert engine.halted is not None and "cannot reach the Bot API" in engine.halted
    counts = await rig.services.deliveries.counts(rig.digest_id)
    assert counts[DeliveryStatus.FAILED] == 0 and counts[DeliveryStatus.PENDING] == 3
    assert engine.stats.possibly_doubled == 0  # nothing was sent: retrying is safe and counts no doubles


async def test_done_when_a_rejected_token_then_an_outage_then_a_push_loses_nobody(rig: Rig) -> None:
    """The issue's acceptance check: after a push with a rejected token and then a 5xx outage, the next push
    delivers to every reader, each once."""
    await rig.readers(*range(1, 31))
    await rig.readers(*range(31, 36), fmt=Format.FULL)  # multi-part readers, hit half-way by the outage
    bad = load_settings({}, telegram_bot_token=wrong_token(rig.server.token), telegram_api_url=rig.server.url)
    assert (await push_issue(rig.services.db, bad, rate=30, progress=False)).halted is not None

    rig.server.inject_faults("5xx", 60, {"sendMessage"}, status=503)
    await rig.services.deliveries.queue.requeue_retryable(rig.digest_id)
    await run(rig.engine(rate=200, concurrency=8), rig.digest_id)
    assert (await rig.services.deliveries.counts(rig.digest_id))[DeliveryStatus.FAILED] == 0

    rig.server.clear_faults()
    report = await push_issue(rig.services.db, rig.services.settings, rate=200, progress=False)
    assert report.ok, report.describe()
    counts = await rig.services.deliveries.counts(rig.digest_id)
    assert counts[DeliveryStatus.SENT] == 35
    for chat_id in range(1, 31):
        assert len(copies(rig, chat_id)) == 1
    full = [copies(rig, chat_id) for chat_id in range(31, 36)]
    assert all(len(parts) == len(full[0]) and len(set(parts)) == len(parts) for parts in full)


async def test_after_a_crash_mid_issue_the_reader_gets_only_the_parts_not_yet_sent(rig: Rig) -> None:
    await rig.readers(1, fmt=Format.FULL)
    await rig.services.deliveries.enqueue_active(rig.digest_id)
    engine = rig.engine(rate=200, concurrency=1, chat_interval=0.3, chat_burst=1)
    assert await engine.open()
    drain = asyncio.create_task(engine.drain())
    await rig.server.wait_for(chat_id=1, count=2, method="sendMessage")
    drain.cancel()  # the process dies between two parts: no stop(), nothing recorded on the way out
    with contextlib.suppress(asyncio.CancelledError):
        await drain
    await engine.stop()
    before = copies(rig, 1)

    restarted = rig.engine(rate=200, concurrency=1, chat_interval=0.3, chat_burst=1)
    await run(restarted)  # open() requeues what was in flight
    parts = copies(rig, 1)
    assert parts[: len(before)] == before
    assert len(set(parts)) == len(parts)  # no part twice
    delivery = await rig.services.deliveries.status(rig.digest_id, 1)
    assert delivery is not None and delivery.status == DeliveryStatus.SENT
    assert len(delivery.message_ids) == len(parts)


async def test_a_push_beside_the_running_bot_queues_the_retryable_failures_for_it(rig: Rig) -> None:
    await rig.readers(1, 2)
    await rig.services.deliveries.enqueue_active(rig.digest_id)
    [claimed, _] = await rig.services.deliveries.claim(rig.digest_id, 2)
    await rig.services.deliveries.queue.defer(
        rig.digest_id, claimed, "Bad Gateway", sent_ids=[], wait=dt.timedelta(hours=1), window=dt.timedelta(0)
    )  # the retry window is over: failed, but for a reason that may pass
    failed = await rig.services.deliveries.status(rig.digest_id, claimed)
    assert failed is not None and failed.status == DeliveryStatus.FAILED
    leases = LeaseRepository(rig.services.db)
    assert await leases.acquire(LEASE, "elsewhere:1", dt.timedelta(minutes=5))  # the bot, on another host
    with pytest.raises(PushHandedOver, match="queued 1 readers"):
        await push_issue(rig.services.db, rig.services.settings, rate=200, progress=False)
    again = await rig.services.deliveries.status(rig.digest_id, claimed)
    assert again is not None and again.status == DeliveryStatus.PENDING and again.next_attempt_at is None
