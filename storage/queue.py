"""The per-recipient send queue shared by issue deliveries and editor broadcasts.

Both are "send job J to chat C at most once, and know afterwards what happened", so both tables carry
the same small state machine::

    pending --claim--> sending --mark_sent--> sent
                          |------mark_failed--> failed (or back to pending with retry=True)
    pending/sending/failed --mark_skipped--> skipped
    sending --requeue_in_flight (after a crash)--> pending

``claim`` is one ``UPDATE … RETURNING`` statement, and statements never interleave on the one
connection, so two workers can never claim the same recipient. After a crash, rows left in ``sending``
are unknown: the message may or may not have gone out. Requeueing them gives at-least-once delivery,
which for a newsletter beats silently dropping a reader's issue.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Final

from storage.db import Database
from storage.timestamps import to_epoch


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"


class RecipientQueue:
    """The state machine over one table; ``table`` and ``job_column`` are fixed by the repositories."""

    def __init__(self, db: Database, table: str, job_column: str, *, hold_column: str | None = None) -> None:
        self._db = db
        self._table: Final = table
        self._job: Final = job_column
        # Rows with a future instant in this column are left in the queue until then (quiet hours).
        self._ready: Final = f"AND ({hold_column} IS NULL OR {hold_column} <= :now)" if hold_column else ""

    def _now(self) -> int:
        return to_epoch(self._db.clock.now())

    async def enqueue(self, job_id: int, chat_ids: Iterable[int]) -> int:
        """Queue ``job_id`` for each chat; returns how many were new.

        Already queued chats are left alone (whatever their status), so enqueueing twice never sends
        twice. Chats that are not (or no longer) subscribers are skipped instead of failing the batch.
        """
        now = self._now()
        async with self._db.atomic():
            return await self._db.execute_many(
                f"""
                INSERT OR IGNORE INTO {self._table} ({self._job}, chat_id, status, attempts, created_at, updated_at)
                SELECT ?, chat_id, 'pending', 0, ?, ? FROM subscribers WHERE chat_id = ?
                """,
                ((job_id, now, now, chat_id) for chat_id in chat_ids),
            )

    async def claim(self, job_id: int, limit: int) -> list[int]:
        """Move up to ``limit`` pending recipients to ``sending`` and return their chat ids (sorted)."""
        rows = await self._db.fetchall(
            f"""
            UPDATE {self._table}
            SET status = 'sending', attempts = attempts + 1, updated_at = :now
            WHERE {self._job} = :job AND status = 'pending' AND chat_id IN (
                SELECT chat_id FROM {self._table}
                WHERE {self._job} = :job AND status = 'pending' {self._ready}
                ORDER BY chat_id LIMIT :limit
            )
            RETURNING chat_id
            """,
            {"job": job_id, "limit": limit, "now": self._now()},
        )
        return sorted(row["chat_id"] for row in rows)

    async def mark_sent(self, job_id: int, chat_id: int, message_ids: Sequence[int]) -> bool:
        """Record a successful send; False if it was already recorded as sent (or is unknown)."""
        now = self._now()
        changes = await self._db.execute(
            f"""
            UPDATE {self._table}
            SET status = 'sent', message_ids = ?, error = NULL, sent_at = ?, updated_at = ?
            WHERE {self._job} = ? AND chat_id = ? AND status <> 'sent'
            """,
            (json.dumps([int(m) for m in message_ids]), now, now, job_id, chat_id),
        )
        return changes.rowcount > 0

    async def mark_sent_many(self, rows: Sequence[tuple[int, int, Sequence[int]]]) -> int:
        """:meth:`mark_sent` for many ``(job_id, chat_id, message_ids)`` in one transaction (group commit)."""
        now = self._now()
        async with self._db.atomic():
            return await self._db.execute_many(
                f"""
                UPDATE {self._table}
                SET status = 'sent', message_ids = ?, error = NULL, sent_at = ?, updated_at = ?
                WHERE {self._job} = ? AND chat_id = ? AND status <> 'sent'
                """,
                ((json.dumps([int(m) for m in ids]), now, now, job, chat) for job, chat, ids in rows),
            )

    async def mark_failed(self, job_id: int, chat_id: int, error: str, *, retry: bool = False) -> bool:
        """Record a failed send of a claimed recipient; ``retry`` puts it back in the queue."""
        changes = await self._db.execute(
            f"""
            UPDATE {self._table} SET status = ?, error = ?, updated_at = ?
            WHERE {self._job} = ? AND chat_id = ? AND status = 'sending'
            """,
            ("pending" if retry else "failed", error, self._now(), job_id, chat_id),
        )
        return changes.rowcount > 0

    async def mark_skipped(self, job_id: int, chat_id: int, reason: str | None = None) -> bool:
        """Decide not to send (reader paused, wants no such items…); sent rows stay sent."""
        changes = await self._db.execute(
            f"""
            UPDATE {self._table} SET status = 'skipped', error = ?, updated_at = ?
            WHERE {self._job} = ? AND chat_id = ? AND status IN ('pending', 'sending', 'failed')
            """,
            (reason, self._now(), job_id, chat_id),
        )
        return changes.rowcount > 0

    async def skip_pending(self, job_id: int, reason: str) -> int:
        """Skip everyone still waiting (a cancelled job)."""
        changes = await self._db.execute(
            f"""
            UPDATE {self._table} SET status = 'skipped', error = ?, updated_at = ?
            WHERE {self._job} = ? AND status = 'pending'
            """,
            (reason, self._now(), job_id),
        )
        return changes.rowcount

    async def requeue_in_flight(self, job_id: int | None = None) -> int:
        """After a restart: ``sending`` rows (interrupted mid-send) go back to ``pending``."""
        changes = await self._db.execute(
            f"""
            UPDATE {self._table} SET status = 'pending', updated_at = ?
            WHERE status = 'sending' AND (? IS NULL OR {self._job} = ?)
            """,
            (self._now(), job_id, job_id),
        )
        return changes.rowcount

    async def row(self, job_id: int, chat_id: int) -> sqlite3.Row | None:
        return await self._db.fetchone(
            f"SELECT * FROM {self._table} WHERE {self._job} = ? AND chat_id = ?", (job_id, chat_id)
        )

    async def counts(self, job_id: int) -> dict[DeliveryStatus, int]:
        """Recipients per status, every status present (zero when none)."""
        rows = await self._db.fetchall(
            f"SELECT status, count(*) AS n FROM {self._table} WHERE {self._job} = ? GROUP BY status", (job_id,)
        )
        return status_counts(rows)

    async def queued(self) -> int:
        """Recipients waiting or in flight, over all jobs (the queue depth)."""
        return int(
            await self._db.fetchval(
                f"SELECT count(*) FROM {self._table} WHERE status IN ('pending', 'sending')", default=0
            )
        )

    async def unfinished_jobs(self) -> list[int]:
        """Jobs with recipients still pending or in flight."""
        rows = await self._db.fetchall(
            f"""
            SELECT DISTINCT {self._job} AS job FROM {self._table}
            WHERE status IN ('pending', 'sending') ORDER BY job
            """
        )
        return [row["job"] for row in rows]


def status_counts(rows: Iterable[sqlite3.Row]) -> dict[DeliveryStatus, int]:
    """``status, n`` rows as a dict that names every status."""
    counts = dict.fromkeys(DeliveryStatus, 0)
    for row in rows:
        counts[DeliveryStatus(row["status"])] = row["n"]
    return counts


def message_ids_from_json(text: str | None) -> tuple[int, ...]:
    return () if text is None else tuple(json.loads(text))
