"""The minute tick at scale, and whether sending keeps its pace while the tick runs.

    python -m benchmarks.tick                          # 100,000 and 1,000,000 subscribers; alone and at 1,000/s
    python -m benchmarks.tick --counts 1000000 --due 0.333 --rates 1000 --json

For each count: a database of that many subscribers (eight timezones, times across the day), a share of them
(``--due``, default a third, as at 08:00 Moscow time) due at once, and today's issue published. The due
readers' schedules are those whose time has come this minute, one per zone (``--spread minute``), or every
schedule in the database at once (``--spread all``: a tick after an outage, the worst case for the index). For each
rate the tick runs on a fresh copy of that database. At rate 0 it runs alone: its wall time and its CPU per
due reader (the figure that survives a loaded machine). At a positive rate the delivery engine meanwhile
sends an earlier issue at that rate (paid broadcast above 30/s) through the local Bot API server in its own
process, and the tick starts once sending is steady.

Printed, each next to its target: the tick's wall time (< 5 s for 1M subscribers); the send rate during the
tick against the configured rate (>= 0.95) and the longest pause between two sends around it (<= 100 ms);
and what the tick did to the one writer: how many transactions, the longest (from taking the database to
letting go of it, commit included) and all of them together; the event loop's longest block; the load
average. Figures vary with the machine and its load: run it, don't quote it.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.delivery import FIXTURE, TOKEN, Server
from bot.config import load_settings
from bot.delivery.engine import DeliveryEngine, build_engine
from bot.features.services import Services
from bot.rules.clock import ManualClock
from bot.sources.ingest import ingest_text
from storage import Database, Repositories

NOW = dt.datetime(2026, 3, 2, 5, 0, 30, tzinfo=dt.UTC)
"""08:00:30 in Moscow."""
WARMUP_S = 2.0
BEFORE_S = 3.0
AROUND_S = 0.5
"""The longest pause is looked for from this long before the tick to this long after it."""
TARGET_TICK_S = 5.0
TARGET_RATE_RATIO = 0.95
TARGET_PAUSE_MS = 100.0

FILL = """
INSERT INTO subscribers (chat_id, user_id, first_name, status, timezone, delivery_time, format,
                         next_delivery_at, created_at, updated_at, status_changed_at)
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count)
SELECT i, i, 'Reader ' || i, 'active',
       CASE i % 8 WHEN 0 THEN 'Europe/Moscow' WHEN 1 THEN 'Europe/Berlin' WHEN 2 THEN 'America/New_York'
                  WHEN 3 THEN 'Asia/Kolkata' WHEN 4 THEN 'UTC' WHEN 5 THEN 'Europe/London'
                  WHEN 6 THEN 'Asia/Tokyo' ELSE 'America/Los_Angeles' END,
       CASE WHEN (i * 7919) % 1000 < :due_permille AND :minute THEN
           -- The local times of 05:00 UTC on the day: those readers' time has come this minute.
           CASE i % 8 WHEN 0 THEN '08:00' WHEN 1 THEN '06:00' WHEN 2 THEN '00:00' WHEN 3 THEN '10:30'
                      WHEN 4 THEN '05:00' WHEN 5 THEN '05:00' WHEN 6 THEN '14:00' ELSE '21:00' END
       ELSE printf('%02d:%02d', (i / 8) % 24, ((i / 192) % 4) * 15) END, 'headlines',
       CASE WHEN (i * 7919) % 1000 < :due_permille THEN :now - 30 ELSE :now + 60 + (i * 7919) % 86000 END,
       :now, :now, :now
FROM n
"""


async def fill(path: Path, count: int, due_share: float, spread: str) -> tuple[float, int, int]:
    """The database for ``count`` subscribers with today's issue published; (seconds, due, issue id)."""
    clock = ManualClock(NOW)
    db = await Database.open(path, clock=clock)
    try:
        services = Services.over(db, load_settings({}, telegram_bot_token=TOKEN), clock)
        began = time.perf_counter()
        async with db.atomic():
            await db.execute(
                FILL,
                {
                    "count": count,
                    "now": int(NOW.timestamp()),
                    "due_permille": int(due_share * 1000),
                    "minute": spread == "minute",
                },
            )
        await db.execute("ANALYZE")
        # Dated the tick's day: the tick sends only today's issue (an older one would queue nothing).
        today = FIXTURE.read_text().replace("Thursday, July 11, 2024", "Monday, March 2, 2026")
        today = today.replace("July 11, 2024", "March 2, 2026").replace("2024-07-11", "2026-03-02")
        latest = await ingest_text(db, services.digests, today, source="today", publish=True)
        assert latest.digest_id is not None
        due = await services.subscribers.count_due(NOW)
        return time.perf_counter() - began, due, latest.digest_id
    finally:
        await db.close()


