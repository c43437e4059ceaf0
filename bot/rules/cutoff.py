"""Which day's digest a newsroom feed entry joins (``FEED_MODE=daily``), as pure functions of the times.

The day's entries are assembled into one digest at ``DIGEST_CUTOFF`` in the publisher's timezone. An entry
belongs to its own day — the date it was published, in that timezone — unless it was published at or after
that day's cutoff, or its day's digest was already assembled when it arrived: then it goes to the next day
that is still open. A back-fill of old entries therefore lands on their own days, and a latecomer is never
lost nor silently added to a digest readers already had.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Container
from zoneinfo import ZoneInfo


def entry_day(published: dt.datetime, cutoff: dt.time, timezone: ZoneInfo, closed: Container[dt.date] = ()) -> dt.date:
    """The day an entry published at ``published`` (aware) joins; ``closed`` days are already assembled."""
    local = published.astimezone(timezone)
    day = local.date()
    if local.time() >= cutoff:
        day += dt.timedelta(days=1)
    while day in closed:
        day += dt.timedelta(days=1)
    return day


def assembly_due(day: dt.date, now: dt.datetime, cutoff: dt.time, timezone: ZoneInfo) -> bool:
    """Whether ``day``'s digest is due: its cutoff has passed in the publisher's timezone."""
    return now.astimezone(timezone) >= dt.datetime.combine(day, cutoff, tzinfo=timezone)
