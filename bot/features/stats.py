"""The figures behind ``/stats`` and ``briefing stats``: gathered once, then rendered as text, JSON or a chart.

Gathering is separate from rendering so that the chat, the command line and the chart show the same numbers,
taken at the same moment, and so that the chart can be drawn in a thread from plain data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from storage import (
    BroadcastRepository,
    BroadcastStatus,
    DeliveryRepository,
    DeliveryStatus,
    SubscriberRepository,
    SubscriberStatus,
)

GROWTH_DAYS = 7
""""New and lost" looks back this many days."""
HISTORY_DAYS = 30
"""The subscribers-over-time chart covers this many days, today included."""
HOURLY_HOURS = 24
"""The deliveries-per-hour chart covers this many hours, the current one included."""


@dataclass(frozen=True, slots=True)
class DeliveriesToday:
    """Outcomes of today's issue deliveries; ``pending`` includes the ones in flight."""

    day: dt.date
    sent: int
    pending: int
    failed: int
    skipped: int


@dataclass(frozen=True, slots=True)
class BroadcastResult:
    """How the last finished broadcast ended."""

    id: int
    status: BroadcastStatus
    finished_at: dt.datetime | None
    recipients: int
    sent: int
    failed: int
    blocked: int
    skipped: int


@dataclass(frozen=True, slots=True)
class Stats:
    at: dt.datetime
    by_status: dict[SubscriberStatus, int]
    new: int
    """Joined or came back in the last :data:`GROWTH_DAYS` days."""
    lost: int
    """Blocked the bot, left or were deleted in the last :data:`GROWTH_DAYS` days."""
    by_delivery_hour: dict[int, int]
    """Active readers per local delivery hour; hours with nobody are left out."""
    today: DeliveriesToday
    last_broadcast: BroadcastResult | None
    subscribed_by_day: tuple[tuple[dt.date, int], ...]
    """Subscribed readers (active or paused) at the end of each UTC day, oldest first."""
    sent_by_hour: tuple[tuple[dt.datetime, int], ...]
    """Issue messages sent per UTC hour, oldest first, hours with none included."""

    @property
    def subscribed(self) -> int:
        return self.by_status[SubscriberStatus.ACTIVE] + self.by_status[SubscriberStatus.PAUSED]

    def to_json_dict(self) -> dict[str, Any]:
        """The shape ``briefing stats --json`` prints: instants in ISO 8601, hours as ``"08"`` keys."""
        last = self.last_broadcast
        return {
            "at": self.at.isoformat(),
            "subscribers": {status.value: count for status, count in self.by_status.items()},
            "last_days": {"days": GROWTH_DAYS, "new": self.new, "lost": self.lost},
            "readers_by_delivery_hour": {f"{hour:02d}": count for hour, count in sorted(self.by_delivery_hour.items())},
            "deliveries_today": {
                "date": self.today.day.isoformat(),
                "sent": self.today.sent,
                "pending": self.today.pending,
                "failed": self.today.failed,
                "skipped": self.today.skipped,
            },
            "last_broadcast": None
            if last is None
            else {
                "id": last.id,
                "status": last.status.value,
                "finished_at": last.finished_at.isoformat() if last.finished_at else None,
                "recipients": last.recipients,
                "sent": last.sent,
                "failed": last.failed,
                "blocked": last.blocked,
                "skipped": last.skipped,
            },
            "subscribed_by_day": [{"date": day.isoformat(), "subscribed": n} for day, n in self.subscribed_by_day],
            "sent_by_hour": [{"hour": hour.isoformat(), "sent": n} for hour, n in self.sent_by_hour],
        }


async def gather_stats(
    subscribers: SubscriberRepository,
    deliveries: DeliveryRepository,
    broadcasts: BroadcastRepository,
    now: dt.datetime,
    *,
    timezone: ZoneInfo | dt.tzinfo = dt.UTC,
) -> Stats:
    """Read every figure from storage. ``timezone`` decides which issue date is "today"."""
    by_status = await subscribers.count_by_status()
    growth = await subscribers.new_and_lost_since(now - dt.timedelta(days=GROWTH_DAYS))
    today = now.astimezone(timezone).date()
    counts = await deliveries.counts_for_day(today)
    return Stats(
        at=now,
        by_status=by_status,
        new=growth.new,
        lost=growth.lost,
        by_delivery_hour=await subscribers.by_delivery_hour(),
        today=DeliveriesToday(
            day=today,
            sent=counts[DeliveryStatus.SENT],
            pending=counts[DeliveryStatus.PENDING] + counts[DeliveryStatus.SENDING],
            failed=counts[DeliveryStatus.FAILED],
            skipped=counts[DeliveryStatus.SKIPPED],
        ),
        last_broadcast=await _last_broadcast(broadcasts),
        subscribed_by_day=await _subscribed_by_day(
            subscribers, now, by_status[SubscriberStatus.ACTIVE] + by_status[SubscriberStatus.PAUSED]
        ),
        sent_by_hour=await _sent_by_hour(deliveries, now),
    )


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
