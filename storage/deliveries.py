"""Who has been sent which issue: the delivery queue of the daily digest, and its statistics."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from storage.db import Database
from storage.queue import Claimed, DeliveryStatus, RecipientQueue, message_ids_from_json, status_counts
from storage.timestamps import from_epoch, from_epoch_or_none, to_epoch

if TYPE_CHECKING:
    from storage.figures import HourCount
    from storage.stats import SlotLag  # the /stats figures load with /stats


@dataclass(frozen=True, slots=True)
class Delivery:
    digest_id: int
    chat_id: int
    status: DeliveryStatus
    attempts: int
    """How many times it was claimed for sending."""
    message_ids: tuple[int, ...]
    """The Telegram messages the issue was sent as (a long issue is split)."""
    error: str | None
    """The last error: why it failed, or why it is waiting to be retried."""
    created_at: dt.datetime
    updated_at: dt.datetime
    sent_at: dt.datetime | None
    retryable: bool = False
    """Waiting to be retried (pending) or failed for a reason that may pass (``briefing push`` retries it)."""
    next_attempt_at: dt.datetime | None = None
    possibly_doubled: int = 0


class DeliveryRepository:
    """One row per (issue, reader): the queue the delivery engine works through, and its history.

    See :mod:`storage.queue` for the state machine and the crash-recovery guarantee; :attr:`queue` has the
    retry operations (defer, requeue_retryable, stuck) shared with broadcasts.
    """

    def __init__(self, db: Database) -> None:
        self._db = db
        self.queue: Final = RecipientQueue(db, "deliveries", "digest_id")

    async def enqueue(self, digest_id: int, chat_ids: Iterable[int], *, due_at: dt.datetime | None = None) -> int:
        """Queue the issue for these chats (INSERT OR IGNORE: never a duplicate); returns new rows.

        ``due_at`` (when they should have had it) is kept for the push-lag report; default: now.
        """
        now = to_epoch(self._db.clock.now())
        due = now if due_at is None else to_epoch(due_at)
        async with self._db.atomic():
            return await self._db.execute_many(
                """
                INSERT OR IGNORE INTO deliveries (digest_id, chat_id, status, attempts, created_at, updated_at, due_at)
                SELECT ?, chat_id, 'pending', 0, ?, ?, ? FROM subscribers WHERE chat_id = ?
                """,
                ((digest_id, now, now, due, chat_id) for chat_id in chat_ids),
            )

    async def enqueue_active(self, digest_id: int) -> int:
        """Queue the issue for every active subscriber (one INSERT … SELECT: a million rows in seconds)."""
        now = to_epoch(self._db.clock.now())
        changes = await self._db.execute(
            """
            INSERT OR IGNORE INTO deliveries (digest_id, chat_id, status, attempts, created_at, updated_at, due_at)
            SELECT ?, chat_id, 'pending', 0, ?, ?, ? FROM subscribers WHERE status = 'active'
            """,
            (digest_id, now, now, now),
        )
        return changes.rowcount

    async def due_times(self, digest_id: int, chat_ids: Sequence[int]) -> dict[int, dt.datetime]:
        """When the issue was due for each of these chats (rows queued without a due time are left out)."""
        if not chat_ids:
            return {}
        rows = await self._db.fetchall(
            f"""
            SELECT chat_id, due_at FROM deliveries
            WHERE digest_id = ? AND chat_id IN ({",".join("?" * len(chat_ids))}) AND due_at IS NOT NULL
            """,
            (digest_id, *chat_ids),
        )
        return {row["chat_id"]: from_epoch(row["due_at"]) for row in rows}

    async def requeue_skipped_active(self, digest_id: int) -> int:
        """An explicit push: active readers whose delivery was skipped (late policy, a pause) are queued again.

        Sent rows stay sent and failed rows are left to the failure rules; returns how many were re-queued.
        """
        changes = await self._db.execute(
            """
            UPDATE deliveries SET status = 'pending', error = NULL, updated_at = ?
            WHERE digest_id = ? AND status = 'skipped'
              AND chat_id IN (SELECT chat_id FROM subscribers WHERE status = 'active')
            """,
            (to_epoch(self._db.clock.now()), digest_id),
        )
        return changes.rowcount

    async def claim(self, digest_id: int, limit: int = 100) -> list[int]:
        """Atomically take up to ``limit`` due pending chats for sending (pending → sending)."""
        return [claimed.chat_id for claimed in await self.queue.claim(digest_id, limit)]

    async def mark_sent(self, digest_id: int, chat_id: int, message_ids: Sequence[int]) -> bool:
        """Record the send; a trigger records the reader's ``last_digest_id`` in the same statement."""
        return await self.queue.mark_sent(digest_id, chat_id, message_ids)

    async def mark_sent_many(self, rows: Sequence[tuple[int, int, Sequence[int]]]) -> int:
        """Record many sends (``(digest_id, chat_id, message_ids)``) in one transaction; returns how many changed."""
        return await self.queue.mark_sent_many(rows)

    async def claim_resuming(self, digest_id: int, limit: int = 100) -> list[Claimed]:
        """:meth:`claim`, with the parts an earlier attempt already sent to each recipient."""
        return await self.queue.claim(digest_id, limit)

    async def mark_failed(self, digest_id: int, chat_id: int, error: str, *, retry: bool = False) -> bool:
        return await self.queue.mark_failed(digest_id, chat_id, error, retry=retry)

    async def mark_skipped(self, digest_id: int, chat_id: int, reason: str | None = None) -> bool:
        return await self.queue.mark_skipped(digest_id, chat_id, reason)

    async def queued(self) -> int:
        """Recipients pending or being sent, over every job: the queue depth."""
        return await self.queue.queued()

    async def requeue_in_flight(self) -> int:
        """Call once at start-up: deliveries a crash left in ``sending`` become ``pending`` again."""
        return await self.queue.requeue_in_flight()

    async def unfinished_digests(self) -> list[int]:
        """Issues with deliveries still pending or in flight (to resume after a restart)."""
        return await self.queue.unfinished_jobs()

    async def status(self, digest_id: int, chat_id: int) -> Delivery | None:
        row = await self.queue.row(digest_id, chat_id)
        return None if row is None else _delivery(row)

    async def counts(self, digest_id: int) -> dict[DeliveryStatus, int]:
        return await self.queue.counts(digest_id)

    async def counts_since(self, since: dt.datetime) -> dict[DeliveryStatus, int]:
        """What happened to issue deliveries since ``since``, whatever the issue's date: sent then, failed or
        skipped then, and everything still pending or in flight now (a push of an older issue counts today)."""
        rows = await self._db.fetchall(
            """
            SELECT status, count(*) AS n FROM deliveries
            WHERE status IN ('pending', 'sending')
               OR (status = 'sent' AND sent_at >= :since)
               OR (status IN ('failed', 'skipped') AND updated_at >= :since)
            GROUP BY status
            """,
            {"since": to_epoch(since)},
        )
        return status_counts(rows)

    async def has_received(self, chat_id: int, digest_id: int) -> bool:
        return bool(
            await self._db.fetchval(
                "SELECT 1 FROM deliveries WHERE digest_id = ? AND chat_id = ? AND status = 'sent'",
                (digest_id, chat_id),
            )
        )

    async def count_sent(self, chat_id: int) -> int:
        """How many issues this chat has received (for /mydata)."""
        return int(
            await self._db.fetchval(
                "SELECT count(*) FROM deliveries WHERE chat_id = ? AND status = 'sent'", (chat_id,), default=0
            )
        )

    async def last_sent_digest(self, chat_id: int) -> int | None:
        """The issue most recently sent to this chat."""
        value = await self._db.fetchval(
            """
            SELECT digest_id FROM deliveries
            WHERE chat_id = ? AND sent_at IS NOT NULL ORDER BY sent_at DESC, digest_id DESC LIMIT 1
            """,
            (chat_id,),
        )
        return None if value is None else int(value)

    async def messages_per_delivery(self, sample: int = 1000) -> float:
        """Messages an issue took per reader, over the latest ``sample`` sends (1.0 before any)."""
        value = await self._db.fetchval(
            """
            SELECT avg(json_array_length(message_ids)) FROM (
                SELECT message_ids FROM deliveries WHERE sent_at IS NOT NULL ORDER BY sent_at DESC LIMIT ?)
            """,
            (sample,),
        )
        return float(value) if value else 1.0

    async def lag_by_slot(self, start: dt.datetime, end: dt.datetime) -> list[SlotLag]:
        """Due-to-sent waits of the deliveries due in ``[start, end)``, per due instant (p50, p95, max)."""
        from storage.stats import SlotLag

        rows = await self._db.fetchall(
            """
            WITH lags AS (
                SELECT due_at, sent_at - due_at AS lag,
                       row_number() OVER (PARTITION BY due_at ORDER BY sent_at - due_at) AS k,
                       count(*) OVER (PARTITION BY due_at) AS n
                FROM deliveries
                -- sent_at first: the partial index on it bounds the scan to recent sends.
                WHERE sent_at >= :start AND due_at >= :start AND due_at < :end
            )
            SELECT due_at, max(n) AS n, min(CASE WHEN k >= 0.50 * n THEN lag END) AS p50,
                   min(CASE WHEN k >= 0.95 * n THEN lag END) AS p95, max(lag) AS worst
            FROM lags GROUP BY due_at ORDER BY due_at
            """,
            {"start": to_epoch(start), "end": to_epoch(end)},
        )

        def wait(seconds: int) -> dt.timedelta:
            return dt.timedelta(seconds=max(0, seconds))

        return [
            SlotLag(from_epoch(row["due_at"]), row["n"], wait(row["p50"]), wait(row["p95"]), wait(row["worst"]))
            for row in rows
        ]

    async def sent_per_hour(self, since: dt.datetime) -> list[HourCount]:
        """Messages sent per UTC hour since ``since`` (hours with none are left out)."""
        from storage.figures import HourCount

        rows = await self._db.fetchall(
            """
            SELECT sent_at - sent_at % 3600 AS hour, count(*) AS n
            FROM deliveries WHERE sent_at >= ? GROUP BY hour ORDER BY hour
            """,
            (to_epoch(since),),
        )
        return [HourCount(from_epoch(row["hour"]), row["n"]) for row in rows]


def _delivery(row: sqlite3.Row) -> Delivery:
    return Delivery(
        digest_id=row["digest_id"],
        chat_id=row["chat_id"],
        status=DeliveryStatus(row["status"]),
        attempts=row["attempts"],
        message_ids=message_ids_from_json(row["message_ids"]),
        error=row["error"],
        created_at=from_epoch(row["created_at"]),
        updated_at=from_epoch(row["updated_at"]),
        sent_at=from_epoch_or_none(row["sent_at"]),
        retryable=bool(row["retryable"]),
        next_attempt_at=from_epoch_or_none(row["next_attempt_at"]),
        possibly_doubled=row["possibly_doubled"],
    )
