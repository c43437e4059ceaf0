"""The delivery schedule, with the clock injected: plain days, DST days, pauses and late issues."""

from __future__ import annotations

import datetime as dt
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.rules.clock import ManualClock
from bot.rules.schedule import (
    LatePolicy,
    delivery_day,
    delivery_instant,
    is_late,
    iter_deliveries,
    next_delivery,
    upcoming_deliveries,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("zone", "now", "delivery_time", "expected"),
    [
        ("UTC", utc(2024, 6, 1, 7, 0), dt.time(8, 0), utc(2024, 6, 1, 8, 0)),
        ("UTC", utc(2024, 6, 1, 9, 0), dt.time(8, 0), utc(2024, 6, 2, 8, 0)),
        ("UTC", utc(2024, 12, 31, 23, 59), dt.time(0, 0), utc(2025, 1, 1, 0, 0)),
        ("Europe/Berlin", utc(2024, 1, 10, 5, 0), dt.time(8, 0), utc(2024, 1, 10, 7, 0)),
        ("Europe/Berlin", utc(2024, 6, 1, 5, 0), dt.time(8, 0), utc(2024, 6, 1, 6, 0)),
        ("America/New_York", utc(2024, 1, 10, 12, 0), dt.time(8, 0), utc(2024, 1, 10, 13, 0)),
        ("America/New_York", utc(2024, 7, 10, 11, 0), dt.time(8, 0), utc(2024, 7, 10, 12, 0)),
        # 03:00 UTC is 23:00 the previous evening in New York: today's 22:00 has gone, tomorrow's is next.
        ("America/New_York", utc(2024, 7, 11, 3, 0), dt.time(22, 0), utc(2024, 7, 12, 2, 0)),
        ("Asia/Kolkata", utc(2024, 1, 10, 0, 0), dt.time(8, 0), utc(2024, 1, 10, 2, 30)),
        ("Asia/Kolkata", utc(2024, 1, 10, 2, 30), dt.time(8, 0), utc(2024, 1, 11, 2, 30)),
        ("Australia/Lord_Howe", utc(2024, 6, 10, 0, 0), dt.time(8, 0), utc(2024, 6, 10, 21, 30)),  # +10:30
        ("Australia/Lord_Howe", utc(2024, 1, 10, 0, 0), dt.time(8, 0), utc(2024, 1, 10, 21, 0)),  # +11:00
        ("Pacific/Chatham", utc(2024, 6, 10, 0, 0), dt.time(8, 0), utc(2024, 6, 10, 19, 15)),  # +12:45
        ("Pacific/Chatham", utc(2024, 1, 10, 0, 0), dt.time(8, 0), utc(2024, 1, 10, 18, 15)),  # +13:45
    ],
)
def test_plain_days(zone: str, now: dt.datetime, delivery_time: dt.time, expected: dt.datetime) -> None:
    result = next_delivery(now, delivery_time, ZoneInfo(zone))
    assert result == expected
    assert result.tzinfo is dt.UTC


def test_plain_day_after_midnight_utc_in_berlin() -> None:
    # 22:30 UTC on 1 June is 00:30 on 2 June in Berlin: 00:15 on the 2nd has passed.
    assert next_delivery(utc(2024, 6, 1, 22, 30), dt.time(0, 15), BERLIN) == utc(2024, 6, 2, 22, 15)


@pytest.mark.parametrize(
    ("zone", "now", "delivery_time", "expected"),
    [
        # Europe/Berlin, 31 March 2024: 02:00-02:59 does not exist; the first instant after is 03:00 CEST.
        ("Europe/Berlin", utc(2024, 3, 30, 12), dt.time(2, 30), utc(2024, 3, 31, 1, 0)),
        ("Europe/Berlin", utc(2024, 3, 30, 12), dt.time(2, 0), utc(2024, 3, 31, 1, 0)),
        ("Europe/Berlin", utc(2024, 3, 30, 12), dt.time(2, 59), utc(2024, 3, 31, 1, 0)),
        ("Europe/Berlin", utc(2024, 3, 30, 12), dt.time(3, 0), utc(2024, 3, 31, 1, 0)),
        ("Europe/Berlin", utc(2024, 3, 30, 12), dt.time(1, 59), utc(2024, 3, 31, 0, 59)),
        # America/New_York, 10 March 2024: 02:00-02:59 does not exist.
        ("America/New_York", utc(2024, 3, 9, 12), dt.time(2, 30), utc(2024, 3, 10, 7, 0)),
        # Australia/Lord_Howe springs forward half an hour, 02:00 to 02:30, on 6 October 2024.
        ("Australia/Lord_Howe", utc(2024, 10, 5, 0), dt.time(2, 15), utc(2024, 10, 5, 15, 30)),
        # Pacific/Chatham springs from 02:45 to 03:45 on 29 September 2024.
        ("Pacific/Chatham", utc(2024, 9, 28, 0), dt.time(3, 0), utc(2024, 9, 28, 14, 0)),
    ],
)
def test_nonexistent_time_is_delivered_at_the_end_of_the_gap(
    zone: str, now: dt.datetime, delivery_time: dt.time, expected: dt.datetime
) -> None:
    assert next_delivery(now, delivery_time, ZoneInfo(zone)) == expected


