"""The delivery engine: one queue for daily issues and breaking broadcasts, sent within Telegram's limits.

Work lives in SQLite, not in memory: a recipient row goes pending → sending → sent/failed, and the engine
only ever claims small batches, so a crash loses nothing and repeats at most the sends that were in
flight (their rows are still ``sending`` and go back to pending on start). Broadcasts are claimed before
issue deliveries, so breaking news overtakes a daily push already under way.

Pacing is the engine's own (:mod:`bot.delivery.pacing`): PTB's AIORateLimiter neither paces private
chats nor retries a 429 without pausing the whole bot, so the engine sends through a sender of its own
(:mod:`bot.delivery.sender`).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from telegram.error import TelegramError

from bot.delivery.failures import Action, Failure, classify
from bot.delivery.groupcommit import GroupCommit
from bot.delivery.observer import NO_OBSERVER, DeliveryObserver, SendResult
from bot.delivery.pacing import ChatPacer, SendBudget
from bot.delivery.sender import ApiSender
from bot.delivery.tally import RoundTally
from bot.render.digest import render_issue
from bot.render.message import RenderedMessage, messages
from bot.rules.authors import author_key
from storage import (
    BroadcastStatus,
    Claimed,
    DeliveryStatus,
    DigestStatus,
    LeaseRepository,
    RecipientQueue,
    Repositories,
    StoredDigest,
    Subscriber,
    SubscriberStatus,
    this_process,
)

if TYPE_CHECKING:
    from bot.config import Settings  # a type only: pydantic loads with load_settings, not with the app

logger = logging.getLogger(__name__)

SentRow = tuple[int, int, list[int]]
"""(issue or broadcast id, chat id, message ids) of one recipient served."""

LEASE = "delivery-engine"
LEASE_TTL = dt.timedelta(seconds=30)
"""A holder renews every 10 s; a holder that died on another host is replaced 30 s later."""

BACKOFF_SECONDS = (0.5, 1.0, 2.0, 4.0, 8.0)
"""Waits between tries after network errors and 5xx; after the last, the recipient waits in the queue."""

RETRY_WAIT = dt.timedelta(minutes=1)
"""A recipient deferred after a failure that may pass is tried again after this, doubling up to 30 min."""
RETRY_WAIT_MAX = dt.timedelta(minutes=30)
HALT_PAUSE = 60.0
"""After the token was rejected or the Bot API could not be reached, the running engine waits this long."""
UNCONFIRMED = 0
"""The message id recorded for a part whose send was repeated once and again got no answer: it was
probably delivered, and a third copy is worse than none (issue #14: retry an unknown outcome at most once)."""

COMMIT_WINDOW = 0.025
"""Seconds a "sent" record waits at most for others to share its transaction (see :class:`GroupCommit`)."""
COMMIT_WINDOW_MIN = 0.005
FAST_RATE = 160.0
"""Messages/s from which sent records wait for each other (and paced sends go in ticks, see pacing)."""

FLOOD_RETRIES = 5
"""429s one message may get before its reader is put back in the queue for later: each pauses every send
for ``retry_after``, so a chat Telegram keeps refusing would otherwise hold the whole push forever."""


@dataclass
class EngineStats:
    """Counters since start, for the CLI's summary and the benchmark."""

    sent: int = 0
    messages: int = 0
    blocked: int = 0
    failed: int = 0
    skipped: int = 0
    retried_429: int = 0
    retried_errors: int = 0
    migrated: int = 0
    retrying: int = 0
    """Recipients put back in the queue after a failure that may pass, to be tried again later."""
    possibly_doubled: int = 0
    """Sends repeated after their answer was lost: the reader may have that message twice."""
    unconfirmed: int = 0
    """Parts whose repeated send got no answer either: taken as delivered, not sent a third time."""
    held: int = 0
    """Breaking alerts put off until a reader's quiet hours end."""
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Job:
    """One recipient of one piece of work: a broadcast (``broadcast_id``) or an issue (``digest_id``).

    Jobs carry the reader (and issue jobs the authors they follow), fetched for the whole claimed batch at once.
    """

    chat_id: int
    digest_id: int | None = None
    broadcast_id: int | None = None
    subscriber: Subscriber | None = None
    followed: frozenset[str] = frozenset()
    due_at: dt.datetime | None = None
    """When the issue was due for this reader (for the push lag); None for broadcasts."""
    sent_ids: tuple[int, ...] = ()
    """Parts an earlier attempt already delivered: sending resumes after them."""
    attempts: int = 1


Recording = tuple["Job", "asyncio.Future[None]"]
"""A recipient served and its "sent" record on its way to the database (see :class:`GroupCommit`)."""


@dataclass(frozen=True, slots=True)
class Target:
    """Where and how one recipient's messages go: the chat, its forum topic, silently or not."""

    chat_id: int
    thread_id: int | None = None
    silent: bool = False
    shared: bool = False
    """A group, supergroup or channel: 20 messages a minute."""

    @classmethod
    def of(cls, chat_id: int, subscriber: Subscriber | None, *, silent: bool = False) -> Target:
        if subscriber is None:
            return cls(chat_id, silent=silent, shared=chat_id < 0)
        # Telegram's group and channel ids are negative: pace such a chat as shared whatever the row says.
        return cls(chat_id, subscriber.thread_id, silent, subscriber.chat_kind.shared or chat_id < 0)


class Gone(Exception):
    """The chat can no longer receive messages (blocked, deactivated, deleted)."""


class DeliveryEngine:
    """Claims queued recipients, renders what each should get, and sends it, paced and retried.

    Args:
        repos: the repositories it claims from and records in.
        sender: used only for fan-out (no AIORateLimiter on it); the engine initialises and shuts it down.
        rate: messages per second overall.
        concurrency: sends in flight at once; per-chat pacing waits happen inside them.
        retry_window: how long a recipient is retried after failures that may pass (DELIVERY_RETRY_HOURS).
        max_issue_messages: a longer issue goes out as headlines with buttons (MAX_ISSUE_MESSAGES).
        budget: the bot's send budget, shared with its replies (which go first); without it the engine
            paces on its own at ``rate`` (a ``briefing push`` in a process of its own).
        flood_retries: 429s one message may get before its reader waits in the queue for a later try.
        sleep: injectable for tests of backoff.
        observer: told of every send, retry and delivery (the running bot's metrics).
        pacer: the per-chat pacer, shared with the command replies (one pace per chat); a new one if None.
        newsletter: the briefing's name (NEWSLETTER_NAME) the issues go out under; None: the name each prints.
    """

    def __init__(
        self,
        repos: Repositories,
        sender: ApiSender,
        *,
        rate: float = 30.0,
        concurrency: int = 32,
        batch: int | None = None,
        chat_interval: float = 1.1,
        chat_burst: int = 3,
        idle_wait: float = 5.0,
        retry_window: dt.timedelta = dt.timedelta(hours=6),
        max_issue_messages: int | None = None,
        budget: SendBudget | None = None,
        flood_retries: int = FLOOD_RETRIES,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        observer: DeliveryObserver = NO_OBSERVER,
        pacer: ChatPacer | None = None,
        newsletter: str | None = None,
    ) -> None:
        self._newsletter = newsletter
        self._repos = repos
        self._observer = observer
        self._sender = sender
        budget = budget or SendBudget(rate, chat_interval=chat_interval, chat_burst=chat_burst)
        self._limiter = budget.limiter
        # Shared with the command replies (the budget's, or the one given), so a digest right after a reply
        # still keeps the chat's pace.
        self._pacer = pacer or budget.pacer
        self._concurrency = concurrency
        self._batch = batch or max(2 * concurrency, 20)
        self._idle_wait = idle_wait
        self._retry_window = retry_window
        self._max_issue_messages = max_issue_messages
        self._flood_retries = flood_retries
        self._sleep = sleep
        self._wake = asyncio.Event()
        self._runner: asyncio.Task[None] | None = None
        self._heartbeat: asyncio.Task[None] | None = None
        self._leases = LeaseRepository(repos.db)
        # At fast rates a record may wait for others for a quarter of the time between one worker's sends
        # (5 to 25 ms): paced sends then share a transaction by the dozen instead of taking one each, and
        # unthrottled ones (a worker sends every 20 ms at 6,000/s) by the score. At 30/s there is little to
        # share, and a reader who got the issue finds it recorded at once (/mydata right after it).
        window = 0.0
        if self._limiter.rate >= FAST_RATE:
            window = max(COMMIT_WINDOW_MIN, min(COMMIT_WINDOW, concurrency / self._limiter.rate / 4))
        flush_at = max(16, concurrency // 2)
        self._issues_sent: GroupCommit[SentRow] = GroupCommit(
            repos.deliveries.mark_sent_many, window=window, flush_at=flush_at
        )
        self._broadcasts_sent: GroupCommit[SentRow] = GroupCommit(
            repos.broadcasts.mark_sent_many, window=window, flush_at=flush_at
        )
        self._issue_progress: GroupCommit[SentRow] = GroupCommit(repos.deliveries.queue.note_progress_many)
        self._broadcast_progress: GroupCommit[SentRow] = GroupCommit(repos.broadcasts.queue.note_progress_many)
        self._owner = this_process()
        self._stopping = False
        self.halted: str | None = None
        """Why sending stopped for everyone (the token rejected, the Bot API unreachable); None while sending."""
        self._renders: dict[tuple[Any, ...], list[RenderedMessage]] = {}
        self._digests: dict[int, StoredDigest | None] = {}
        self._digest_loading = asyncio.Lock()
        self._author_keys: dict[int, frozenset[str]] = {}
        """Each cached issue's author keys, so matching a reader's follows costs a set intersection."""
        self.stats = EngineStats()
        self._round = RoundTally()
        """What the current drain round did, logged in sums when it ends."""

    @property
    def concurrency(self) -> int:
        """Sends in flight at most."""
        return self._concurrency

    # -- lifecycle -----------------------------------------------------------------------------------

    async def open(self) -> bool:
        """Take the engine lease, connect, and recover from a crash (in-flight rows back to pending).

        False when another live process holds the lease (the running bot, or a push): it is sending, and
        requeueing its in-flight rows here would send them twice. Nothing is opened then.
        """
        if not await self._leases.acquire(LEASE, self._owner, LEASE_TTL):
            return False
        await self._sender.initialize()
        await self.recover()
        self._stopping = False
        self._heartbeat = asyncio.create_task(self._keep_lease(), name="delivery-lease")
        return True

    async def holder(self) -> str | None:
        """Who holds the engine lease now, if anyone."""
        lease = await self._leases.holder(LEASE)
        return lease.owner if lease else None

    async def start(self) -> None:
        """Send in the background whenever there is work (the running bot); waits for the lease if needed."""
        self._stopping = False
        self._runner = asyncio.create_task(self._run_forever(), name="delivery-engine")

    async def _keep_lease(self) -> None:
        while True:
            await asyncio.sleep(LEASE_TTL.total_seconds() / 3)
            if not await self._leases.acquire(LEASE, self._owner, LEASE_TTL):
                logger.error("lost the delivery lease to another process; stopping sends")
                self._stopping = True
                return

    async def recover(self) -> int:
        repos = self._repos
        requeued = await repos.deliveries.requeue_in_flight() + await repos.broadcasts.requeue_in_flight()
        for broadcast in await repos.broadcasts.unfinished():
            if broadcast.status is BroadcastStatus.CONFIRMED:
                await repos.broadcasts.start(broadcast.id)
        if requeued:
            logger.warning("requeued %d sends interrupted by the last stop", requeued)
        return requeued

    async def stop(self) -> None:
        """Stop claiming; let the sends in flight finish (their rows are recorded), then let go of the lease."""
        self._stopping = True
        self._wake.set()
        if self._runner is not None:
            try:
                await asyncio.wait_for(self._runner, timeout=4.0)
            except TimeoutError:
                logger.warning("delivery engine stopped with sends in flight; they will be retried on start")
            self._runner = None
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._heartbeat
            self._heartbeat = None
            await self._sender.shutdown()
            await self._leases.release(LEASE, self._owner)

    def wake(self) -> None:
        """New work was queued (a broadcast started, an issue published, readers became due)."""
        self._wake.set()

    async def _run_forever(self) -> None:
        while not self._stopping and not await self.open():
            # Another process (a `briefing push`) is sending; take over when it is done.
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._idle_wait)
        while not self._stopping:
            try:
                worked = await self.drain() > 0
            except Exception:
                logger.exception("delivery engine round failed; retrying shortly")
                worked = False
            if self.halted is not None:
                logger.error("delivery paused for %.0fs: %s", HALT_PAUSE, self.halted)
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopped(), timeout=HALT_PAUSE)
                self.halted = None
                continue
            if worked:
                continue
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._idle_wait)

    async def _stopped(self) -> None:
        while not self._stopping:
            await self._wake.wait()
            self._wake.clear()

    # -- claiming ------------------------------------------------------------------------------------

    async def claim(self, *, digest_id: int | None = None) -> list[Job]:
        """The next batch: broadcasts first, then issues, oldest first; or only ``digest_id``'s recipients."""
        repos = self._repos
        if digest_id is not None:
            return await self._issue_jobs(digest_id, await repos.deliveries.claim_resuming(digest_id, self._batch))
        for broadcast in await repos.broadcasts.unfinished():
            claimed = await repos.broadcasts.claim_resuming(broadcast.id, self._batch)
            if claimed:
                subscribers = await repos.subscribers.get_many([c.chat_id for c in claimed])
                return [
                    Job(
                        c.chat_id,
                        broadcast_id=broadcast.id,
                        subscriber=subscribers.get(c.chat_id),
                        sent_ids=c.sent_ids,
                        attempts=c.attempts,
                    )
                    for c in claimed
                ]
            if await repos.broadcasts.finish(broadcast.id):
                tally = await repos.broadcasts.tally(broadcast.id)
                logger.info(
                    "broadcast #%d finished: sent to %d of %d readers, %d blocked, %d failed",
                    broadcast.id,
                    tally.sent,
                    tally.sent + tally.blocked + tally.failed + tally.skipped,
                    tally.blocked,
                    tally.failed,
                )
        for unfinished in await repos.deliveries.unfinished_digests():
            claimed = await repos.deliveries.claim_resuming(unfinished, self._batch)
            if claimed:
                return await self._issue_jobs(unfinished, claimed)
        return []

    async def _issue_jobs(self, digest_id: int, claimed: list[Claimed]) -> list[Job]:
        chats = [c.chat_id for c in claimed]
        subscribers = await self._repos.subscribers.get_many(chats)
        followed = await self._repos.subscribers.followed_keys_many(chats)
        due = await self._repos.deliveries.due_times(digest_id, chats)
        return [
            Job(
                c.chat_id,
                digest_id=digest_id,
                subscriber=subscribers.get(c.chat_id),
                followed=followed.get(c.chat_id, frozenset()),
                due_at=due.get(c.chat_id),
                sent_ids=c.sent_ids,
                attempts=c.attempts,
            )
            for c in claimed
        ]

    async def drain(self, *, digest_id: int | None = None) -> int:
        """Send until the queue (or one issue's share of it) is empty; returns how many recipients were served.

        Workers pull from a small claimed buffer and refill it as it runs low, so one slow chat (a long
        issue paced at one message a second) never holds up the others, and a broadcast queued meanwhile
        is claimed at the next refill, ahead of the rest of the push. On stop, claimed recipients not yet
        started go back to the queue.
        """
        buffer: deque[Job] = deque()
        refill_lock = asyncio.Lock()
        exhausted = False
        served = 0
        self._round = RoundTally()

        async def refill() -> None:
            nonlocal exhausted
            async with refill_lock:
                if len(buffer) >= self._concurrency or exhausted or self._stopping or self.halted is not None:
                    return
                jobs = await self.claim(digest_id=digest_id)
                if jobs:
                    buffer.extend(jobs)
                else:
                    exhausted = True

        async def worker() -> None:
            nonlocal served
            # Each send's record is committed by the group commit while this worker sends the next one;
            # the worker waits for it before going further. A write holding the database (the minute tick
            # queueing readers) then costs no pause in sending, and a crash repeats at most the sends in
            # flight and the one per worker whose record was being committed.
            previous: Recording | None = None
            while not self._stopping and self.halted is None:
                # One worker claims the next batch while the others go on with what is buffered; only an
                # empty buffer makes a worker wait for the claim (every worker waited for every refill).
                if len(buffer) < self._concurrency and not refill_lock.locked():
                    await refill()
                if not buffer:
                    await refill()
                if not buffer:
                    break
                recording = await self._deliver(buffer.popleft())
                served += 1
                if previous is not None:
                    await self._recorded(previous)
                previous = recording
            if previous is not None:
                await self._recorded(previous)

        await asyncio.gather(*(worker() for _ in range(self._concurrency)))
        while buffer:
            job = buffer.popleft()
            await self._mark_failed(job, "released at stop", retry=True)
        self._round.log()
        return served

    # -- one recipient ---------------------------------------------------------------------------------

    async def _deliver(self, job: Job) -> Recording | None:
        """Serve one recipient; a successful send returns its record on its way to the database."""
        try:
            if job.broadcast_id is not None:
                return await self._deliver_broadcast(job)
            return await self._deliver_digest(job)
        except Exception as exc:  # never lose the row: record the failure and move on
            logger.exception("delivery to %s failed unexpectedly", job.chat_id)
            await self._mark_failed(job, f"internal error: {type(exc).__name__}")
            return None

    async def _recorded(self, recording: Recording) -> None:
        """Wait for a send's record to be committed; a failed write is recorded like any internal error."""
        job, committed = recording
        try:
            await committed
        except Exception as exc:
            logger.exception("recording the send to %s failed", job.chat_id)
            await self._mark_failed(job, f"internal error: {type(exc).__name__}")

    async def _deliver_broadcast(self, job: Job) -> Recording | None:
        assert job.broadcast_id is not None
        broadcast = await self._repos.broadcasts.get(job.broadcast_id)
        if broadcast is None or broadcast.status == BroadcastStatus.CANCELLED:
            # Claimed before the editor's /cancel: those readers are skipped, not sent.
            await self._repos.broadcasts.mark_skipped(job.broadcast_id, job.chat_id, "cancelled")
            self.stats.skipped += 1
            return None
        silent = False
        subscriber = job.subscriber
        if subscriber is not None and subscriber.quiet is not None:
            now, zone = self._repos.db.clock.now(), ZoneInfo(subscriber.timezone)
            if subscriber.quiet.is_quiet(now, zone):
                if subscriber.quiet_hold and not broadcast.urgent:
                    await self._repos.broadcasts.hold(broadcast.id, job.chat_id, subscriber.quiet.ends_after(now, zone))
                    self.stats.held += 1
                    return None
                silent = True
        parts = self._broadcast_parts(broadcast.id, broadcast.text)
        return await self._send_and_record(job, parts, Target.of(job.chat_id, subscriber, silent=silent))

    def _broadcast_parts(self, broadcast_id: int, html: str) -> list[RenderedMessage]:
        key = ("broadcast", broadcast_id)
        if key not in self._renders:
            self._renders[key] = messages(html)
        return self._renders[key]

    async def _deliver_digest(self, job: Job) -> Recording | None:
        assert job.digest_id is not None
        repos = self._repos
        subscriber = job.subscriber
        stored = await self._digest(job.digest_id)
        if subscriber is None or stored is None or stored.status is not DigestStatus.PUBLISHED:
            await repos.deliveries.mark_skipped(job.digest_id, job.chat_id, "issue withdrawn or reader gone")
            self.stats.skipped += 1
            return None
        if subscriber.status != SubscriberStatus.ACTIVE:
            await repos.deliveries.mark_skipped(job.digest_id, job.chat_id, f"reader {subscriber.status}")
            self.stats.skipped += 1
            return None
        parts = self._digest_parts(stored, subscriber, job.followed)
        # The digest comes at the reader's chosen time; if that falls in their quiet hours, it comes silently.
        silent = subscriber.quiet is not None and subscriber.quiet.contains(subscriber.delivery_time)
        return await self._send_and_record(job, parts, Target.of(job.chat_id, subscriber, silent=silent))

    async def _digest(self, digest_id: int) -> StoredDigest | None:
        if digest_id not in self._digests:
            # One load for all workers: at the start of a push each of them asked (48 loads in one run).
            async with self._digest_loading:
                if digest_id in self._digests:
                    return self._digests[digest_id]
                stored = await self._repos.digests.get(digest_id)
                self._digests[digest_id] = stored
                if stored is not None:
                    self._author_keys[digest_id] = frozenset(
                        key for item in stored.digest.items() if (key := author_key(item.author)) is not None
                    )
        return self._digests[digest_id]

    def forget_digest(self, digest_id: int) -> None:
        """The issue changed (corrected, withdrawn): render it afresh."""
        self._digests.pop(digest_id, None)
        self._author_keys.pop(digest_id, None)
        self._renders = {k: v for k, v in self._renders.items() if k[:2] != ("digest", digest_id)}

    def _digest_parts(
        self, stored: StoredDigest, subscriber: Subscriber, followed_keys: frozenset[str]
    ) -> list[RenderedMessage]:
        followed = tuple(sorted(followed_keys & self._author_keys[stored.id]))
        shared = subscriber.chat_kind.shared  # 20 messages a minute: a long issue goes there as its headlines
        key = ("digest", stored.id, subscriber.format, tuple(sorted(subscriber.sections)), followed, shared)
        parts = self._renders.get(key)
        if parts is None:
            parts = render_issue(
                stored.digest.named(self._newsletter),
                digest_id=stored.id,
                fmt=subscriber.format,
                kinds=subscriber.sections,
                followed=followed,
                max_messages=self._max_issue_messages,
                shared=shared,
            )
            if len(self._renders) > 10_000:
                self._renders.clear()
            self._renders[key] = parts
        return parts

    async def _send_and_record(
        self, job: Job, parts: Sequence[RenderedMessage], target: Target
    ) -> Recording | None:
        """Send the parts not yet sent, in order; record the outcome (sent, deferred, failed) once.

        A success's record goes to the group commit and is returned, for the worker to wait on (see ``drain``).
        """
        chat_id = job.chat_id
        message_ids = list(job.sent_ids)
        counts = _SendCounts()
        try:
            for part in parts[len(message_ids) :]:
                if message_ids and len(message_ids) > len(job.sent_ids):
                    # Before the next part: a crash from here on repeats none of the parts already sent.
                    await self._record_progress(job, chat_id, message_ids)
                message_id, chat_id = await self._send_part(chat_id, part, target, counts)
                message_ids.append(message_id)
        except Gone as exc:
            await self._repos.subscribers.set_status(chat_id, SubscriberStatus.BLOCKED)
            await self._mark_failed(self._moved(job, chat_id), f"blocked: {exc}")
            self.stats.blocked += 1
            self._observer.message_sent(SendResult.BLOCKED)
            self._round.blocked(*_kind(job))
            return None
        except _GiveUp as exc:
            await self._mark_failed(self._moved(job, chat_id), str(exc))
            self.stats.failed += 1
            self._observer.message_sent(SendResult.ERROR)
            self.stats.errors.append(str(exc))
            self._round.failed(*_kind(job), str(exc))
            return None
        except _Halt as exc:
            if self.halted is None:
                self.halted = str(exc)
            await self._defer(self._moved(job, chat_id), str(exc), message_ids, counts)
            return None
        except _Retry as exc:
            await self._defer(self._moved(job, chat_id), str(exc), message_ids, counts)
            return None
        if counts.doubled:
            await self._note_doubled(self._moved(job, chat_id), counts.doubled)
        if job.broadcast_id is not None:
            committed = self._broadcasts_sent.submit((job.broadcast_id, chat_id, message_ids))
        else:
            assert job.digest_id is not None
            committed = self._issues_sent.submit((job.digest_id, chat_id, message_ids))
        self.stats.sent += 1
        lag = None if job.due_at is None else self._repos.db.clock.now() - job.due_at
        self._observer.delivered(lag)
        self._round.sent(*_kind(job), len(message_ids))
        return self._moved(job, chat_id), committed

    async def _record_progress(self, job: Job, chat_id: int, message_ids: list[int]) -> None:
        if job.broadcast_id is not None:
            await self._broadcast_progress.record((job.broadcast_id, chat_id, list(message_ids)))
        elif job.digest_id is not None:
            await self._issue_progress.record((job.digest_id, chat_id, list(message_ids)))

    @staticmethod
    def _moved(job: Job, chat_id: int) -> Job:
        """The job under the chat id it ended at (a group that migrated mid-issue)."""
        if chat_id == job.chat_id:
            return job
        return Job(chat_id, job.digest_id, job.broadcast_id, attempts=job.attempts)

    async def _defer(self, job: Job, error: str, sent_ids: Sequence[int], counts: _SendCounts) -> None:
        """Back in the queue after a failure that may pass; failed (still retryable) once the window is over."""
        wait = min(RETRY_WAIT * 2 ** max(job.attempts - 1, 0), RETRY_WAIT_MAX)
        queue, job_id = self._queue_of(job)
        status = await queue.defer(
            job_id,
            job.chat_id,
            error,
            sent_ids=sent_ids,
            wait=wait,
            window=self._retry_window,
            possibly_doubled=counts.doubled,
        )
        if status is DeliveryStatus.FAILED:
            self.stats.failed += 1
            self.stats.errors.append(f"gave up after {self._retry_window}: {error}")
            self._round.failed(*_kind(job), f"gave up after {self._retry_window}: {error}")
        else:
            self.stats.retrying += 1
            self._round.failures[f"to be retried: {error}"] += 1

    async def _note_doubled(self, job: Job, count: int) -> None:
        queue, job_id = self._queue_of(job)
        await queue.note_possibly_doubled(job_id, job.chat_id, count)

    def _queue_of(self, job: Job) -> tuple[RecipientQueue, int]:
        if job.broadcast_id is not None:
            return self._repos.broadcasts.queue, job.broadcast_id
        assert job.digest_id is not None
        return self._repos.deliveries.queue, job.digest_id

    async def _mark_failed(self, job: Job, error: str, *, retry: bool = False) -> None:
        """Record a failed (or, with ``retry``, a released) recipient of either kind of job."""
        if job.broadcast_id is not None:
            await self._repos.broadcasts.mark_failed(job.broadcast_id, job.chat_id, error, retry=retry)
        elif job.digest_id is not None:
            await self._repos.deliveries.mark_failed(job.digest_id, job.chat_id, error, retry=retry)

    async def _send_part(
        self, chat_id: int, part: RenderedMessage, target: Target, counts: _SendCounts
    ) -> tuple[int, int]:
        """Send one message, pacing and retrying as its failure says; returns its id and the (maybe new) chat id.

        A send whose answer was lost is repeated once (counted as possibly doubled); if the repeat's answer
        is lost too, the part is taken as delivered rather than risking a third copy.
        """
        tries = floods = unknown = 0
        while True:
            await self._pacer.acquire(chat_id, shared=target.shared)
            await self._limiter.acquire()
            self._pacer.sent(chat_id)
            try:
                message_id = await self._sender.send(chat_id, part, thread_id=target.thread_id, silent=target.silent)
            except TelegramError as exc:
                failure = classify(exc)
                if failure.outcome_unknown:
                    unknown += 1
                    if unknown > 1:
                        logger.warning("no answer twice for a send to %s; taking it as delivered", chat_id)
                        self.stats.unconfirmed += 1
                        return UNCONFIRMED, chat_id
                    counts.doubled += 1
                    self.stats.possibly_doubled += 1
                chat_id = await self._handle(failure, chat_id, tries)
                if failure.action is Action.BACKOFF:
                    tries += 1
                elif failure.action is Action.RETRY_AFTER:
                    floods += 1
                    if floods > self._flood_retries:
                        # A 429 passes: the reader waits in the queue instead of holding a worker (issue #14).
                        raise _Retry(f"{floods} flood limits in a row: {failure.reason}") from None
                continue
            self.stats.messages += 1
            self._observer.message_sent(SendResult.OK)
            return message_id, chat_id

    async def _handle(self, failure: Failure, chat_id: int, tries: int) -> int:
        if failure.action is Action.RETRY_AFTER:
            self.stats.retried_429 += 1
            self._observer.message_sent(SendResult.RATE_LIMITED)
            self._observer.retried("429")
            logger.debug("flood limit: pausing sends for %.1fs", failure.retry_after)
            self._round.flood_waits += 1
            self._limiter.pause(failure.retry_after)
            return chat_id
        if failure.action is Action.HALT:
            raise _Halt(failure.reason)
        if failure.action is Action.BACKOFF:
            if self.halted is not None:
                raise _Halt(self.halted)
            if tries >= len(BACKOFF_SECONDS):
                message = f"{tries + 1} tries: {failure.reason}"
                raise _Halt(message) if failure.unreachable else _Retry(message)
            self.stats.retried_errors += 1
            self._observer.retried("network")
            await self._sleep(BACKOFF_SECONDS[tries])
            return chat_id
        if failure.action is Action.MIGRATE and failure.new_chat_id is not None:
            await self._repos.subscribers.migrate_chat(chat_id, failure.new_chat_id)
            self.stats.migrated += 1
            return failure.new_chat_id
        if failure.action is Action.DEACTIVATE:
            raise Gone(failure.reason)
        raise _GiveUp(failure.reason)


