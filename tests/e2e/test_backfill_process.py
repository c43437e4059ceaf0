"""The installed bot, running: back-filling the archive sends nobody anything; today's issue reaches each
reader whose time has passed exactly once; an explicit ``briefing push`` reaches readers the skip policy skipped."""

from __future__ import annotations

import asyncio
import datetime as dt
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.rules.preferences import Format
from storage import Database, SubscriberRepository
from tests.processes import TOKEN, bot_env, bot_output, server_process, start_bot, wait_until

FIXTURES = Path(__file__).parents[1] / "fixtures"
ARCHIVE = sorted(FIXTURES.glob("*.txt"))
READERS = range(1, 11)


async def prepare(db_path: Path) -> None:
    tomorrow = dt.datetime.combine(dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    async with await Database.open(db_path) as db:
        subscribers = SubscriberRepository(db)
        for chat_id in READERS:
            # Their time today (00:00) has passed; the tick's next turn for them is tomorrow.
            await subscribers.upsert_on_start(
                chat_id, user_id=chat_id, delivery_time="00:00", next_delivery_at=tomorrow
            )
            await subscribers.update_preferences(chat_id, format=Format.HEADLINES)


def briefing(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "bot", *args]
    return subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=60)


@pytest.mark.timeout(180)
def test_backfill_while_running_sends_nothing_and_todays_issue_goes_once(tmp_path: Path) -> None:
    db = tmp_path / "bot.db"
    asyncio.run(prepare(db))
    today = dt.datetime.now(dt.UTC).date()
    todays = tmp_path / "today.txt"
    printed = f"{today:%A}, {today:%B} {today.day}, {today.year}"
    todays.write_text((FIXTURES / "the-real-russia-today-2022-01-07.txt").read_text().replace(
        "Friday, January 7, 2022", printed
    ))
    with server_process() as server:
        for chat_id in READERS:
            server.control("add_user", user_id=chat_id)
        env = bot_env(server, db, LOG_LEVEL="INFO")

        def sent_to_readers() -> list[int]:
            return [r["chat_id"] for r in server.control("sent", method="sendMessage") if r["chat_id"] in READERS]

        bot = start_bot(["run"], env, cwd=tmp_path)
        try:
            wait_until(lambda: bool(server.control("commands")) or bot.poll() is not None)
            result = briefing("ingest", "--quiet", *map(str, ARCHIVE), env=env, cwd=tmp_path)
            assert result.returncode == 0, result.stderr
            time.sleep(7)  # longer than the engine's idle wait: it would have found anything queued
            assert sent_to_readers() == []
            assert result.stdout.count("not sent to readers") == 7, result.stdout

            result = briefing("ingest", "--quiet", str(todays), env=env, cwd=tmp_path)
            assert result.returncode == 0, result.stderr
            wait_until(lambda: len(set(sent_to_readers())) == len(READERS), timeout=30)
            time.sleep(7)
            assert sorted(sent_to_readers()) == list(READERS)  # each exactly once
        finally:
            bot.send_signal(signal.SIGTERM)
            bot.wait(timeout=15)
    output = bot_output(tmp_path)
    assert "Traceback" not in output and TOKEN not in output
    assert "sent to 10 readers" in output  # the engine's round said what it sent
