"""The bot's feed poller: new issues stored and published, 304s when nothing changed, failures survived."""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.config import load_settings
from bot.features.publishing import announce_published
from bot.features.services import Services
from bot.rules.clock import ManualClock
from bot.sources.daily import DailyDigests, DailyFeed
from bot.sources.http import Fetcher
from bot.sources.poller import FeedPoller
from storage import Database
from storage.feeds import FeedRepository
from tests.harness import START
from tests.sources.test_feed import FeedSite


@pytest.fixture
async def site() -> AsyncIterator[FeedSite]:
    site = FeedSite()
    async with TestServer(site.app(), host="127.0.0.1") as server:
        site.server = server
        yield site


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    clock = ManualClock(START)
    async with await Database.open(tmp_path / "feeds.db", clock=clock) as db:
        yield Services.over(db, load_settings({}), clock)


async def test_new_issues_are_stored_then_an_unchanged_feed_costs_a_304(site: FeedSite, services: Services) -> None:
    url = site.url("/rss/en/the-real-russia-today")
    async with Fetcher(timeout=5) as fetcher:
        poller = wired_poller(services, (url,), fetcher)
        [first] = await poller.poll_all()
        assert len(first.stored) == 2 and not first.errors
        latest = await services.digests.latest_published()
        assert latest is not None and str(latest.digest.date) == "2024-07-11"
        [second] = await poller.poll_all()
    assert second.not_modified and second.stored == []
    assert site.hits["/rss/en/the-real-russia-today"] == 2
    state = await FeedRepository(services.db).get(url)
    assert state is not None and state.ok and state.etag


async def test_a_failing_feed_is_recorded_and_does_not_stop_the_others(site: FeedSite, services: Services) -> None:
    broken = site.url("/no/such/feed")
    good = site.url("/rss/en/the-real-russia-today")
    async with Fetcher(timeout=5) as fetcher:
        reports = await wired_poller(services, (broken, good), fetcher).poll_all()
    assert reports[0].errors and not reports[0].stored
    assert len(reports[1].stored) == 2
    state = await FeedRepository(services.db).get(broken)
    assert state is not None and not state.ok and "404" in (state.error or "")


async def test_a_new_issue_reaches_readers_whose_time_has_passed(site: FeedSite, services: Services) -> None:
    assert isinstance(services.clock, ManualClock)
    services.clock.set(dt.datetime(2024, 7, 11, 6, 0, tzinfo=dt.UTC))
    await services.subscribers.upsert_on_start(7, delivery_time="05:00")  # the feed's newest is dated today
    async with Fetcher(timeout=5) as fetcher:
        await wired_poller(services, (site.url("/rss/en/the-real-russia-today"),), fetcher).poll_all()
    latest = await services.digests.latest_published()
    assert latest is not None
    assert await services.deliveries.status(latest.id, 7) is not None


async def test_a_feed_of_old_issues_is_archive_only(site: FeedSite, services: Services) -> None:
    await services.subscribers.upsert_on_start(7, delivery_time="05:00")  # START is 06:00 UTC, in 2026
    async with Fetcher(timeout=5) as fetcher:
        [report] = await wired_poller(services, (site.url("/rss/en/the-real-russia-today"),), fetcher).poll_all()
    assert len(report.stored) == 2
    assert await services.db.fetchval("SELECT count(*) FROM deliveries") == 0


def wired_poller(services: Services, urls: tuple[str, ...], fetcher: Fetcher) -> FeedPoller:
    """A poller wired as the bot wires it: it announces what it stored, and reads through ``fetcher``."""
    announce = functools.partial(announce_published, services)
    return FeedPoller(services.db, services.digests, urls, announce=announce, fetcher=fetcher)


