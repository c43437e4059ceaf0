"""Who gets what when: the minute tick that queues due readers, and what happens when an issue appears.

The schedule lives in SQLite (``subscribers.next_delivery_at``, UTC, indexed). Each tick takes due readers
a batch at a time, queues the latest published issue for them and moves their next delivery on by one
local day, in one transaction per batch, all of it set-based (:mod:`storage.due`): the next instant is
computed once per (timezone, delivery time) of the batch, never per reader. A batch holds the one writer
about 30 ms and the tick yields between batches, so the delivery engine keeps sending while a million
readers are queued. Queueing is idempotent
per (issue, chat), so a tick that runs twice, or late, never sends twice.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.digest.model import Digest
from bot.rules.clock import Clock
from bot.rules.schedule import LatePolicy, is_late, next_delivery
from storage import Database, DeliveryRepository, DigestRepository, DigestStatus, Subscriber, SubscriberRepository
from storage.db import Took
from storage.due import DueReaders, Schedule, ScheduleGroup

logger = logging.getLogger(__name__)

CHUNK_SECONDS = 0.03
"""How long one batch of the tick may hold the database (the one writer), commit included. The engine's
claims and "sent" records wait meanwhile, up to one batch each; with :data:`PAUSE_SECONDS` between batches a
claim's few queries go on together, so sending never pauses near the 100 ms it may pause at most."""
PAUSE_SECONDS = 0.002
"""Before each batch the tick waits until nothing else has used the database for this long: the statements
that queued up behind the last batch go first (the lock is first come, first served), and a claim's next
queries, which follow one another a trip through the event loop apart, go on with them."""
PAUSE_MAX_SECONDS = 0.01
"""…but no longer than this: however busy the engine, the tick gets most of the writer's time."""
MIN_BATCH, MAX_BATCH = 200, 20_000
FIRST_BATCH = 1000
RESUME_LIMIT = 500
"""Readers whose pause has ended, re-activated a statement at a time."""
NOTE_LIMIT = 20_000
"""How many due readers' chat ids the tick notes at a time (from the due index alone: about 5 ms)."""


@dataclass(frozen=True, slots=True)
class TickResult:
    due: int
    queued: int
    digest_id: int | None
    batches: int = 0
    """Transactions the tick ran (noting, batches, resuming pauses)."""
    longest_hold_s: float = 0.0
    """The longest of them: how long SQLite worked on it, the commit included (the one writer held)."""
    holding_s: float = 0.0
    """All of them together: how long the tick held the one writer."""
    cpu_s: float = 0.0
    """The CPU time of the database's thread for all of them: what the tick cost, whatever the load."""


@dataclass
class _Holds:
    """How long the tick held the database, one transaction at a time (see :class:`TickResult`)."""

    count: int = 0
    longest: float = 0.0
    total: float = 0.0
    cpu: float = 0.0

    def add(self, took: Took) -> None:
        self.count += 1
        self.longest = max(self.longest, took.seconds)
        self.total += took.seconds
        self.cpu += took.cpu_seconds


def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def next_for(subscriber: Subscriber, now: dt.datetime) -> dt.datetime:
    return next_delivery(now, subscriber.delivery_time, zone(subscriber.timezone), paused_until=subscriber.paused_until)


def next_instants(groups: list[ScheduleGroup], now: dt.datetime) -> dict[Schedule, dt.datetime | None]:
    """Each schedule's next delivery after ``now`` (active readers are never paused: no pause to honour)."""
    return {group.key: _advanced(group, now) for group in groups}


def _advanced(group: ScheduleGroup, now: dt.datetime) -> dt.datetime:
    """The schedule's next delivery, guaranteed after ``now``, so a tick always finishes.

    The tick asks storage for due readers until none are left; a rule that answered ``now`` or earlier
    would hand the same readers back forever. That is a bug in the rule: log it, and try again a day on.
    """
    at = next_delivery(now, group.delivery_time, zone(group.timezone))
    if at > now:
        return at
    logger.error("next delivery for %s %s came out as %s, not after %s: set a day on", *group.key, at, now)
    return now + dt.timedelta(days=1)


