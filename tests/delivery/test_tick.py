"""The set-based minute tick and late policy agree, reader by reader, with the pure schedule rules.

Readers in zones with DST transitions, a gap ending at midnight and odd offsets are ticked through the
spring-forward and fall-back weeks with a batch far smaller than the number due, so every tick runs in
several chunks; after each tick every reader's next delivery must be exactly what
:func:`bot.rules.schedule.next_delivery` says for them alone, and each queued delivery must carry the
instant it was due.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.delivery import scheduler as scheduler_module
from bot.delivery.scheduler import Scheduler
from bot.rules.clock import ManualClock
from bot.rules.schedule import LatePolicy, is_late, next_delivery
from storage import (
    Database,
    DeliveryRepository,
    DigestRepository,
    SubscriberRepository,
    SubscriberStatus,
)
from tests.storage_fixtures import make_digest

ZONES = ("Europe/Berlin", "America/New_York", "America/Nuuk", "Asia/Kolkata", "Pacific/Chatham", "UTC")
TIMES = (dt.time(0, 0), dt.time(1, 30), dt.time(2, 30), dt.time(8, 0), dt.time(23, 30))
UTC = dt.UTC


async def readers(db: Database, start: dt.datetime, copies: int = 2) -> dict[int, tuple[str, dt.time]]:
    subscribers = SubscriberRepository(db)
    schedule: dict[int, tuple[str, dt.time]] = {}
    chat = 1
    for zone in ZONES:
        for at in TIMES:
            for _ in range(copies):
                first = next_delivery(start, at, ZoneInfo(zone))
                await subscribers.upsert_on_start(chat, timezone=zone, delivery_time=at, next_delivery_at=first)
                schedule[chat] = (zone, at)
                chat += 1
    return schedule


def scheduler(db: Database, clock: ManualClock, policy: LatePolicy = LatePolicy.SEND, batch: int = 7) -> Scheduler:
    return Scheduler(
        db, DigestRepository(db), SubscriberRepository(db), DeliveryRepository(db), clock, late_policy=policy,
        batch=batch,
    )  # fmt: skip


@pytest.mark.parametrize(
    "start",
    [dt.datetime(2026, 3, 26, tzinfo=UTC), dt.datetime(2026, 10, 22, tzinfo=UTC), dt.datetime(2026, 3, 6, tzinfo=UTC)],
    ids=["spring-forward-eu", "fall-back-eu", "spring-forward-us"],
)
async def test_tick_reschedules_every_reader_as_the_pure_rules_do(start: dt.datetime) -> None:
    clock = ManualClock(start)
    db = await Database.open(":memory:", clock=clock)
    try:
        schedule = await readers(db, start)
        subscribers = SubscriberRepository(db)
        end = start + dt.timedelta(days=6)
        # Only today's issue goes out: one issue dated each day of the walk.
        for offset in range(8):
            day = (start + dt.timedelta(days=offset)).date()
            await DigestRepository(db).save(make_digest(day, title=f"Issue {day}"))
        tick = scheduler(db, clock)
        ticks = queued = 0
        while True:
            before = await subscribers.get_many(list(schedule))
            next_at = min(s.next_delivery_at for s in before.values() if s.next_delivery_at)
            if next_at > end:
                break
            now = next_at + dt.timedelta(seconds=20)
            clock.set(now)
            result = await tick.tick(now)
            ticks += 1
            after = await subscribers.get_many(list(schedule))
            due = [chat for chat, s in before.items() if s.next_delivery_at and s.next_delivery_at <= now]
            assert result.due == len(due)
            queued += result.queued
            # A reader due twice in one UTC day (far from UTC) already has that day's issue the second time.
            assert result.digest_id is not None and 0 < result.queued <= len(due)
            for chat, (zone, at) in schedule.items():
                expected = next_delivery(now, at, ZoneInfo(zone)) if chat in due else before[chat].next_delivery_at
                assert after[chat].next_delivery_at == expected, (chat, zone, at, now)
            for chat in due:
                row = await db.fetchone(
                    "SELECT due_at FROM deliveries WHERE digest_id = ? AND chat_id = ?", (result.digest_id, chat)
                )
                assert row is not None
                assert row["due_at"] <= int(now.timestamp())
        assert ticks > 20
        assert queued > len(schedule)
    finally:
        await db.close()


async def test_a_tick_larger_than_a_batch_takes_everyone_once() -> None:
    start = dt.datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
    clock = ManualClock(start)
    db = await Database.open(":memory:", clock=clock)
    try:
        subscribers = SubscriberRepository(db)
        for chat in range(1, 101):
            await subscribers.upsert_on_start(chat, next_delivery_at=start - dt.timedelta(minutes=chat % 5))
        await DigestRepository(db).save(make_digest(start.date()))
        result = await scheduler(db, clock, batch=10).tick(start)
        assert (result.due, result.queued) == (100, 100)
        rows = await db.fetchall("SELECT chat_id, due_at FROM deliveries ORDER BY chat_id")
        assert [(r["chat_id"], r["due_at"]) for r in rows] == [
            (chat, int((start - dt.timedelta(minutes=chat % 5)).timestamp())) for chat in range(1, 101)
        ]
        assert await subscribers.count_due(start) == 0
        again = await scheduler(db, clock, batch=10).tick(start)
        assert (again.due, again.queued) == (0, 0)
    finally:
        await db.close()


async def test_a_tick_with_more_due_than_it_notes_at_once_takes_everyone_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Due readers are noted a few at a time (here 30 of 100, taken 7 by 7 in chat id order), on a file database
    whose WAL checkpoints are held back during the tick and resumed after it."""
    monkeypatch.setattr(scheduler_module, "NOTE_LIMIT", 30)
    start = dt.datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
    clock = ManualClock(start)
    db = await Database.open(tmp_path / "bot.db", clock=clock)
    try:
        subscribers = SubscriberRepository(db)
        for chat in range(1, 101):
            await subscribers.upsert_on_start(chat, next_delivery_at=start - dt.timedelta(minutes=chat % 5))
        await subscribers.upsert_on_start(101, next_delivery_at=start + dt.timedelta(minutes=1))
        await DigestRepository(db).save(make_digest(start.date()))
        result = await scheduler(db, clock).tick(start)
        assert (result.due, result.queued) == (100, 100)
        rows = await db.fetchall("SELECT chat_id, due_at FROM deliveries ORDER BY chat_id")
        assert [(r["chat_id"], r["due_at"]) for r in rows] == [
            (chat, int((start - dt.timedelta(minutes=chat % 5)).timestamp())) for chat in range(1, 101)
        ]
        assert await subscribers.count_due(start) == 0
        assert await db.fetchval("PRAGMA wal_autocheckpoint") == 1000
        again = await scheduler(db, clock).tick(start)
        assert (again.due, again.queued) == (0, 0)
    finally:
        await db.close()