@dataclass
class _SendCounts:
    """What happened while sending one recipient's parts."""

    doubled: int = 0


class _Retry(Exception):
    """The send failed for a reason that may pass, after the quick retries: try this recipient later."""


class _Halt(Exception):
    """Every send would fail the same way (the token rejected, the Bot API unreachable): stop sending."""


def _kind(job: Job) -> tuple[str, int]:
    if job.broadcast_id is not None:
        return "broadcast", job.broadcast_id
    assert job.digest_id is not None
    return "issue", job.digest_id


class _GiveUp(Exception):
    """The send failed for good: Telegram refused the message (it will refuse it again)."""


def build_engine(
    repos: Repositories,
    settings: Settings,
    *,
    rate: float | None = None,
    concurrency: int | None = None,
    observer: DeliveryObserver = NO_OBSERVER,
    budget: SendBudget | None = None,
    pacer: ChatPacer | None = None,
) -> DeliveryEngine:
    """The delivery engine with a connection pool of its own: no AIORateLimiter (the engine paces itself)."""
    rate = rate or settings.send_rate
    concurrency = concurrency or max(8, min(128, int(rate // 8)))
    sender = ApiSender(
        f"{settings.telegram_api_url}/bot{settings.token}",
        connection_limit=concurrency,
        paid_broadcast=settings.allow_paid_broadcast,
    )
    return DeliveryEngine(
        repos,
        sender,
        rate=rate,
        concurrency=concurrency,
        retry_window=dt.timedelta(hours=settings.delivery_retry_hours),
        max_issue_messages=settings.max_issue_messages,
        budget=budget,
        pacer=pacer,
        observer=observer,
        newsletter=settings.newsletter_name,
    )