@pytest.mark.parametrize(
    ("zone", "now", "delivery_time", "first", "second"),
    [
        # Europe/Berlin, 27 October 2024: 02:30 happens at 00:30 UTC (CEST) and again at 01:30 UTC (CET).
        ("Europe/Berlin", utc(2024, 10, 26, 12), dt.time(2, 30), utc(2024, 10, 27, 0, 30), utc(2024, 10, 27, 1, 30)),
        ("America/New_York", utc(2024, 11, 2, 12), dt.time(1, 30), utc(2024, 11, 3, 5, 30), utc(2024, 11, 3, 6, 30)),
        ("Australia/Lord_Howe", utc(2024, 4, 6, 0), dt.time(1, 45), utc(2024, 4, 6, 14, 45), utc(2024, 4, 6, 15, 15)),
        ("Pacific/Chatham", utc(2024, 4, 6, 0), dt.time(3, 0), utc(2024, 4, 6, 13, 15), utc(2024, 4, 6, 14, 15)),
    ],
)
def test_ambiguous_time_is_delivered_once_at_its_first_occurrence(
    zone: str, now: dt.datetime, delivery_time: dt.time, first: dt.datetime, second: dt.datetime
) -> None:
    tz = ZoneInfo(zone)
    assert next_delivery(now, delivery_time, tz) == first
    # Between the two occurrences, and at the second, the day is done: the next delivery is tomorrow.
    tomorrow = next_delivery(first, delivery_time, tz)
    assert delivery_day(tomorrow, tz) == delivery_day(first, tz) + dt.timedelta(days=1)
    assert next_delivery(first + (second - first) / 2, delivery_time, tz) == tomorrow
    assert next_delivery(second, delivery_time, tz) == tomorrow


def test_now_exactly_at_the_delivery_instant_means_tomorrow() -> None:
    instant = utc(2024, 6, 1, 6, 0)  # 08:00 CEST
    assert next_delivery(instant, dt.time(8, 0), BERLIN) == utc(2024, 6, 2, 6, 0)
    assert next_delivery(instant - dt.timedelta(microseconds=1), dt.time(8, 0), BERLIN) == instant


def test_now_in_any_zone_gives_the_same_answer() -> None:
    now = utc(2024, 6, 1, 5, 0)
    assert next_delivery(now.astimezone(NEW_YORK), dt.time(8, 0), BERLIN) == next_delivery(now, dt.time(8, 0), BERLIN)


def test_delivery_time_tzinfo_and_fold_are_ignored() -> None:
    plain = next_delivery(utc(2024, 10, 26, 12), dt.time(2, 30), BERLIN)
    assert next_delivery(utc(2024, 10, 26, 12), dt.time(2, 30, fold=1, tzinfo=dt.UTC), BERLIN) == plain


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        next_delivery(dt.datetime(2024, 6, 1, 5), dt.time(8), BERLIN)
    with pytest.raises(ValueError, match="timezone-aware"):
        next_delivery(utc(2024, 6, 1), dt.time(8), BERLIN, paused_until=dt.datetime(2024, 6, 3))


def test_paused_until() -> None:
    now = utc(2024, 6, 1, 5, 0)
    at_eight = dt.time(8, 0)
    # Until the 4th at 10:00 CEST: the 4th's 08:00 is within the pause, the 5th's is the first after it.
    assert next_delivery(now, at_eight, BERLIN, paused_until=utc(2024, 6, 4, 8, 0)) == utc(2024, 6, 5, 6, 0)
    # A pause that ends exactly at a delivery instant lets that delivery through.
    assert next_delivery(now, at_eight, BERLIN, paused_until=utc(2024, 6, 4, 6, 0)) == utc(2024, 6, 4, 6, 0)
    # A pause already over changes nothing.
    assert next_delivery(now, at_eight, BERLIN, paused_until=utc(2024, 5, 1)) == utc(2024, 6, 1, 6, 0)
    # Strictly after now still holds when the pause ends exactly now.
    assert next_delivery(utc(2024, 6, 1, 6, 0), at_eight, BERLIN, paused_until=utc(2024, 6, 1, 6, 0)) == utc(
        2024, 6, 2, 6, 0
    )


