"""Scheduler.queue_followers and on_published: a followed author's new piece, pushed on publication when asked."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest

from bot.delivery.scheduler import Scheduler
from bot.rules.clock import ManualClock
from bot.rules.schedule import LatePolicy
from storage import (
    Database,
    DeliveryRepository,
    DeliveryStatus,
    DigestRepository,
    DigestStatus,
    SubscriberRepository,
    SubscriberStatus,
)
from tests.storage_fixtures import make_digest

NOON = dt.datetime(2024, 10, 11, 12, 0, tzinfo=dt.UTC)
"""After everyone's 08:00 UTC delivery: every reader is late for an issue published now."""
MORNING = dt.datetime(2024, 10, 11, 6, 0, tzinfo=dt.UTC)


@pytest.fixture
async def db() -> AsyncIterator[Database]:
    database = await Database.open(":memory:", clock=ManualClock(MORNING))
    try:
        yield database
    finally:
        await database.close()


async def setup(db: Database, policy: LatePolicy = LatePolicy.SEND) -> tuple[Scheduler, int]:
    """Readers 1-5: 1 and 2 follow the issue's opinion author (Kevin Rothrock) and want a push, 3 follows
    him without, 4 wants a push for another author, 5 would want a push but has paused."""
    digests, subscribers, deliveries = DigestRepository(db), SubscriberRepository(db), DeliveryRepository(db)
    for chat_id in range(1, 6):
        await subscribers.upsert_on_start(chat_id)
    for chat_id, author, push in [
        (1, "Kevin Rothrock", True),
        (2, "Kevin Rotkhrock", True),  # another spelling of the same name: "kh" folds to "h"
        (3, "Kevin Rothrock", False),
        (4, "Dmitry Trenin", True),
        (5, "Kevin Rothrock", True),
    ]:
        await subscribers.follow(chat_id, author)
        await subscribers.update_preferences(chat_id, push_followed_on_publish=push)
    await subscribers.set_status(5, SubscriberStatus.PAUSED)
    digest_id = (await digests.save(make_digest())).digest_id
    scheduler = Scheduler(db, digests, subscribers, deliveries, db.clock, late_policy=policy)
    return scheduler, digest_id


async def queued(db: Database, digest_id: int) -> dict[int, DeliveryStatus]:
    deliveries = DeliveryRepository(db)
    out = {}
    for chat_id in range(1, 6):
        delivery = await deliveries.status(digest_id, chat_id)
        if delivery is not None:
            out[chat_id] = delivery.status
    return out


async def test_queue_followers_queues_only_active_readers_who_asked(db: Database) -> None:
    scheduler, digest_id = await setup(db)
    assert await scheduler.queue_followers(digest_id) == 2
    assert await queued(db, digest_id) == {1: DeliveryStatus.PENDING, 2: DeliveryStatus.PENDING}
    assert await scheduler.queue_followers(digest_id) == 0  # idempotent


async def test_nothing_is_pushed_for_an_unpublished_or_missing_issue(db: Database) -> None:
    scheduler, digest_id = await setup(db)
    await DigestRepository(db).set_status(digest_id, DigestStatus.WITHDRAWN)
    assert await scheduler.queue_followers(digest_id) == 0
    assert await scheduler.queue_followers(9999) == 0


async def test_on_published_pushes_followers_before_their_time(db: Database) -> None:
    scheduler, digest_id = await setup(db)
    # 06:00 UTC: nobody's 08:00 has come, so only the followers who asked get it now.
    assert await scheduler.on_published(digest_id, MORNING) == 2
    assert set(await queued(db, digest_id)) == {1, 2}


@pytest.mark.parametrize(("policy", "expected"), [(LatePolicy.SEND, 4), (LatePolicy.SKIP, 2)])
async def test_a_late_issue_under_either_policy_still_reaches_the_followers(
    db: Database, policy: LatePolicy, expected: int
) -> None:
    scheduler, digest_id = await setup(db, policy)
    assert await scheduler.on_published(digest_id, NOON) == expected
    status = await queued(db, digest_id)
    assert status[1] == status[2] == DeliveryStatus.PENDING
    late = DeliveryStatus.PENDING if policy is LatePolicy.SEND else DeliveryStatus.SKIPPED
    assert status[3] == status[4] == late
    assert 5 not in status
