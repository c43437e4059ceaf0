"""Newsroom feeds: FEED_MODE=daily makes the day's entries one digest at the cutoff; entries are keyed by id."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.rules.clock import ManualClock
from bot.rules.cutoff import assembly_due, entry_day
from bot.sources.daily import DailyDigests, DailyFeed
from bot.sources.feed import FeedEntry
from bot.sources.ingest import ingest_text
from storage import Database, DigestRepository, SaveOutcome

BERLIN = ZoneInfo("Europe/Berlin")
CUTOFF = dt.time(20, 0)
UTC = dt.UTC


def entry(key: str, title: str, published: dt.datetime, *, teaser: str = "What happened, in short.") -> FeedEntry:
    return FeedEntry(key, title, f"https://news.example/{key}", published, f"<p>{teaser}</p>", True, author="Ann Lee")


def test_an_entry_joins_its_own_day_in_the_publishers_timezone_unless_after_the_cutoff() -> None:
    # 22:30 UTC on March 4 is 23:30 in Berlin: after that day's 20:00 cutoff, so the 5th's digest.
    assert entry_day(dt.datetime(2024, 3, 4, 18, 0, tzinfo=UTC), CUTOFF, BERLIN) == dt.date(2024, 3, 4)
    assert entry_day(dt.datetime(2024, 3, 4, 19, 0, tzinfo=UTC), CUTOFF, BERLIN) == dt.date(2024, 3, 5)
    assert entry_day(dt.datetime(2024, 3, 4, 23, 30, tzinfo=UTC), CUTOFF, BERLIN) == dt.date(2024, 3, 5)
    # 23:30 UTC on March 3 is already March 4 in Berlin.
    assert entry_day(dt.datetime(2024, 3, 3, 23, 30, tzinfo=UTC), CUTOFF, BERLIN) == dt.date(2024, 3, 4)
    closed = {dt.date(2024, 3, 4), dt.date(2024, 3, 5)}
    assert entry_day(dt.datetime(2024, 3, 4, 8, 0, tzinfo=UTC), CUTOFF, BERLIN, closed) == dt.date(2024, 3, 6)
    assert not assembly_due(dt.date(2024, 3, 4), dt.datetime(2024, 3, 4, 18, 59, tzinfo=UTC), CUTOFF, BERLIN)
    assert assembly_due(dt.date(2024, 3, 4), dt.datetime(2024, 3, 4, 19, 0, tzinfo=UTC), CUTOFF, BERLIN)


async def test_the_days_entries_become_one_digest_at_the_cutoff_and_latecomers_the_next_days() -> None:
    clock = ManualClock(dt.datetime(2024, 3, 4, 9, 0, tzinfo=UTC))
    db = await Database.open(":memory:", clock=clock)
    try:
        digests = DigestRepository(db)
        daily = DailyDigests(db, digests, DailyFeed(CUTOFF, BERLIN, "The Newsroom"))
        morning = [
            entry("a", "Rates stay on hold", dt.datetime(2024, 3, 4, 7, 0, tzinfo=UTC)),
            entry("b", "Rail workers walk out", dt.datetime(2024, 3, 4, 8, 0, tzinfo=UTC)),
            entry("c", "A rescue at sea", dt.datetime(2024, 3, 4, 8, 30, tzinfo=UTC)),
        ]
        assert await daily.keep("https://news.example/feed", morning) == 3
        assert await daily.keep("https://news.example/feed", morning) == 0  # the same entries change nothing
        assert await daily.assemble_due() == []  # 10:00 in Berlin: the day is still open

        clock.set(dt.datetime(2024, 3, 4, 19, 5, tzinfo=UTC))
        [done] = await daily.assemble_due()
        assert (done.day, done.items, done.outcome) == (dt.date(2024, 3, 4), 3, SaveOutcome.CREATED)
        stored = await digests.get(done.digest_id)
        assert stored is not None
        digest = stored.digest
        assert (digest.newsletter, digest.date) == ("The Newsroom", dt.date(2024, 3, 4))
        assert digest.title == "Rates stay on hold"
        items = list(digest.items())
        assert [item.title for item in items] == ["Rates stay on hold", "Rail workers walk out", "A rescue at sea"]
        assert (items[0].link, items[0].author, items[0].body) == (
            "https://news.example/a", "Ann Lee", ("What happened, in short.",)
        )
        assert await daily.assemble_due() == []  # assembled once

        # Published before the cutoff, but seen after the day was assembled: it goes to the next day's digest.
        late = entry("d", "Late news from the afternoon", dt.datetime(2024, 3, 4, 15, 0, tzinfo=UTC))
        assert await daily.keep("https://news.example/feed", [late]) == 1
        clock.set(dt.datetime(2024, 3, 5, 19, 1, tzinfo=UTC))
        [next_day] = await daily.assemble_due()
        assert (next_day.day, next_day.items) == (dt.date(2024, 3, 5), 1)

        # A corrected entry replaces its text in its own day's digest, in place.
        fixed = entry("b", "Rail workers walk out for 48 hours", dt.datetime(2024, 3, 4, 8, 0, tzinfo=UTC))
        assert await daily.keep("https://news.example/feed", [fixed]) == 1
        [again] = await daily.assemble_due()
        assert (again.day, again.digest_id) == (dt.date(2024, 3, 4), done.digest_id)
        assert again.outcome is SaveOutcome.REPLACED
    finally:
        await db.close()


async def test_entries_of_one_date_never_overwrite_each_other_in_issue_mode(db: Database) -> None:
    digests = DigestRepository(db)
    ids = set()
    for key, title in (("https://news.example/1", "First story"), ("https://news.example/2", "Second story")):
        text = f"# {title}\n\nFriday, January 7, 2022\n\n## {title}\n\nWhat happened. More of it."
        report = await ingest_text(db, digests, text, source=key, key=key)
        assert report.outcome is SaveOutcome.CREATED
        ids.add(report.digest_id)
    assert len(ids) == 2
    corrected = "# First story, corrected\n\nFriday, January 7, 2022\n\n## First story\n\nWhat happened. More."
    report = await ingest_text(db, digests, corrected, source="https://news.example/1", key="https://news.example/1")
    assert report.outcome is SaveOutcome.REPLACED and report.digest_id in ids