def test_pause_ending_on_the_spring_forward_day() -> None:
    assert next_delivery(utc(2024, 3, 20), dt.time(2, 30), BERLIN, paused_until=utc(2024, 3, 30, 12)) == utc(
        2024, 3, 31, 1, 0
    )


def test_rescheduling_with_a_manual_clock_across_both_dst_changes() -> None:
    """What the delivery engine does: deliver, then ask for the next one from the clock's now."""
    clock = ManualClock(utc(2024, 3, 29, 12))
    due = next_delivery(clock.now(), dt.time(2, 30), BERLIN)
    seen = []
    while due < utc(2024, 11, 1):
        clock.set(due + dt.timedelta(seconds=20))  # the tick runs a little after the instant
        seen.append(due)
        due = next_delivery(clock.now(), dt.time(2, 30), BERLIN)
    days = [delivery_day(instant, BERLIN) for instant in seen]
    assert days == [dt.date(2024, 3, 30) + dt.timedelta(days=n) for n in range(len(days))]
    assert seen[1] == utc(2024, 3, 31, 1, 0)  # spring forward: 03:00 CEST
    assert utc(2024, 10, 27, 0, 30) in seen  # fall back: the first 02:30
    assert utc(2024, 10, 27, 1, 30) not in seen


@pytest.mark.parametrize("tz", [BERLIN, NEW_YORK], ids=str)
def test_exactly_one_delivery_per_local_day_for_every_quarter_hour_over_a_year(tz: ZoneInfo) -> None:
    start = utc(2023, 12, 31, 12)
    first_day, days = dt.date(2024, 1, 1), 366
    for quarter in range(24 * 4):
        delivery_time = dt.time(quarter // 4, quarter % 4 * 15)
        instants = upcoming_deliveries(start, delivery_time, tz, days + 2)
        in_2024 = [instant for instant in instants if delivery_day(instant, tz).year == 2024]
        assert [delivery_day(instant, tz) for instant in in_2024] == [
            first_day + dt.timedelta(days=n) for n in range(days)
        ], delivery_time
        for instant in in_2024:
            local = instant.astimezone(tz)
            if local.time() != delivery_time:
                # Only a time swallowed by the spring-forward gap moves, and only to the gap's end.
                assert local.time() == dt.time(3, 0), (delivery_time, local)
                assert delivery_instant(local.date(), delivery_time, tz) == instant
            else:
                # An ambiguous time is taken at its first occurrence: an earlier reading does not exist.
                assert (instant - dt.timedelta(hours=1)).astimezone(tz).replace(tzinfo=None) != local.replace(
                    tzinfo=None
                )
        gaps = {later - earlier for earlier, later in pairwise(in_2024)}
        assert min(gaps) >= dt.timedelta(hours=23) and max(gaps) <= dt.timedelta(hours=25), delivery_time


ZONES = [
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Asia/Kolkata",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "America/Nuuk",
    "America/St_Johns",
    "America/Santiago",
    "Asia/Tehran",
]


@settings(max_examples=300, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    now=st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2037, 12, 31), timezones=st.just(dt.UTC)),
    delivery_time=st.times(),
)
def test_next_delivery_is_the_first_one_after_now(zone: str, now: dt.datetime, delivery_time: dt.time) -> None:
    tz = ZoneInfo(zone)
    result = next_delivery(now, delivery_time, tz)
    assert result > now
    assert result - now <= dt.timedelta(days=2)
    day = delivery_day(result, tz)
    # The previous day's delivery (resolved by the same rules) is not after now, so none was skipped.
    assert delivery_instant(day - dt.timedelta(days=1), delivery_time, tz) <= now
    assert delivery_instant(day, delivery_time, tz) == result


@settings(max_examples=200, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    now=st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2037, 12, 31), timezones=st.just(dt.UTC)),
    pause=st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=30)),
    delivery_time=st.times(),
)
def test_paused_delivery_is_the_first_one_at_or_after_the_pause(
    zone: str, now: dt.datetime, pause: dt.timedelta, delivery_time: dt.time
) -> None:
    tz = ZoneInfo(zone)
    paused_until = now + pause
    result = next_delivery(now, delivery_time, tz, paused_until=paused_until)
    assert result > now and result >= paused_until
    unpaused = next_delivery(now, delivery_time, tz)
    assert result == unpaused or next_delivery(paused_until - dt.timedelta(microseconds=1), delivery_time, tz) == result


