"""Quiet hours: reading /quiet, spans across midnight, and when they end under DST."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.rules.preferences import PreferenceError
from bot.rules.quiet import QuietHours, parse_quiet_hours

BERLIN = ZoneInfo("Europe/Berlin")


def t(hhmm: str) -> dt.time:
    return dt.time.fromisoformat(hhmm)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [("22:00-07:00", "22:00", "07:00"), ("10pm to 7am", "22:00", "07:00"), ("23 - 6", "23:00", "06:00"),
     ("00:00–23:59", "00:00", "23:59"), ("13:30 until 14:00", "13:30", "14:00")],
)  # fmt: skip
def test_spans_are_read_in_the_forms_people_type(text: str, start: str, end: str) -> None:
    assert parse_quiet_hours(text) == QuietHours(t(start), t(end))


@pytest.mark.parametrize("text", ["off", "OFF", "none"])
def test_off_switches_them_off(text: str) -> None:
    assert parse_quiet_hours(text) is None


@pytest.mark.parametrize("text", ["", "tonight", "22:00", "25:00-07:00", "07:00-07:00"])
def test_unreadable_spans_say_what_works(text: str) -> None:
    with pytest.raises(PreferenceError, match="/quiet 22:00-07:00"):
        parse_quiet_hours(text)


def test_a_span_across_midnight_includes_its_start_and_excludes_its_end() -> None:
    night = QuietHours(t("22:00"), t("07:00"))
    assert [night.contains(t(x)) for x in ("21:59", "22:00", "23:59", "00:00", "06:59", "07:00", "12:00")] == [
        False, True, True, True, True, False, False,
    ]  # fmt: skip
    day = QuietHours(t("13:00"), t("14:00"))
    assert [day.contains(t(x)) for x in ("12:59", "13:00", "13:59", "14:00")] == [False, True, True, False]


def test_quiet_is_judged_in_the_readers_zone() -> None:
    night = QuietHours(t("22:00"), t("07:00"))
    instant = dt.datetime(2026, 3, 2, 21, 30, tzinfo=dt.UTC)  # 22:30 in Berlin
    assert night.is_quiet(instant, BERLIN)
    assert not night.is_quiet(instant, dt.UTC)


def test_quiet_hours_end_at_the_next_local_end_even_across_a_dst_change() -> None:
    night = QuietHours(t("22:00"), t("07:00"))
    # The night of 28-29 March 2026: Berlin moves from UTC+1 to UTC+2 at 02:00.
    before = dt.datetime(2026, 3, 28, 22, 30, tzinfo=BERLIN)
    assert night.ends_after(before, BERLIN) == dt.datetime(2026, 3, 29, 5, 0, tzinfo=dt.UTC)
    # An end the clocks skip (02:30 that night) comes when they resume, at 03:00 local.
    gap = QuietHours(t("23:00"), t("02:30"))
    assert gap.ends_after(before, BERLIN) == dt.datetime(2026, 3, 29, 1, 0, tzinfo=dt.UTC)


def test_equal_ends_are_refused() -> None:
    with pytest.raises(ValueError):
        QuietHours(t("07:00"), t("07:00"))
