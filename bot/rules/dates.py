"""Dates as readers type them (``/digest yesterday``); the names and printed forms are in :mod:`bot.digest.calendar`.

Decisions, so that handlers and help texts agree:

* ISO ``2022-01-07`` (single-digit month and day allowed) is the canonical form.
* Dotted day-first ``7.1.2022`` is accepted: dots mean day.month.year wherever they are used (Russia,
  Germany), while slashes (``1/7/2022``) mean different things in the US and in Europe and are refused.
* A weekday name ("monday", "mon", "last monday") is the most recent such day *before* today: on a
  Monday, "monday" is a week ago, because today's issue is asked for as "today" (or no argument at all).
* A day and month without a year ("January 7", "7 Jan") is the most recent such day on or before today.
* "Friday, January 7, 2022" (what :func:`bot.digest.calendar.format_issue_date` prints) parses back; a weekday that
  contradicts the date makes the phrase nonsense (None) rather than silently picking one of the two.
"""

from __future__ import annotations

import datetime as dt
import re

from bot.digest.calendar import MONTHS, WEEKDAYS

_WEEKDAY_NAMES = {
    **{name.lower(): index for index, name in enumerate(WEEKDAYS)},
    **{name[:3].lower(): index for index, name in enumerate(WEEKDAYS)},
    "tues": 1,
    "weds": 2,
    "thur": 3,
    "thurs": 3,
}
_MONTH_NAMES = {
    **{name.lower(): index + 1 for index, name in enumerate(MONTHS)},
    **{name[:3].lower(): index + 1 for index, name in enumerate(MONTHS)},
    "sept": 9,
}

_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})", re.ASCII)
_DOTTED = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", re.ASCII)
_DAYS_AGO = re.compile(r"(\d{1,3}) days? ago", re.ASCII)
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_MONTH = r"([a-z]+)"
_YEAR = r"(?: (\d{4}))?"
_MONTH_DAY = re.compile(rf"{_MONTH} {_DAY}{_YEAR}", re.ASCII)
_DAY_MONTH = re.compile(rf"{_DAY} {_MONTH}{_YEAR}", re.ASCII)
_NOISE = re.compile(r"[\s,]+")
_YEARS_BACK = 8
"""How far back a yearless "February 29" may look for a leap year."""


def parse_date_phrase(text: str, today: dt.date) -> dt.date | None:
    """The date a reader means by ``text``, relative to ``today``; None when it is not a date.

    ``today`` is passed in (the reader's local date) instead of read from the clock so that the
    answer depends only on the arguments: handlers pass the subscriber's today, tests pass a constant.
    """
    phrase = _NOISE.sub(" ", text.casefold()).strip(" .")
    if not phrase:
        return None
    if phrase == "today":
        return today
    if phrase == "yesterday":
        return today - dt.timedelta(days=1)
    if phrase == "day before yesterday":
        return today - dt.timedelta(days=2)
    if match := _DAYS_AGO.fullmatch(phrase):
        return today - dt.timedelta(days=int(match[1]))
    if match := _ISO.fullmatch(phrase):
        return _make_date(int(match[1]), int(match[2]), int(match[3]))
    if match := _DOTTED.fullmatch(phrase):
        return _make_date(int(match[3]), int(match[2]), int(match[1]))
    weekday_name, _, rest = phrase.partition(" ")
    if weekday_name == "last" and rest in _WEEKDAY_NAMES:
        return _previous_weekday(today, _WEEKDAY_NAMES[rest])
    if phrase in _WEEKDAY_NAMES:
        return _previous_weekday(today, _WEEKDAY_NAMES[phrase])
    if weekday_name in _WEEKDAY_NAMES and rest:
        # "Friday, January 7, 2022": the weekday must agree with the date.
        day = _calendar_phrase(rest, today)
        return day if day is not None and day.weekday() == _WEEKDAY_NAMES[weekday_name] else None
    return _calendar_phrase(phrase, today)


def _calendar_phrase(phrase: str, today: dt.date) -> dt.date | None:
    """ "January 7", "Jan 7 2022", "7 January 2022", "7th jan"."""
    match = _MONTH_DAY.fullmatch(phrase)
    if match:
        month_name, day, year = match[1], match[2], match[3]
    elif match := _DAY_MONTH.fullmatch(phrase):
        day, month_name, year = match[1], match[2], match[3]
    else:
        return None
    month = _MONTH_NAMES.get(month_name)
    if month is None:
        return None
    if year is not None:
        return _make_date(int(year), month, int(day))
    for back in range(_YEARS_BACK + 1):
        candidate = _make_date(today.year - back, month, int(day))
        if candidate is not None and candidate <= today:
            return candidate
    return None


def _previous_weekday(today: dt.date, weekday: int) -> dt.date:
    days_back = (today.weekday() - weekday) % 7 or 7
    return today - dt.timedelta(days=days_back)


def _make_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None
