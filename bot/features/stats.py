"""The figures behind ``/stats`` and ``briefing stats``: gathered once, then rendered as text, JSON or a chart.

Gathering is separate from rendering so that the chat, the command line and the chart show the same numbers,
taken at the same moment, and so that the chart can be drawn in a thread from plain data.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from storage import (
    BroadcastRepository,
    ChannelPostRepository,
    DeliveryRepository,
    DeliveryStatus,
    OpenRepository,
    SubscriberRepository,
    SubscriberStatus,
)
from storage.stats import (
    FORECAST_HOURS,
    FORECAST_SLOTS,
    GROWTH_DAYS,
    HISTORY_DAYS,
    HOURLY_HOURS,
    TOP_DAYS,
    BroadcastResult,
    DeliveriesToday,
    Forecast,
    SlotForecast,
    Stats,
)

DEFAULT_LAG_WARN = dt.timedelta(minutes=15)


async def gather_stats(
    subscribers: SubscriberRepository,
    deliveries: DeliveryRepository,
    broadcasts: BroadcastRepository,
    now: dt.datetime,
    *,
    timezone: ZoneInfo | dt.tzinfo = dt.UTC,
    opens: OpenRepository | None = None,
    channels: ChannelPostRepository | None = None,
    rate: float = 30.0,
    lag_warn: dt.timedelta = DEFAULT_LAG_WARN,
) -> Stats:
    """Read every figure from storage. ``timezone`` (the publisher's) decides when "today" began.

    Today's deliveries are the messages sent (or failed) since midnight there, whatever issue they carried.
    ``opens`` adds the week's most opened pieces and authors; ``channels`` (given when CHANNELS is set) the
    channel posts, counted apart from readers. ``rate`` (messages per second) and ``lag_warn`` shape the
    delivery forecast; yesterday's lag is yesterday in ``timezone``.
    """
    by_status = await subscribers.count_by_status()
    growth = await subscribers.new_and_lost_since(now - dt.timedelta(days=GROWTH_DAYS))
    today = now.astimezone(timezone).date()
    counts = await deliveries.counts_since(dt.datetime.combine(today, dt.time(), tzinfo=timezone))
    stuck = await deliveries.queue.stuck()  # waiting to be retried now, whatever the issue
    return Stats(
        at=now,
        by_status=by_status,
        new=growth.new,
        lost=growth.lost,
        by_delivery_hour=await subscribers.by_delivery_hour(),
        today=DeliveriesToday(
            day=today,
            sent=counts[DeliveryStatus.SENT],
            pending=counts[DeliveryStatus.PENDING] + counts[DeliveryStatus.SENDING] - stuck.count,
            failed=counts[DeliveryStatus.FAILED],
            skipped=counts[DeliveryStatus.SKIPPED],
            retrying=stuck.count,
            last_error=stuck.last_error,
        ),
        last_broadcast=await _last_broadcast(broadcasts),
        subscribed_by_day=await _subscribed_by_day(
            subscribers, now, by_status[SubscriberStatus.ACTIVE] + by_status[SubscriberStatus.PAUSED]
        ),
        sent_by_hour=await _sent_by_hour(deliveries, now),
        channels=await channels.totals() if channels is not None else None,
        top_items=tuple(await opens.top_items(_week_start(now))) if opens is not None else (),
        top_authors=tuple(await opens.top_authors(_week_start(now))) if opens is not None else (),
        groups=sum(n for kind, n in (await subscribers.count_by_kind()).items() if kind.shared),
        timezone=timezone,
        forecast=await forecast(
            subscribers,
            deliveries,
            now,
            queued=await deliveries.queued() + await broadcasts.queued(),
            rate=rate,
            lag_warn=lag_warn,
            timezone=timezone,
        ),
    )


async def forecast(
    subscribers: SubscriberRepository,
    deliveries: DeliveryRepository,
    now: dt.datetime,
    *,
    queued: int,
    rate: float,
    lag_warn: dt.timedelta,
    timezone: ZoneInfo | dt.tzinfo = dt.UTC,
) -> Forecast:
    """When each upcoming slot's last reader will have the issue, sending at ``rate`` one slot after another.

    One token sends one queue: a slot starts when it is due or when the slots (and the backlog) before it
    are done, whichever is later. Messages per reader come from recent sends (a long issue is split).
    """
    per_reader = await deliveries.messages_per_delivery()
    backlog = round(queued * per_reader)
    free_at = now + dt.timedelta(seconds=backlog / rate)
    slots = []
    for due_at, readers in await subscribers.due_slots(now + dt.timedelta(hours=FORECAST_HOURS)):
        messages = round(readers * per_reader)
        start = max(due_at, free_at)
        free_at = start + dt.timedelta(seconds=messages / rate)
        slots.append(SlotForecast(due_at, readers, messages, free_at))
    largest = sorted(sorted(slots, key=lambda s: -s.readers)[:FORECAST_SLOTS], key=lambda s: s.due_at)
    today = now.astimezone(timezone).date()
    yesterday = today - dt.timedelta(days=1)
    start, end = (
        dt.datetime.combine(day, dt.time(), tzinfo=timezone).astimezone(dt.UTC) for day in (yesterday, today)
    )
    return Forecast(
        rate=rate,
        lag_warn=lag_warn,
        backlog=backlog,
        slots=tuple(largest),
        over=tuple(s for s in slots if s.last_wait > lag_warn),
        yesterday=yesterday,
        yesterday_lag=tuple(await deliveries.lag_by_slot(start, end)),
    )


def _week_start(now: dt.datetime) -> dt.date:
    """The first UTC day of the last :data:`TOP_DAYS` days (open counts are kept per UTC day)."""
    return now.astimezone(dt.UTC).date() - dt.timedelta(days=TOP_DAYS - 1)


async def _last_broadcast(broadcasts: BroadcastRepository) -> BroadcastResult | None:
    broadcast = await broadcasts.latest_finished()
    if broadcast is None:
        return None
    # The live tally, not the totals frozen at the end: sends in flight when it was cancelled still count.
    tally = await broadcasts.tally(broadcast.id)
    return BroadcastResult(
        id=broadcast.id,
        status=broadcast.status,
        finished_at=broadcast.finished_at,
        recipients=broadcast.recipients,
        sent=tally.sent,
        failed=tally.failed,
        blocked=tally.blocked,
        skipped=tally.skipped,
    )


async def _subscribed_by_day(
    subscribers: SubscriberRepository, now: dt.datetime, subscribed_now: int
) -> tuple[tuple[dt.date, int], ...]:
    """Walk back from today's count through each day's joins and losses (the event history)."""
    today = now.astimezone(dt.UTC).date()
    first = today - dt.timedelta(days=HISTORY_DAYS - 1)
    since = dt.datetime.combine(first, dt.time(), tzinfo=dt.UTC)
    change = {row.day: row.new - row.lost for row in await subscribers.growth_by_day(since)}
    series = []
    count = subscribed_now
    for offset in range(HISTORY_DAYS):
        day = today - dt.timedelta(days=offset)
        series.append((day, count))
        count -= change.get(day, 0)
    return tuple(reversed(series))


async def _sent_by_hour(deliveries: DeliveryRepository, now: dt.datetime) -> tuple[tuple[dt.datetime, int], ...]:
    current = now.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)
    first = current - dt.timedelta(hours=HOURLY_HOURS - 1)
    sent = {row.hour: row.count for row in await deliveries.sent_per_hour(first)}
    hours = (first + dt.timedelta(hours=n) for n in range(HOURLY_HOURS))
    return tuple((hour, sent.get(hour, 0)) for hour in hours)
