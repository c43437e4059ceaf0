"""Polling the publisher's feeds from inside the bot: new issues are stored, published and sent.

Each feed is fetched with a conditional GET (the validators of its last answer live in storage), so an
unchanged feed costs one 304. A failing feed is logged and tried again next time; it never stops the bot
and never blocks the other feeds.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.sources.feed import read_feed
from bot.sources.file import SourceError
from bot.sources.http import Fetcher
from bot.sources.ingest import ingest_text
from storage import Database, DigestRepository, FeedRepository, SaveOutcome

logger = logging.getLogger(__name__)


@dataclass
class PollReport:
    url: str
    not_modified: bool = False
    stored: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


Announce = Callable[[int], Awaitable[object]]
"""Told the id of each issue a poll stored or replaced (the bot passes ``announce_published``)."""


class FeedPoller:
    def __init__(
        self,
        db: Database,
        digests: DigestRepository,
        urls: tuple[str, ...],
        *,
        announce: Announce,
        fetcher: Fetcher | None = None,
    ) -> None:
        self._db = db
        self._digests = digests
        self._urls = urls
        self._feeds = FeedRepository(db)
        self._announce = announce
        self._fetcher = fetcher

    async def poll_all(self) -> list[PollReport]:
        if self._fetcher is not None:
            return [await self.poll(url, self._fetcher) for url in self._urls]
        async with Fetcher() as fetcher:
            return [await self.poll(url, fetcher) for url in self._urls]

    async def poll(self, url: str, fetcher: Fetcher) -> PollReport:
        report = PollReport(url)
        state = await self._feeds.get(url)
        try:
            result = await read_feed(
                fetcher, url, etag=state.etag if state else None, last_modified=state.last_modified if state else None
            )
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
        for issue in result.entries:
            source = issue.entry.link or f"{url}#{issue.entry.id}"
            outcome = await ingest_text(self._db, self._digests, issue.text, source=source)
            if outcome.error is not None:
                logger.warning("feed %s: entry %s is not an issue: %s", url, source, outcome.error)
                report.errors.append(outcome.error)
            elif outcome.outcome in (SaveOutcome.CREATED, SaveOutcome.REPLACED) and outcome.digest_id is not None:
                logger.info("feed %s: %s", url, outcome.describe())
                report.stored.append(outcome.digest_id)
                await self._announce(outcome.digest_id)
        await self._feeds.record_success(url, result.etag, result.last_modified)
        return report
