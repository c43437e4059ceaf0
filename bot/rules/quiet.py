"""Quiet hours: a daily span of the reader's local time in which alerts arrive silently, or wait.

A span is ``start``–``end`` in the reader's wall-clock time and may cross midnight (22:00–07:00). It
includes ``start`` and excludes ``end``, so 22:00–07:00 is quiet at 22:00 and at 06:59, loud at 07:00.
Equal ends would mean "never" or "always"; both are refused, as "00:00-23:59" already says "always but a
minute". Pure functions of the instant and the zone, like :mod:`bot.rules.schedule`, whose DST rules the
end of a span follows (an end the clocks skip is when they resume).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bot.rules.preferences import PreferenceError
from bot.rules.schedule import next_delivery

QUIET_EXAMPLE = "For example /quiet 22:00-07:00, or /quiet off."
_SPAN = re.compile(r"^\s*(.+?)\s*(?:-|–|—|\bto\b|\buntil\b)\s*(.+?)\s*$", re.IGNORECASE)
_OFF = frozenset({"off", "no", "none", "stop", "0"})


@dataclass(frozen=True, slots=True)
class QuietHours:
    """A reader's quiet hours, start to end in their own time (they may wrap past midnight)."""

    start: dt.time
    end: dt.time

    def __post_init__(self) -> None:
        if _minutes(self.start) == _minutes(self.end):
            raise ValueError("quiet hours need different start and end times")

    def contains(self, local: dt.time) -> bool:
        """Whether the wall-clock time ``local`` is inside the span (start included, end excluded)."""
        start, end, at = _minutes(self.start), _minutes(self.end), _minutes(local)
        if start < end:
            return start <= at < end
        return at >= start or at < end

    def is_quiet(self, now: dt.datetime, tz: dt.tzinfo) -> bool:
        """Whether it is quiet for a reader in ``tz`` at the instant ``now``."""
        return self.contains(now.astimezone(tz).time())

    def ends_after(self, now: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
        """The first instant after ``now`` when quiet hours end (the next local ``end``), in UTC."""
        return next_delivery(now, self.end, tz)

    def describe(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"


def parse_quiet_hours(text: str) -> QuietHours | None:
    """Read ``/quiet``'s argument: "22:00-07:00", "10pm to 7am", "23-6"; "off" (None) switches them off.

    Raises:
        PreferenceError: nothing given, an unreadable time, or a span of no length, with an example.
    """
    raw = text.strip()
    if not raw:
        raise PreferenceError("No quiet hours given. " + QUIET_EXAMPLE)
    if raw.lower() in _OFF:
        return None
    match = _SPAN.match(raw)
    if match is None:
        raise PreferenceError(f'"{raw}" is not a span of hours. ' + QUIET_EXAMPLE)
    from bot.rules.timezones import parse_delivery_time  # with the reader's /quiet, not with the storage rows

    try:
        start, end = parse_delivery_time(match[1]), parse_delivery_time(match[2])
    except PreferenceError as error:
        raise PreferenceError(f"{error}".split(" For example")[0] + " " + QUIET_EXAMPLE) from None
    if _minutes(start) == _minutes(end):
        raise PreferenceError("Quiet hours must start and end at different times. " + QUIET_EXAMPLE)
    return QuietHours(start, end)


def _minutes(when: dt.time) -> int:
    return when.hour * 60 + when.minute
