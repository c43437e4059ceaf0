"""BroadcastRepository (confirm once, send once, cancel, resume) and AuditRepository."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from bot.rules.clock import ManualClock
from storage import (
    AuditRepository,
    BroadcastRepository,
    BroadcastStatus,
    Database,
    DeliveryStatus,
    SubscriberRepository,
    SubscriberStatus,
)
from tests.harness import present
from tests.storage_fixtures import T0


@pytest.fixture
async def broadcasts(db: Database) -> BroadcastRepository:
    """Readers 1-4 active with breaking alerts on, 5 blocked, 6 paused, 7 active with alerts off."""
    subscribers = SubscriberRepository(db)
    for chat_id in range(1, 8):
        await subscribers.upsert_on_start(chat_id)
        await subscribers.update_preferences(chat_id, breaking_alerts=chat_id != 7)
    await subscribers.set_status(5, SubscriberStatus.BLOCKED)
    await subscribers.set_status(6, SubscriberStatus.PAUSED)
    return BroadcastRepository(db)


async def test_only_active_readers_with_alerts_on_are_recipients(broadcasts: BroadcastRepository, db: Database) -> None:
    assert await broadcasts.recipient_count() == 4
    broadcast = await broadcasts.create(7, "Breaking")
    await broadcasts.confirm(broadcast.id)
    assert await broadcasts.start(broadcast.id) == 4
    assert await broadcasts.claim(broadcast.id) == [1, 2, 3, 4]
    await SubscriberRepository(db).update_preferences(1, breaking_alerts=False)
    assert await broadcasts.recipient_count() == 3


async def test_tally_tells_blocked_readers_from_other_failures(broadcasts: BroadcastRepository, db: Database) -> None:
    broadcast = await broadcasts.create(7, "Breaking")
    assert (await broadcasts.tally(broadcast.id)).total == 0
    await broadcasts.confirm(broadcast.id)
    await broadcasts.start(broadcast.id)
    await broadcasts.claim(broadcast.id, 3)
    await broadcasts.mark_sent(broadcast.id, 1, [11])
    await SubscriberRepository(db).set_status(2, SubscriberStatus.BLOCKED)  # what the engine does on 403
    await broadcasts.mark_failed(broadcast.id, 2, "blocked: Forbidden")
    await broadcasts.mark_failed(broadcast.id, 3, "Bad Request: chat not found")
    tally = await broadcasts.tally(broadcast.id)
    assert (tally.pending, tally.sending, tally.sent, tally.failed, tally.blocked, tally.skipped) == (1, 0, 1, 1, 1, 0)
    assert (tally.total, tally.done) == (4, 3)
    await broadcasts.cancel(broadcast.id)
    tally = await broadcasts.tally(broadcast.id)
    assert (tally.pending, tally.skipped, tally.done) == (0, 1, 4)


async def test_discard_only_touches_drafts(broadcasts: BroadcastRepository) -> None:
    draft = await broadcasts.create(7, "Never mind")
    assert await broadcasts.discard(draft.id)
    assert not await broadcasts.discard(draft.id)
    assert not await broadcasts.confirm(draft.id)
    confirmed = await broadcasts.create(7, "Going out")
    await broadcasts.confirm(confirmed.id)
    assert not await broadcasts.discard(confirmed.id)
    assert present(await broadcasts.get(confirmed.id)).status == BroadcastStatus.CONFIRMED
    discarded = await broadcasts.get(draft.id)
    assert discarded is not None and discarded.status == BroadcastStatus.CANCELLED and discarded.finished_at


async def test_latest_finished_includes_cancelled(broadcasts: BroadcastRepository, clock: ManualClock) -> None:
    assert await broadcasts.latest_finished() is None
    sent = await broadcasts.create(7, "One")
    await broadcasts.confirm(sent.id)
    await broadcasts.start(sent.id)
    for chat_id in await broadcasts.claim(sent.id):
        await broadcasts.mark_sent(sent.id, chat_id, [chat_id])
    await broadcasts.finish(sent.id)
    assert present(await broadcasts.latest_finished()).id == sent.id
    clock.advance(dt.timedelta(minutes=1))
    dropped = await broadcasts.create(7, "Two")
    await broadcasts.cancel(dropped.id)
    latest = await broadcasts.latest_finished()
    assert latest is not None and (latest.id, latest.status) == (dropped.id, BroadcastStatus.CANCELLED)
    assert present(await broadcasts.latest_done()).id == sent.id


async def test_confirm_only_once(broadcasts: BroadcastRepository, clock: ManualClock) -> None:
    draft = await broadcasts.create(7, "<b>Hello</b> readers")
    assert (draft.status, draft.editor_id, draft.created_at, draft.confirmed_at) == (
        BroadcastStatus.DRAFT,
        7,
        T0,
        None,
    )
    assert await broadcasts.update_text(draft.id, "<b>Hello</b>, readers")
    clock.advance(dt.timedelta(minutes=1))
    assert await broadcasts.confirm(draft.id)
    assert not await broadcasts.confirm(draft.id)
    assert not await broadcasts.update_text(draft.id, "changed after confirming")
    confirmed = await broadcasts.get(draft.id)
    assert confirmed is not None
    assert (confirmed.status, confirmed.text, confirmed.confirmed_at) == (
        BroadcastStatus.CONFIRMED,
        "<b>Hello</b>, readers",
        T0 + dt.timedelta(minutes=1),
    )
    assert not await broadcasts.confirm(999)
    assert await broadcasts.get(999) is None


async def test_simultaneous_confirmations_send_once(broadcasts: BroadcastRepository) -> None:
    draft = await broadcasts.create(7, "Hi")
    confirmations = await asyncio.gather(*(broadcasts.confirm(draft.id) for _ in range(5)))
    assert sorted(confirmations) == [False, False, False, False, True]
    starts = await asyncio.gather(*(broadcasts.start(draft.id) for _ in range(3)))
    assert sorted(starts, key=lambda s: s is not None) == [None, None, 4]  # the 4 readers who want alerts, once
    assert await broadcasts.progress(draft.id) == {
        DeliveryStatus.PENDING: 4,
        DeliveryStatus.SENDING: 0,
        DeliveryStatus.SENT: 0,
        DeliveryStatus.FAILED: 0,
        DeliveryStatus.SKIPPED: 0,
    }


async def test_a_draft_cannot_be_started(broadcasts: BroadcastRepository) -> None:
    draft = await broadcasts.create(7, "Hi")
    assert await broadcasts.start(draft.id) is None
    assert await broadcasts.claim(draft.id) == []


async def test_send_finish_and_totals(broadcasts: BroadcastRepository, clock: ManualClock) -> None:
    broadcast = await broadcasts.create(7, "Hi")
    await broadcasts.confirm(broadcast.id)
    assert await broadcasts.start(broadcast.id) == 4
    assert await broadcasts.enqueue(broadcast.id, [1, 6]) == 1  # a paused editor asks for a copy
    assert await broadcasts.claim(broadcast.id, 3) == [1, 2, 3]
    assert not await broadcasts.finish(broadcast.id)  # still in flight
    await broadcasts.mark_sent(broadcast.id, 1, [10])
    await broadcasts.mark_failed(broadcast.id, 2, "Forbidden")
    await broadcasts.mark_failed(broadcast.id, 3, "NetworkError", retry=True)
    assert await broadcasts.claim(broadcast.id) == [3, 4, 6]
    for chat_id in (3, 4):
        await broadcasts.mark_sent(broadcast.id, chat_id, [chat_id])
    await broadcasts.mark_skipped(broadcast.id, 6, "paused")
    clock.advance(dt.timedelta(minutes=3))
    assert await broadcasts.finish(broadcast.id)
    assert not await broadcasts.finish(broadcast.id)

    done = await broadcasts.get(broadcast.id)
    assert done is not None
    assert (done.status, done.recipients, done.sent, done.failed, done.skipped, done.finished_at) == (
        BroadcastStatus.DONE,
        5,
        3,
        1,
        1,
        T0 + dt.timedelta(minutes=3),
    )
    assert await broadcasts.latest_done() == done
    assert await broadcasts.unfinished() == []


async def test_cancel_skips_the_rest(broadcasts: BroadcastRepository) -> None:
    broadcast = await broadcasts.create(7, "Oops")
    await broadcasts.confirm(broadcast.id)
    await broadcasts.start(broadcast.id)
    assert await broadcasts.claim(broadcast.id, 1) == [1]
    assert await broadcasts.cancel(broadcast.id)
    assert not await broadcasts.cancel(broadcast.id)
    assert await broadcasts.claim(broadcast.id) == []
    await broadcasts.mark_sent(broadcast.id, 1, [1])  # the one in flight still went out
    cancelled = await broadcasts.get(broadcast.id)
    assert cancelled is not None
    assert (cancelled.status, cancelled.skipped) == (BroadcastStatus.CANCELLED, 3)
    assert (await broadcasts.progress(broadcast.id))[DeliveryStatus.SENT] == 1
    assert await broadcasts.latest_done() is None


async def test_resume_after_restart(broadcasts: BroadcastRepository) -> None:
    first = await broadcasts.create(7, "One")
    second = await broadcasts.create(7, "Two")
    draft = await broadcasts.create(7, "Three")
    for broadcast in (first, second):
        await broadcasts.confirm(broadcast.id)
    await broadcasts.start(first.id)
    await broadcasts.claim(first.id, 2)
    assert [b.id for b in await broadcasts.unfinished()] == [first.id, second.id]
    assert draft.id not in [b.id for b in await broadcasts.unfinished()]
    assert await broadcasts.requeue_in_flight() == 2
    assert (await broadcasts.progress(first.id))[DeliveryStatus.PENDING] == 4


async def test_audit_log(db: Database, clock: ManualClock) -> None:
    audit = AuditRepository(db)
    first = await audit.record(7, "broadcast.confirm", target=3, details={"recipients": 4})
    clock.advance(dt.timedelta(seconds=1))
    await audit.record(99, "stats", allowed=False)
    await audit.record(None, "ingest", target="2024-10-11", details={"outcome": "created", "ünï": "ok"})

    entries = await audit.recent()
    assert [e.action for e in entries] == ["ingest", "stats", "broadcast.confirm"]
    oldest = entries[-1]
    assert (oldest.id, oldest.at, oldest.actor_id, oldest.target, oldest.details, oldest.allowed) == (
        first,
        T0,
        7,
        "3",
        {"recipients": 4},
        True,
    )
    assert [e.allowed for e in await audit.recent(actor_id=99)] == [False]
    assert [e.details for e in await audit.recent(action="ingest")] == [{"outcome": "created", "ünï": "ok"}]
    assert len(await audit.recent(limit=1)) == 1
    with pytest.raises(TypeError):
        await audit.record(1, "bad", details={"x": object()})
