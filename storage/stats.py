"""The figures behind ``/stats`` and ``briefing stats``, as plain values: what storage counted at one moment.

They live beside the queries so that the use case that gathers them (:mod:`bot.features.stats`) and the
renderers that show them as text, JSON or a chart (:mod:`bot.render.editor`, :mod:`bot.render.charts`) share
one definition without the renderers depending on the use case.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from storage.broadcasts import BroadcastStatus
from storage.figures import ChannelTotals, TopAuthor, TopItem
from storage.subscribers import SubscriberStatus

GROWTH_DAYS = 7
""""New and lost" looks back this many days."""
HISTORY_DAYS = 30
"""The subscribers-over-time chart covers this many days, today included."""
HOURLY_HOURS = 24
"""The deliveries-per-hour chart covers this many hours, the current one included."""
TOP_DAYS = 7
"""The most opened pieces and authors are those of the last this many days, today included."""


@dataclass(frozen=True, slots=True)
class DeliveriesToday:
    """Outcomes of today's issue deliveries; ``pending`` includes the ones in flight, not the stuck ones."""

    day: dt.date
    sent: int
    pending: int
    failed: int
    skipped: int
    retrying: int = 0
    """Stuck: failed for a reason that may pass (network, 5xx, a rejected token) and waiting to be retried."""
    last_error: str | None = None
    """The latest error among the stuck ones."""


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


FORECAST_HOURS = 24
"""The delivery forecast covers the slots of this many hours ahead."""
FORECAST_SLOTS = 8
"""Slots listed (the largest, in time order); every slot over the lag limit is warned about in any case."""


@dataclass(frozen=True, slots=True)
class SlotForecast:
    """One upcoming delivery slot: readers due at one instant, and when the last of them will have it."""

    due_at: dt.datetime
    readers: int
    messages: int
    finish_at: dt.datetime
    """At the configured rate, after everything queued before it."""

    @property
    def last_wait(self) -> dt.timedelta:
        return self.finish_at - self.due_at


@dataclass(frozen=True, slots=True)
class SlotLag:
    """How long readers of one past slot waited: due time to sent, from the delivery log."""

    due_at: dt.datetime
    sent: int
    p50: dt.timedelta
    p95: dt.timedelta
    worst: dt.timedelta


@dataclass(frozen=True, slots=True)
class Forecast:
    rate: float
    """Messages per second the forecast assumes (DELIVERY_RATE)."""
    lag_warn: dt.timedelta
    backlog: int
    """Messages already queued when the forecast was made."""
    slots: tuple[SlotForecast, ...]
    over: tuple[SlotForecast, ...]
    """Slots whose last reader would wait more than ``lag_warn``."""
    yesterday: dt.date
    yesterday_lag: tuple[SlotLag, ...]

    def to_json_dict(self) -> dict[str, Any]:
        def slot(s: SlotForecast) -> dict[str, Any]:
            return {
                "due_at": s.due_at.isoformat(),
                "readers": s.readers,
                "messages": s.messages,
                "finish_at": s.finish_at.isoformat(),
                "last_wait_s": int(s.last_wait.total_seconds()),
            }

        return {
            "rate_per_s": self.rate,
            "lag_warn_s": int(self.lag_warn.total_seconds()),
            "backlog_messages": self.backlog,
            "slots": [slot(s) for s in self.slots],
            "over_lag_warn": [slot(s) for s in self.over],
            "yesterday": self.yesterday.isoformat(),
            "yesterday_lag": [
                {
                    "due_at": lag.due_at.isoformat(),
                    "sent": lag.sent,
                    "p50_s": int(lag.p50.total_seconds()),
                    "p95_s": int(lag.p95.total_seconds()),
                    "max_s": int(lag.worst.total_seconds()),
                }
                for lag in self.yesterday_lag
            ],
        }


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
    forecast: Forecast | None = None
    """The delivery forecast per upcoming slot and yesterday's lag (None when not asked for)."""
    channels: ChannelTotals | None = None
    """Posts to the publisher's channels, counted apart from readers; None when no channel is configured."""
    top_items: tuple[TopItem, ...] = ()
    """The pieces opened most in the last :data:`TOP_DAYS` days."""
    top_authors: tuple[TopAuthor, ...] = ()
    groups: int = 0
    """Active subscribers that are groups or supergroups (counted among the readers too)."""
    timezone: dt.tzinfo = dt.UTC
    """The publisher's (DEFAULT_TIMEZONE): it decided "today" and "yesterday", and the text shows times there."""

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
                "retrying": self.today.retrying,
                "last_error": self.today.last_error,
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
            "delivery_forecast": None if self.forecast is None else self.forecast.to_json_dict(),
            "groups": self.groups,
            "channel_posts": None
            if self.channels is None
            else {
                "issues": self.channels.issues,
                "broadcasts": self.channels.broadcasts,
                "failed": self.channels.failed,
                "reactions": self.channels.reactions,
            },
            "top_items": [
                {
                    "title": item.title,
                    "author": item.author,
                    "kind": item.kind.value,
                    "date": item.date.isoformat() if item.date else None,
                    "opens": item.opens,
                }
                for item in self.top_items
            ],
            "top_authors": [{"author": author.author, "opens": author.opens} for author in self.top_authors],
        }
