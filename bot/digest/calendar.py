"""English names of days and months, and the two ways the bot prints a date.

Spelled out here rather than taken from ``strftime("%A")``: those follow the process locale, and a server
started with ``LANG=ru_RU`` must not start printing "пятница" in an English digest. The parser reads the
same names back (:mod:`bot.rules.dates` for what readers type).
"""

from __future__ import annotations

import datetime as dt

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def format_issue_date(day: dt.date) -> str:
    """The date as an issue's masthead prints it: "Friday, January 7, 2022"."""
    return f"{WEEKDAYS[day.weekday()]}, {MONTHS[day.month - 1]} {day.day}, {day.year}"


def format_short_date(day: dt.date) -> str:
    """A compact date for lists (archive, search hits, authors): "Jan 7, 2022"."""
    return f"{MONTHS[day.month - 1][:3]} {day.day}, {day.year}"
