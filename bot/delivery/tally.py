"""What one delivery round did, summed up for the log: one line per issue or broadcast, one per failure kind.

A running bot must say what it sends without a line per message: at a million readers that is a million
lines. The engine counts each outcome here and logs the sums when a round ends.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

logger = logging.getLogger("bot.delivery.engine")


@dataclass
class JobTally:
    readers: int = 0
    messages: int = 0
    blocked: int = 0
    failed: int = 0


class RoundTally:
    """Counts of one :meth:`DeliveryEngine.drain` round, by job (``("issue", id)`` or ``("broadcast", id)``)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._started = clock()
        self.jobs: dict[tuple[str, int], JobTally] = {}
        self.failures: Counter[str] = Counter()
        self.flood_waits = 0

    def _job(self, kind: str, job_id: int) -> JobTally:
        return self.jobs.setdefault((kind, job_id), JobTally())

    def sent(self, kind: str, job_id: int, messages: int) -> None:
        tally = self._job(kind, job_id)
        tally.readers += 1
        tally.messages += messages

    def blocked(self, kind: str, job_id: int) -> None:
        self._job(kind, job_id).blocked += 1
        self.failures["blocked the bot or left"] += 1

    def failed(self, kind: str, job_id: int, reason: str) -> None:
        self._job(kind, job_id).failed += 1
        self.failures[reason] += 1

    def log(self) -> None:
        """One INFO line per job that sent something, one WARNING per failure kind, one for flood waits."""
        took = max(self._clock() - self._started, 1e-3)
        for (kind, job_id), tally in sorted(self.jobs.items()):
            if not (tally.readers or tally.blocked or tally.failed):
                continue
            logger.info(
                "%s %d: sent to %d readers (%d messages), %d blocked, %d failed in %.1f s, %.1f msg/s",
                kind,
                job_id,
                tally.readers,
                tally.messages,
                tally.blocked,
                tally.failed,
                took,
                tally.messages / took,
            )
        for reason, count in self.failures.most_common():
            logger.warning("%d × %s", count, reason)
        if self.flood_waits:
            logger.warning("%d × flood limit (429): sends paused as Telegram asked", self.flood_waits)
