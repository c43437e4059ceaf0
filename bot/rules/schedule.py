"""When a reader's daily digest is due, as UTC instants the delivery tick can compare with ``now``.

Readers choose a wall-clock time in their own timezone; storage keeps the next matching instant in UTC
(``next_delivery_at``) so that the tick is one indexed query. Everything here is pure: ``now`` is always
passed in, so DST days are tested by choosing the date, not by waiting for March.

DST rules, the same for every zone (tzdata decides when the clocks change):

* **Spring forward** (a wall time that does not exist, e.g. 02:30 in Europe/Berlin on the last Sunday of
  March): the digest goes out at the first instant after the gap, 03:00 local. It is late, never skipped.
* **Fall back** (a wall time that happens twice, e.g. 02:30 in Europe/Berlin on the last Sunday of
  October): the digest goes out once, at the first occurrence (``fold=0``, still summer time).
* **Exactly one delivery per local calendar day**: every local date resolves to one instant, and the
  instants only ever move forward. One rare case bends the wall-clock reading of this rule: where the
  gap ends at midnight (America/Nuuk since 2023 springs from 23:00 Saturday to 00:00 Sunday), a
  23:30 delivery goes out at 00:00 Sunday, the first instant after the gap, and Sunday then has its own
  23:30 delivery too. The alternative, dropping Saturday, would leave the reader 47 hours without a
  digest; a second push the same day sends nothing unless a new issue has appeared, because readers
  only ever get issues they have not received.

Arithmetic is done on wall-clock dates and only then converted: adding a ``timedelta`` to an aware
datetime in a ``ZoneInfo`` zone is wall-time arithmetic and would give 23- and 25-hour "days" the wrong
way round.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from enum import StrEnum
from itertools import islice

ONE_DAY = dt.timedelta(days=1)


class LatePolicy(StrEnum):
    """What to do with an issue published after a reader's delivery time has passed that day.

    Mirrors the ``LATE_ISSUE_POLICY`` setting: ``send`` pushes it to them on publication, ``skip`` leaves
    it for their next regular delivery (where a newer issue may replace it).
    """

    SEND = "send"
    SKIP = "skip"


def next_delivery(
    now: dt.datetime,
    delivery_time: dt.time,
    tz: dt.tzinfo,
    *,
    paused_until: dt.datetime | None = None,
) -> dt.datetime:
    """The first instant strictly after ``now`` (and at or after ``paused_until``) when it is ``delivery_time``.

    Args:
        now: The current instant, timezone-aware (any zone).
        delivery_time: The reader's wall-clock time; its ``tzinfo`` and ``fold`` are ignored.
        tz: The reader's timezone, normally a ``ZoneInfo``.
        paused_until: While paused, nothing is due before this aware instant; a delivery exactly at it is.

    Returns:
        An aware datetime in UTC. See the module docstring for the DST rules.

    Strictly after, because the delivery engine calls this with the instant it just delivered for.
    """
    _require_aware(now, "now")
    earliest = now
    if paused_until is not None:
        _require_aware(paused_until, "paused_until")
        earliest = max(now, paused_until)
    # Start a day early: the previous date's delivery can land after midnight when a gap ends there.
    day = earliest.astimezone(tz).date() - ONE_DAY
    while True:
        instant = delivery_instant(day, delivery_time, tz)
        if instant > now and (paused_until is None or instant >= paused_until):
            return instant
        day += ONE_DAY


def delivery_instant(day: dt.date, delivery_time: dt.time, tz: dt.tzinfo) -> dt.datetime:
    """The UTC instant of the delivery that belongs to local date ``day``, in UTC.

    Applies the DST rules of the module docstring: a nonexistent time moves to the end of the gap, an
    ambiguous one takes its first occurrence.
    """
    wall = dt.datetime.combine(day, delivery_time.replace(tzinfo=None, fold=0))
    # fold=0 picks the first occurrence of an ambiguous time (PEP 495).
    instant = wall.replace(tzinfo=tz).astimezone(dt.UTC)
    if instant.astimezone(tz).replace(tzinfo=None) != wall:
        instant = _end_of_gap(wall, tz)
    return instant


def delivery_day(instant: dt.datetime, tz: dt.tzinfo) -> dt.date:
    """The reader's local date at ``instant``: which day's issue a delivery at that moment belongs to."""
    _require_aware(instant, "instant")
    return instant.astimezone(tz).date()


def is_late(published_at: dt.datetime, delivery_time: dt.time, tz: dt.tzinfo) -> bool:
    """Whether the reader's delivery today (their local date at publication) had already come when the issue appeared.

    Exactly at the delivery instant counts as late: the tick for that minute may already have run, and
    sending is idempotent per issue, so erring this way never loses an issue under ``LatePolicy.SEND``.
    """
    _require_aware(published_at, "published_at")
    today = published_at.astimezone(tz).date()
    return published_at >= delivery_instant(today, delivery_time, tz)


def upcoming_deliveries(
    now: dt.datetime,
    delivery_time: dt.time,
    tz: dt.tzinfo,
    count: int,
    *,
    paused_until: dt.datetime | None = None,
) -> list[dt.datetime]:
    """The next ``count`` deliveries after ``now``, for ``/mydata`` and for tests that walk a whole year."""
    return list(islice(iter_deliveries(now, delivery_time, tz, paused_until=paused_until), count))


def iter_deliveries(
    now: dt.datetime,
    delivery_time: dt.time,
    tz: dt.tzinfo,
    *,
    paused_until: dt.datetime | None = None,
) -> Iterator[dt.datetime]:
    """Deliveries after ``now``, endlessly, each computed from the previous one the way the delivery engine does."""
    instant = next_delivery(now, delivery_time, tz, paused_until=paused_until)
    while True:
        yield instant
        instant = next_delivery(instant, delivery_time, tz)


def _end_of_gap(wall: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    """The first instant after the spring-forward gap that swallowed the nonexistent wall time ``wall``.

    zoneinfo does not expose its transitions, but PEP 495 brackets this one: ``fold=1`` reads ``wall``
    with the offset after the change (an instant before it) and ``fold=0`` with the offset before
    (an instant after it). tzdata transitions fall on whole seconds, so a binary search finds it exactly.
    """
    before = wall.replace(tzinfo=tz, fold=1).astimezone(dt.UTC)
    after = wall.replace(tzinfo=tz, fold=0).astimezone(dt.UTC)
    if before > after:
        before, after = after, before
    offset_after = after.astimezone(tz).utcoffset()
    low, high = 0, int((after - before).total_seconds())
    # Invariant: the offset at ``before + high`` is the new one, at ``before + low`` it is not.
    while high - low > 1:
        middle = (low + high) // 2
        if (before + dt.timedelta(seconds=middle)).astimezone(tz).utcoffset() == offset_after:
            high = middle
        else:
            low = middle
    return before + dt.timedelta(seconds=high)


def _require_aware(value: dt.datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {value!r}")
