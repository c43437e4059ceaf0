"""An issue's masthead, date and headline, read from its first lines.

Newsletters print them in every order and on one line or several: "The Real Russia. Today. <headline>" then
a date line; the masthead followed by the date on one line ("The Real Russia. Today. Thursday, July 11,
2024"); "This was Russia today, Friday, October 11, 2024 <headline>"; "Meduza's daily newsletter: Monday,
April 5, 2021 (a note)"; the bare masthead, the headline and the date on three lines; a page prefix ("Skip to
main content") or a mirror's copyright note before all of it; or everything run into one line. Markdown
pastes use "# Headline".

The date is found without knowing the masthead: the first printed date in the first lines that stands where
an issue's date stands (a line of its own, the start of a line, or right after a short name), never one inside
a sentence or a parenthesis ("on April 3, 2016, after…", "(will return on Monday, April 5)") and never a
mirror's own "Date: 2021-04-02" metadata. What was found where is kept in :attr:`Header.rules` so that
``briefing parse --explain`` can say why.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace

from bot.digest.dates import FoundDate, date_line, find_dates, match_date, parse_date_line
from bot.digest.lines import Line, Shape, looks_like_headline, shape_of
from bot.digest.markers import collapse_spaces

MASTHEAD_RE = re.compile(
    r"(the\s+real\s+russia\.?\s*today\.?|this\s+(?:was|is)\s+russia\s+today\.?"
    r"|meduza['’]s\s+(?:latest\s+)?daily\s+newsletter:?)(?!\w)",
    re.I,
)
_SITE_NAME_RE = re.compile(r"meduza(?:\.io)?\.?", re.IGNORECASE)
_METADATA_RE = re.compile(r"(?:date|published|updated|дата|posted)\s*:", re.IGNORECASE)
_SEPARATORS = " \t,:;|—–-"
_WINDOW = 10
_MAX_NAME_WORDS = 8
_MAX_PREFIX_WORDS = 14


@dataclass(frozen=True, slots=True)
class Header:
    newsletter: str | None = None
    date: dt.date | None = None
    title: str | None = None
    rules: dict[str, str] = field(default_factory=dict)
    """Which rule produced each field found: ``{"date": "date line", "title": "masthead line", ...}``."""
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    """Editorial notes printed with the date ("(Meduza's newsletter will return on Monday.)"): teaser text."""

    @property
    def found(self) -> bool:
        """Whether the text announced an issue at all: a masthead, a date line or a Markdown headline."""
        return self.newsletter is not None or self.date is not None or self.title is not None


@dataclass(slots=True)
class _Reading:
    newsletter: str | None = None
    date: dt.date | None = None
    title: str | None = None
    rules: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def set(self, name: str, value: str | dt.date | None, rule: str) -> None:
        if value is None or getattr(self, name) is not None:
            return
        if isinstance(value, str):
            value = collapse_spaces(value.strip(_SEPARATORS))
            if not value:
                return
        setattr(self, name, value)
        self.rules[name] = rule

    def header(self) -> Header:
        return Header(self.newsletter, self.date, self.title, self.rules, tuple(self.warnings), tuple(self.notes))


@dataclass(frozen=True, slots=True)
class _DateSpot:
    index: int
    found: FoundDate
    rule: str


def read_header(lines: list[Line]) -> tuple[Header, list[Line]]:
    """The header, and the lines that follow it (whatever preceded the masthead is page chrome)."""
    reading = _Reading()
    rest = list(lines)
    masthead = _find_masthead(rest)
    spot = _find_date(rest, reading)
    if masthead is not None and spot is not None and spot.index < masthead[0]:
        masthead = None  # a name-like phrase below the date is part of the text, not the masthead
    if masthead is not None:
        masthead_at, match = masthead
        reading.set("newsletter", match.group(1).rstrip(":"), "masthead")
        rest = rest[masthead_at:]
        if spot is not None:
            spot = _DateSpot(spot.index - masthead_at, spot.found, spot.rule)
    if spot is not None:
        rest = _read_date_line(rest, spot, reading, masthead_match=masthead[1] if masthead else None)
        date_at = spot.index
    else:
        date_at = None
    if masthead is not None:
        rest = _read_masthead_line(rest, masthead[1], reading, date_at=date_at)
        if date_at is not None:
            date_at -= 1
    if reading.title is None and date_at is not None:
        rest = _title_above_date(rest, date_at, reading, masthead=masthead is not None)
    if reading.title is None:
        for index, line in enumerate(rest[:3]):
            if line.heading == 1:
                reading.set("title", line.text, "# heading")
                rest = rest[:index] + rest[index + 1 :]
                break
    return reading.header(), rest


def _find_masthead(lines: list[Line]) -> tuple[int, re.Match[str]] | None:
    for index, line in enumerate(lines[:_WINDOW]):
        if line.bullet:
            continue
        match = MASTHEAD_RE.search(line.text)
        if match and len(line.text[: match.start()].split()) <= _MAX_NAME_WORDS:
            return index, match
    return None


def _find_date(lines: list[Line], reading: _Reading) -> _DateSpot | None:
    """The issue's printed date: where a newsletter prints its own date, in the first lines."""
    weak: _DateSpot | None = None
    for index, line in enumerate(lines[:_WINDOW]):
        if line.bullet or _METADATA_RE.match(line.text):
            continue
        whole = date_line(line.text)
        for found in find_dates(line.text):
            if found.date is None:
                reading.warnings.append(f"impossible date “{found.text}” ignored")
                continue
            if _in_parentheses(line.text, found.start):
                continue
            rule = _date_rule(line.text, found, whole=whole is not None)
            if rule is not None:
                return _DateSpot(index, found, rule)
            if weak is None and found.weekday and index < 3:
                weak = _DateSpot(index, found, "weekday date in the first lines")
    return weak


