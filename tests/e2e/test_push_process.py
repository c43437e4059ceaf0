"""`briefing push` as a process, with LATE_ISSUE_POLICY=skip: the readers the policy skipped get the issue."""

from __future__ import annotations

import asyncio
import dataclasses
import subprocess
import sys
from pathlib import Path

from bot.config import load_settings
from bot.digest.parser import parse_text
from bot.features.publishing import announce_published
from bot.features.services import Services
from bot.rules.clock import SystemClock
from bot.rules.preferences import Format
from bot.sources.ingest import store_digest
from storage import Database, DeliveryStatus
from tests.processes import bot_env, server_process

FIXTURE = Path(__file__).parents[1] / "fixtures" / "the-real-russia-today-2022-01-07.txt"
READERS = range(1, 6)


async def publish_late(db_path: Path) -> None:
    """Today's issue published after every reader's time, with the skip policy: all five are skipped."""
    async with await Database.open(db_path) as db:
        services = Services.over(db, load_settings({"LATE_ISSUE_POLICY": "skip"}), SystemClock())
        for chat_id in READERS:
            await services.subscribers.upsert_on_start(chat_id, user_id=chat_id, delivery_time="00:00")
            await services.subscribers.update_preferences(chat_id, format=Format.HEADLINES)
        digest = parse_text(FIXTURE.read_text(), source="today")
        report = await store_digest(db, services.digests, dataclasses.replace(digest, date=services.digests.today()))
        assert report.digest_id is not None
        await announce_published(services, report.digest_id)
        counts = await services.deliveries.counts(report.digest_id)
        assert counts[DeliveryStatus.SKIPPED] == len(READERS)


def test_an_explicit_push_reaches_readers_the_skip_policy_skipped(tmp_path: Path) -> None:
    db = tmp_path / "bot.db"
    asyncio.run(publish_late(db))
    with server_process() as server:
        for chat_id in READERS:
            server.control("add_user", user_id=chat_id)
        env = bot_env(server, db, LOG_LEVEL="WARNING", LATE_ISSUE_POLICY="skip")
        result = subprocess.run(
            [sys.executable, "-m", "bot", "push", "--quiet", "--rate", "100"],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
        sent = sorted(r["chat_id"] for r in server.control("sent", method="sendMessage"))
    assert result.returncode == 0, result.stderr
    assert sent == list(READERS)
    assert "sent to 5 readers" in result.stdout and "including 5 the late-issue policy had skipped" in result.stdout
    assert "0 blocked, 0 failed" in result.stdout and "0 had it already" in result.stdout
