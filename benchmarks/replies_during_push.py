"""Replies during a push: how long a reader waits for an answer while the bot pushes an issue at 30/s.

    python -m benchmarks.replies_during_push              # 600 readers pushed, 40 readers asking
    python -m benchmarks.replies_during_push --readers 300 --askers 20

The real bot (PTB, the engine, one shared send budget) polls the local Bot API server, which enforces
Telegram's limits strictly (30 messages/s overall, about one a second per chat). While the push runs,
readers send /help one after another, spread over the push; each reply's latency is from the moment the
message reached the server to the moment the bot's answer did. Target (issue #14): reply p95 < 2 s, and
no 429 at all. Prints the figures; they vary with the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from bot.app import build_application, running
from bot.config import load_settings
from bot.rules.clock import SystemClock
from bot.sandbox.limits import FloodLimits
from bot.sandbox.records import SentRecord
from bot.sandbox.server import BotApiServer
from bot.sources.ingest import ingest_text
from storage import DigestFormat

FIXTURE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "real-russia-today-2024-07-11.txt"


async def scenario(readers: int, askers: int) -> dict[str, float]:
    async with BotApiServer(limits=FloodLimits()) as server:
        with tempfile.TemporaryDirectory() as tmp:
            settings = load_settings(
                {}, telegram_bot_token=server.token, telegram_api_url=server.url, briefing_db=Path(tmp) / "b.db"
            )
            app = build_application(settings, clock=SystemClock())
            async with running(app, poll_timeout=1):
                services = app.bot_data.services
                assert services is not None
                report = await ingest_text(services.db, services.digests, FIXTURE.read_text(), source="bench")
                assert report.digest_id is not None
                pushed = range(10_001, 10_001 + readers)
                asking = range(20_001, 20_001 + askers)
                for chat_id in [*pushed, *asking]:
                    server.add_user(chat_id)
                    await services.subscribers.upsert_on_start(chat_id, user_id=chat_id)
                    await services.subscribers.update_preferences(chat_id, format=DigestFormat.HEADLINES)
                await services.deliveries.enqueue(report.digest_id, list(pushed))
                started = time.monotonic()
                services.delivery.wake()
                await server.wait_for(count=30, method="sendMessage", timeout=30)
                spacing = readers / settings.send_rate / (askers + 1)
                asked: dict[int, float] = {}
                for chat_id in asking:
                    asked[chat_id] = time.monotonic()
                    server.send_user_message(chat_id, "/help")
                    await asyncio.sleep(spacing)
                latencies = []
                for chat_id in asking:
                    [reply] = await server.wait_for(chat_id=chat_id, count=1, method="sendMessage", timeout=60)
                    latencies.append(reply.at - asked[chat_id])

                def pushed_all(records: list[SentRecord]) -> bool:
                    return len({r.chat_id for r in server.sent(method="sendMessage") if r.chat_id in pushed}) >= readers

                await server.wait_for(pushed_all, timeout=readers)
                took = time.monotonic() - started
            stats = server.stats()
    latencies.sort()
    return {
        "pushed": readers,
        "push_seconds": took,
        "push_rate": readers / took,
        "replies": askers,
        "reply_p50": statistics.median(latencies),
        "reply_p95": latencies[max(0, round(0.95 * len(latencies)) - 1)],
        "reply_max": latencies[-1],
        "429s": stats.flood_rejections,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readers", type=int, default=600)
    parser.add_argument("--askers", type=int, default=40)
    args = parser.parse_args()
    figures = asyncio.run(scenario(args.readers, args.askers))
    print(
        f"push: {figures['pushed']} readers in {figures['push_seconds']:.1f} s ({figures['push_rate']:.1f} msg/s); "
        f"{figures['replies']} replies during it: p50 {figures['reply_p50']:.2f} s, "
        f"p95 {figures['reply_p95']:.2f} s, max {figures['reply_max']:.2f} s; 429s: {figures['429s']}"
    )


if __name__ == "__main__":
    main()