class SendWatch:
    """Samples the engine's message count every millisecond: the longest pause between two sends, and how
    long the event loop was blocked (a pause with the loop free is a wait for the database; with the loop
    blocked, CPU work in the loop)."""

    def __init__(self, engine: DeliveryEngine) -> None:
        self._engine = engine
        self.sends: list[tuple[float, int]] = []
        self.blocks: list[tuple[float, float]] = []
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._sample())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _sample(self) -> None:
        last = -1
        while True:
            began = time.perf_counter()
            count = self._engine.stats.messages
            if count != last:
                self.sends.append((began, count))
                last = count
            await asyncio.sleep(0.001)
            self.blocks.append((began, time.perf_counter() - began - 0.001))

    def count_at(self, at: float) -> int:
        """Messages sent by ``at`` (as last sampled)."""
        count = 0
        for when, seen in self.sends:
            if when > at:
                break
            count = seen
        return count

    def longest_pause(self, start: float, end: float) -> float:
        times = [when for when, _ in self.sends if start <= when <= end]
        return max((b - a for a, b in itertools.pairwise(times)), default=0.0)

    def longest_block(self, start: float, end: float) -> float:
        return max((block for when, block in self.blocks if start <= when <= end), default=0.0)


async def run(path: Path, due: int, digest_id: int, rate: float) -> dict[str, Any]:
    sending = int(rate * (WARMUP_S + BEFORE_S + 60))  # enough to keep sending through a slow tick
    server = Server("--record-limit", "1000") if rate else None
    clock = ManualClock(NOW)
    db = await Database.open(path, clock=clock)
    engine: DeliveryEngine | None = None
    watch: SendWatch | None = None
    drain: asyncio.Task[int] | None = None
    stop_at: int | None = None
    try:
        api_url = server.url if server else "http://127.0.0.1:9"
        settings = load_settings(
            {}, telegram_bot_token=TOKEN, telegram_api_url=api_url, allow_paid_broadcast=rate > 30,
            delivery_rate=rate or 30,
        )  # fmt: skip
        services = Services.over(db, settings, clock)
        if server is not None:
            for start in range(1, sending + 1, 5000):
                server.control("add_users", user_ids=list(range(start, min(start + 5000, sending + 1))))
            # An earlier issue being sent when the tick comes.
            earlier = await ingest_text(db, services.digests, FIXTURE.read_text(), source="earlier")
            assert earlier.digest_id is not None
            await services.deliveries.enqueue(earlier.digest_id, range(1, sending + 1))
            engine = build_engine(Repositories.over(db), settings, rate=rate)
            await engine.open()
            watch = SendWatch(engine)
            watch.start()
            drain = asyncio.create_task(engine.drain(digest_id=earlier.digest_id))
            stop_at = earlier.digest_id
            await asyncio.sleep(WARMUP_S + BEFORE_S)
        load = os.getloadavg()
        cpu0, t1 = time.process_time(), time.perf_counter()
        result = await services.scheduler.tick(NOW)
        cpu, t2 = time.process_time() - cpu0, time.perf_counter()
        figures: dict[str, Any] = {}
        if engine is not None and watch is not None:
            await asyncio.sleep(AROUND_S)
            before = watch.count_at(t1) - watch.count_at(t1 - BEFORE_S)
            during = watch.count_at(t2) - watch.count_at(t1)
            figures = {
                "configured_rate": rate,
                "rate_before_tick": round(before / BEFORE_S, 1),
                "rate_during_tick": round(during / (t2 - t1), 1),
                "rate_during_over_configured": round(during / (t2 - t1) / rate, 3),
                "target_rate_ratio_at_least": TARGET_RATE_RATIO,
                "longest_pause_ms": round(1000 * watch.longest_pause(t1 - AROUND_S, t2 + AROUND_S), 1),
                "target_longest_pause_ms": TARGET_PAUSE_MS,
                "event_loop_longest_block_ms": round(1000 * watch.longest_block(t1 - AROUND_S, t2 + AROUND_S), 1),
                # The same in the seconds before the tick: what the machine's load alone does.
                "longest_pause_before_tick_ms": round(1000 * watch.longest_pause(t1 - BEFORE_S, t1), 1),
                "event_loop_longest_block_before_tick_ms": round(1000 * watch.longest_block(t1 - BEFORE_S, t1), 1),
            }
        left_due = await services.subscribers.count_due(NOW)
        queued_rows = await db.fetchval("SELECT count(*) FROM deliveries WHERE digest_id = ?", (digest_id,))
    finally:
        if watch is not None:
            await watch.stop()
        if drain is not None:
            # End the push: what is still queued is dropped, so the workers finish what they hold.
            await db.execute(
                "UPDATE deliveries SET status = 'skipped' WHERE digest_id = ? AND status = 'pending'", (stop_at,)
            )
            await asyncio.wait_for(drain, timeout=30)
        if engine is not None:
            await engine.stop()
        await db.close()
        if server is not None:
            server.close()
    assert result.due == due and left_due == 0, (result, due, left_due)
    assert result.queued == due == queued_rows, f"the tick queued {result.queued} of {due} due readers"
    return {
        "due_at_tick": due,
        "tick_s": round(t2 - t1, 2),
        "target_tick_s_under": TARGET_TICK_S,
        "process_cpu_s_during_tick": round(cpu, 2),
        "tick_transactions": result.batches,
        "longest_transaction_ms": round(1000 * result.longest_hold_s, 1),
        "holding_writer_s": round(result.holding_s, 2),
        "holding_us_per_due_reader": round(1e6 * result.holding_s / max(due, 1), 1),
        "tick_sql_cpu_s": round(result.cpu_s, 2),
        "tick_sql_cpu_us_per_due_reader": round(1e6 * result.cpu_s / max(due, 1), 1),
        **figures,
        "load_average": [round(x, 2) for x in load],
    }