async def test_a_poll_that_found_something_is_one_info_line(
    site: FeedSite, services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    url = site.url("/rss/en/the-real-russia-today")
    async with Fetcher(timeout=5) as fetcher:
        with caplog.at_level(logging.INFO, logger="bot.sources.poller"):
            await wired_poller(services, (url,), fetcher).poll_all()
            await wired_poller(services, (url,), fetcher).poll_all()  # nothing new: nothing said
    [line] = [r.getMessage() for r in caplog.records if r.name == "bot.sources.poller" and r.levelno == logging.INFO]
    assert line == f"feed {url}: 2 new or corrected issues stored, 0 readers sent one now"


NEWSROOM = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>City Desk</title><link>https://desk.example/</link>
<item><title>Council approves the new budget</title><link>/budget</link>
<guid>desk-1</guid><pubDate>Mon, 02 Mar 2026 07:00:00 +0000</pubDate><author>ann@desk.example (Ann Lee)</author>
<description>The council voted 31 to 9 for a budget that raises spending on schools.</description></item>
<item><title>Tram line closes for repairs</title><link>/tram</link>
<guid>desk-2</guid><pubDate>Mon, 02 Mar 2026 08:00:00 +0000</pubDate>
<description>Line 4 closes for three weeks from Monday; buses replace it.</description></item>
<item><title>Library opens on Sundays</title><link>/library</link>
<guid>desk-3</guid><pubDate>Mon, 02 Mar 2026 09:30:00 +0000</pubDate>
<description>The central library will open on Sundays from April.</description></item>
</channel></rss>"""


@pytest.fixture
async def newsroom() -> AsyncIterator[tuple[str, Counter[str]]]:
    hits: Counter[str] = Counter()

    async def handle(request: web.Request) -> web.Response:
        hits[request.path] += 1
        return web.Response(text=NEWSROOM, content_type="application/rss+xml")

    async def page(request: web.Request) -> web.Response:
        hits[request.path] += 1
        title = {"/budget": "Council approves the new budget", "/tram": "Tram line closes", "/library": "Sundays"}
        body = f"<h1>{title[request.path]}</h1><p>Monday, March 2, 2026</p><h2>The story</h2><p>What happened.</p>"
        return web.Response(text=f"<html><body><article>{body}</article></body></html>", content_type="text/html")

    app = web.Application()
    app.router.add_get("/feed", handle)
    for path in ("/budget", "/tram", "/library"):
        app.router.add_get(path, page)
    async with TestServer(app, host="127.0.0.1") as server:
        yield str(server.make_url("/feed")), hits


async def test_entries_of_one_date_are_issues_of_their_own_in_issue_mode(
    newsroom: tuple[str, Counter[str]], services: Services
) -> None:
    url, _hits = newsroom
    async with Fetcher(timeout=5) as fetcher:
        [report] = await wired_poller(services, (url,), fetcher).poll_all()
    assert len(set(report.stored)) == 3  # never overwritten by their shared date


async def test_daily_mode_makes_the_days_entries_one_digest_at_the_cutoff(
    newsroom: tuple[str, Counter[str]], services: Services
) -> None:
    url, hits = newsroom
    clock = services.db.clock
    assert isinstance(clock, ManualClock)
    daily = DailyDigests(services.db, services.digests, DailyFeed(dt.time(20, 0), ZoneInfo("UTC"), "City Desk"))
    announce = functools.partial(announce_published, services)
    async with Fetcher(timeout=5) as fetcher:
        poller = FeedPoller(services.db, services.digests, (url,), announce=announce, fetcher=fetcher, daily=daily)
        await poller.poll_all()  # 06:00: kept, not yet published
        assert await services.digests.latest_published() is None
        clock.set(dt.datetime(2026, 3, 2, 20, 1, tzinfo=dt.UTC))
        await poller.poll_all()
    latest = await services.digests.latest_published()
    assert latest is not None
    digest = latest.digest
    assert (digest.newsletter, str(digest.date)) == ("City Desk", "2026-03-02")
    assert digest.title == "Council approves the new budget"
    items = list(digest.items())
    assert [item.title for item in items] == [
        "Council approves the new budget",
        "Tram line closes for repairs",
        "Library opens on Sundays",
    ]
    assert items[0].author == "ann@desk.example (Ann Lee)" and (items[0].link or "").endswith("/budget")
    assert list(hits) == ["/feed"]  # no entry page fetched in daily mode
