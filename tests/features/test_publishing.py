"""publishing.publish: one transaction, the issue never loaded back, late readers queued with it."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.config import load_settings
from bot.features import publishing
from bot.features.services import Services
from bot.rules.clock import ManualClock
from storage import Database, DeliveryStatus, DigestStatus
from tests.harness import present
from tests.reading_fixtures import FIXTURES
from tests.storage_fixtures import make_digest

NOON = dt.datetime(2024, 10, 11, 12, 0, tzinfo=dt.UTC)
"""After the readers' 08:00 UTC: an issue published now is late for all of them."""


@pytest.fixture
async def services() -> AsyncIterator[Services]:
    clock = ManualClock(NOON)
    db = await Database.open(":memory:", clock=clock)
    try:
        services = Services.over(db, load_settings({"ADMIN_IDS": "7"}), clock)
        for chat_id in (1, 2):
            await services.subscribers.upsert_on_start(chat_id)
        yield services
    finally:
        await db.close()


def watch_transactions(services: Services, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The BEGINs the connection sees from now on."""
    begins: list[str] = []
    conn = services.db._conn
    assert conn is not None
    execute = conn.execute

    def counted(sql: str, *args: Any) -> Any:
        if sql.startswith("BEGIN"):
            begins.append(sql)
        return execute(sql, *args)

    monkeypatch.setattr(conn, "execute", counted)
    return begins


async def test_publishing_is_one_transaction_and_never_loads_the_issue_back(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def no_load(digest_id: int) -> None:
        raise AssertionError(f"issue {digest_id} loaded back")

    monkeypatch.setattr(services.digests, "get", no_load)
    begins = watch_transactions(services, monkeypatch)
    published = await publishing.publish(services, make_digest(), editor_id=7)
    assert begins == ["BEGIN IMMEDIATE"]
    monkeypatch.undo()
    stored = await services.digests.get(published.digest_id)
    assert stored is not None and stored.status is DigestStatus.PUBLISHED
    assert await services.deliveries.status(published.digest_id, 1) is not None
    assert present(await services.deliveries.status(published.digest_id, 2)).status is DeliveryStatus.PENDING
    [entry] = await services.audit.recent(action="issue.publish")
    assert entry.target == str(published.digest_id)


async def test_a_failed_publish_leaves_nothing_behind(services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken(*_: Any, **__: Any) -> None:
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(services.audit, "record", broken)
    with pytest.raises(RuntimeError):
        await publishing.publish(services, make_digest(), editor_id=7)
    assert await services.digests.latest_published_id() is None
    assert await services.deliveries.status(1, 1) is None


async def test_the_daily_digest_job_publishes_the_days_feed_at_the_cutoff_and_sends_it_to_late_readers() -> None:
    """FEED_MODE=daily: before DIGEST_CUTOFF the job does nothing; at it, the day's entries are one issue."""
    from bot.sources.feed import FeedEntry

    clock = ManualClock(dt.datetime(2024, 10, 11, 19, 59, tzinfo=dt.UTC))
    db = await Database.open(":memory:", clock=clock)
    try:
        settings = load_settings(
            {"ADMIN_IDS": "7", "FEED_MODE": "daily", "DIGEST_CUTOFF": "20:00", "DEFAULT_TIMEZONE": "UTC",
             "NEWSLETTER_NAME": "The Newsroom"}
        )  # fmt: skip
        services = Services.over(db, settings, clock)
        await services.subscribers.upsert_on_start(1)  # reads at 08:00: late for an issue out at 20:00
        entries = [
            FeedEntry(key, title, f"https://news.example/{key}", dt.datetime(2024, 10, 11, hour, tzinfo=dt.UTC),
                      "<p>What happened, in short.</p>", True)
            for key, title, hour in (("a", "Rates stay on hold", 9), ("b", "Rail workers walk out", 15))
        ]  # fmt: skip
        daily = await publishing.daily_digests(services)
        assert await daily.keep("https://news.example/feed", entries) == 2

        assert await publishing.assemble_daily(services) == []  # 19:59: the day is still open
        assert await services.digests.latest_published_id() is None

        clock.set(dt.datetime(2024, 10, 11, 20, 0, tzinfo=dt.UTC))
        [done] = await publishing.assemble_daily(services)
        assert (done.day, done.items) == (dt.date(2024, 10, 11), 2)
        stored = await services.digests.get(done.digest_id)
        assert stored is not None and stored.status is DigestStatus.PUBLISHED
        assert stored.digest.newsletter == "The Newsroom"
        assert [item.title for item in stored.digest.items()] == ["Rates stay on hold", "Rail workers walk out"]
        assert present(await services.deliveries.status(done.digest_id, 1)).status is DeliveryStatus.PENDING
        assert await publishing.assemble_daily(services) == []  # once a day: nothing new, nothing again
    finally:
        await db.close()


async def test_the_application_schedules_the_daily_digest_job_at_the_cutoff_and_the_job_assembles() -> None:
    """The job itself: scheduled daily at DIGEST_CUTOFF in the publisher's timezone; run, it publishes the day."""
    from types import SimpleNamespace

    from bot.app import _schedule_feed_polls, build_application
    from bot.sources.feed import FeedEntry

    settings = load_settings(
        {"TELEGRAM_BOT_TOKEN": "123456789:" + "A" * 35, "FEED_URL": "https://news.example/feed", "ADMIN_IDS": "7",
         "FEED_MODE": "daily", "DIGEST_CUTOFF": "20:30", "DEFAULT_TIMEZONE": "Europe/Berlin"}
    )  # fmt: skip
    clock = ManualClock(dt.datetime(2024, 10, 11, 18, 29, tzinfo=dt.UTC))  # 20:29 in Berlin
    app = build_application(settings, clock=clock)
    _schedule_feed_polls(app, settings)
    assert app.job_queue is not None
    [job] = app.job_queue.get_jobs_by_name("daily-digest")
    trigger = job.job.trigger
    fields = {field.name: str(field) for field in trigger.fields}
    assert (fields["hour"], fields["minute"], str(trigger.timezone)) == ("20", "30", "Europe/Berlin")

    db = await Database.open(":memory:", clock=clock)
    try:
        services = Services.over(db, settings, clock)
        entry = FeedEntry("a", "Rates stay on hold", "https://news.example/a",
                          dt.datetime(2024, 10, 11, 9, tzinfo=dt.UTC), "<p>In short.</p>", True)  # fmt: skip
        await (await publishing.daily_digests(services)).keep("https://news.example/feed", [entry])
        context: Any = SimpleNamespace(services=services)
        await job.callback(context)
        assert await services.digests.latest_published_id() is None  # a minute early: the day is open
        clock.set(dt.datetime(2024, 10, 11, 18, 30, tzinfo=dt.UTC))
        await job.callback(context)
        published = await services.digests.latest_published_id()
        assert published is not None
        stored = await services.digests.get(published)
        assert stored is not None and [item.title for item in stored.digest.items()] == ["Rates stay on hold"]
    finally:
        await db.close()


@pytest.mark.parametrize(
    ("text", "an_issue"),
    [
        ((FIXTURES / "real-russia-today-2024-10-11.txt").read_text(), True),
        ("Kazakhstan unrest\n\nFriday, January 7, 2022\n\nThe protests continued on Friday in Almaty.", True),
        # An item, but no date printed: two paragraphs typed to the bot, not a pasted issue.
        ("Kazakhstan unrest\n\nThe protests continued on Friday in Almaty, where troops fired on crowds.", False),
        ("Meeting on March 3, 2026\n\nWe discuss the plan tomorrow at the office.", False),
        ("what does lukyanov say about kazakhstan", False),
        ("Remember the milk, 2 March 2026.", False),
    ],
)
def test_a_pasted_issue_prints_its_date_and_has_an_item(text: str, an_issue: bool) -> None:
    parsed = publishing.pasted_issue(text, today=NOON.date())
    assert (parsed is not None) is an_issue
