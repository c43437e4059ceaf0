"""Polling the publisher's feeds from inside the bot: new issues are stored, published and sent.

``FEED_MODE=issue``: each entry is an issue, identified by its id or link. ``FEED_MODE=daily``: the entries
are kept for the day's digest (:mod:`bot.sources.daily`), assembled once the day's cutoff has passed.

Each feed is fetched with a conditional GET (the validators of its last answer live in storage), so an
unchanged feed costs one 304. A failing feed is logged and tried again next time; it never stops the bot
and never blocks the other feeds.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.sources.daily import DailyDigests
from bot.sources.feed import read_feed
from bot.sources.file import SourceError
from bot.sources.http import Fetcher
from bot.sources.ingest import ingest_text
from bot.sources.resolve import entry_text
from storage import Database, DigestRepository, SaveOutcome
from storage.feeds import FeedRepository

logger = logging.getLogger(__name__)


@dataclass
class PollReport:
    url: str
    not_modified: bool = False
    stored: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


Announce = Callable[[int], Awaitable[int]]
"""Told the id of each issue a poll stored or replaced (the bot passes ``announce_published``); returns how
many readers were queued now."""


class FeedPoller:
    def __init__(
        self,
        db: Database,
        digests: DigestRepository,
        urls: tuple[str, ...],
        *,
        announce: Announce,
        fetcher: Fetcher | None = None,
        daily: DailyDigests | None = None,
    ) -> None:
        self._db = db
        self._digests = digests
        self._urls = urls
        self._feeds = FeedRepository(db)
        self._announce = announce
        self._fetcher = fetcher
        self._daily = daily

    async def poll_all(self) -> list[PollReport]:
        if self._fetcher is not None:
            reports = [await self.poll(url, self._fetcher) for url in self._urls]
        else:
            async with Fetcher() as fetcher:
                reports = [await self.poll(url, fetcher) for url in self._urls]
        if self._daily is not None:
            for done in await self._daily.assemble_due(self._announce):
                logger.info("feeds: the digest of %s (%d entries) %s", done.day, done.items, done.outcome)
        return reports

    async def poll(self, url: str, fetcher: Fetcher) -> PollReport:
        report = PollReport(url)
        state = await self._feeds.get(url)
        try:
            result = await read_feed(
                fetcher, url, etag=state.etag if state else None, last_modified=state.last_modified if state else None,
                pages=self._daily is None,
            )  # fmt: skip
        except SourceError as exc:
            logger.warning("feed %s failed, will retry next poll: %s", url, exc)
            await self._feeds.record_failure(url, str(exc))
            report.errors.append(str(exc))
            return report
        except Exception as exc:  # a bug or a surprise in one feed must not stop the others or the bot
            logger.exception("feed %s failed unexpectedly", url)
            await self._feeds.record_failure(url, type(exc).__name__)
            report.errors.append(type(exc).__name__)
            return report
        report.not_modified = result.not_modified
        for failed in result.errors:
            logger.warning("feed %s: entry %s skipped: %s", url, failed.entry.link or failed.entry.id, failed.message)
            report.errors.append(failed.message)
        if self._daily is not None:
            kept = await self._daily.keep(url, [issue.entry for issue in result.entries])
            if kept:
                logger.info("feed %s: %d new or corrected entries for the daily digest", url, kept)
            await self._feeds.record_success(url, result.etag, result.last_modified)
            return report
        queued = 0
        for issue in result.entries:
            source = issue.entry.link or f"{url}#{issue.entry.id}"
            outcome = await ingest_text(
                self._db, self._digests, issue.text, source=source, hints=entry_text(issue).hints, key=issue.entry.id
            )
            if outcome.error is not None:
                logger.warning("feed %s: entry %s is not an issue: %s", url, source, outcome.error)
                report.errors.append(outcome.error)
            elif outcome.outcome in (SaveOutcome.CREATED, SaveOutcome.REPLACED) and outcome.digest_id is not None:
                logger.debug("feed %s: %s", url, outcome.describe())
                report.stored.append(outcome.digest_id)
                queued += await self._announce(outcome.digest_id)
        if report.stored:
            logger.info(
                "feed %s: %d new or corrected issues stored, %d readers sent one now", url, len(report.stored), queued
            )
        await self._feeds.record_success(url, result.etag, result.last_modified)
        return report
