"""bot.features.stats: the figures of /stats and ``briefing stats``, read from storage at one moment; and the chart."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from bot.features.stats import gather_stats
from bot.render.charts import render_chart
from bot.rules.clock import ManualClock
from storage import (
    BroadcastRepository,
    BroadcastStatus,
    Database,
    DeliveryRepository,
    DigestRepository,
    SubscriberRepository,
    SubscriberStatus,
)
from storage.stats import HISTORY_DAYS, HOURLY_HOURS
from tests.storage_fixtures import make_digest

NOW = dt.datetime(2026, 3, 12, 9, 30, tzinfo=dt.UTC)
TODAY = NOW.date()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW - dt.timedelta(days=20))


async def populate(db: Database, clock: ManualClock) -> int:
    """Readers joining over three weeks, one lost, one paused; today's issue half sent; one broadcast."""
    subscribers = SubscriberRepository(db)
    for chat_id in (1, 2, 3):  # 20 days ago
        await subscribers.upsert_on_start(chat_id)
    clock.set(NOW - dt.timedelta(days=3))
    await subscribers.upsert_on_start(4, delivery_time="07:45")
    await subscribers.set_status(3, SubscriberStatus.BLOCKED)
    clock.set(NOW - dt.timedelta(days=1))
    await subscribers.upsert_on_start(5)
    await subscribers.set_status(5, SubscriberStatus.PAUSED)

    clock.set(NOW - dt.timedelta(minutes=20))
    digest_id = (await DigestRepository(db).save(make_digest(TODAY))).digest_id
    deliveries = DeliveryRepository(db)
    await deliveries.enqueue(digest_id, [1, 2, 4])
    await deliveries.claim(digest_id, 2)
    await deliveries.mark_sent(digest_id, 1, [10])
    await deliveries.mark_failed(digest_id, 2, "Bad Request")

    broadcasts = BroadcastRepository(db)
    broadcast = await broadcasts.create(9001, "Breaking")
    await broadcasts.confirm(broadcast.id)
    await broadcasts.start(broadcast.id)
    await broadcasts.claim(broadcast.id)
    await broadcasts.mark_sent(broadcast.id, 1, [11])
    await subscribers.set_status(2, SubscriberStatus.BLOCKED)
    await broadcasts.mark_failed(broadcast.id, 2, "blocked: Forbidden")
    await broadcasts.mark_sent(broadcast.id, 4, [12])
    await broadcasts.finish(broadcast.id)
    clock.set(NOW)
    return broadcast.id


async def test_the_figures(db: Database, clock: ManualClock) -> None:
    broadcast_id = await populate(db, clock)
    stats = await gather_stats(SubscriberRepository(db), DeliveryRepository(db), BroadcastRepository(db), NOW)

    assert stats.at == NOW
    assert stats.by_status == {
        SubscriberStatus.ACTIVE: 2,
        SubscriberStatus.PAUSED: 1,
        SubscriberStatus.BLOCKED: 2,
        SubscriberStatus.LEFT: 0,
    }
    assert (stats.new, stats.lost) == (2, 2)  # readers 4 and 5 joined; 3 and 2 blocked the bot
    assert stats.by_delivery_hour == {7: 1, 8: 1}
    assert (stats.today.day, stats.today.sent, stats.today.pending, stats.today.failed) == (TODAY, 1, 1, 1)

    last = stats.last_broadcast
    assert last is not None
    assert (last.id, last.status, last.recipients, last.sent, last.blocked, last.failed) == (
        broadcast_id,
        BroadcastStatus.DONE,
        3,
        2,
        1,
        0,
    )

    days = dict(stats.subscribed_by_day)
    assert len(days) == HISTORY_DAYS and max(days) == TODAY
    assert days[TODAY - dt.timedelta(days=19)] == 3
    assert days[TODAY - dt.timedelta(days=3)] == 3  # reader 4 joined, reader 3 left
    assert days[TODAY - dt.timedelta(days=1)] == 4
    assert days[TODAY] == stats.subscribed == 3  # reader 2 blocked the bot today

    assert len(stats.sent_by_hour) == HOURLY_HOURS
    assert stats.sent_by_hour[-1] == (NOW.replace(minute=0), 1)
    assert sum(n for _, n in stats.sent_by_hour) == 1


