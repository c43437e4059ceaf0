"""Editor broadcasts: a draft, an explicit confirmation, then one message to every reader who wants alerts.

A broadcast goes ``draft → confirmed → sending → done`` (or ``cancelled`` from any unfinished state).
Every transition is a conditional UPDATE (``… WHERE status = 'draft'``) that reports whether it
happened, so a double-tapped "Send" button or two editors confirming at once send it once.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from storage.db import Database
from storage.queue import Claimed, DeliveryStatus, RecipientQueue
from storage.timestamps import from_epoch, from_epoch_or_none, to_epoch


class BroadcastStatus(StrEnum):
    DRAFT = "draft"
    CONFIRMED = "confirmed"
    SENDING = "sending"
    DONE = "done"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Broadcast:
    """An editor's broadcast: its text, its options, how far it got (draft to done or cancelled) and its totals."""

    id: int
    editor_id: int
    text: str
    """Telegram HTML, as the editor wrote it."""
    status: BroadcastStatus
    created_at: dt.datetime
    confirmed_at: dt.datetime | None
    finished_at: dt.datetime | None
    recipients: int
    """How many readers it was queued for."""
    sent: int
    """Final totals, filled in when the broadcast finishes or is cancelled (0 before)."""
    failed: int
    skipped: int
    urgent: bool = False
    """Never held for a reader's quiet hours (still silent inside them)."""
    to_channels: bool = False
    """Posted to the publisher's channels (CHANNELS) too."""


@dataclass(frozen=True, slots=True)
class BroadcastTally:
    """Where a broadcast's recipients are right now: what the editor's progress message shows."""

    pending: int
    sending: int
    sent: int
    failed: int
    """Failed for a reason other than a blocked bot (those are in :attr:`blocked`)."""
    blocked: int
    """Failed because the reader blocked the bot or deleted their account (the engine marks them blocked)."""
    skipped: int
    """Not sent on purpose: the broadcast was cancelled before their turn."""
    retrying: int = 0
    """Of :attr:`pending`: waiting to be retried after a failure that may pass (the network, a 5xx…)."""
    possibly_doubled: int = 0
    """Sends repeated after a lost answer (those readers may have it twice)."""
    held: int = 0
    """Of the pending, those waiting for their quiet hours to end (they asked to hold alerts)."""

    @property
    def total(self) -> int:
        return self.pending + self.sending + self.sent + self.failed + self.blocked + self.skipped

    @property
    def done(self) -> int:
        """Recipients whose outcome is known (everything but pending and in flight)."""
        return self.sent + self.failed + self.blocked + self.skipped


_RECIPIENTS: Final = "status = 'active' AND breaking_alerts = 1"
"""Who a broadcast goes to: the preview's count and :meth:`BroadcastRepository.start` must agree."""


