"""A newsroom feed as one daily digest (``FEED_MODE=daily``): the day's entries, each an item.

Many publishers have no newsletter, only a feed with one article per entry. In daily mode the entries are
kept (by their id or link, so a corrected entry replaces itself and entries of one day never overwrite each
other) on the day :func:`bot.rules.cutoff.entry_day` gives them, and at ``DIGEST_CUTOFF`` each day's entries
become one digest — the entries in the order they were published, each a story with its title, link, teaser
and author — published like any issue. An entry that arrives after its day was assembled goes into the next
day's digest.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.digest.model import Digest, Item, ItemKind, Section
from bot.rules.cutoff import assembly_due, entry_day
from bot.sources.feed import FeedEntry
from storage import Database, DigestRepository, SaveOutcome
from storage.feeds import FeedEntryRepository, StoredEntry

TEASER_CHARS = 500
_TAG_RE = re.compile(r"<[^>]+>")

Announce = Callable[[int], Awaitable[object]]


@dataclass(frozen=True, slots=True)
class DailyFeed:
    """How the day's digest is made: when, in which timezone, under which name."""

    cutoff: dt.time
    timezone: ZoneInfo
    newsletter: str | None = None


@dataclass(frozen=True, slots=True)
class Assembled:
    day: dt.date
    digest_id: int
    outcome: SaveOutcome
    items: int


class DailyDigests:
    """Keeps a feed's entries and assembles each day's digest once its cutoff has passed."""

    def __init__(self, db: Database, digests: DigestRepository, config: DailyFeed) -> None:
        self._db = db
        self._digests = digests
        self._entries = FeedEntryRepository(db)
        self._config = config

    async def keep(self, feed_url: str, entries: Sequence[FeedEntry]) -> int:
        """Store new or corrected entries; returns how many changed."""
        changed = 0
        async with self._db.atomic():
            closed = await self._entries.assembled_days()
            now = self._db.clock.now()
            for entry in entries:
                key = entry.id or entry.link
                if not key or not entry.title:
                    continue
                published = entry.published or now
                day = await self._entries.day_of(key)
                if day is None:
                    day = entry_day(published, self._config.cutoff, self._config.timezone, closed)
                stored = StoredEntry(key, feed_url, day, entry.title, entry.link, teaser(entry), entry.author)
                changed += await self._entries.keep(stored, position=int(published.timestamp()))
        return changed

    async def assemble_due(self, announce: Announce | None = None) -> list[Assembled]:
        """Make the digest of every day whose cutoff has passed and has new or corrected entries."""
        done: list[Assembled] = []
        now = self._db.clock.now()
        for day in await self._entries.pending_days():
            if not assembly_due(day, now, self._config.cutoff, self._config.timezone):
                continue
            async with self._db.atomic():
                entries = await self._entries.entries_of(day)
                digest = assemble(day, entries, self._config.newsletter)
                result = await self._digests.save(digest, publish=True)
                await self._entries.mark_assembled(day)
            done.append(Assembled(day, result.digest_id, result.outcome, len(entries)))
            if announce is not None and result.outcome in (SaveOutcome.CREATED, SaveOutcome.REPLACED):
                await announce(result.digest_id)
        return done


def assemble(day: dt.date, entries: Sequence[StoredEntry], newsletter: str | None) -> Digest:
    """One digest of ``day``'s entries: the first entry's title heads it, each entry is a story."""
    items = tuple(
        Item(ItemKind.STORY, entry.title, author=entry.author, body=(entry.teaser,) if entry.teaser else (),
             link=entry.link)
        for entry in entries
    )  # fmt: skip
    source = entries[0].feed_url if entries else None
    return Digest(newsletter, day, entries[0].title if entries else None, None, (Section(None, items),), source)


def teaser(entry: FeedEntry) -> str | None:
    """The entry's summary as plain text, cut at a word near :data:`TEASER_CHARS`."""
    text = entry.content if entry.content_type == "text/plain" else html.unescape(_TAG_RE.sub(" ", entry.content))
    text = " ".join(text.split())
    if len(text) <= TEASER_CHARS:
        return text or None
    cut = text[:TEASER_CHARS].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:—–-") + "…"
