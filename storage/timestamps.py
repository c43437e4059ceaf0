"""How instants are stored: whole seconds since the Unix epoch, UTC.

Integers compare and index faster than ISO text and cannot be written in two spellings of one instant,
which matters for the "who is due" range scan over a million subscribers. Sub-second precision is not
kept: nothing in a daily newsletter needs it, and row ids already order events that share a second.
Calendar dates (an issue's date) are not instants and stay ``YYYY-MM-DD`` text.
"""

from __future__ import annotations

import datetime as dt


def to_epoch(when: dt.datetime) -> int:
    """Seconds since the epoch; naive datetimes are refused because their zone is a guess."""
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"naive datetime {when!r}: pass a timezone-aware one")
    return int(when.timestamp())


def to_epoch_or_none(when: dt.datetime | None) -> int | None:
    return None if when is None else to_epoch(when)


def from_epoch(seconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


def from_epoch_or_none(seconds: int | None) -> dt.datetime | None:
    return None if seconds is None else from_epoch(seconds)


def to_iso_date(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def from_iso_date(text: str | None) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(text)