def _date_rule(text: str, found: FoundDate, *, whole: bool) -> str | None:
    if whole:
        return "date line"
    prefix = text[: found.start].strip(_SEPARATORS)
    if not prefix:
        return "date at the start of a line" if (found.weekday or _ends_clause(text, found.end)) else None
    if MASTHEAD_RE.search(prefix):
        return "date after the masthead"
    words = prefix.split()
    separated = text[: found.start].rstrip()[-1:] in ",:;|—–-" or text[: found.start].endswith("  ")
    if found.weekday and (separated or len(words) <= _MAX_NAME_WORDS) and len(words) <= _MAX_PREFIX_WORDS:
        return "date after the newsletter's name"
    return None


def _ends_clause(text: str, end: int) -> bool:
    """Nothing but a note, a separator or the end after the date: a date line with something appended."""
    after = text[end:]
    return not after.strip() or after.lstrip()[:1] in "(|—–-" or after.startswith("  ")


def _in_parentheses(text: str, position: int) -> bool:
    before = text[:position]
    return before.count("(") > before.count(")")


def _read_date_line(
    rest: list[Line], spot: _DateSpot, reading: _Reading, masthead_match: re.Match[str] | None
) -> list[Line]:
    """Take the date out of its line; what stood before and after it may be the name, headline or a note."""
    line = rest[spot.index]
    found = spot.found
    reading.set("date", found.date, spot.rule)
    prefix = line.text[: found.start]
    suffix = line.text[found.end :].lstrip(_SEPARATORS)
    if suffix.startswith("("):
        close = suffix.find(")")
        if close > 0:
            reading.notes.append(suffix[: close + 1])
            suffix = suffix[close + 1 :].lstrip(_SEPARATORS)
    on_masthead_line = masthead_match is not None and spot.index == 0
    if on_masthead_line and masthead_match is not None:
        if masthead_match.start() >= found.end:  # "Friday, January 7, 2022 — The Real Russia. Today. — Headline"
            suffix = line.text[masthead_match.end() :].lstrip(_SEPARATORS)
        else:
            between = prefix[masthead_match.end() :].strip(_SEPARATORS)
            reading.set("title", between or None, "masthead line")
        prefix = ""
    prefix = prefix.strip(_SEPARATORS)
    if prefix and masthead_match is None and (inner := MASTHEAD_RE.search(prefix)):
        # "Headline | The Real Russia. Today. | Friday, January 7, 2022": the name between headline and date
        reading.set("newsletter", inner.group(1).rstrip(":"), "masthead")
        prefix = f"{prefix[: inner.start()]} {prefix[inner.end() :]}".strip(_SEPARATORS)
        reading.set("title", prefix or None, "text before the date")
        prefix = ""
    if prefix and masthead_match is None:
        if len(prefix.split()) <= _MAX_NAME_WORDS and not looks_like_sentence(prefix):
            reading.set("newsletter", prefix.rstrip(":"), "text before the date")
        elif looks_like_headline(prefix):
            reading.set("title", prefix, "text before the date")
    replacement: list[Line] = []
    if on_masthead_line:
        replacement.append(replace(line, text=line.text[: found.start].strip() or "_", raw=""))
    if suffix:
        if reading.title is None and looks_like_headline(suffix) and not _SITE_NAME_RE.fullmatch(suffix.strip()):
            reading.set("title", suffix, "after the date")
        elif not _SITE_NAME_RE.fullmatch(suffix.strip()):
            replacement.append(replace(line, text=suffix, raw=suffix, prose=True, heading=0, bold=False))
    return rest[: spot.index] + replacement + rest[spot.index + 1 :]


