"""Which issue is today's: back-fills, tomorrow's issue, far-future dates and empty issues."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.digest.model import Digest, Item, ItemKind, Section
from bot.rules.issues import IssueDay, empty_issue_reason, is_far_past, is_todays_digest, issue_day, publisher_today

TODAY = dt.date(2026, 3, 2)


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        (None, IssueDay.UNDATED),
        (TODAY, IssueDay.TODAY),
        (dt.date(2026, 3, 1), IssueDay.BACKFILL),
        (dt.date(2022, 1, 7), IssueDay.BACKFILL),
        (dt.date(2026, 3, 3), IssueDay.TOMORROW),
        (dt.date(2026, 3, 4), IssueDay.FUTURE),
        (dt.date(2052, 1, 7), IssueDay.FUTURE),
        (dt.date(9999, 12, 31), IssueDay.FUTURE),
    ],
)
def test_issue_day(date: dt.date | None, expected: IssueDay) -> None:
    assert issue_day(date, TODAY) is expected


def test_only_an_issue_dated_today_or_undated_is_todays_digest() -> None:
    assert is_todays_digest(TODAY, TODAY) and is_todays_digest(None, TODAY)
    assert not is_todays_digest(dt.date(2026, 3, 1), TODAY)
    assert not is_todays_digest(dt.date(2026, 3, 3), TODAY)


def test_today_is_the_publishers_today() -> None:
    now = dt.datetime(2026, 3, 2, 23, 30, tzinfo=dt.UTC)
    assert publisher_today(now, dt.UTC) == TODAY
    from zoneinfo import ZoneInfo

    assert publisher_today(now, ZoneInfo("Europe/Berlin")) == dt.date(2026, 3, 3)


def test_far_past() -> None:
    assert is_far_past(dt.date(2022, 1, 7), TODAY)
    assert not is_far_past(dt.date(2026, 1, 7), TODAY)
    assert not is_far_past(None, TODAY)


def test_an_issue_without_items_is_refused_with_what_was_found() -> None:
    empty = Digest(newsletter=None, date=TODAY, title="Only a headline", summary=None, sections=(), source=None)
    reason = empty_issue_reason(empty)
    assert reason is not None
    assert "Only a headline" in reason and "2026-03-02" in reason and "at least one item" in reason
    nothing = Digest(newsletter=None, date=None, title=None, summary=None, sections=(), source=None)
    assert "no headline, no date" in (empty_issue_reason(nothing) or "")
    one = Digest(
        newsletter=None,
        date=None,
        title=None,
        summary=None,
        sections=(Section("S", (Item(ItemKind.STORY, "A story", body=("Text.",)),)),),
        source=None,
    )
    assert empty_issue_reason(one) is None
