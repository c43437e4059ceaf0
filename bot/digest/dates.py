"""Issue dates as newsletters print them: "Friday, January 7, 2022", "7 January 2022", "2022-01-07".

Reading only: the date line this project writes back comes from :func:`bot.rules.dates.format_issue_date`.
"""

from __future__ import annotations

import datetime as dt
import re
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
    rf"(?:{_WEEKDAY},?\s+)?(?:"
    rf"(?P<m1>{_MONTH})\.?\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y1>\d{{4}})"
    rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>{_MONTH})\.?,?\s+(?P<y2>\d{{4}})"
    rf"|(?P<y3>\d{{4}})-(?P<m3>\d{{2}})-(?P<d3>\d{{2}})"
    r")(?!\d)",
    re.IGNORECASE,
)
_DATE_LINE_TRIM = " \t.,;:*_|—–-"


def match_date(text: str) -> tuple[dt.date, int] | None:
    """A date at the very start of ``text``: the date and where it ends, or None."""
    match = DATE_RE.match(text)
    if not match:
        return None
    groups = match.groupdict()
    try:
        if groups["y3"]:
            date = dt.date(int(groups["y3"]), int(groups["m3"]), int(groups["d3"]))
        else:
            month = _MONTHS[(groups["m1"] or groups["m2"]).lower()]
            day = int(groups["d1"] or groups["d2"])
            year = int(groups["y1"] or groups["y2"])
            date = dt.date(year, month, day)
    except ValueError:
        return None
    return date, match.end()


def parse_date_line(line: str) -> dt.date | None:
    """The date when the whole line is one (an issue's date line), else None."""
    text = line.strip(_DATE_LINE_TRIM)
    found = match_date(text)
    if found is None or text[found[1] :].strip(_DATE_LINE_TRIM):
        return None
    return found[0]
