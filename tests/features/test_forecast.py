"""The delivery forecast per upcoming slot, its warning, and yesterday's lag per slot from the delivery log."""

from __future__ import annotations

import datetime as dt

from bot.features.stats import gather_stats
from bot.render.editor import stats_text
from bot.rules.clock import ManualClock
from storage import BroadcastRepository, Database, DeliveryRepository, DigestRepository, SubscriberRepository
from tests.storage_fixtures import make_digest

NOW = dt.datetime(2026, 3, 12, 7, 0, tzinfo=dt.UTC)
EIGHT = NOW.replace(hour=8)


async def readers(db: Database, first: int, count: int, at: dt.datetime) -> None:
    subscribers = SubscriberRepository(db)
    for chat in range(first, first + count):
        await subscribers.upsert_on_start(chat, next_delivery_at=at)


async def gather(db: Database, *, rate: float, warn_minutes: int = 15):
    return await gather_stats(
        SubscriberRepository(db),
        DeliveryRepository(db),
        BroadcastRepository(db),
        NOW,
        rate=rate,
        lag_warn=dt.timedelta(minutes=warn_minutes),
    )


async def test_slots_queue_one_after_another_at_the_rate_and_the_slow_one_is_warned_about(
    db: Database, clock: ManualClock
) -> None:
    clock.set(NOW)
    await readers(db, 1, 1200, EIGHT)
    await readers(db, 2001, 60, EIGHT + dt.timedelta(minutes=1))
    await readers(db, 3001, 5, NOW + dt.timedelta(hours=30))  # beyond the 24 hours
    stats = await gather(db, rate=1.0)
    forecast = stats.forecast
    assert forecast is not None
    first, second = forecast.slots
    assert (first.due_at, first.readers, first.messages) == (EIGHT, 1200, 1200)
    assert first.finish_at == EIGHT + dt.timedelta(minutes=20)
    # The 08:01 readers wait for the 08:00 slot to finish: one queue per token.
    assert second.finish_at == EIGHT + dt.timedelta(minutes=21)
    assert second.last_wait == dt.timedelta(minutes=20)
    assert forecast.over == (first, second)

    text = stats_text(stats)
    assert "Delivery forecast (next 24 h at 1/s)" in text
    assert "1200 readers, 1200 messages, done by 08:20 UTC (last reader waits 20 min)" in text
    assert "⚠" in text and "over DELIVERY_LAG_WARN (15 min)" in text

    relaxed = await gather(db, rate=30.0)
    assert relaxed.forecast is not None and relaxed.forecast.over == ()
    assert "⚠" not in stats_text(relaxed)
    assert relaxed.to_json_dict()["delivery_forecast"]["slots"][0]["last_wait_s"] == 40


async def test_a_backlog_delays_the_next_slot(db: Database, clock: ManualClock) -> None:
    clock.set(NOW)
    await readers(db, 1, 10, EIGHT)
    digest_id = (await DigestRepository(db).save(make_digest())).digest_id
    await readers(db, 100, 360, NOW + dt.timedelta(days=2))  # not due within 24 h, but queued now
    await DeliveryRepository(db).enqueue(digest_id, range(100, 460))
    forecast = (await gather(db, rate=0.1)).forecast
    assert forecast is not None and forecast.backlog == 360
    [slot] = forecast.slots
    assert slot.finish_at == NOW + dt.timedelta(hours=1, seconds=100)


async def test_yesterdays_lag_per_slot(db: Database, clock: ManualClock) -> None:
    yesterday_eight = EIGHT - dt.timedelta(days=1)
    clock.set(yesterday_eight - dt.timedelta(hours=1))
    await readers(db, 1, 20, yesterday_eight)
    deliveries = DeliveryRepository(db)
    digest_id = (await DigestRepository(db).save(make_digest())).digest_id
    await deliveries.enqueue(digest_id, range(1, 21), due_at=yesterday_eight)
    for chat in range(1, 21):
        clock.set(yesterday_eight + dt.timedelta(minutes=chat))
        await deliveries.mark_sent(digest_id, chat, [chat])
    clock.set(NOW)
    stats = await gather(db, rate=30.0)
    assert stats.forecast is not None
    [lag] = stats.forecast.yesterday_lag
    assert (lag.due_at, lag.sent) == (yesterday_eight, 20)
    assert (lag.p50, lag.p95, lag.worst) == (
        dt.timedelta(minutes=10),
        dt.timedelta(minutes=19),
        dt.timedelta(minutes=20),
    )
    assert "20 sent · p50 10 min · p95 19 min · max 20 min" in stats_text(stats)
    assert stats.forecast.yesterday == NOW.date() - dt.timedelta(days=1)
