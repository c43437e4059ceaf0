"""``briefing push``: deliver one issue now to every active reader who has not received it.

It queues the issue in the same delivery log the bot uses and drains it with the same engine, so a push
that is interrupted (Ctrl-C, SIGKILL, a crash) is finished by running it again, or by the bot itself:
nobody is skipped, and only the sends in flight at the interruption can repeat.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import sys
from dataclasses import dataclass

from tqdm import tqdm

from bot.config import Settings
from bot.delivery.engine import build_engine
from storage import Database, DeliveryStatus, Repositories


class PushError(Exception):
    """Nothing to push; the message says why."""


class PushHandedOver(Exception):
    """Another process runs the delivery engine and will send what was queued; the message says so."""


@dataclass(frozen=True, slots=True)
class PushReport:
    digest_id: int
    issue: str
    sent: int
    blocked: int
    failed: int
    skipped: int
    already: int
    messages: int
    retried: int
    requeued: int = 0
    """Readers an earlier decision had skipped (LATE_ISSUE_POLICY=skip, a pause), sent to now."""

    retried_failures: int = 0
    """Readers waiting for a retry, or failed for a reason that may pass, that this push tried again."""
    retrying: int = 0
    """Readers still waiting to be retried when the push ended (stuck), and the latest error among them."""
    last_error: str | None = None
    possibly_doubled: int = 0
    """Sends repeated after a lost answer: those readers may have a message twice."""
    unconfirmed: int = 0
    """Messages whose repeat got no answer either: taken as delivered rather than sent a third time."""
    halted: str | None = None
    """Why the push stopped at once (the token rejected, the Bot API unreachable); None if it ran through."""

    @property
    def ok(self) -> bool:
        return self.halted is None and self.failed == 0 and self.retrying == 0

    def describe(self) -> str:
        if self.halted is not None:
            return (
                f"{self.issue}: push stopped: {self.halted}. Nobody was marked failed; {self.sent} sent, "
                f"{self.retrying} still queued. Fix it and run briefing push again."
            )
        skipped = f", {self.skipped} skipped (paused, left or withdrawn meanwhile)" if self.skipped else ""
        requeued = f", including {self.requeued} the late-issue policy had skipped" if self.requeued else ""
        line = (
            f"{self.issue}: sent to {self.sent} readers ({self.messages} messages){requeued}; "
            f"{self.blocked} blocked, {self.failed} failed{skipped}; {self.already} had it already; "
            f"{self.retried} retries after flood limits or errors"
        )
        if self.retried_failures:
            line += f"; {self.retried_failures} tried again from earlier pushes"
        if self.possibly_doubled:
            line += f"; {self.possibly_doubled} possibly doubled (answer lost, sent again)"
        if self.unconfirmed:
            line += f"; {self.unconfirmed} unconfirmed (no answer twice, taken as delivered)"
        if self.retrying:
            line += f"; {self.retrying} stuck, retrying (last error: {self.last_error})"
        return line


async def push_issue(
    db: Database, settings: Settings, *, day: dt.date | None = None, rate: float | None = None, progress: bool = True
) -> PushReport:
    repos = Repositories.over(db, timezone=settings.timezone)
    stored = await (repos.digests.by_date(day) if day else repos.digests.latest_published())
    if stored is None:
        raise PushError(f"no published issue of {day.isoformat()}" if day else "no published issue to push")
    label = f"{stored.digest.date or 'undated'} “{stored.digest.title or 'untitled'}”"
    engine = build_engine(repos, settings, rate=rate)
    before = await repos.deliveries.counts(stored.id)
    if not await engine.open():
        # The running bot holds the engine: queue the readers and let it send (it looks every few seconds).
        queued = await repos.deliveries.enqueue_active(stored.id) + await repos.deliveries.requeue_skipped_active(
            stored.id
        )
        queued += await repos.deliveries.queue.requeue_retryable(stored.id)
        holder = await engine.holder()
        raise PushHandedOver(f"{label}: queued {queued} readers; the running bot ({holder}) is sending it")
    try:
        # The operator's decision: everyone active who has not had it, readers the late policy skipped included.
        await repos.deliveries.enqueue_active(stored.id)
        requeued = await repos.deliveries.requeue_skipped_active(stored.id)
        # Failures that may pass (a rejected token since fixed, an outage) are tried again now.
        retried_failures = await repos.deliveries.queue.requeue_retryable(stored.id)
        todo = (await repos.deliveries.counts(stored.id))[DeliveryStatus.PENDING]
        # Not on a terminal nobody sees the bar, and tqdm's monitor thread took 4% of a 1,000/s push.
        shown = progress and todo > 0 and sys.stderr.isatty()
        with tqdm(total=todo, unit="reader", desc="push", disable=not shown) as bar:

            def served() -> int:
                return engine.stats.sent + engine.stats.blocked + engine.stats.failed + engine.stats.skipped

            async def follow_progress() -> None:
                while True:
                    await asyncio.sleep(0.5)
                    bar.update(served() - bar.n)

            watcher = asyncio.create_task(follow_progress())
            try:
                await engine.drain(digest_id=stored.id)
            finally:
                watcher.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watcher
                bar.update(served() - bar.n)
    finally:
        await engine.stop()
    stats = engine.stats
    stuck = await repos.deliveries.queue.stuck(stored.id)
    return PushReport(
        digest_id=stored.id,
        issue=label,
        sent=stats.sent,
        blocked=stats.blocked,
        failed=stats.failed,
        skipped=stats.skipped,
        already=before[DeliveryStatus.SENT],
        messages=stats.messages,
        retried=stats.retried_429 + stats.retried_errors,
        requeued=requeued,
        retried_failures=retried_failures,
        retrying=stuck.count,
        last_error=stuck.last_error,
        possibly_doubled=stats.possibly_doubled,
        unconfirmed=stats.unconfirmed,
        halted=engine.halted,
    )
