"""`briefing run` as a real process: it answers, never logs its token, and stops cleanly on SIGTERM."""

from __future__ import annotations

import signal
import socket
import sqlite3
import time
from pathlib import Path

import pytest

from tests.processes import TOKEN, bot_env, bot_output, server_process, start_bot, wait_until


@pytest.mark.timeout(120)  # starts the server and the bot as real processes
def test_run_answers_hides_its_token_and_stops_on_sigterm(tmp_path: Path) -> None:
    db = tmp_path / "bot.db"
    with server_process() as server:
        server.control("add_user", user_id=7, first_name="Proc")
        bot = start_bot(["run"], bot_env(server, db), cwd=tmp_path)
        try:
            wait_until(lambda: bool(server.control("commands")) or bot.poll() is not None)
            server.control("send_user_message", user_id=7, text="/start")
            server.control("wait_for", chat_id=7, count=1, timeout=20)
            # Make the bot hit an error path too, so tracebacks (if any) are in the captured output.
            server.control("inject_faults", kind="5xx", count=1, methods=["sendMessage"])
            server.control("send_user_message", user_id=7, text="/help")
            server.control("wait_for", chat_id=7, count=2, timeout=20)
        finally:
            started = time.monotonic()
            bot.send_signal(signal.SIGTERM)
            bot.wait(timeout=15)
            elapsed = time.monotonic() - started
    captured = bot_output(tmp_path)
    assert bot.returncode == 0, captured
    assert elapsed < 5, f"took {elapsed:.1f}s to stop"
    assert "getUpdates" in captured or "bot @" in captured  # the log really was written at DEBUG
    assert TOKEN not in captured
    assert TOKEN.split(":")[1] not in captured
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM subscribers WHERE chat_id = 7").fetchone()[0] == 1


def test_a_second_run_on_the_same_database_refuses_to_start(tmp_path: Path) -> None:
    db = tmp_path / "bot.db"
    with server_process() as server:
        first = start_bot(["run"], bot_env(server, db), cwd=tmp_path)
        try:
            wait_until(lambda: bool(server.control("commands")) or first.poll() is not None)
            assert first.poll() is None
            second_dir = tmp_path / "second"
            second_dir.mkdir()
            second = start_bot(["run"], bot_env(server, db, LOG_LEVEL="WARNING"), cwd=second_dir)
            second.wait(timeout=30)
            said = bot_output(second_dir).strip()
            assert second.returncode == 1, said
            holder = f"{socket.gethostname()}:{first.pid}"
            assert said.splitlines() == [
                f"briefing: {db}: another briefing run ({holder}) is using this database; stop it first"
            ], said
            assert first.poll() is None  # the first one goes on
        finally:
            first.send_signal(signal.SIGTERM)
            first.wait(timeout=15)
    assert first.returncode == 0
