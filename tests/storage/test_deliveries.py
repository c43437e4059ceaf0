"""DeliveryRepository: no duplicates, exclusive claims, outcomes, crash recovery, statistics."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

from bot.rules.clock import ManualClock
from storage import (
    Database,
    DeliveryRepository,
    DeliveryStatus,
    DigestRepository,
    SubscriberRepository,
    SubscriberStatus,
)
from tests.harness import present
from tests.storage_fixtures import T0, make_digest

P, S, OK, F, K = (
    DeliveryStatus.PENDING,
    DeliveryStatus.SENDING,
    DeliveryStatus.SENT,
    DeliveryStatus.FAILED,
    DeliveryStatus.SKIPPED,
)


async def setup(db: Database, readers: int = 5) -> tuple[DeliveryRepository, int]:
    subscribers = SubscriberRepository(db)
    for chat_id in range(1, readers + 1):
        await subscribers.upsert_on_start(chat_id)
    digest_id = (await DigestRepository(db).save(make_digest())).digest_id
    return DeliveryRepository(db), digest_id


def counts(
    pending: int = 0, sending: int = 0, sent: int = 0, failed: int = 0, skipped: int = 0
) -> dict[DeliveryStatus, int]:
    return {P: pending, S: sending, OK: sent, F: failed, K: skipped}


async def test_enqueue_twice_never_duplicates(db: Database) -> None:
    deliveries, digest_id = await setup(db)
    assert await deliveries.enqueue(digest_id, [1, 2, 3]) == 3
    await deliveries.claim(digest_id, 1)
    await deliveries.mark_sent(digest_id, 1, [11])
    assert await deliveries.enqueue(digest_id, [1, 2, 3, 4]) == 1
    assert await deliveries.enqueue(digest_id, iter([4, 4, 999])) == 0  # unknown chats are skipped
    assert await deliveries.counts(digest_id) == counts(pending=3, sent=1)
    assert await deliveries.has_received(1, digest_id)  # re-enqueueing did not reset it


async def test_claim_is_exclusive_under_concurrency(db: Database) -> None:
    deliveries, digest_id = await setup(db, readers=40)
    await deliveries.enqueue(digest_id, range(1, 41))
    batches = await asyncio.gather(*(deliveries.claim(digest_id, 7) for _ in range(8)))
    claimed = [chat_id for batch in batches for chat_id in batch]
    assert sorted(claimed) == list(range(1, 41))  # everyone once, nobody twice
    assert all(len(batch) <= 7 for batch in batches)
    assert await deliveries.claim(digest_id, 10) == []
    delivery = await deliveries.status(digest_id, 1)
    assert delivery is not None
    assert (delivery.status, delivery.attempts) == (S, 1)


async def test_outcomes(db: Database, clock: ManualClock) -> None:
    deliveries, digest_id = await setup(db)
    await deliveries.enqueue(digest_id, [1, 2, 3, 4, 5])
    assert await deliveries.claim(digest_id, 3) == [1, 2, 3]
    clock.advance(dt.timedelta(minutes=1))

    assert await deliveries.mark_sent(digest_id, 1, [100, 101])
    assert not await deliveries.mark_sent(digest_id, 1, [100])  # recorded once
    assert await deliveries.mark_failed(digest_id, 2, "Forbidden: bot was blocked by the user")
    assert await deliveries.mark_failed(digest_id, 3, "RetryAfter 5", retry=True)
    assert not await deliveries.mark_failed(digest_id, 4, "not claimed")
    assert await deliveries.mark_skipped(digest_id, 4, "paused")
    assert await deliveries.counts(digest_id) == counts(pending=2, sent=1, failed=1, skipped=1)

    sent = await deliveries.status(digest_id, 1)
    assert sent is not None
    assert (sent.status, sent.message_ids, sent.sent_at, sent.error) == (OK, (100, 101), clock.now(), None)
    failed = await deliveries.status(digest_id, 2)
    assert failed is not None
    assert (failed.status, failed.error) == (F, "Forbidden: bot was blocked by the user")
    assert await deliveries.status(digest_id, 999) is None

    assert await deliveries.claim(digest_id) == [3, 5]  # the retry is back in the queue
    again = await deliveries.status(digest_id, 3)
    assert again is not None
    assert again.attempts == 2

    reader = await SubscriberRepository(db).get(1)
    assert reader is not None
    assert reader.last_digest_id == digest_id
    assert await deliveries.last_sent_digest(1) == digest_id
    assert await deliveries.last_sent_digest(2) is None
    assert not await deliveries.has_received(2, digest_id)


async def test_crash_recovery_resets_sending_to_pending(tmp_path: Path, clock: ManualClock) -> None:
    path = tmp_path / "bot.db"
    db = await Database.open(path, clock=clock)
    try:
        deliveries, digest_id = await setup(db)
        await deliveries.enqueue(digest_id, [1, 2, 3])
        await deliveries.claim(digest_id, 2)
        await deliveries.mark_sent(digest_id, 1, [1])
    finally:
        await db.close()  # the process "dies" with reader 2 in flight

    db = await Database.open(path, clock=clock)
    try:
        deliveries = DeliveryRepository(db)
        assert await deliveries.counts(digest_id) == counts(pending=1, sending=1, sent=1)
        assert await deliveries.unfinished_digests() == [digest_id]
        assert await deliveries.requeue_in_flight() == 1
        assert await deliveries.requeue_in_flight() == 0
        assert await deliveries.counts(digest_id) == counts(pending=2, sent=1)
        assert await deliveries.claim(digest_id) == [2, 3]
    finally:
        await db.close()


async def test_statistics(db: Database, clock: ManualClock) -> None:
    deliveries, digest_id = await setup(db)
    other_day = (await DigestRepository(db).save(make_digest(dt.date(2024, 10, 12)))).digest_id
    await deliveries.enqueue(digest_id, [1, 2, 3])
    await deliveries.enqueue(other_day, [1])
    await deliveries.claim(digest_id)
    await deliveries.claim(other_day)
    clock.set(T0.replace(minute=10))
    await deliveries.mark_sent(digest_id, 1, [1])
    await deliveries.mark_sent(digest_id, 2, [2])
    clock.set(T0.replace(hour=7, minute=59))
    await deliveries.mark_sent(digest_id, 3, [3])
    await deliveries.mark_sent(other_day, 1, [4])

    # By when they were sent, whatever the issue's date.
    assert await deliveries.counts_since(T0) == counts(sent=4)
    assert await deliveries.counts_since(T0.replace(hour=7)) == counts(sent=2)
    assert await deliveries.counts_since(T0.replace(hour=8)) == counts()
    hours = await deliveries.sent_per_hour(T0)
    assert [(h.hour, h.count) for h in hours] == [(T0, 2), (T0.replace(hour=7), 2)]
    assert await deliveries.sent_per_hour(T0.replace(hour=7)) == hours[1:]
    assert await deliveries.last_sent_digest(1) == other_day


async def test_deliveries_go_when_the_reader_or_the_issue_goes(db: Database) -> None:
    deliveries, digest_id = await setup(db)
    await deliveries.enqueue(digest_id, [1, 2])
    await SubscriberRepository(db).delete(1)
    assert await deliveries.counts(digest_id) == counts(pending=1)
    await db.execute("DELETE FROM digests WHERE id = ?", (digest_id,))
    assert await deliveries.counts(digest_id) == counts()
    reader = await SubscriberRepository(db).get(2)
    assert reader is not None


async def test_enqueue_active_queues_only_active_readers_once(db: Database) -> None:
    deliveries, digest_id = await setup(db, readers=3)
    await SubscriberRepository(db).set_status(3, SubscriberStatus.BLOCKED)
    assert await deliveries.enqueue_active(digest_id) == 2
    assert await deliveries.enqueue_active(digest_id) == 0
    assert await deliveries.claim(digest_id, 10) == [1, 2]


async def test_mark_sent_records_the_readers_last_issue(db: Database) -> None:
    deliveries, digest_id = await setup(db, readers=2)
    await deliveries.enqueue(digest_id, [1, 2])
    await deliveries.claim(digest_id, 10)
    assert await deliveries.mark_sent(digest_id, 1, [5])
    readers = await SubscriberRepository(db).get_many([1, 2, 99])
    assert set(readers) == {1, 2}
    assert readers[1].last_digest_id == digest_id
    assert readers[2].last_digest_id is None


async def test_count_sent_counts_only_issues_received(db: Database) -> None:
    deliveries, digest_id = await setup(db, readers=2)
    assert await deliveries.count_sent(1) == 0
    await deliveries.enqueue(digest_id, [1, 2])
    await deliveries.claim(digest_id, 2)
    await deliveries.mark_sent(digest_id, 1, [11])
    await deliveries.mark_failed(digest_id, 2, "boom")
    assert await deliveries.count_sent(1) == 1
    assert await deliveries.count_sent(2) == 0
    assert await deliveries.count_sent(404) == 0


async def test_mark_sent_many_records_a_batch_once(db: Database) -> None:
    deliveries, digest_id = await setup(db, readers=3)
    await deliveries.enqueue(digest_id, [1, 2, 3])
    await deliveries.claim(digest_id, 10)
    assert await deliveries.mark_sent_many([(digest_id, 1, [10]), (digest_id, 2, [11, 12])]) == 2
    assert await deliveries.mark_sent_many([(digest_id, 1, [10])]) == 0
    assert present(await deliveries.status(digest_id, 2)).message_ids == (11, 12)
    assert present(await deliveries.status(digest_id, 3)).status == DeliveryStatus.SENDING
