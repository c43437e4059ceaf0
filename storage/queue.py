"""The per-recipient send queue shared by issue deliveries and editor broadcasts.

Both are "send job J to chat C at most once, and know afterwards what happened", so both tables carry
the same small state machine::

    pending --claim--> sending --mark_sent--> sent
                          |------mark_failed--> failed (or back to pending with retry=True)
                          |------defer--> pending, retryable, not before next_attempt_at
                          |               (failed, still retryable, once retry_until has passed)
    pending/sending/failed --mark_skipped--> skipped
    sending --requeue_in_flight (after a crash)--> pending
    pending (deferred)/failed (retryable) --requeue_retryable (`briefing push`)--> pending, due now

``claim`` is one ``UPDATE … RETURNING`` statement, and statements never interleave on the one
connection, so two workers can never claim the same recipient. After a crash, rows left in ``sending``
are unknown: the message may or may not have gone out. Requeueing them gives at-least-once delivery,
which for a newsletter beats silently dropping a reader's issue.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
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


@dataclass(frozen=True, slots=True)
class Claimed:
    """A recipient taken for sending, with the ids of the parts an earlier attempt already sent."""

    chat_id: int
    sent_ids: tuple[int, ...] = ()
    attempts: int = 1
    """Claims so far, this one included."""


@dataclass(frozen=True, slots=True)
class Stuck:
    """Recipients waiting to be retried after a failure that may pass, and the latest error among them."""

    count: int
    last_error: str | None


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

    async def claim(self, job_id: int, limit: int) -> list[Claimed]:
        """Move up to ``limit`` due pending recipients to ``sending`` and return them (by chat id).

        A recipient deferred after a failure is due once its ``next_attempt_at`` has come.
        """
        rows = await self._db.fetchall(
            f"""
            UPDATE {self._table}
            SET status = 'sending', attempts = attempts + 1, updated_at = :now
            WHERE {self._job} = :job AND status = 'pending' AND chat_id IN (
                SELECT chat_id FROM {self._table}
                WHERE {self._job} = :job AND status = 'pending' {self._ready}
                    AND (next_attempt_at IS NULL OR next_attempt_at <= :now)
                ORDER BY chat_id LIMIT :limit
            )
            RETURNING chat_id, message_ids, attempts
            """,
            {"job": job_id, "limit": limit, "now": self._now()},
        )
        return sorted(
            (Claimed(row["chat_id"], message_ids_from_json(row["message_ids"]), row["attempts"]) for row in rows),
            key=lambda claimed: claimed.chat_id,
        )

    async def mark_sent(self, job_id: int, chat_id: int, message_ids: Sequence[int]) -> bool:
        """Record a successful send; False if it was already recorded as sent (or is unknown)."""
        now = self._now()
        changes = await self._db.execute(
            f"""
            UPDATE {self._table}
            SET status = 'sent', message_ids = ?, error = NULL, sent_at = ?, updated_at = ?,
                retryable = 0, next_attempt_at = NULL
            WHERE {self._job} = ? AND chat_id = ? AND status <> 'sent'
            """,
            (json.dumps([int(m) for m in message_ids]), now, now, job_id, chat_id),
        )
        return changes.rowcount > 0

    async def mark_sent_many(self, rows: Sequence[tuple[int, int, Sequence[int]]]) -> int:
        """:meth:`mark_sent` for many ``(job_id, chat_id, message_ids)`` in one transaction (group commit).

        Run in one step (:meth:`Database.run_atomic`): the transaction holds the writer while SQLite works,
        not for three trips through the event loop, which a busy loop (sending at 1,000/s beside the minute
        tick) stretched to many milliseconds for everyone waiting behind it.
        """
        now = self._now()
        params = [(json.dumps([int(m) for m in ids]), now, now, job, chat) for job, chat, ids in rows]
        sql = f"""
            UPDATE {self._table}
            SET status = 'sent', message_ids = ?, error = NULL, sent_at = ?, updated_at = ?,
                retryable = 0, next_attempt_at = NULL
            WHERE {self._job} = ? AND chat_id = ? AND status <> 'sent'
        """

        def mark(conn: sqlite3.Connection) -> int:
            return max(conn.executemany(sql, params).rowcount, 0)

        changed, _ = await self._db.run_atomic(mark)
        return changed

    async def mark_failed(self, job_id: int, chat_id: int, error: str, *, retry: bool = False) -> bool:
        """Record a failed send of a claimed recipient, for good; ``retry`` puts it back in the queue
        (released unsent: a recipient waiting for a retry keeps its last error)."""
        changes = await self._db.execute(
            f"""
            UPDATE {self._table} SET
                status = CASE WHEN :retry THEN 'pending' ELSE 'failed' END,
                error = CASE WHEN :retry AND retryable THEN error ELSE :error END,
                retryable = retryable AND :retry,
                updated_at = :now
            WHERE {self._job} = :job AND chat_id = :chat AND status = 'sending'
            """,
            {"retry": retry, "error": error, "now": self._now(), "job": job_id, "chat": chat_id},
        )
        return changes.rowcount > 0

    async def defer(
        self,
        job_id: int,
        chat_id: int,
        error: str,
        *,
        sent_ids: Sequence[int],
        wait: dt.timedelta,
        window: dt.timedelta,
        possibly_doubled: int = 0,
    ) -> DeliveryStatus | None:
        """A claimed recipient's send failed for a reason that may pass: try again after ``wait``.

        The first such failure opens a retry window of ``window``; a failure after it has closed fails
        the recipient (still ``retryable``, so ``briefing push`` can queue it again). ``sent_ids`` are the
        parts already delivered: the next attempt starts after them. Returns the new status (``pending``
        or ``failed``), or None if the row was not in flight.
        """
        now = self._now()
        row = await self._db.fetchone(
            f"""
            UPDATE {self._table} SET
                retry_until = coalesce(retry_until, :until),
                status = CASE WHEN coalesce(retry_until, :until) <= :now THEN 'failed' ELSE 'pending' END,
                error = :error, retryable = 1, next_attempt_at = :next, message_ids = :ids, updated_at = :now,
                possibly_doubled = possibly_doubled + :doubled
            WHERE {self._job} = :job AND chat_id = :chat AND status = 'sending'
            RETURNING status
            """,
            {
                "job": job_id,
                "chat": chat_id,
                "error": error,
                "now": now,
                "until": now + int(window.total_seconds()),
                "next": now + max(1, int(wait.total_seconds())),
                "ids": json.dumps([int(m) for m in sent_ids]) if sent_ids else None,
                "doubled": possibly_doubled,
            },
        )
        return None if row is None else DeliveryStatus(row["status"])

    async def note_progress_many(self, rows: Sequence[tuple[int, int, Sequence[int]]]) -> int:
        """The parts of a multi-part send delivered so far (``(job_id, chat_id, message_ids)``), so that a
        crash before the rest repeats none of them: the recipient resumes from its first unsent part."""
        async with self._db.atomic():
            return await self._db.execute_many(
                f"""
                UPDATE {self._table} SET message_ids = ?
                WHERE {self._job} = ? AND chat_id = ? AND status = 'sending'
                """,
                ((json.dumps([int(m) for m in ids]), job, chat) for job, chat, ids in rows),
            )

    async def note_possibly_doubled(self, job_id: int, chat_id: int, count: int) -> None:
        """Count sends repeated after a lost answer (the reader may have the message twice)."""
        await self._db.execute(
            f"UPDATE {self._table} SET possibly_doubled = possibly_doubled + ? WHERE {self._job} = ? AND chat_id = ?",
            (count, job_id, chat_id),
        )

    async def requeue_retryable(self, job_id: int) -> int:
        """Make every recipient waiting for a retry, or failed for a reason that may pass, due now.

        Their retry window starts afresh; parts already sent stay recorded. Returns how many.
        """
        changes = await self._db.execute(
            f"""
            UPDATE {self._table}
            SET status = 'pending', next_attempt_at = NULL, retry_until = NULL, updated_at = ?
            WHERE {self._job} = ? AND retryable = 1 AND status IN ('pending', 'failed')
            """,
            (self._now(), job_id),
        )
        return changes.rowcount

    async def stuck(self, job_id: int | None = None) -> Stuck:
        """Recipients (of one job, or all) waiting to be retried, with the most recent error."""
        row = await self._db.fetchone(
            f"""
            SELECT count(*) AS n,
                (SELECT error FROM {self._table}
                 WHERE status = 'pending' AND retryable = 1 AND (:job IS NULL OR {self._job} = :job)
                 ORDER BY updated_at DESC LIMIT 1) AS last_error
            FROM {self._table}
            WHERE status = 'pending' AND retryable = 1 AND (:job IS NULL OR {self._job} = :job)
            """,
            {"job": job_id},
        )
        assert row is not None
        return Stuck(row["n"], row["last_error"])

    async def possibly_doubled(self, job_id: int) -> int:
        """How many sends of this job were repeated after a lost answer."""
        return int(
            await self._db.fetchval(
                f"SELECT coalesce(sum(possibly_doubled), 0) FROM {self._table} WHERE {self._job} = ?",
                (job_id,),
                default=0,
            )
        )

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