async def test_a_tick_resumes_every_expired_pause_a_few_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pauses end in statements of RESUME_LIMIT readers; the tick goes on until none is left, and readers
    whose pause ended by their delivery time get the issue in the same tick."""
    monkeypatch.setattr(scheduler_module, "RESUME_LIMIT", 3)
    start = dt.datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
    clock = ManualClock(start)
    db = await Database.open(":memory:", clock=clock)
    try:
        subscribers = SubscriberRepository(db)
        for chat in range(1, 11):
            await subscribers.upsert_on_start(chat, next_delivery_at=start)
            until = start - dt.timedelta(minutes=chat) if chat <= 8 else start + dt.timedelta(days=1)
            await subscribers.set_status(chat, SubscriberStatus.PAUSED, until=until)
        await DigestRepository(db).save(make_digest(start.date()))
        result = await scheduler(db, clock).tick(start)
        assert (result.due, result.queued) == (8, 8)
        statuses = {chat: s.status for chat, s in (await subscribers.get_many(list(range(1, 11)))).items()}
        paused = SubscriberStatus.PAUSED
        assert statuses == {chat: SubscriberStatus.ACTIVE if chat <= 8 else paused for chat in range(1, 11)}
        assert result.batches >= 4 and 0 < result.longest_hold_s <= result.holding_s
    finally:
        await db.close()


@pytest.mark.parametrize("policy", [LatePolicy.SEND, LatePolicy.SKIP])
@pytest.mark.parametrize(
    "published", [dt.datetime(2026, 3, 29, 1, 15, tzinfo=UTC), dt.datetime(2026, 10, 25, 0, 45, tzinfo=UTC)]
)
async def test_late_policy_matches_is_late_for_every_reader(policy: LatePolicy, published: dt.datetime) -> None:
    clock = ManualClock(published)
    db = await Database.open(":memory:", clock=clock)
    try:
        schedule = await readers(db, published - dt.timedelta(days=1), copies=1)
        await SubscriberRepository(db).set_status(3, SubscriberStatus.LEFT)
        digests = DigestRepository(db)
        digest_id = (await digests.save(make_digest())).digest_id
        queued = await scheduler(db, clock, policy).on_published(digest_id, published)
        late = {
            chat for chat, (zone, at) in schedule.items() if chat != 3 and is_late(published, at, ZoneInfo(zone))
        }
        assert 0 < len(late) < len(schedule) - 1
        rows = await db.fetchall("SELECT chat_id, status, due_at FROM deliveries WHERE digest_id = ?", (digest_id,))
        assert {r["chat_id"] for r in rows} == late
        assert {r["due_at"] for r in rows} == {int(published.timestamp())}
        wanted = "pending" if policy is LatePolicy.SEND else "skipped"
        assert {r["status"] for r in rows} == {wanted}
        assert queued == (len(late) if policy is LatePolicy.SEND else 0)
    finally:
        await db.close()