class Scheduler:
    def __init__(
        self,
        db: Database,
        digests: DigestRepository,
        subscribers: SubscriberRepository,
        deliveries: DeliveryRepository,
        clock: Clock,
        *,
        late_policy: LatePolicy = LatePolicy.SEND,
        batch: int | None = None,
    ) -> None:
        self._db = db
        self._digests = digests
        self._subscribers = subscribers
        self._deliveries = deliveries
        self._clock = clock
        self._late_policy = late_policy
        self._batch = batch
        self._due = DueReaders(db)

    async def tick(self, now: dt.datetime | None = None) -> TickResult:
        """Queue today's issue for every reader whose delivery time has come (nothing if it is not out yet).

        Only today's issue goes out: an archive back-fill, however recent, is never sent by the tick.
        Each batch is one short transaction (a few statements) run in one step in the database's thread;
        a schedule's next instant is computed once per tick, however many batches it spans; the batch size
        adapts so that it holds the writer for about :data:`CHUNK_SECONDS` (a fixed ``batch`` if one was
        given), and before each the tick waits for a gap of :data:`PAUSE_SECONDS` in the others' use of the
        database (at most :data:`PAUSE_MAX_SECONDS`), so sends and replies go on while it works. The result
        says how many transactions it ran and how long they held the writer.
        """
        now = now or self._clock.now()
        async with self._db.checkpoints_aside():
            return await self._tick(now)

    async def _tick(self, now: dt.datetime) -> TickResult:
        holds = _Holds()
        while True:  # a few hundred readers a statement: a mass of expired pauses never holds the writer long
            started = time.perf_counter()  # one statement: its wall time, the wait for the lock included
            resumed = await self._subscribers.resume_expired_pauses(now, limit=RESUME_LIMIT)
            holds.add(Took(time.perf_counter() - started, 0.0))
            if len(resumed) < RESUME_LIMIT:
                break
            await asyncio.sleep(PAUSE_SECONDS)
        todays = await self._digests.todays_issue_id()
        due_total = queued = 0
        size = self._batch or FIRST_BATCH

        def learn(groups: list[ScheduleGroup]) -> dict[Schedule, dt.datetime | None]:
            return next_instants(groups, now)

        await self._due.forget_schedules()
        while True:
            # The due readers' chat ids first (from the index alone, a short statement), then batches of them
            # in chat id order: neighbouring readers share the table's pages (see storage.due).
            noted, took = await self._due.note_due(now, NOTE_LIMIT)
            holds.add(took)
            left = noted
            while left > 0:
                await self._db.quiet(PAUSE_SECONDS, at_most=PAUSE_MAX_SECONDS)
                # One transaction, run in one step: a schedule's next instant is learnt in the batch that
                # first meets it and kept (in the connection's temp table) for the tick's later batches.
                taken = await self._due.next_batch(now, size, todays, learn)
                holds.add(taken.took)
                due_total += taken.readers
                queued += taken.queued
                left -= taken.used
                if taken.used == 0:
                    break
                if self._batch is None:
                    # Towards CHUNK_SECONDS, at most doubling at a time (one quick batch says little).
                    fit = int(size * CHUNK_SECONDS / max(taken.took.seconds, 1e-4))
                    size = max(MIN_BATCH, min(MAX_BATCH, 2 * size, fit))
            if noted < NOTE_LIMIT:  # all due readers were noted; else some may be left: note again
                break
            await asyncio.sleep(PAUSE_SECONDS)
        if due_total:
            logger.info(
                "tick %s: %d readers due, %d deliveries queued; %d transactions, the longest %.0f ms",
                now.isoformat(),
                due_total,
                queued,
                holds.count,
                holds.longest * 1000,
            )
        return TickResult(due_total, queued, todays, holds.count, holds.longest, holds.total, holds.cpu)

    async def schedule(self, subscriber: Subscriber, now: dt.datetime | None = None) -> dt.datetime:
        """Recompute one reader's next delivery after a preference change (or a /start)."""
        at = next_for(subscriber, now or self._clock.now())
        await self._subscribers.set_next_delivery(subscriber.chat_id, at)
        return at

    async def on_published(
        self, digest_id: int, published_at: dt.datetime | None = None, *, digest: Digest | None = None
    ) -> int:
        """An issue appeared: readers whose delivery time today has passed get it now (or never, per policy).

        Readers still waiting for today's time get it at that time from the tick. Readers who follow an
        author of the issue and asked for such pieces on publication get it now in any case (see
        :meth:`queue_followers`); the late policy never skips them. Returns how many were queued for
        sending now. ``digest`` is the issue as just published, when the caller has it (saves loading it).
        Lateness depends only on a reader's (timezone, delivery time), so it is decided once per schedule
        and applied with one statement, whatever the number of readers.
        """
        published_at = published_at or self._clock.now()
        followers = await self._followers_to_push(digest_id, digest)
        late = [
            group.key
            for group in await self._due.active_schedules()
            if is_late(published_at, group.delivery_time, zone(group.timezone))
        ]
        if not followers and not late:
            return 0
        skip = self._late_policy is LatePolicy.SKIP
        async with self._db.atomic():
            pushed = await self._deliveries.enqueue(digest_id, followers, due_at=published_at) if followers else 0
            added = 0
            if late:
                added = await self._due.queue_schedules(
                    digest_id,
                    late,
                    due_at=published_at,
                    exempt=followers,
                    skip_reason="published after the reader's time" if skip else None,
                )
        if skip:
            added = 0
        if pushed:
            logger.info("issue %s queued at once for %d readers following its authors", digest_id, pushed)
        if added:
            logger.info("issue %s published late for %d readers: queued now", digest_id, added)
        return pushed + added

    async def queue_followers(self, digest_id: int) -> int:
        """Queue the issue at once for readers who follow one of its authors and asked to get such pieces on
        publication (``push_followed_on_publish``), rather than at their daily time.

        They get the whole issue, with the followed author's piece flagged on top (the renderer does that);
        their daily tick then finds the issue already queued and sends nothing twice. Returns how many were
        newly queued; :meth:`on_published` calls this, so call it directly only for an issue published
        some other way.
        """
        followers = await self._followers_to_push(digest_id)
        return await self._deliveries.enqueue(digest_id, followers, due_at=self._clock.now()) if followers else 0

    async def _followers_to_push(self, digest_id: int, digest: Digest | None = None) -> list[int]:
        if digest is None:
            stored = await self._digests.get(digest_id)
            if stored is None or stored.status is not DigestStatus.PUBLISHED:
                return []
            digest = stored.digest
        chats: set[int] = set()
        for author in {item.author for item in digest.items() if item.author}:
            chats.update(await self._subscribers.followers_of(author, push_on_publish=True))
        return sorted(chats)
