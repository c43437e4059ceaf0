import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.digest.calendar import format_issue_date, format_short_date
from bot.rules.dates import parse_date_phrase

FRIDAY = dt.date(2022, 1, 7)
MONDAY = dt.date(2022, 1, 10)


@pytest.mark.parametrize(
    ("phrase", "today", "expected"),
    [
        ("2022-01-07", MONDAY, FRIDAY),
        ("2022-1-7", MONDAY, FRIDAY),
        (" 2022-01-07 ", MONDAY, FRIDAY),
        ("7.1.2022", MONDAY, FRIDAY),
        ("07.01.2022", MONDAY, FRIDAY),
        ("today", FRIDAY, FRIDAY),
        ("Today", FRIDAY, FRIDAY),
        ("yesterday", dt.date(2022, 1, 8), FRIDAY),
        ("YESTERDAY", dt.date(2022, 1, 1), dt.date(2021, 12, 31)),
        ("day before yesterday", dt.date(2022, 1, 9), FRIDAY),
        ("3 days ago", MONDAY, FRIDAY),
        ("friday", MONDAY, FRIDAY),
        ("Fri", MONDAY, FRIDAY),
        ("last friday", MONDAY, FRIDAY),
        ("monday", MONDAY, dt.date(2022, 1, 3)),  # on a Monday, "monday" is a week ago
        ("sunday", MONDAY, dt.date(2022, 1, 9)),
        ("tues", MONDAY, dt.date(2022, 1, 4)),
        ("January 7", MONDAY, FRIDAY),
        ("january 7th", MONDAY, FRIDAY),
        ("Jan 7", MONDAY, FRIDAY),
        ("7 January", MONDAY, FRIDAY),
        ("7 January 2022", dt.date(2030, 1, 1), FRIDAY),
        ("Jan 7 2022", dt.date(2030, 1, 1), FRIDAY),
        ("January 7, 2022", dt.date(2030, 1, 1), FRIDAY),
        ("Friday, January 7, 2022", dt.date(2030, 1, 1), FRIDAY),
        ("December 31", MONDAY, dt.date(2021, 12, 31)),  # no year: the most recent one
        ("Feb 29", dt.date(2023, 6, 1), dt.date(2020, 2, 29)),
        ("sept 1", dt.date(2023, 9, 1), dt.date(2023, 9, 1)),
    ],
)
def test_phrases(phrase: str, today: dt.date, expected: dt.date) -> None:
    assert parse_date_phrase(phrase, today) == expected


@pytest.mark.parametrize(
    "phrase",
    [
        "",
        "   ",
        "tomorrow please",
        "2022-02-30",
        "2022-13-01",
        "0000-01-01",
        "31.2.2022",
        "1/7/2022",  # US or European? refused rather than guessed
        "January 32",
        "Smarch 7",
        "monday january",
        "Thursday, January 7, 2022",  # the weekday contradicts the date
        "last",
        "days ago",
        "٢٠٢٢-٠١-٠٧",  # non-ASCII digits
        "2022-01-07T10:00",
    ],
)
def test_nonsense(phrase: str) -> None:
    assert parse_date_phrase(phrase, MONDAY) is None


def test_format_issue_date() -> None:
    assert format_issue_date(FRIDAY) == "Friday, January 7, 2022"
    assert format_short_date(FRIDAY) == "Jan 7, 2022"


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_printed_dates_parse_back(day: dt.date) -> None:
    assert parse_date_phrase(format_issue_date(day), MONDAY) == day
    assert parse_date_phrase(format_short_date(day), MONDAY) == day
    assert parse_date_phrase(day.isoformat(), MONDAY) == day
