"""What readers opened: anonymous counts per piece and UTC day, and the week's most opened pieces.

No reader is recorded, only "item 3 of issue 12 was opened 5 times on 2026-03-02": nothing here needs a
line in /mydata, and /forget has nothing to delete.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from bot.digest.model import ItemKind
from storage.db import Database

if TYPE_CHECKING:
    from storage.figures import TopAuthor, TopItem  # the /stats rows load with /stats


class OpenRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def record(self, digest_id: int, position: int, day: dt.date | None = None) -> None:
        """Count one open of item ``position`` of issue ``digest_id`` (today, UTC, unless ``day``)."""
        day = day or self._db.clock.now().astimezone(dt.UTC).date()
        await self._db.execute(
            """
            INSERT INTO item_opens (digest_id, position, day, opens)
            SELECT ?, ?, ?, 1 WHERE EXISTS (SELECT 1 FROM items WHERE digest_id = ? AND position = ?)
            ON CONFLICT (digest_id, position, day) DO UPDATE SET opens = opens + 1
            """,
            (digest_id, position, day.isoformat(), digest_id, position),
        )

    async def opens(self, digest_id: int, position: int) -> int:
        value = await self._db.fetchval(
            "SELECT coalesce(sum(opens), 0) FROM item_opens WHERE digest_id = ? AND position = ?",
            (digest_id, position),
            default=0,
        )
        return int(value)

    async def top_items(self, since: dt.date, limit: int = 10) -> list[TopItem]:
        """The most opened pieces on days from ``since`` (UTC) on, most opened first."""
        from storage.figures import TopItem

        rows = await self._db.fetchall(
            """
            SELECT o.digest_id, o.position, i.title, i.author, i.kind, d.issue_date, sum(o.opens) AS opens
            FROM item_opens o
            JOIN items i ON i.digest_id = o.digest_id AND i.position = o.position
            JOIN digests d ON d.id = o.digest_id
            WHERE o.day >= ?
            GROUP BY o.digest_id, o.position
            ORDER BY opens DESC, d.issue_date DESC, o.position
            LIMIT ?
            """,
            (since.isoformat(), limit),
        )
        return [
            TopItem(
                digest_id=row["digest_id"],
                position=row["position"],
                title=row["title"],
                author=row["author"],
                kind=ItemKind(row["kind"]),
                date=dt.date.fromisoformat(row["issue_date"]) if row["issue_date"] else None,
                opens=row["opens"],
            )
            for row in rows
        ]

    async def top_authors(self, since: dt.date, limit: int = 5) -> list[TopAuthor]:
        """Authors whose pieces were opened most on days from ``since`` on."""
        from storage.figures import TopAuthor

        rows = await self._db.fetchall(
            """
            SELECT min(i.author) AS author, sum(o.opens) AS opens
            FROM item_opens o JOIN items i ON i.digest_id = o.digest_id AND i.position = o.position
            WHERE o.day >= ? AND i.author_key IS NOT NULL
            GROUP BY i.author_key ORDER BY opens DESC, author LIMIT ?
            """,
            (since.isoformat(), limit),
        )
        return [TopAuthor(row["author"], row["opens"]) for row in rows]
