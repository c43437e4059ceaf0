"""Who gets what when: the minute tick that queues due readers, and what happens when an issue appears.

The schedule lives in SQLite (``subscribers.next_delivery_at``, UTC, indexed). Each tick asks storage who
is due, queues the latest published issue for those who have not received it, and moves their next
delivery on by one local day, in one transaction per batch. Queueing is idempotent per (issue, chat), so
a tick that runs twice, or late, never sends twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.digest.model import Digest
from bot.rules.clock import Clock
from bot.rules.schedule import LatePolicy, is_late, next_delivery
from storage import Database, DeliveryRepository, DigestRepository, DigestStatus, Subscriber, SubscriberRepository

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TickResult:
    due: int
    queued: int
    digest_id: int | None


def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def next_for(subscriber: Subscriber, now: dt.datetime) -> dt.datetime:
    return next_delivery(now, subscriber.delivery_time, zone(subscriber.timezone), paused_until=subscriber.paused_until)


def _advanced(subscriber: Subscriber, now: dt.datetime) -> dt.datetime:
    """The reader's next delivery, guaranteed after ``now``, so a tick always finishes.

    The tick asks storage for due readers until none are left; a rule that answered ``now`` or earlier
    would hand the same readers back forever. That is a bug in the rule: log it, and try again a day on.
    """
    at = next_for(subscriber, now)
    if at > now:
        return at
    logger.error("next delivery for chat %s came out as %s, not after %s: set a day on", subscriber.chat_id, at, now)
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
        batch: int = 1000,
    ) -> None:
        self._db = db
        self._digests = digests
        self._subscribers = subscribers
        self._deliveries = deliveries
        self._clock = clock
        self._late_policy = late_policy
        self._batch = batch

    async def tick(self, now: dt.datetime | None = None) -> TickResult:
        """Queue today's issue for every reader whose delivery time has come (nothing if it is not out yet).

        Only today's issue goes out: an archive back-fill, however recent, is never sent by the tick.
        """
        now = now or self._clock.now()
        await self._subscribers.resume_expired_pauses(now)
        todays = await self._digests.todays_issue_id()
        due_total = queued = 0
        while True:
            due = await self._subscribers.due(now, limit=self._batch)
            if not due:
                break
            due_total += len(due)
            async with self._db.atomic():
                if todays is not None:
                    queued += await self._deliveries.enqueue(todays, [s.chat_id for s in due])
                await self._subscribers.set_next_deliveries((s.chat_id, _advanced(s, now)) for s in due)
        if due_total:
            logger.info("tick %s: %d readers due, %d deliveries queued", now.isoformat(), due_total, queued)
        return TickResult(due_total, queued, todays)

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
        """
        published_at = published_at or self._clock.now()
        followers = set(await self._followers_to_push(digest_id, digest))
        late: list[int] = []
        async for subscriber in self._subscribers.iter_active(batch=self._batch):
            if subscriber.chat_id not in followers and is_late(
                published_at, subscriber.delivery_time, zone(subscriber.timezone)
            ):
                late.append(subscriber.chat_id)
        if not followers and not late:
            return 0
        async with self._db.atomic():
            pushed = await self._deliveries.enqueue(digest_id, sorted(followers)) if followers else 0
            added = await self._deliveries.enqueue(digest_id, late) if late else 0
            if self._late_policy is LatePolicy.SKIP:
                for chat_id in late:
                    await self._deliveries.mark_skipped(digest_id, chat_id, "published after the reader's time")
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
        return await self._deliveries.enqueue(digest_id, followers) if followers else 0

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
