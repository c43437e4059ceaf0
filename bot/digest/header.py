"""An issue's masthead, date and headline, read from its first lines.

The newsletter prints them in several ways: "The Real Russia. Today. <headline>" then a date line; the masthead
followed by the date on one line ("The Real Russia. Today. Friday, April 26, 2024"); "This was Russia today,
Friday, October 11, 2024 <headline>"; or the bare masthead, the headline and the date on three lines.
Markdown pastes use "# Headline".
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bot.digest.dates import match_date, parse_date_line
from bot.digest.lines import Line, Shape, shape_of
from bot.digest.markers import collapse_spaces

MASTHEAD_RE = re.compile(r"(the\s+real\s+russia\.?\s*today\.?|this\s+(?:was|is)\s+russia\s+today\.?)(?!\w)", re.I)
_SITE_NAME_RE = re.compile(r"meduza(?:\.io)?\.?", re.IGNORECASE)
_SEPARATORS = " \t,:;|—–-"
_MASTHEAD_WINDOW = 8
_DATE_WINDOW = 8


@dataclass(frozen=True, slots=True)
class Header:
    newsletter: str | None = None
    date: dt.date | None = None
    title: str | None = None

    @property
    def found(self) -> bool:
        """Whether the text announced an issue at all: a masthead, a date line or a Markdown headline."""
        return self.newsletter is not None or self.date is not None or self.title is not None


def read_header(lines: list[Line]) -> tuple[Header, list[Line]]:
    """The header, and the lines that follow it (whatever preceded the masthead is page chrome)."""
    newsletter = date = title = None
    rest = list(lines)
    masthead = _find_masthead(rest)
    if masthead is not None:
        masthead_at, match = masthead
        newsletter, date, title = _read_masthead(rest[masthead_at].text, match)
        rest = rest[masthead_at + 1 :]
        if title is None and _starts_with_title(rest, dated=date is not None):
            title, rest = rest[0].text, rest[1:]
    if date is None:
        date, title, rest = _take_date_line(rest, title=title, masthead=newsletter is not None)
    if title is None:
        for index, line in enumerate(rest[:3]):
            if line.heading == 1:
                title, rest = line.text, rest[:index] + rest[index + 1 :]
                break
    return Header(newsletter, date, title), rest


def _find_masthead(lines: list[Line]) -> tuple[int, re.Match[str]] | None:
    for index, line in enumerate(lines[:_MASTHEAD_WINDOW]):
        if not line.bullet and (match := MASTHEAD_RE.match(line.text)):
            return index, match
    return None


def _read_masthead(text: str, match: re.Match[str]) -> tuple[str, dt.date | None, str | None]:
    """``"This was Russia today, Friday, October 11, 2024 Putin goes…"`` → name, date, headline."""
    remainder = text[match.end() :].lstrip(_SEPARATORS)
    date = None
    if found := match_date(remainder):
        date, end = found
        remainder = remainder[end:].lstrip(_SEPARATORS)
    title = remainder.strip()
    if not title or _SITE_NAME_RE.fullmatch(title):  # a page title: "The Real Russia. Today. | Meduza"
        return collapse_spaces(match.group(1)), date, None
    return collapse_spaces(match.group(1)), date, title


def _starts_with_title(rest: list[Line], *, dated: bool) -> bool:
    """After a masthead without a headline: a ``# Headline``, or a headline line just above the date line.

    When the masthead line carried the date, only a level-1 heading qualifies: the next ``## …`` is the first
    section ("The Real Russia. Today. Thursday, July 11, 2024" then "## The war in Ukraine").
    """
    if not rest or rest[0].bullet or parse_date_line(rest[0].text):
        return False
    first = rest[0]
    if first.heading == 1:
        return True
    if dated:
        return False
    followed_by_date = len(rest) > 1 and parse_date_line(rest[1].text) is not None
    return followed_by_date and (first.heading == 2 or shape_of(first) is Shape.HEADLINE)


def _take_date_line(
    rest: list[Line], *, title: str | None, masthead: bool
) -> tuple[dt.date | None, str | None, list[Line]]:
    """The first date line near the top; without a masthead, a headline right above it is the issue's."""
    for index, line in enumerate(rest[:_DATE_WINDOW]):
        if line.bullet:
            continue
        date = parse_date_line(line.text)
        if date is None:
            continue
        above = rest[0] if index == 1 else None
        if not masthead and title is None and above is not None and shape_of(above) is Shape.HEADLINE:
            return date, above.text, rest[2:]
        return date, title, rest[:index] + rest[index + 1 :]
    return None, title, rest