def looks_like_sentence(text: str) -> bool:
    return text.rstrip()[-1:] in ".!?" and len(text.split()) > 3


def _read_masthead_line(rest: list[Line], match: re.Match[str], reading: _Reading, date_at: int | None) -> list[Line]:
    """The masthead line (first of ``rest``): the headline after the masthead, unless the date line took it."""
    line = rest[0]
    if date_at == 0:
        return rest[1:]  # the date line was the masthead line: already read
    remainder = MASTHEAD_RE.sub("", line.text, count=1).strip(_SEPARATORS)
    if found := match_date(remainder):
        reading.set("date", found[0], "date after the masthead")
        remainder = remainder[found[1] :].strip(_SEPARATORS)
    if remainder and not _SITE_NAME_RE.fullmatch(remainder):  # a page title: "The Real Russia. Today. | Meduza"
        reading.set("title", remainder, "masthead line")
    rest = rest[1:]
    if reading.title is None and _starts_with_title(rest, date_below=date_at == 2):
        reading.set("title", rest[0].text, "line after the masthead")
        rest = rest[1:]
    return rest


def _starts_with_title(rest: list[Line], *, date_below: bool) -> bool:
    """After a masthead without a headline: a ``# Headline``, or a headline line just above the date line.

    Otherwise the next line is the first section or the teaser ("The Real Russia. Today. Thursday, July 11,
    2024" then "## The war in Ukraine").
    """
    if not rest or rest[0].bullet or parse_date_line(rest[0].text):
        return False
    first = rest[0]
    if first.heading == 1:
        return True
    return date_below and (first.heading == 2 or shape_of(first) is Shape.HEADLINE)


def _title_above_date(rest: list[Line], date_at: int, reading: _Reading, *, masthead: bool) -> list[Line]:
    """Without a headline yet, a headline line right above the date line is the issue's."""
    if date_at < 1 or (masthead and date_at > 1):
        return rest
    above = rest[date_at - 1]
    if above.bullet or shape_of(above) is not Shape.HEADLINE or (not masthead and date_at > 2):
        return rest
    reading.set("title", above.text, "line above the date")
    return rest[: date_at - 1] + rest[date_at:]
