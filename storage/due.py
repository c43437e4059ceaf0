"""The minute tick and the late-issue policy as set-based SQL: no per-reader loop in Python.

Readers who share a timezone and a delivery time share their schedule: at any ``now`` their next delivery
is the same instant. So the tick first notes the due readers' chat ids (:meth:`DueReaders.note_due`, read
from the due index alone), then takes them a batch at a time *in chat id order* into a temporary table
(one INSERT … SELECT), asks for the batch's distinct ``(timezone, delivery_time)`` schedules, lets the caller
compute each schedule's next instant once (the DST rules are domain code, :mod:`bot.rules.schedule`), then
queues the issue for the whole batch (one INSERT … SELECT) and moves everyone on (one UPDATE). The
same grouping serves the late policy on publication: whether an issue is late for a reader depends only on
their schedule.

Each batch row carries its schedule's next instant, looked up when the batch is taken (NULL for a schedule
not yet learnt this tick, filled in once it is): the reschedule is then a lookup by chat id into the batch,
not a text-keyed lookup of the schedule per reader, and finding the schedules to learn reads only the
batch's unknown rows.

Why chat id order: the subscribers table is stored by chat id, and due readers are scattered over it. A
batch taken in due order touches a page of the table for nearly every reader, and every touched page is
written to the WAL again at each commit; a batch of neighbouring chat ids shares pages, so a tick of a
third of a million readers rewrites each page about once instead of once per batch. It also appends the
new deliveries in primary-key order.

The tick's steps are transactions of their own, each run in one step in the connection's thread
(:meth:`Database.run_atomic`: one trip through the event loop, not one per statement), so a batch holds the
one writer only while SQLite works on it: a batch is taken, queued and rescheduled in one transaction. The
late policy's methods work in the caller's ``db.atomic()`` block. The temporary tables belong to the one
connection and are emptied before each use.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from storage.db import Database, Took
from storage.timestamps import to_epoch

Schedule = tuple[str, str]
"""(IANA timezone, delivery time HH:MM) as stored."""


@dataclass(frozen=True, slots=True)
class ScheduleGroup:
    timezone: str
    delivery_time: dt.time
    readers: int

    @property
    def key(self) -> Schedule:
        return (self.timezone, self.delivery_time.strftime("%H:%M"))


NOTHING_TOOK: Final = Took(0.0, 0.0)


@dataclass(frozen=True, slots=True)
class Taken:
    """What :meth:`DueReaders.next_batch` did: noted readers used up, readers in the batch, deliveries queued,
    and how long its transaction took (the commit included)."""

    used: int
    readers: int
    queued: int
    took: Took = NOTHING_TOOK


Learn = Callable[[list[ScheduleGroup]], Mapping[Schedule, dt.datetime | None]]
"""The next instant of each of these schedules (domain code: the DST rules)."""

_TABLES = (
    """CREATE TEMP TABLE IF NOT EXISTS due_batch (
           chat_id INTEGER PRIMARY KEY, due_at INTEGER NOT NULL,
           timezone TEXT NOT NULL, delivery_time TEXT NOT NULL, next_at INTEGER)""",
    """CREATE TEMP TABLE IF NOT EXISTS schedule_next (
           timezone TEXT NOT NULL, delivery_time TEXT NOT NULL, next_at INTEGER,
           PRIMARY KEY (timezone, delivery_time)) WITHOUT ROWID""",
    """CREATE TEMP TABLE IF NOT EXISTS late_schedule (
           timezone TEXT NOT NULL, delivery_time TEXT NOT NULL, PRIMARY KEY (timezone, delivery_time)) WITHOUT ROWID""",
    "CREATE TEMP TABLE IF NOT EXISTS exempt (chat_id INTEGER PRIMARY KEY)",
    "CREATE TEMP TABLE IF NOT EXISTS due_ids (chat_id INTEGER PRIMARY KEY)",
)


_NOTE = """
    INSERT INTO temp.due_ids (chat_id)
    SELECT chat_id FROM subscribers WHERE status = 'active' AND next_delivery_at <= ?
    ORDER BY next_delivery_at LIMIT ?
