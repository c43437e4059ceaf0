"""Issue dates as newsletters print them: "Friday, January 7, 2022", "7 January 2022", "2022-01-07".

Reading only: the date line this project writes back comes from :func:`bot.rules.dates.format_issue_date`.
A match that names no real day ("February 30, 2021", "0000-00-00") is reported as impossible, so that the
parser can warn about it instead of silently leaving the issue undated.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from types import MappingProxyType

_MONTHS = MappingProxyType({
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10,
    "nov": 11, "dec": 12,
})  # fmt: skip
_MONTH = "(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\b"
_WEEKDAY = (
    r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|tues|thurs|thur|mon|tue|wed|thu|fri|sat|sun)\b\.?"
)
DATE_RE = re.compile(
    rf"(?P<weekday>{_WEEKDAY},?\s+)?(?:"
    rf"(?P<m1>{_MONTH})\.?\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y1>\d{{4}})"
    rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>{_MONTH})\.?,?\s+(?P<y2>\d{{4}})"
    rf"|(?P<y3>\d{{4}})-(?P<m3>\d{{2}})-(?P<d3>\d{{2}})"
    r")(?!\d)",
    re.IGNORECASE,
)
_URL_DATE_RE = re.compile(r"/(?P<y>(?:19|20)\d{2})[/-](?P<m>\d{1,2})[/-](?P<d>\d{1,2})(?=[/_.-]|$)")
_DATE_LINE_TRIM = " \t.,;:*_|—–-"


@dataclass(frozen=True, slots=True)
class FoundDate:
    """A date printed in the text: the day (None when it names no real day), where it is, how it was written."""

    date: dt.date | None
    start: int
    end: int
    text: str
    weekday: bool
    """Printed with its weekday ("Friday, January 7, 2022"): how newsletters print their own date."""
    iso: bool


def _found(match: re.Match[str], offset: int = 0) -> FoundDate:
    groups = match.groupdict()
    try:
        if groups["y3"]:
            date: dt.date | None = dt.date(int(groups["y3"]), int(groups["m3"]), int(groups["d3"]))
        else:
            month = _MONTHS[(groups["m1"] or groups["m2"]).lower()]
            day = int(groups["d1"] or groups["d2"])
            year = int(groups["y1"] or groups["y2"])
            date = dt.date(year, month, day)
    except ValueError:
        date = None
    return FoundDate(
        date, match.start() + offset, match.end() + offset, match.group(0), bool(groups["weekday"]), bool(groups["y3"])
    )


def find_dates(text: str) -> Iterator[FoundDate]:
    """Every date printed in ``text``, in order, impossible ones included (their ``date`` is None)."""
    for match in DATE_RE.finditer(text):
        if match.start() > 0 and text[match.start() - 1].isalnum():
            continue
        yield _found(match)


def match_date(text: str) -> tuple[dt.date, int] | None:
    """A real date at the very start of ``text``: the date and where it ends, or None."""
    match = DATE_RE.match(text)
    if not match:
        return None
    found = _found(match)
    return (found.date, found.end) if found.date else None


def parse_date_line(line: str) -> dt.date | None:
    """The date when the whole line is one (an issue's date line), else None."""
    found = date_line(line)
    return found.date if found else None


def date_line(line: str) -> FoundDate | None:
    """The date, possible or not, when the whole line is one."""
    text = line.strip(_DATE_LINE_TRIM)
    match = DATE_RE.match(text)
    if match is None or text[match.end() :].strip(_DATE_LINE_TRIM):
        return None
    return _found(match)


def date_in_url(url: str | None) -> dt.date | None:
    """``…/2022/07/04/slug`` → 2022-07-04: the publication date many sites put in their addresses."""
    if not url or "://" not in url:
        return None
    match = _URL_DATE_RE.search(url)
    if match is None:
        return None
    try:
        return dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        return None
