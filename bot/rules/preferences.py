"""A reader's settings as one frozen value, the parsers for the ones typed as words, and their plain-text summary.

Only the rules live here; storage saves a ``Preferences`` and handlers render ``describe``'s pairs. The
timezone and delivery-time parsers are in ``bot.rules.timezones`` because reading "it's 14:35 here" is a job of
its own.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.digest.model import ItemKind
from bot.rules.schedule import next_delivery

ALL_SECTIONS: frozenset[ItemKind] = frozenset(ItemKind)

SECTION_NAMES: dict[ItemKind, str] = {
    ItemKind.STORY: "stories",
    ItemKind.OPINION: "opinions",
    ItemKind.BRIEF: "briefs",
}
"""How a section is called to readers, in the order the digest prints them."""

_SECTION_WORDS: dict[str, ItemKind] = {
    "story": ItemKind.STORY,
    "stories": ItemKind.STORY,
    "opinion": ItemKind.OPINION,
    "opinions": ItemKind.OPINION,
    "brief": ItemKind.BRIEF,
    "briefs": ItemKind.BRIEF,
}
_ALL_WORDS = frozenset({"all", "everything", "every"})
_NOT_NEXT_WORDS = frozenset({"no", "not"})
"""Negate the one section that follows: "no briefs, opinions" keeps opinions."""
_NOT_REST_WORDS = frozenset({"except", "without", "but", "excluding", "minus"})
"""Negate every section that follows: "all except briefs and opinions"."""
_FILLER_WORDS = frozenset({"and", "or", "only", "just", "the", "please", "section", "sections", "news"})

_SECTION_SEPARATORS = re.compile(r"[\s,;&/+]+")
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

SECTIONS_EXAMPLE = 'Try "stories, opinions", "all" or "no briefs".'


class PreferenceError(ValueError):
    """A reader typed a value we cannot use; the message says what was wrong and gives an example that works."""


class Format(StrEnum):
    """How a reader receives an issue (one definition for preferences, rendering and storage)."""

    FULL = "full"
    """The whole issue as consecutive messages."""
    HEADLINES = "headlines"
    """The overview only, with a button per story and opinion."""


_FORMAT_WORDS: dict[str, Format] = {
    "full": Format.FULL,
    "complete": Format.FULL,
    "long": Format.FULL,
    "headlines": Format.HEADLINES,
    "headline": Format.HEADLINES,
    "headlines only": Format.HEADLINES,
    "titles": Format.HEADLINES,
    "short": Format.HEADLINES,
}


@dataclass(frozen=True, slots=True)
class Preferences:
    """Everything a reader can set with /settings, except the list of followed authors (a table of its own).

    The defaults match the ``DEFAULT_TIMEZONE`` and ``DEFAULT_DELIVERY_TIME`` defaults in ``bot.config``;
    a new subscriber is built with the configured values.
    """

    timezone: str = "UTC"
    """An IANA key that ``ZoneInfo`` accepts, as ``bot.rules.timezones.parse_timezone`` returns it."""
    delivery_time: dt.time = dt.time(8, 0)
    """Naive wall-clock time in ``timezone``."""
    format: Format = Format.FULL
    sections: frozenset[ItemKind] = ALL_SECTIONS
    """Never empty: a reader who wants nothing pauses instead."""
    breaking_alerts: bool = True
    """On by default: a reader of a news briefing subscribed to hear about news, and /settings turns it off."""
    followed_push_on_publish: bool = False
    """Push a followed author's new piece when the issue appears, rather than waiting for the daily digest."""

    def __post_init__(self) -> None:
        # Enums end to end: storage hands back Format and ItemKind, so a plain string here is a bug upstream.
        if not isinstance(self.format, Format):
            raise TypeError(f"format must be a Format, not {self.format!r}")
        if not all(isinstance(kind, ItemKind) for kind in self.sections):
            raise TypeError(f"sections must be ItemKinds, not {sorted(map(repr, self.sections))}")
        if not self.sections:
            raise PreferenceError("A digest needs at least one section. " + SECTIONS_EXAMPLE)
        if self.delivery_time.tzinfo is not None:
            raise ValueError("delivery_time is a wall-clock time in the reader's timezone and must be naive")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise PreferenceError(f'Unknown timezone "{self.timezone}".') from error

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def next_delivery_for(prefs: Preferences, now: dt.datetime, paused_until: dt.datetime | None = None) -> dt.datetime:
    """The reader's ``next_delivery_at`` (aware, UTC), to store after every change of preferences and delivery."""
    return next_delivery(now, prefs.delivery_time, prefs.zone, paused_until=paused_until)