"""
_BOUND = "SELECT max(chat_id) FROM (SELECT chat_id FROM temp.due_ids ORDER BY chat_id LIMIT ?)"
_TAKE = """
    INSERT INTO temp.due_batch (chat_id, due_at, timezone, delivery_time, next_at)
    SELECT s.chat_id, s.next_delivery_at, s.timezone, s.delivery_time, n.next_at
    FROM subscribers s
    LEFT JOIN temp.schedule_next n ON n.timezone = s.timezone AND n.delivery_time = s.delivery_time
    WHERE s.chat_id IN (SELECT chat_id FROM temp.due_ids WHERE chat_id <= :bound)
      AND s.status = 'active' AND s.next_delivery_at <= :now
    ORDER BY s.chat_id
"""
# The batch's subscribers looked up by chat id from the list of noted ids, not joined to it: as a join,
# SQLite either walked the table from its first row up to the bound (which follows from the join) or built a
# Bloom filter over the whole table, in every batch; a tick quadratic in the size of the table (19 ms of a
# batch's 20 at 100,000 subscribers).

_QUEUE = """
    INSERT OR IGNORE INTO deliveries (digest_id, chat_id, status, attempts, created_at, updated_at, due_at)
    SELECT ?, chat_id, 'pending', 0, ?, ?, due_at FROM temp.due_batch
"""
_UNKNOWN = """
    SELECT timezone, delivery_time, count(*) FROM temp.due_batch WHERE next_at IS NULL GROUP BY timezone, delivery_time
"""
_FILL_NEXT = """
    UPDATE temp.due_batch SET next_at = (
        SELECT n.next_at FROM temp.schedule_next n
        WHERE n.timezone = due_batch.timezone AND n.delivery_time = due_batch.delivery_time)
    WHERE next_at IS NULL
"""
# A correlated lookup per row by primary key, not UPDATE … FROM: SQLite would plan that as a scan of every
# subscriber for each batch.
_RESCHEDULE = """
    UPDATE subscribers SET updated_at = :now, next_delivery_at = coalesce(
        (SELECT b.next_at FROM temp.due_batch b WHERE b.chat_id = subscribers.chat_id),
        -- Never NULL (never delivered again) for a schedule nobody computed: a day on.
        next_delivery_at + 86400)
    WHERE chat_id IN (SELECT chat_id FROM temp.due_batch)
