"""Posts to the publisher's channels (CHANNELS) and the reactions Telegram counts on them.

One row per (channel, issue) or (channel, broadcast): the unique indexes make "post today's issue" safe to
try every minute, and a restart never posts twice. Reactions are Telegram's running totals
(``message_reaction_count``), kept per message and summed per issue.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from storage.db import Database
from storage.timestamps import from_epoch_or_none, to_epoch

if TYPE_CHECKING:
    from storage.figures import ChannelTotals  # the /stats rows load with /stats


@dataclass(frozen=True, slots=True)
class ChannelPost:
    """One issue or broadcast to post in one configured channel, and how far it got."""

    id: int
    channel: str
    """As configured: ``@name`` or a numeric id."""
    chat_id: int | None
    digest_id: int | None
    broadcast_id: int | None
    status: str
    """``pending``, ``sent`` or ``failed``."""
    message_ids: tuple[int, ...]
    error: str | None
    posted_at: dt.datetime | None


class ChannelPostRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    def _now(self) -> int:
        return to_epoch(self._db.clock.now())

    async def claim(self, channel: str, *, digest_id: int | None = None, broadcast_id: int | None = None) -> bool:
        """Reserve the post of an issue or a broadcast in ``channel``; False when it was already made or tried."""
        changes = await self._db.execute(
            """
            INSERT OR IGNORE INTO channel_posts (channel, digest_id, broadcast_id, status, created_at)
            VALUES (?, ?, ?, 'pending', ?)
            """,
            (channel, digest_id, broadcast_id, self._now()),
        )
        return changes.rowcount > 0

    async def mark_sent(self, post_id: int, chat_id: int, message_ids: Sequence[int]) -> None:
        now = self._now()
        await self._db.execute(
            "UPDATE channel_posts SET status = 'sent', chat_id = ?, message_ids = ?, posted_at = ?, error = NULL "
            "WHERE id = ?",
            (chat_id, json.dumps([int(m) for m in message_ids]), now, post_id),
        )

    async def mark_failed(self, post_id: int, error: str) -> None:
        await self._db.execute("UPDATE channel_posts SET status = 'failed', error = ? WHERE id = ?", (error, post_id))

    async def find(
        self, channel: str, *, digest_id: int | None = None, broadcast_id: int | None = None
    ) -> ChannelPost | None:
        row = await self._db.fetchone(
            "SELECT * FROM channel_posts WHERE channel = ? AND digest_id IS ? AND broadcast_id IS ?",
            (channel, digest_id, broadcast_id),
        )
        return None if row is None else _post(row)

    async def all(self) -> list[ChannelPost]:
        return [_post(row) for row in await self._db.fetchall("SELECT * FROM channel_posts ORDER BY id")]

    async def digest_of_message(self, chat_id: int, message_id: int) -> int | None:
        """The issue a channel message belongs to, if it was one of the bot's posts of an issue."""
        value = await self._db.fetchval(
            """
            SELECT p.digest_id FROM channel_posts p, json_each(p.message_ids) m
            WHERE p.chat_id = ? AND p.digest_id IS NOT NULL AND m.value = ?
            """,
            (chat_id, message_id),
        )
        return None if value is None else int(value)

    async def record_reactions(self, chat_id: int, message_id: int, total: int) -> int | None:
        """Keep Telegram's latest reaction total of one channel message; returns its issue, or None (not ours)."""
        digest_id = await self.digest_of_message(chat_id, message_id)
        if digest_id is None:
            return None
        await self._db.execute(
            """
            INSERT INTO post_reactions (chat_id, message_id, digest_id, total, updated_at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (chat_id, message_id) DO UPDATE SET total = excluded.total, updated_at = excluded.updated_at
            """,
            (chat_id, message_id, digest_id, max(0, total), self._now()),
        )
        return digest_id

    async def reactions(self, digest_id: int) -> int:
        """Reactions counted on an issue's channel posts, all channels together."""
        value = await self._db.fetchval(
            "SELECT coalesce(sum(total), 0) FROM post_reactions WHERE digest_id = ?", (digest_id,), default=0
        )
        return int(value)

    async def totals(self, since: dt.datetime | None = None) -> ChannelTotals:
        from storage.figures import ChannelTotals

        row = await self._db.fetchone(
            """
            SELECT coalesce(sum(status = 'sent' AND digest_id IS NOT NULL), 0) AS issues,
                   coalesce(sum(status = 'sent' AND broadcast_id IS NOT NULL), 0) AS broadcasts,
                   coalesce(sum(status = 'failed'), 0) AS failed
            FROM channel_posts WHERE ? IS NULL OR created_at >= ?
            """,
            (None if since is None else to_epoch(since), None if since is None else to_epoch(since)),
        )
        assert row is not None
        reactions = await self._db.fetchval("SELECT coalesce(sum(total), 0) FROM post_reactions", default=0)
        return ChannelTotals(row["issues"], row["broadcasts"], row["failed"], int(reactions))


def _post(row: sqlite3.Row) -> ChannelPost:
    return ChannelPost(
        id=row["id"],
        channel=row["channel"],
        chat_id=row["chat_id"],
        digest_id=row["digest_id"],
        broadcast_id=row["broadcast_id"],
        status=row["status"],
        message_ids=tuple(json.loads(row["message_ids"])) if row["message_ids"] else (),
        error=row["error"],
        posted_at=from_epoch_or_none(row["posted_at"]),
    )
