"""Feed poll state: the ETag/Last-Modified of each feed's last answer, so unchanged feeds cost a 304."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from storage.db import Database
from storage.timestamps import from_epoch, to_epoch


@dataclass(frozen=True, slots=True)
class FeedState:
    url: str
    etag: str | None
    last_modified: str | None
    checked_at: dt.datetime
    ok: bool
    error: str | None


class FeedRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, url: str) -> FeedState | None:
        row = await self._db.fetchone("SELECT * FROM feeds WHERE url = ?", (url,))
        if row is None:
            return None
        return FeedState(
            row["url"], row["etag"], row["last_modified"], from_epoch(row["checked_at"]), bool(row["ok"]), row["error"]
        )

    async def record_success(self, url: str, etag: str | None, last_modified: str | None) -> None:
        """Remember the validators of a successful poll (a 304 keeps the ones sent)."""
        await self._db.execute(
            """
            INSERT INTO feeds (url, etag, last_modified, checked_at, ok, error) VALUES (?, ?, ?, ?, 1, NULL)
            ON CONFLICT (url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified,
                checked_at = excluded.checked_at, ok = 1, error = NULL
            """,
            (url, etag, last_modified, to_epoch(self._db.clock.now())),
        )

    async def record_failure(self, url: str, error: str) -> None:
        """Keep the validators; note the failure (the next poll retries)."""
        await self._db.execute(
            """
            INSERT INTO feeds (url, checked_at, ok, error) VALUES (?, ?, 0, ?)
            ON CONFLICT (url) DO UPDATE SET checked_at = excluded.checked_at, ok = 0, error = excluded.error
            """,
            (url, to_epoch(self._db.clock.now()), error),
        )


@dataclass(frozen=True, slots=True)
class StoredEntry:
    """A feed entry kept for the daily digest (FEED_MODE=daily)."""

    key: str
    feed_url: str
    day: dt.date
    title: str
    link: str | None
    teaser: str | None
    author: str | None


class FeedEntryRepository:
    """The entries of a newsroom feed, by their id or link, waiting for their day's digest."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def day_of(self, key: str) -> dt.date | None:
        day = await self._db.fetchval("SELECT digest_day FROM feed_entries WHERE entry_key = ?", (key,))
        return dt.date.fromisoformat(day) if day else None

    async def keep(self, entry: StoredEntry, *, position: int) -> bool:
        """Store an entry, or update a corrected one (it keeps its day); True when something changed."""
        changes = await self._db.execute(
            """
            INSERT INTO feed_entries (entry_key, feed_url, digest_day, position, title, link, teaser, author, seen_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (entry_key) DO UPDATE SET title = excluded.title, link = excluded.link,
                teaser = excluded.teaser, author = excluded.author, assembled = 0
            WHERE (title, link, teaser, author) IS NOT (excluded.title, excluded.link, excluded.teaser, excluded.author)
            """,
            (entry.key, entry.feed_url, entry.day.isoformat(), position, entry.title, entry.link, entry.teaser,
             entry.author, to_epoch(self._db.clock.now())),
        )  # fmt: skip
        return changes.rowcount > 0

    async def assembled_days(self) -> set[dt.date]:
        """Days whose digest was assembled: a new entry for one of them goes to the next open day."""
        rows = await self._db.fetchall("SELECT DISTINCT digest_day FROM feed_entries WHERE assembled = 1")
        return {dt.date.fromisoformat(row["digest_day"]) for row in rows}

    async def pending_days(self) -> list[dt.date]:
        """Days with entries not yet in their digest, oldest first."""
        rows = await self._db.fetchall(
            "SELECT DISTINCT digest_day FROM feed_entries WHERE assembled = 0 ORDER BY digest_day"
        )
        return [dt.date.fromisoformat(row["digest_day"]) for row in rows]

    async def entries_of(self, day: dt.date) -> list[StoredEntry]:
        rows = await self._db.fetchall(
            "SELECT * FROM feed_entries WHERE digest_day = ? ORDER BY position, entry_key", (day.isoformat(),)
        )
        return [
            StoredEntry(row["entry_key"], row["feed_url"], day, row["title"], row["link"], row["teaser"], row["author"])
            for row in rows
        ]

    async def mark_assembled(self, day: dt.date) -> None:
        await self._db.execute("UPDATE feed_entries SET assembled = 1 WHERE digest_day = ?", (day.isoformat(),))
