"""The rows the ``/stats`` queries of the repositories return: growth, most opened, channel totals, sends per hour.

In a module of their own, which nothing but those queries and :mod:`storage.stats` imports, so that they are
built with the first ``/stats`` and not when the bot starts (issue #15): each frozen dataclass costs half a
millisecond to create.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.digest.model import ItemKind


@dataclass(frozen=True, slots=True)
class Growth:
    """Readers gained and lost over a period (the /stats subscribers line)."""

    new: int
    """Joined, or came back after blocking the bot or leaving."""
    lost: int
    """Blocked the bot, left, or asked to be deleted, from active or paused."""


@dataclass(frozen=True, slots=True)
class DayGrowth:
    """Readers gained and lost on one day (the /stats chart)."""

    day: dt.date
    """UTC calendar day."""
    new: int
    lost: int


@dataclass(frozen=True, slots=True)
class TopItem:
    """One of the most opened items, with what the /stats list shows of it."""

    digest_id: int
    position: int
    title: str
    author: str | None
    kind: ItemKind
    date: dt.date | None
    """The issue's date."""
    opens: int


@dataclass(frozen=True, slots=True)
class TopAuthor:
    """An author and how often their pieces were opened."""

    author: str
    opens: int


@dataclass(frozen=True, slots=True)
class ChannelTotals:
    """What ``/stats`` says about the channels: posts made, failed, and reactions counted."""

    issues: int
    broadcasts: int
    failed: int
    reactions: int


@dataclass(frozen=True, slots=True)
class HourCount:
    """Deliveries sent in one UTC hour (the /stats chart)."""

    hour: dt.datetime
    """Start of the UTC hour."""
    count: int
