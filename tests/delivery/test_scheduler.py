"""Scheduler.tick: who is due gets the latest issue, and the tick always finishes."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from bot.delivery import scheduler as scheduler_module
from bot.delivery.scheduler import Scheduler
from storage import Database, DeliveryRepository, DigestRepository, SubscriberRepository
from tests.storage_fixtures import make_digest


async def due_reader(db: Database) -> tuple[Scheduler, SubscriberRepository, dt.datetime]:
    digests, subscribers = DigestRepository(db), SubscriberRepository(db)
    await digests.save(make_digest())
    await subscribers.upsert_on_start(1)
    now = db.clock.now()
    await subscribers.set_next_delivery(1, now - dt.timedelta(minutes=1))
    return Scheduler(db, digests, subscribers, DeliveryRepository(db), db.clock), subscribers, now


async def test_a_due_reader_is_queued_and_moved_on(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    scheduler, subscribers, now = await due_reader(db)

    async def no_load(_: DigestRepository, digest_id: int) -> None:
        raise AssertionError(f"the tick loaded issue {digest_id}; it needs only the id")

    monkeypatch.setattr(DigestRepository, "get", no_load)
    result = await scheduler.tick(now)
    assert (result.due, result.queued) == (1, 1)
    reader = await subscribers.get(1)
    assert reader is not None and reader.next_delivery_at is not None and reader.next_delivery_at > now


async def test_a_next_time_that_does_not_advance_cannot_make_the_tick_loop(
    db: Database, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    scheduler, subscribers, now = await due_reader(db)
    # The mutation that once made the tick loop forever: the rule answers the current time.
    monkeypatch.setattr(scheduler_module, "next_delivery", lambda at, *_, **__: at)
    # Without the guard the same reader is due again and again; wait_for turns that hang into a failure.
    result = await asyncio.wait_for(scheduler.tick(now), timeout=10)
    assert (result.due, result.queued) == (1, 1)
    reader = await subscribers.get(1)
    assert reader is not None and reader.next_delivery_at == now + dt.timedelta(days=1)
    assert "not after" in caplog.text
