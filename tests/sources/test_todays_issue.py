"""Which issue is today's: back-fills are archive only, future dates wait as drafts, --announce on purpose."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.digest.parser import parse_text
from bot.features.publishing import announce_published
from bot.features.services import Services
from bot.rules.clock import ManualClock
from bot.sources.ingest import ingest_text, store_digest
from storage import Database, DigestStatus
from tests.harness import present

FIXTURES = Path(__file__).parents[1] / "fixtures"
ARCHIVE = sorted(FIXTURES.glob("*.txt"))
NOON = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)
TODAY = NOON.date()
READERS = range(1, 11)


def issue_of(day: dt.date | None, name: str = "the-real-russia-today-2022-01-07.txt"):
    digest = parse_text((FIXTURES / name).read_text(), source=name)
    return dataclasses.replace(digest, date=day)


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    clock = ManualClock(NOON)
    async with await Database.open(tmp_path / "t.db", clock=clock) as db:
        services = Services.over(db, load_settings({}), clock)
        for chat in READERS:  # every reader's time today has passed
            await services.subscribers.upsert_on_start(chat, delivery_time=dt.time(7, 0))
        yield services


async def deliveries(services: Services) -> int:
    return int(await services.db.fetchval("SELECT count(*) FROM deliveries"))


async def test_back_filling_the_archive_sends_nobody_anything(services: Services) -> None:
    assert len(ARCHIVE) == 7
    for path in ARCHIVE:
        report = await ingest_text(services.db, services.digests, path.read_text(), source=path.name)
        assert report.ok and report.digest_id is not None
        assert await announce_published(services, report.digest_id) == 0
    await services.scheduler.tick()
    assert await deliveries(services) == 0
    # Stored and readable all the same: /today shows the newest of them.
    latest = await services.digests.latest_published()
    assert latest is not None and latest.digest.date == dt.date(2024, 10, 11)


async def test_an_issue_dated_today_reaches_each_late_reader_once(services: Services) -> None:
    await ingest_text(services.db, services.digests, ARCHIVE[0].read_text(), source="old")
    report = await store_digest(services.db, services.digests, issue_of(TODAY))
    assert report.digest_id is not None
    assert await announce_published(services, report.digest_id) == len(READERS)
    assert await announce_published(services, report.digest_id) == 0
    await services.scheduler.tick()
    assert await deliveries(services) == len(READERS)


async def test_an_undated_issue_published_now_is_todays(services: Services) -> None:
    report = await store_digest(services.db, services.digests, issue_of(None))
    assert report.digest_id is not None
    assert await announce_published(services, report.digest_id) == len(READERS)


async def test_announce_sends_one_back_filled_issue_on_purpose(services: Services) -> None:
    report = await store_digest(services.db, services.digests, issue_of(dt.date(2026, 2, 27)))
    assert report.digest_id is not None
    assert await announce_published(services, report.digest_id) == 0
    assert await announce_published(services, report.digest_id, force=True) == len(READERS)


async def test_an_issue_dated_after_tomorrow_is_a_draft_with_a_warning(services: Services) -> None:
    today = await store_digest(services.db, services.digests, issue_of(TODAY))
    for far in (dt.date(2052, 1, 7), dt.date(9999, 12, 31)):
        report = await store_digest(services.db, services.digests, issue_of(far, ARCHIVE[1].name))
        assert report.digest_id is not None
        stored = await services.digests.get(report.digest_id)
        assert stored is not None and stored.status is DigestStatus.DRAFT
        assert report.warnings and "draft" in report.warnings[0]
        assert "draft" in report.describe()
        assert await announce_published(services, report.digest_id) == 0
    latest = await services.digests.latest_published()
    assert latest is not None and latest.id == today.digest_id


async def test_tomorrows_issue_waits_for_tomorrow(services: Services) -> None:
    today = await store_digest(services.db, services.digests, issue_of(TODAY))
    next_day = issue_of(TODAY + dt.timedelta(days=1), ARCHIVE[1].name)
    tomorrow = await store_digest(services.db, services.digests, next_day)
    assert tomorrow.digest_id is not None
    stored = await services.digests.get(tomorrow.digest_id)
    assert stored is not None and stored.status is DigestStatus.PUBLISHED
    assert await announce_published(services, tomorrow.digest_id) == 0
    assert present(await services.digests.latest_published()).id == today.digest_id
    assert isinstance(services.clock, ManualClock)
    services.clock.set(NOON + dt.timedelta(days=1))
    assert present(await services.digests.latest_published()).id == tomorrow.digest_id


async def test_today_is_in_the_publishers_timezone(tmp_path: Path) -> None:
    late_evening = dt.datetime(2026, 3, 2, 23, 30, tzinfo=dt.UTC)  # already March 3 in Berlin
    clock = ManualClock(late_evening)
    async with await Database.open(tmp_path / "b.db", clock=clock) as db:
        services = Services.over(db, load_settings({"DEFAULT_TIMEZONE": "Europe/Berlin"}), clock)
        await services.subscribers.upsert_on_start(1, delivery_time=dt.time(0, 0), timezone="Europe/Berlin")
        march_2 = await store_digest(db, services.digests, issue_of(dt.date(2026, 3, 2)))
        march_3 = await store_digest(db, services.digests, issue_of(dt.date(2026, 3, 3), ARCHIVE[1].name))
        assert march_2.digest_id is not None and march_3.digest_id is not None
        assert await announce_published(services, march_2.digest_id) == 0
        assert await announce_published(services, march_3.digest_id) == 1


async def test_an_issue_without_items_is_refused(services: Services) -> None:
    report = await ingest_text(services.db, services.digests, "Just a headline\n\nMarch 2, 2026\n", source="x")
    assert not report.ok and "at least one" in (report.error or "")
    assert await services.db.fetchval("SELECT count(*) FROM digests") == 0