class BroadcastRepository:
    def __init__(self, db: Database) -> None:
        self._db = db
        self.queue: Final = RecipientQueue(db, "broadcast_deliveries", "broadcast_id", hold_column="held_until")

    def _now(self) -> int:
        return to_epoch(self._db.clock.now())

    async def create(self, editor_id: int, text: str) -> Broadcast:
        now = self._now()
        async with self._db.atomic():
            changes = await self._db.execute(
                "INSERT INTO broadcasts (editor_id, text, created_at) VALUES (?, ?, ?)", (editor_id, text, now)
            )
            assert changes.lastrowid is not None
            broadcast = await self.get(changes.lastrowid)
        assert broadcast is not None
        return broadcast

    async def get(self, broadcast_id: int) -> Broadcast | None:
        row = await self._db.fetchone("SELECT * FROM broadcasts WHERE id = ?", (broadcast_id,))
        return None if row is None else _broadcast(row)

    async def update_text(self, broadcast_id: int, text: str) -> bool:
        """Edit a draft; False once it is confirmed (what was confirmed is what gets sent)."""
        changes = await self._db.execute(
            "UPDATE broadcasts SET text = ? WHERE id = ? AND status = 'draft'", (text, broadcast_id)
        )
        return changes.rowcount > 0

    async def set_options(
        self, broadcast_id: int, *, urgent: bool | None = None, to_channels: bool | None = None
    ) -> Broadcast | None:
        """Change a draft's toggles (urgent, to the channels); None once it is confirmed or unknown."""
        async with self._db.atomic():
            changes = await self._db.execute(
                """
                UPDATE broadcasts SET urgent = coalesce(?, urgent), to_channels = coalesce(?, to_channels)
                WHERE id = ? AND status = 'draft'
                """,
                (_flag(urgent), _flag(to_channels), broadcast_id),
            )
            return await self.get(broadcast_id) if changes.rowcount else None

    async def hold(self, broadcast_id: int, chat_id: int, until: dt.datetime) -> bool:
        """Put a claimed recipient back in the queue, not to be claimed before ``until`` (their quiet hours end)."""
        changes = await self._db.execute(
            """
            UPDATE broadcast_deliveries SET status = 'pending', held_until = ?, updated_at = ?
            WHERE broadcast_id = ? AND chat_id = ? AND status = 'sending'
            """,
            (to_epoch(until), self._now(), broadcast_id, chat_id),
        )
        return changes.rowcount > 0

    async def confirm(self, broadcast_id: int) -> bool:
        """draft → confirmed; False for a second confirmation, so the caller sends nothing twice."""
        changes = await self._db.execute(
            "UPDATE broadcasts SET status = 'confirmed', confirmed_at = ? WHERE id = ? AND status = 'draft'",
            (self._now(), broadcast_id),
        )
        return changes.rowcount > 0

    async def start(self, broadcast_id: int) -> int | None:
        """confirmed → sending, queueing every active reader with breaking alerts on, in the same transaction.

        Returns the number of recipients queued, or None when the broadcast was not confirmed (already
        started, cancelled, unknown). One INSERT … SELECT, so a million readers take seconds, not hours.
        """
        now = self._now()
        async with self._db.atomic():
            started = await self._db.execute(
                "UPDATE broadcasts SET status = 'sending' WHERE id = ? AND status = 'confirmed'", (broadcast_id,)
            )
            if not started.rowcount:
                return None
            queued = await self._db.execute(
                f"""
                INSERT OR IGNORE INTO broadcast_deliveries (broadcast_id, chat_id, status, created_at, updated_at)
                SELECT ?, chat_id, 'pending', ?, ? FROM subscribers WHERE {_RECIPIENTS}
                """,
                (broadcast_id, now, now),
            )
            await self._db.execute(
                "UPDATE broadcasts SET recipients = recipients + ? WHERE id = ?", (queued.rowcount, broadcast_id)
            )
            return queued.rowcount

    async def recipient_count(self) -> int:
        """How many readers :meth:`start` would queue now: the number an editor confirms."""
        return int(await self._db.fetchval(f"SELECT count(*) FROM subscribers WHERE {_RECIPIENTS}", default=0))

    async def enqueue(self, broadcast_id: int, chat_ids: Iterable[int]) -> int:
        """Queue specific chats (a test send to editors, a re-send); returns how many were new."""
        async with self._db.atomic():
            added = await self.queue.enqueue(broadcast_id, chat_ids)
            await self._db.execute(
                "UPDATE broadcasts SET recipients = recipients + ? WHERE id = ?", (added, broadcast_id)
            )
            return added

    async def claim(self, broadcast_id: int, limit: int = 100) -> list[int]:
        """Take up to ``limit`` pending recipients; nothing once the broadcast is cancelled or done."""
        return [claimed.chat_id for claimed in await self.claim_resuming(broadcast_id, limit)]

    async def claim_resuming(self, broadcast_id: int, limit: int = 100) -> list[Claimed]:
        """:meth:`claim`, with the parts an earlier attempt already sent to each recipient."""
        async with self._db.atomic():
            status = await self._db.fetchval("SELECT status FROM broadcasts WHERE id = ?", (broadcast_id,))
            if status != BroadcastStatus.SENDING:
                return []
            return await self.queue.claim(broadcast_id, limit)

    async def mark_sent(self, broadcast_id: int, chat_id: int, message_ids: Sequence[int]) -> bool:
        return await self.queue.mark_sent(broadcast_id, chat_id, message_ids)

    async def mark_sent_many(self, rows: Sequence[tuple[int, int, Sequence[int]]]) -> int:
        """Record many sends (``(broadcast_id, chat_id, message_ids)``) in one transaction; returns how many changed."""
        return await self.queue.mark_sent_many(rows)

    async def mark_failed(self, broadcast_id: int, chat_id: int, error: str, *, retry: bool = False) -> bool:
        return await self.queue.mark_failed(broadcast_id, chat_id, error, retry=retry)

    async def mark_skipped(self, broadcast_id: int, chat_id: int, reason: str | None = None) -> bool:
        return await self.queue.mark_skipped(broadcast_id, chat_id, reason)

    async def discard(self, broadcast_id: int) -> bool:
        """draft → cancelled (Cancel under the preview); False once confirmed, so it never stops a sending one."""
        changes = await self._db.execute(
            "UPDATE broadcasts SET status = 'cancelled', finished_at = ? WHERE id = ? AND status = 'draft'",
            (self._now(), broadcast_id),
        )
        return changes.rowcount > 0

    async def cancel(self, broadcast_id: int) -> bool:
        """Stop a broadcast that has not finished: the readers not yet reached are skipped."""
        now = self._now()
        async with self._db.atomic():
            changes = await self._db.execute(
                """
                UPDATE broadcasts SET status = 'cancelled', finished_at = ?
                WHERE id = ? AND status IN ('draft', 'confirmed', 'sending')
                """,
                (now, broadcast_id),
            )
            if not changes.rowcount:
                return False
            await self.queue.skip_pending(broadcast_id, "cancelled")
            await self._freeze_totals(broadcast_id)
            return True

    async def finish(self, broadcast_id: int) -> bool:
        """sending → done, once nobody is pending or in flight; False otherwise."""
        now = self._now()
        async with self._db.atomic():
            changes = await self._db.execute(
                """
                UPDATE broadcasts SET status = 'done', finished_at = ?
                WHERE id = ? AND status = 'sending' AND NOT EXISTS (
                    SELECT 1 FROM broadcast_deliveries
                    WHERE broadcast_id = broadcasts.id AND status IN ('pending', 'sending'))
                """,
                (now, broadcast_id),
            )
            if not changes.rowcount:
                return False
            await self._freeze_totals(broadcast_id)
            return True

    async def _freeze_totals(self, broadcast_id: int) -> None:
        await self._db.execute(
            """
            UPDATE broadcasts SET
                sent = (SELECT count(*) FROM broadcast_deliveries WHERE broadcast_id = :id AND status = 'sent'),
                failed = (SELECT count(*) FROM broadcast_deliveries WHERE broadcast_id = :id AND status = 'failed'),
                skipped = (SELECT count(*) FROM broadcast_deliveries WHERE broadcast_id = :id AND status = 'skipped')
            WHERE id = :id
            """,
            {"id": broadcast_id},
        )

    async def progress(self, broadcast_id: int) -> dict[DeliveryStatus, int]:
        return await self.queue.counts(broadcast_id)

    async def tally(self, broadcast_id: int) -> BroadcastTally:
        """Recipients by outcome, telling readers who blocked the bot apart from other failures."""
        row = await self._db.fetchone(
            """
            SELECT
                coalesce(sum(d.status = 'pending'), 0) AS pending,
                coalesce(sum(d.status = 'sending'), 0) AS sending,
                coalesce(sum(d.status = 'sent'), 0) AS sent,
                coalesce(sum(d.status = 'failed' AND s.status IS NOT 'blocked'), 0) AS failed,
                coalesce(sum(d.status = 'failed' AND s.status IS 'blocked'), 0) AS blocked,
                coalesce(sum(d.status = 'skipped'), 0) AS skipped,
                coalesce(sum(d.status = 'pending' AND d.retryable = 1), 0) AS retrying,
                coalesce(sum(d.possibly_doubled), 0) AS possibly_doubled,
                coalesce(sum(d.status = 'pending' AND d.held_until > ?), 0) AS held
            FROM broadcast_deliveries d LEFT JOIN subscribers s ON s.chat_id = d.chat_id
            WHERE d.broadcast_id = ?
            """,
            (self._now(), broadcast_id),
        )
        assert row is not None
        return BroadcastTally(**dict(row))

    async def latest_done(self) -> Broadcast | None:
        row = await self._db.fetchone("SELECT * FROM broadcasts WHERE status = 'done' ORDER BY id DESC LIMIT 1")
        return None if row is None else _broadcast(row)

    async def latest_finished(self) -> Broadcast | None:
        """The last broadcast that ended, sent out or cancelled: the "last broadcast" of the statistics."""
        row = await self._db.fetchone(
            "SELECT * FROM broadcasts WHERE status IN ('done', 'cancelled') ORDER BY finished_at DESC, id DESC LIMIT 1"
        )
        return None if row is None else _broadcast(row)

    async def for_channels(self, since: dt.datetime) -> list[Broadcast]:
        """Broadcasts an editor sent to the channels too, confirmed at or after ``since``, oldest first."""
        rows = await self._db.fetchall(
            "SELECT * FROM broadcasts WHERE to_channels = 1 AND confirmed_at >= ? ORDER BY id", (to_epoch(since),)
        )
        return [_broadcast(row) for row in rows]

    async def unfinished(self) -> list[Broadcast]:
        """Confirmed or sending broadcasts, oldest first: what to resume after a restart."""
        rows = await self._db.fetchall("SELECT * FROM broadcasts WHERE status IN ('confirmed', 'sending') ORDER BY id")
        return [_broadcast(row) for row in rows]

    async def queued(self) -> int:
        """Recipients pending or being sent, over every job: the queue depth."""
        return await self.queue.queued()

    async def requeue_in_flight(self) -> int:
        """Call once at start-up: recipients a crash left in ``sending`` become ``pending`` again."""
        return await self.queue.requeue_in_flight()


def _flag(value: bool | None) -> int | None:
    return None if value is None else int(value)


def _broadcast(row: sqlite3.Row) -> Broadcast:
    return Broadcast(
        id=row["id"],
        editor_id=row["editor_id"],
        text=row["text"],
        status=BroadcastStatus(row["status"]),
        created_at=from_epoch(row["created_at"]),
        confirmed_at=from_epoch_or_none(row["confirmed_at"]),
        finished_at=from_epoch_or_none(row["finished_at"]),
        recipients=row["recipients"],
        sent=row["sent"],
        failed=row["failed"],
        skipped=row["skipped"],
        urgent=bool(row["urgent"]),
        to_channels=bool(row["to_channels"]),
    )