def report(count: int, rate: float, fill_s: float, figures: dict[str, Any]) -> str:
    due, tick_s = figures["due_at_tick"], figures["tick_s"]
    sending = f"sending at {rate:,.0f}/s" if rate else "alone (nothing sending)"
    load = " ".join(f"{x:.2f}" for x in figures["load_average"])
    lines = [
        f"{count:,} subscribers, {due:,} due, tick {sending}; load average {load}; filled in {fill_s:.1f} s",
        f"  tick                 {tick_s:8.2f} s        target < {TARGET_TICK_S:g} s (for 1M subscribers)",
    ]
    if rate:
        lines += [
            f"  send rate in tick    {figures['rate_during_tick']:8.1f}/s      "
            f"{figures['rate_during_over_configured']:.3f} of {rate:,.0f}/s, target >= {TARGET_RATE_RATIO}"
            f" (before the tick: {figures['rate_before_tick']:.1f}/s)",
            f"  longest send pause   {figures['longest_pause_ms']:8.1f} ms       target <= {TARGET_PAUSE_MS:g} ms"
            f" (event loop blocked at most {figures['event_loop_longest_block_ms']:.1f} ms; in the"
            f" {BEFORE_S:g} s before the tick: {figures['longest_pause_before_tick_ms']:.1f} ms and"
            f" {figures['event_loop_longest_block_before_tick_ms']:.1f} ms)",
        ]
    lines.append(
        f"  holding the writer   {figures['holding_writer_s']:8.2f} s        {figures['tick_transactions']} "
        f"transactions, the longest {figures['longest_transaction_ms']:.1f} ms, "
        f"{figures['holding_us_per_due_reader']:.1f} us per due reader"
    )
    lines.append(
        f"  the tick's SQL CPU   {figures['tick_sql_cpu_s']:8.2f} s        "
        f"{figures['tick_sql_cpu_us_per_due_reader']:.1f} us per due reader (the database thread's CPU time)"
    )
    what = "the tick alone" if not rate else "the tick and the engine"
    lines.append(f"  process CPU          {figures['process_cpu_s_during_tick']:8.2f} s        {what}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", default="100000,1000000", help="comma-separated subscriber counts")
    parser.add_argument("--due", type=float, default=1 / 3, help="share of subscribers due at the tick")
    parser.add_argument(
        "--rates", default="0,1000", help="comma-separated engine rates during the tick, messages/s (0: tick alone)"
    )
    parser.add_argument(
        "--spread",
        choices=("minute", "all"),
        default="minute",
        help="the due readers' schedules: those whose time is this minute (8, one per zone: a real tick), or "
        "all 768 of the database at once (a tick after a long outage: each batch moves readers to 768 places "
        "in the due index)",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per run instead of text")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        for count in (int(c) for c in args.counts.split(",")):
            base = Path(directory) / f"tick-{count}.db"
            fill_s, due, digest_id = asyncio.run(fill(base, count, args.due, args.spread))
            for rate in (float(r) for r in args.rates.split(",")):
                copy = Path(directory) / "run.db"
                shutil.copyfile(base, copy)  # closed cleanly: one file, no WAL
                figures = asyncio.run(run(copy, due, digest_id, rate))
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{copy}{suffix}").unlink(missing_ok=True)
                if args.json:
                    print(json.dumps({"subscribers": count, "rate": rate, "fill_s": round(fill_s, 1)} | figures))
                else:
                    print(report(count, rate, fill_s, figures), flush=True)
            base.unlink()


if __name__ == "__main__":
    main()