def parse_format(text: str) -> Format:
    """Read "full" or "headlines" (and a few synonyms, any case)."""
    words = _normalise(text)
    if words in _FORMAT_WORDS:
        return _FORMAT_WORDS[words]
    if not words:
        raise PreferenceError('No format given. Choose "full" or "headlines".')
    raise PreferenceError(f'Unknown format "{text.strip()}". Choose "full" or "headlines".')


def parse_sections(text: str) -> frozenset[ItemKind]:
    """Read which sections a reader wants: "stories, opinions", "all", "no briefs", "all except opinions".

    Naming only exclusions starts from every section, because that is what "no briefs" means to a reader.
    """
    words = [word for word in _SECTION_SEPARATORS.split(_normalise(text)) if word]
    if not words:
        raise PreferenceError("No sections given. " + SECTIONS_EXAMPLE)
    wanted: set[ItemKind] = set()
    unwanted: set[ItemKind] = set()
    everything = False
    negate_next = negate_rest = False
    for word in words:
        if word.startswith(("-", "!")) and len(word) > 1:
            negate_next, word = True, word[1:]
        if word in _ALL_WORDS:
            everything = True
        elif word in _NOT_NEXT_WORDS:
            negate_next = True
        elif word in _NOT_REST_WORDS:
            negate_rest = True
        elif word in _SECTION_WORDS:
            (unwanted if negate_next or negate_rest else wanted).add(_SECTION_WORDS[word])
            negate_next = False
        elif word not in _FILLER_WORDS:
            raise PreferenceError(
                f'Unknown section "{word}". The sections are stories, opinions and briefs. {SECTIONS_EXAMPLE}'
            )
    base = ALL_SECTIONS if everything or not wanted else frozenset(wanted)
    chosen = base - unwanted
    if not chosen:
        raise PreferenceError(
            "That leaves no sections, and the digest would be empty. Keep at least one, like "
            '"stories", or pause the digest instead.'
        )
    return chosen


def format_offset(offset: dt.timedelta | None) -> str:
    """An offset as readers see it: "UTC+03:00", "UTC-09:30", and plain "UTC" for zero."""
    minutes = round((offset or dt.timedelta()).total_seconds() / 60)
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "-"
    hours, minutes = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


def describe(
    prefs: Preferences,
    now: dt.datetime,
    *,
    paused_until: dt.datetime | None = None,
    paused_indefinitely: bool = False,
    followed_authors: Collection[str] = (),
) -> list[tuple[str, str]]:
    """Label/value pairs in plain text for /settings and /mydata; the renderer adds markup and escaping.

    Args:
        prefs: The reader's preferences.
        now: The current instant (aware), for the zone's current offset and the next delivery.
        paused_until: The end of a /pause with a number of days.
        paused_indefinitely: A /pause without days, until /resume.
        followed_authors: Names of the authors the reader follows, in the order to show them.
    """
    zone = prefs.zone
    local_now = now.astimezone(zone)
    if paused_indefinitely:
        upcoming = "paused until you resume"
    else:
        instant = next_delivery_for(prefs, now, paused_until).astimezone(zone)
        upcoming = f"{_day_and_time(instant)} ({_in_how_long(instant - now)})"
        if paused_until is not None and paused_until > now:
            upcoming += f", paused until {_day_and_time(paused_until.astimezone(zone))}"
    return [
        ("Delivery time", prefs.delivery_time.strftime("%H:%M")),
        ("Timezone", f"{_zone_name(prefs.timezone, local_now)} (now {local_now:%H:%M} there)"),
        ("Next delivery", upcoming),
        ("Format", "full stories" if prefs.format is Format.FULL else "headlines only"),
        ("Sections", ", ".join(name for kind, name in SECTION_NAMES.items() if kind in prefs.sections)),
        ("Breaking alerts", "on" if prefs.breaking_alerts else "off"),
        ("Followed authors", ", ".join(followed_authors) or "none"),
        (
            "New pieces by followed authors",
            "sent when published" if prefs.followed_push_on_publish else "in the daily digest",
        ),
    ]


def _zone_name(timezone: str, local_now: dt.datetime) -> str:
    offset = format_offset(local_now.utcoffset())
    if timezone == "UTC":
        return "UTC"
    if timezone.startswith("Etc/"):
        # "Etc/GMT-3" means UTC+3 (POSIX signs are inverted): show readers only the offset.
        return f"{offset}, no daylight saving"
    return f"{timezone}, {offset}"


def _day_and_time(local: dt.datetime) -> str:
    # Not strftime's %a/%b: they follow the process locale, and these pairs are English text.
    return f"{_WEEKDAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]} {local:%H:%M}"


def _in_how_long(delta: dt.timedelta) -> str:
    minutes = max(0, round(delta.total_seconds() / 60))
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"in {days} {'day' if days == 1 else 'days'} {hours} h"
    if hours and minutes:
        return f"in {hours} h {minutes} min"
    if hours:
        return f"in {hours} h"
    return f"in {minutes} min"


def _normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())