async def test_an_empty_database(db: Database) -> None:
    stats = await gather_stats(SubscriberRepository(db), DeliveryRepository(db), BroadcastRepository(db), NOW)
    assert set(stats.by_status.values()) == {0}
    assert (stats.new, stats.lost, stats.by_delivery_hour, stats.last_broadcast) == (0, 0, {}, None)
    assert {n for _, n in stats.subscribed_by_day} == {0}
    assert render_chart(stats).startswith(b"\x89PNG\r\n\x1a\n")


async def test_today_follows_the_configured_timezone(db: Database, clock: ManualClock) -> None:
    await populate(db, clock)
    late = NOW.replace(hour=22)
    stats = await gather_stats(
        SubscriberRepository(db),
        DeliveryRepository(db),
        BroadcastRepository(db),
        late,
        timezone=dt.timezone(dt.timedelta(hours=3)),
    )
    assert stats.today.day == TODAY + dt.timedelta(days=1)
    # Nothing was sent or failed since midnight there; the delivery still queued is waiting all the same.
    assert (stats.today.sent, stats.today.pending, stats.today.failed) == (0, 1, 0)


async def test_json_and_chart(db: Database, clock: ManualClock) -> None:
    await populate(db, clock)
    stats = await gather_stats(SubscriberRepository(db), DeliveryRepository(db), BroadcastRepository(db), NOW)
    figures = json.loads(json.dumps(stats.to_json_dict()))
    assert figures["subscribers"] == {"active": 2, "paused": 1, "blocked": 2, "left": 0}
    assert figures["readers_by_delivery_hour"] == {"07": 1, "08": 1}
    assert figures["deliveries_today"] == {
        "date": "2026-03-12",
        "sent": 1,
        "pending": 1,
        "failed": 1,
        "skipped": 0,
        "retrying": 0,
        "last_error": None,
    }
    assert figures["last_broadcast"]["status"] == "done" and figures["last_broadcast"]["blocked"] == 1
    assert figures["subscribed_by_day"][-1] == {"date": "2026-03-12", "subscribed": 3}
    assert figures["sent_by_hour"][-1] == {"hour": "2026-03-12T09:00:00+00:00", "sent": 1}

    png = render_chart(stats)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000


async def test_todays_deliveries_are_counted_by_when_they_were_sent_not_by_issue_date(
    db: Database, clock: ManualClock
) -> None:
    subscribers, deliveries = SubscriberRepository(db), DeliveryRepository(db)
    for chat_id in (1, 2, 3):
        await subscribers.upsert_on_start(chat_id)
    yesterday_issue = (await DigestRepository(db).save(make_digest(TODAY - dt.timedelta(days=400)))).digest_id
    clock.set(NOW - dt.timedelta(days=1))  # one sent yesterday: not today's
    await deliveries.enqueue(yesterday_issue, [1, 2, 3])
    await deliveries.claim(yesterday_issue, 1)
    await deliveries.mark_sent(yesterday_issue, 1, [1])
    clock.set(NOW - dt.timedelta(minutes=5))  # a push of an old issue this morning
    await deliveries.claim(yesterday_issue, 2)
    await deliveries.mark_sent(yesterday_issue, 2, [2])
    await deliveries.mark_failed(yesterday_issue, 3, "Bad Request")
    clock.set(NOW)
    figures = await gather_stats(subscribers, deliveries, BroadcastRepository(db), NOW)
    assert (figures.today.sent, figures.today.failed, figures.today.pending) == (1, 1, 0)


async def test_stuck_deliveries_are_counted_apart_from_pending_and_failed(db: Database, clock: ManualClock) -> None:
    from bot.render.editor import stats_text

    await populate(db, clock)
    deliveries = DeliveryRepository(db)
    issue = await DigestRepository(db).by_date(TODAY)
    assert issue is not None
    [claimed] = await deliveries.claim(issue.id, 1)  # reader 4, the one still pending
    await deliveries.queue.defer(
        issue.id,
        claimed,
        "Bad Gateway",
        sent_ids=[],
        wait=dt.timedelta(minutes=1),
        window=dt.timedelta(hours=6),
    )
    stats = await gather_stats(SubscriberRepository(db), deliveries, BroadcastRepository(db), NOW)
    assert (stats.today.sent, stats.today.pending, stats.today.retrying, stats.today.failed) == (1, 0, 1, 1)
    assert stats.today.last_error == "Bad Gateway"
    assert stats.to_json_dict()["deliveries_today"]["retrying"] == 1
    text = stats_text(stats)
    assert "retrying 1" in text and "last error: Bad Gateway" in text
