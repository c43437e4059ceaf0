"""Which issue is today's: the publisher's calendar decides what is sent, what is archive, what must wait.

"Today" is the publisher's today, in ``DEFAULT_TIMEZONE``. An issue dated today, or undated and published
now, is today's digest: readers get it at their time (and at once if their time has passed, per
``LATE_ISSUE_POLICY``). An issue dated earlier is an archive back-fill: stored and searchable, never sent
on its own. Tomorrow's issue (a publisher in a later timezone, or an evening edition) waits for tomorrow.
Anything dated after tomorrow is a typo or a placeholder ("January 7, 2052", 9999-12-31): it is stored as
a draft and the editor is warned, so it can never become everyone's issue for the next 26 years.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from bot.digest.model import Digest

FAR_PAST = dt.timedelta(days=366)
"""An issue dated longer ago than this is worth a second look in the preview (2017 typed for 2027?)."""


class IssueDay(StrEnum):
    TODAY = "today"
    UNDATED = "undated"
    """No date printed: it becomes the issue of the day it is published."""
    BACKFILL = "backfill"
    TOMORROW = "tomorrow"
    FUTURE = "future"
    """After tomorrow: stored as a draft, never published by itself."""


def publisher_today(now: dt.datetime, tz: dt.tzinfo) -> dt.date:
    """The publisher's calendar date at ``now`` (aware)."""
    return now.astimezone(tz).date()


def issue_day(date: dt.date | None, today: dt.date) -> IssueDay:
    if date is None:
        return IssueDay.UNDATED
    if date == today:
        return IssueDay.TODAY
    if date < today:
        return IssueDay.BACKFILL
    if date == today + dt.timedelta(days=1):
        return IssueDay.TOMORROW
    return IssueDay.FUTURE


def is_todays_digest(date: dt.date | None, today: dt.date) -> bool:
    """Sent to readers when published: dated today, or undated (it is published now)."""
    return issue_day(date, today) in (IssueDay.TODAY, IssueDay.UNDATED)


def is_far_past(date: dt.date | None, today: dt.date) -> bool:
    return date is not None and today - date > FAR_PAST


def empty_issue_reason(digest: Digest) -> str | None:
    """Why ``digest`` is not an issue anyone could read, or None when it has at least one item.

    The reason says what the parser found and what it looks for, so the editor can fix the text.
    """
    items = sum(1 for _ in digest.items())
    if items:
        return None
    found = []
    if digest.title:
        found.append(f"a headline (“{_clip(digest.title)}”)")
    if digest.date:
        found.append(f"a date ({digest.date.isoformat()})")
    if digest.sections:
        found.append(f"{len(digest.sections)} section heading{'s' if len(digest.sections) != 1 else ''}")
    what = ", ".join(found) if found else "no headline, no date and no sections"
    return (
        f"I found {what}, but no stories or opinions. An issue needs at least one item: a title line, "
        "then its text (for an opinion, the author's name), like the issues in the archive."
    )


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
