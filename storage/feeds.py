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
