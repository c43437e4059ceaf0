"""The minute tick at scale, and whether sending keeps its pace while the tick runs.

    python -m benchmarks.tick                          # 100,000 and 1,000,000 subscribers, at 30/s and 1,000/s
    python -m benchmarks.tick --counts 1000000 --due 1.0 --rates 30

For each count and rate: a database of that many subscribers (eight timezones, times across the day), a
share of them (``--due``, default a third, as at 08:00 Moscow time) due at once, and a published issue.
The delivery engine meanwhile sends an earlier issue at that rate (1,000/s as paid broadcast) through the
local Bot API server in its own process. Printed: the tick's wall time and the engine's send rate in the
seconds before the tick, during it, and over the 5 s from its start (a short tick at 30/s spans only a few
messages) (target: a tick under 5 s for 1M subscribers and the send rate within
5% during it). Figures vary with the machine (and its load): run it, don't quote it.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.delivery import FIXTURE, TOKEN, Server
from bot.config import load_settings
from bot.delivery.engine import build_engine
from bot.features.services import Services
from bot.rules.clock import ManualClock
from bot.sources.ingest import ingest_text
from storage import Database, Repositories

NOW = dt.datetime(2026, 3, 2, 5, 0, 30, tzinfo=dt.UTC)
"""08:00:30 in Moscow."""
WARMUP_S = 2.0
BEFORE_S = 5.0
WINDOW_S = 5.0

FILL = """
INSERT INTO subscribers (chat_id, user_id, first_name, status, timezone, delivery_time, format,
                         next_delivery_at, created_at, updated_at, status_changed_at)
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count)
SELECT i, i, 'Reader ' || i, 'active',
       CASE i % 8 WHEN 0 THEN 'Europe/Moscow' WHEN 1 THEN 'Europe/Berlin' WHEN 2 THEN 'America/New_York'
                  WHEN 3 THEN 'Asia/Kolkata' WHEN 4 THEN 'UTC' WHEN 5 THEN 'Europe/London'
                  WHEN 6 THEN 'Asia/Tokyo' ELSE 'America/Los_Angeles' END,
       printf('%02d:%02d', (i / 8) % 24, ((i / 192) % 4) * 15), 'headlines',
       CASE WHEN (i * 7919) % 1000 < :due_permille THEN :now - 30 ELSE :now + 60 + (i * 7919) % 86000 END,
       :now, :now, :now
FROM n
"""


async def run(count: int, due_share: float, rate: float, directory: Path) -> dict[str, Any]:
    sending = min(count, max(3000, int(rate * 90)))  # enough to keep sending through a slow tick
    server = Server()
    try:
        for start in range(1, sending + 1, 5000):
            server.control("add_users", user_ids=list(range(start, min(start + 5000, sending + 1))))
        clock = ManualClock(NOW - dt.timedelta(hours=1))
        db = await Database.open(directory / f"tick-{count}.db", clock=clock)
        settings = load_settings(
            {},
            telegram_bot_token=TOKEN,
            telegram_api_url=server.url,
            allow_paid_broadcast=rate > 30,
            delivery_rate=rate,
        )
        services = Services.over(db, settings, clock)
        began = time.perf_counter()
        async with db.atomic():
            await db.execute(FILL, {"count": count, "now": int(NOW.timestamp()), "due_permille": int(due_share * 1000)})
        await db.execute("ANALYZE")
        fill_s = time.perf_counter() - began
        due = await services.subscribers.count_due(NOW)

        # An earlier issue being sent when the tick comes; then today's issue.
        earlier = await ingest_text(db, services.digests, FIXTURE.read_text(), source="earlier")
        assert earlier.digest_id is not None
        await services.deliveries.enqueue(earlier.digest_id, range(1, sending + 1))
        # Dated the tick's day: the tick sends only today's issue (an older one would queue nothing).
        today = FIXTURE.read_text().replace("Thursday, July 11, 2024", "Monday, March 2, 2026")
        today = today.replace("July 11, 2024", "March 2, 2026").replace("2024-07-11", "2026-03-02")
        clock.set(NOW)
        latest = await ingest_text(db, services.digests, today, source="today", publish=True)
        assert latest.digest_id is not None and latest.digest_id != earlier.digest_id

        engine = build_engine(Repositories.over(db), settings, rate=rate)
        await engine.open()
        drain = asyncio.create_task(engine.drain())
        await asyncio.sleep(WARMUP_S)
        m0, t0 = engine.stats.messages, time.perf_counter()
        await asyncio.sleep(BEFORE_S)
        m1, t1 = engine.stats.messages, time.perf_counter()
        result = await services.scheduler.tick(NOW)
        m2, t2 = engine.stats.messages, time.perf_counter()
        # A short tick at 30/s spans a handful of messages: also count a window of at least 5 s from its start.
        await asyncio.sleep(max(0.0, t1 + WINDOW_S - time.perf_counter()))
        m3, t3 = engine.stats.messages, time.perf_counter()
        before_rate = (m1 - m0) / (t1 - t0)
        during_rate = (m2 - m1) / (t2 - t1)
        window_rate = (m3 - m1) / (t3 - t1)
        await engine.stop()
        drain.cancel()
        await asyncio.gather(drain, return_exceptions=True)
        left_due = await services.subscribers.count_due(NOW)
        await db.close()
    finally:
        server.close()
    assert result.due == due and left_due == 0, (result, due, left_due)
    assert result.queued == due, f"the tick queued {result.queued} of {due} due readers: is the issue today's?"
    return {
        "subscribers": count,
        "rate": rate,
        "fill_s": round(fill_s, 1),
        "due_at_tick": due,
        "tick_s": round(t2 - t1, 2),
        "queued": result.queued,
        "send_rate_before": round(before_rate, 1),
        "send_rate_during_tick": round(during_rate, 1),
        "send_rate_change_pct": round(100 * (during_rate - before_rate) / before_rate, 1),
        "send_rate_5s_from_tick": round(window_rate, 1),
        "window_change_pct": round(100 * (window_rate - before_rate) / before_rate, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", default="100000,1000000", help="comma-separated subscriber counts")
    parser.add_argument("--due", type=float, default=1 / 3, help="share of subscribers due at the tick")
    parser.add_argument("--rates", default="30,1000", help="comma-separated engine rates, messages per second")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        for count in (int(c) for c in args.counts.split(",")):
            for rate in (float(r) for r in args.rates.split(",")):
                print(json.dumps(asyncio.run(run(count, args.due, rate, Path(directory)))), flush=True)
                (Path(directory) / f"tick-{count}.db").unlink()


if __name__ == "__main__":
    main()
