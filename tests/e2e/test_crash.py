"""A push killed with SIGKILL mid-way, then run again: everyone gets the issue, repeats only from in-flight sends."""

from __future__ import annotations

import asyncio
import signal
from collections import Counter
from pathlib import Path

import pytest

from bot.rules.preferences import Format
from bot.sources.ingest import ingest_text
from storage import Database, DeliveryRepository, DeliveryStatus, DigestRepository, SubscriberRepository
from tests.processes import bot_env, bot_output, server_process, start_bot, wait_until

READERS = 240
FIXTURE = Path(__file__).parents[1] / "fixtures" / "real-russia-today-2024-07-11.txt"


async def prepare(db_path: Path) -> int:
    async with await Database.open(db_path) as db:
        report = await ingest_text(db, DigestRepository(db), FIXTURE.read_text(), source="fixture")
        subscribers = SubscriberRepository(db)
        for chat_id in range(1, READERS + 1):
            await subscribers.upsert_on_start(chat_id, user_id=chat_id)
            await subscribers.update_preferences(chat_id, format=Format.HEADLINES)
        assert report.digest_id is not None
        return report.digest_id


async def delivery_counts(db_path: Path, digest_id: int) -> dict[DeliveryStatus, int]:
    async with await Database.open(db_path) as db:
        return await DeliveryRepository(db).counts(digest_id)


@pytest.mark.timeout(180)  # three processes and 13 s unloaded; the shared CI machine is slower
def test_sigkill_mid_push_then_rerun_delivers_the_rest_exactly_once(tmp_path: Path) -> None:
    db = tmp_path / "bot.db"
    digest_id = asyncio.run(prepare(db))
    with server_process() as server:
        for chat_id in range(1, READERS + 1):
            server.control("add_user", user_id=chat_id)
        env = bot_env(server, db, LOG_LEVEL="WARNING")

        first = start_bot(["push", "--rate", "60", "--quiet"], env, tmp_path)
        wait_until(lambda: server.control("stats")["requests"].get("sendMessage", 0) >= 60)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        sent_before_restart = server.control("stats")["requests"]["sendMessage"]
        assert sent_before_restart < READERS, "the push finished before it could be killed"

        second = start_bot(["push", "--rate", "200", "--quiet"], env, tmp_path)
        assert second.wait(timeout=60) == 0, bot_output(tmp_path)
        records = server.control("sent", method="sendMessage")

    per_chat = Counter(record["chat_id"] for record in records)
    assert set(per_chat) == set(range(1, READERS + 1)), "somebody was skipped"
    repeats = sum(n - 1 for n in per_chat.values())
    # Only sends in flight at the kill may repeat: at most one concurrency window of the first push.
    assert repeats <= 8, f"{repeats} repeated sends"
    counts = asyncio.run(delivery_counts(db, digest_id))
    assert counts[DeliveryStatus.SENT] == READERS
    assert counts[DeliveryStatus.PENDING] == counts[DeliveryStatus.SENDING] == 0
    assert "sent to" in bot_output(tmp_path)


async def test_push_beside_the_running_bot_hands_the_sending_to_it(harness, tmp_path: Path) -> None:
    import datetime as dt
    import os
    import sys

    from storage import LeaseRepository, this_process
    from tests.processes import ENV_NAMES

    services = harness.services
    # The push runs on the system clock: move the bot's clock there and renew its lease accordingly.
    harness.clock.set(dt.datetime.now(dt.UTC))
    assert await LeaseRepository(services.db).acquire("delivery-engine", this_process(), dt.timedelta(seconds=30))
    report = await ingest_text(services.db, services.digests, FIXTURE.read_text(), source="fixture")
    for chat_id in (11, 12, 13):
        harness.server.add_user(chat_id)
        await services.subscribers.upsert_on_start(chat_id, user_id=chat_id)
        await services.subscribers.update_preferences(chat_id, format=Format.HEADLINES)
    env = {k: v for k, v in os.environ.items() if k not in ENV_NAMES}
    env.update(
        TELEGRAM_BOT_TOKEN=harness.settings.token,
        TELEGRAM_API_URL=harness.settings.telegram_api_url,
        BRIEFING_DB=str(harness.db_path),
        LOG_LEVEL="WARNING",
    )
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "push",
        "--quiet",
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    assert "the running bot" in out.decode()
    services.delivery.wake()
    for chat_id in (11, 12, 13):
        await harness.server.wait_for(chat_id=chat_id, count=1, timeout=10)
    assert report.digest_id is not None
    for _ in range(100):  # the record follows the server's answer by a moment
        if (await services.deliveries.counts(report.digest_id))[DeliveryStatus.SENT] == 3:
            break
        await asyncio.sleep(0.05)
    assert (await services.deliveries.counts(report.digest_id))[DeliveryStatus.SENT] == 3
    assert all(len(harness.server.sent(chat_id=c, method="sendMessage")) == 1 for c in (11, 12, 13))