def test_gap_ending_at_midnight_still_delivers_that_day() -> None:
    """America/Nuuk springs from 23:00 Saturday to 00:00 Sunday: 23:30 Saturday goes out at 00:00 Sunday."""
    nuuk = ZoneInfo("America/Nuuk")
    instants = upcoming_deliveries(utc(2025, 3, 28, 12), dt.time(23, 30), nuuk, 3)
    assert instants == [utc(2025, 3, 29, 1, 30), utc(2025, 3, 30, 1, 0), utc(2025, 3, 31, 0, 30)]
    assert instants[1].astimezone(nuuk).time() == dt.time(0, 0)


def test_a_skipped_calendar_day_is_delivered_at_the_start_of_the_next() -> None:
    """Samoa skipped 30 December 2011; that day's delivery goes out as 31 December begins."""
    apia = ZoneInfo("Pacific/Apia")
    instants = upcoming_deliveries(utc(2011, 12, 29), dt.time(8, 0), apia, 3)
    assert [instant.astimezone(apia).replace(tzinfo=None) for instant in instants] == [
        dt.datetime(2011, 12, 29, 8, 0),
        dt.datetime(2011, 12, 31, 0, 0),
        dt.datetime(2011, 12, 31, 8, 0),
    ]


def test_upcoming_and_iter_deliveries() -> None:
    now = utc(2024, 6, 1, 5, 0)
    assert upcoming_deliveries(now, dt.time(8), BERLIN, 0) == []
    three = upcoming_deliveries(now, dt.time(8), BERLIN, 3)
    assert three == [utc(2024, 6, 1, 6), utc(2024, 6, 2, 6), utc(2024, 6, 3, 6)]
    walker = iter_deliveries(now, dt.time(8), BERLIN, paused_until=utc(2024, 6, 2, 7))
    assert [next(walker), next(walker)] == [utc(2024, 6, 3, 6), utc(2024, 6, 4, 6)]


def test_delivery_day_is_the_local_date() -> None:
    assert delivery_day(utc(2024, 6, 1, 22, 30), BERLIN) == dt.date(2024, 6, 2)
    assert delivery_day(utc(2024, 6, 1, 2, 30), NEW_YORK) == dt.date(2024, 5, 31)
    assert delivery_day(utc(2024, 6, 1, 12), ZoneInfo("UTC")) == dt.date(2024, 6, 1)
    with pytest.raises(ValueError, match="timezone-aware"):
        delivery_day(dt.datetime(2024, 6, 1), BERLIN)


@pytest.mark.parametrize(
    ("published_at", "delivery_time", "zone", "late"),
    [
        (utc(2024, 6, 1, 5, 59), dt.time(8, 0), "Europe/Berlin", False),  # 07:59 CEST, before 08:00
        (utc(2024, 6, 1, 6, 0), dt.time(8, 0), "Europe/Berlin", True),  # exactly at the delivery instant
        (utc(2024, 6, 1, 10, 0), dt.time(8, 0), "Europe/Berlin", True),
        (utc(2024, 6, 1, 22, 30), dt.time(8, 0), "Europe/Berlin", False),  # 00:30 on the 2nd: a new day
        (utc(2024, 6, 1, 23, 0), dt.time(22, 0), "UTC", True),
        (utc(2024, 6, 1, 2, 0), dt.time(21, 0), "America/New_York", True),  # 22:00 EDT on 31 May
        (utc(2024, 6, 1, 12, 0), dt.time(21, 0), "America/New_York", False),
        (utc(2024, 1, 10, 2, 0), dt.time(8, 0), "Asia/Kolkata", False),  # 07:30 IST
        (utc(2024, 1, 10, 3, 0), dt.time(8, 0), "Asia/Kolkata", True),
        # Spring forward in Berlin: the 02:30 reader is served at 03:00 CEST (01:00 UTC).
        (utc(2024, 3, 31, 0, 59), dt.time(2, 30), "Europe/Berlin", False),
        (utc(2024, 3, 31, 1, 0), dt.time(2, 30), "Europe/Berlin", True),
        # Fall back: after the first 02:30 the reader's time has passed, even if the clock shows 02:15 again.
        (utc(2024, 10, 27, 1, 15), dt.time(2, 30), "Europe/Berlin", True),
        (utc(2024, 10, 27, 0, 15), dt.time(2, 30), "Europe/Berlin", False),
    ],
)
def test_is_late(published_at: dt.datetime, delivery_time: dt.time, zone: str, late: bool) -> None:
    assert is_late(published_at, delivery_time, ZoneInfo(zone)) is late


def test_is_late_refuses_naive_times() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        is_late(dt.datetime(2024, 6, 1, 10), dt.time(8), BERLIN)


def test_late_policy_matches_the_setting_values() -> None:
    assert LatePolicy("send") is LatePolicy.SEND
    assert LatePolicy("skip") is LatePolicy.SKIP
    assert [policy.value for policy in LatePolicy] == ["send", "skip"]
