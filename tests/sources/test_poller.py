"""The bot's feed poller: new issues stored and published, 304s when nothing changed, failures survived."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from bot.config import load_settings
from bot.features.publishing import announce_published
from bot.features.services import Services
from bot.rules.clock import ManualClock
from bot.sources.http import Fetcher
from bot.sources.poller import FeedPoller
from storage import Database, FeedRepository
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
    await services.subscribers.upsert_on_start(7, delivery_time="05:00")  # START is 06:00 UTC
    async with Fetcher(timeout=5) as fetcher:
        await wired_poller(services, (site.url("/rss/en/the-real-russia-today"),), fetcher).poll_all()
    latest = await services.digests.latest_published()
    assert latest is not None
    assert await services.deliveries.status(latest.id, 7) is not None



def wired_poller(services: Services, urls: tuple[str, ...], fetcher: Fetcher) -> FeedPoller:
    """A poller wired as the bot wires it: it announces what it stored, and reads through ``fetcher``."""
    announce = functools.partial(announce_published, services)
    return FeedPoller(services.db, services.digests, urls, announce=announce, fetcher=fetcher)
