"""How fast is "who is due" over a million subscribers, and does streaming them keep memory flat?

Run: ``python -m benchmarks.storage_due [--count 1000000] [--ticks 20]``

Fills a temporary database (recursive CTE, one transaction), then times the delivery tick's query
(``SubscriberRepository.due(now, limit=1000)``) at ticks spread over a day, and measures the peak RSS
while every active subscriber is streamed with ``Database.iterate`` (and, for contrast, loaded at once).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import resource
import statistics
import tempfile
import time
from pathlib import Path

from storage import Database, SubscriberRepository

START = dt.datetime(2024, 10, 11, tzinfo=dt.UTC)

FILL = """
INSERT INTO subscribers (chat_id, user_id, first_name, username, language, status, timezone, delivery_time,
                         format, breaking_alerts, next_delivery_at, created_at, updated_at, status_changed_at)
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count)
SELECT i, i, 'Reader ' || i, 'reader' || i, 'en',
       CASE WHEN i % 20 = 0 THEN 'paused' WHEN i % 20 = 1 THEN 'blocked' WHEN i % 50 = 2 THEN 'left'
            ELSE 'active' END,
       'Europe/Berlin', printf('%02d:%02d', i % 24, i % 60), 'full', i % 2,
       :start + (i * 7919) % 86400, :start - 86400 * (i % 365), :start, :start
FROM n
"""


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


async def run(count: int, ticks: int, directory: Path) -> None:
    db = await Database.open(directory / "bench.db")
    try:
        subscribers = SubscriberRepository(db)
        began = time.perf_counter()
        async with db.atomic():
            await db.execute(FILL, {"count": count, "start": int(START.timestamp())})
        await db.execute("ANALYZE")
        fill_seconds = time.perf_counter() - began
        size_mib = (directory / "bench.db").stat().st_size / 2**20
        print(f"filled {count:,} subscribers in {fill_seconds:.1f} s ({size_mib:.0f} MiB + WAL)")

        query_ms: list[float] = []
        sql_ms: list[float] = []
        for tick in range(ticks):
            now = START + dt.timedelta(seconds=(tick + 1) * 86400 // (ticks + 1))
            began = time.perf_counter()
            due = await subscribers.due(now, limit=1000)
            query_ms.append((time.perf_counter() - began) * 1000)
            began = time.perf_counter()
            await db.fetchall(
                "SELECT chat_id FROM subscribers WHERE status = 'active' AND next_delivery_at <= ? "
                "ORDER BY next_delivery_at, chat_id LIMIT 1000",
                (int(now.timestamp()),),
            )
            sql_ms.append((time.perf_counter() - began) * 1000)
            assert len(due) == 1000 and all(s.next_delivery_at and s.next_delivery_at <= now for s in due)
        began = time.perf_counter()
        total_due = await subscribers.count_due(START + dt.timedelta(hours=12))
        count_ms = (time.perf_counter() - began) * 1000

        def summary(samples: list[float]) -> str:
            p95 = statistics.quantiles(samples, n=20)[-1] if len(samples) > 1 else samples[0]
            return f"median {statistics.median(samples):.2f} ms, p95 {p95:.2f} ms, max {max(samples):.2f} ms"

        print(f"due(now, limit=1000) over {ticks} ticks: {summary(query_ms)}")
        print(f"  the SQL alone (chat ids only):   {summary(sql_ms)}")
        print(f"count_due at noon: {total_due:,} due, {count_ms:.1f} ms")

        before = peak_rss_mib()
        began = time.perf_counter()
        streamed = 0
        async for _row in db.iterate("SELECT * FROM subscribers WHERE status = 'active'", batch=1000):
            streamed += 1
        stream_seconds = time.perf_counter() - began
        after_iterate = peak_rss_mib()
        print(
            f"iterate: {streamed:,} active rows in {stream_seconds:.1f} s; "
            f"peak RSS {before:.0f} MiB before, {after_iterate:.0f} MiB after"
        )

        began = time.perf_counter()
        paged = 0
        async for _subscriber in subscribers.iter_due(START + dt.timedelta(days=1), batch=1000):
            paged += 1
        print(
            f"iter_due (keyset pages, Subscriber objects): {paged:,} in {time.perf_counter() - began:.1f} s; "
            f"peak RSS {peak_rss_mib():.0f} MiB"
        )

        rows = await db.fetchall("SELECT * FROM subscribers WHERE status = 'active'")
        print(f"for contrast, fetchall of {len(rows):,} rows: peak RSS {peak_rss_mib():.0f} MiB")
        del rows
    finally:
        await db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--ticks", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        asyncio.run(run(args.count, args.ticks, Path(directory)))


if __name__ == "__main__":
    main()