"""


class DueReaders:
    """Set-based queueing for the scheduler; see the module docstring."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._ready = False

    async def _tables(self) -> None:
        if not self._ready:
            for sql in _TABLES:
                await self._db.execute(sql)
            self._ready = True

    # -- the minute tick -------------------------------------------------------------------------------

    async def note_due(self, now: dt.datetime, limit: int) -> tuple[int, Took]:
        """Note the chat ids of up to ``limit`` due readers (earliest first) for :meth:`next_batch`.

        Read from the due index alone (it holds the chat id), without visiting the table. Returns how many
        were noted and how long it took.
        """
        await self._tables()

        def note(conn: sqlite3.Connection) -> int:
            conn.execute("DELETE FROM temp.due_ids")
            return conn.execute(_NOTE, (to_epoch(now), limit)).rowcount

        return await self._db.run_atomic(note)

    async def next_batch(self, now: dt.datetime, limit: int, digest_id: int | None, learn: Learn) -> Taken:
        """Queue the next ``limit`` noted readers (lowest chat ids first) and move them on: one transaction.

        Of the noted readers, those still due go into the batch (one who stopped being due since is used up
        all the same); ``digest_id`` is queued for each of them (nothing if None), due when they were due;
        the schedules of the batch not yet learnt this tick are handed to ``learn`` (in the database's
        thread, inside the transaction) and their next instants kept for the tick's later batches; and
        every reader of the batch is moved to their schedule's next instant. The whole transaction runs in
        one step (:meth:`Database.run_atomic`): it holds the writer only as long as SQLite works.
        """
        at, stamp = to_epoch(now), to_epoch(self._db.clock.now())

        def batch(conn: sqlite3.Connection) -> Taken:
            conn.execute("DELETE FROM temp.due_batch")
            bound = conn.execute(_BOUND, (limit,)).fetchone()[0]
            if bound is None:
                return Taken(0, 0, 0)
            readers = conn.execute(_TAKE, {"bound": bound, "now": at}).rowcount
            used = conn.execute("DELETE FROM temp.due_ids WHERE chat_id <= ?", (bound,)).rowcount
            queued = 0
            if digest_id is not None and readers:
                queued = conn.execute(_QUEUE, (digest_id, stamp, stamp)).rowcount
            groups = [_group(*row) for row in conn.execute(_UNKNOWN)]
            if groups:
                learnt = learn(groups)
                conn.executemany(
                    "INSERT OR REPLACE INTO temp.schedule_next (timezone, delivery_time, next_at) VALUES (?, ?, ?)",
                    ((tz, hhmm, None if when is None else to_epoch(when)) for (tz, hhmm), when in learnt.items()),
                )
                conn.execute(_FILL_NEXT)
            if readers:
                conn.execute(_RESCHEDULE, {"now": stamp})
            return Taken(used, readers, queued)

        taken, took = await self._db.run_atomic(batch)
        return dataclasses.replace(taken, took=took)

    async def forget_schedules(self) -> None:
        """Start a tick afresh: the next instants learnt by :meth:`next_batch` hold for one tick's ``now``."""
        await self._tables()
        await self._db.execute("DELETE FROM temp.schedule_next")

    # -- the late policy on publication -----------------------------------------------------------------

    async def active_schedules(self) -> list[ScheduleGroup]:
        """Every schedule active readers have, with how many have it."""
        rows = await self._db.fetchall(
            """
            SELECT timezone, delivery_time, count(*) AS n FROM subscribers
            WHERE status = 'active' GROUP BY timezone, delivery_time
            """
        )
        return [_group(row["timezone"], row["delivery_time"], row["n"]) for row in rows]

    async def queue_schedules(
        self,
        digest_id: int,
        schedules: Iterable[Schedule],
        *,
        due_at: dt.datetime,
        exempt: Iterable[int] = (),
        skip_reason: str | None = None,
    ) -> int:
        """Queue ``digest_id`` for active readers with one of ``schedules`` (not ``exempt``); returns new rows.

        With ``skip_reason`` they are recorded as skipped instead, and their unsent rows of this issue too.
        """
        # A table of its own: a tick between its batches keeps what it learnt in schedule_next.
        await self._tables()
        await self._db.execute("DELETE FROM temp.late_schedule")
        await self._db.execute_many(
            "INSERT OR IGNORE INTO temp.late_schedule (timezone, delivery_time) VALUES (?, ?)", schedules
        )
        await self._db.execute("DELETE FROM temp.exempt")
        await self._db.execute_many("INSERT OR IGNORE INTO temp.exempt (chat_id) VALUES (?)", ((c,) for c in exempt))
        now = to_epoch(self._db.clock.now())
        readers = """
            SELECT s.chat_id FROM subscribers s JOIN temp.late_schedule n
              ON n.timezone = s.timezone AND n.delivery_time = s.delivery_time
            WHERE s.status = 'active' AND s.chat_id NOT IN (SELECT chat_id FROM temp.exempt)
        """
        params = {"digest": digest_id, "now": now, "due": to_epoch(due_at), "reason": skip_reason}
        changes = await self._db.execute(
            f"""
            INSERT OR IGNORE INTO deliveries (digest_id, chat_id, status, attempts, error, created_at, updated_at,
                                              due_at)
            SELECT :digest, chat_id, CASE WHEN :reason IS NULL THEN 'pending' ELSE 'skipped' END, 0, :reason,
                   :now, :now, :due
            FROM ({readers})
            """,
            params,
        )
        if skip_reason is not None:
            await self._db.execute(
                f"""
                UPDATE deliveries SET status = 'skipped', error = :reason, updated_at = :now
                WHERE digest_id = :digest AND status IN ('pending', 'sending', 'failed')
                  AND chat_id IN ({readers})
                """,
                params,
            )
        return changes.rowcount


def _group(timezone: str, hhmm: str, readers: int) -> ScheduleGroup:
    hour, minute = hhmm.split(":")
    return ScheduleGroup(timezone, dt.time(int(hour), int(minute)), readers)
