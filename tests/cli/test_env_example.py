"""The shipped ``.env.example``, copied to ``.env`` as the README says, works for every command."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from pathlib import Path

from tests.processes import TOKEN, bot_env, bot_output, server_process, start_bot, wait_until

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "the-real-russia-today-2022-01-07.txt"


def briefing(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_env_example_as_shipped_works_for_every_command(tmp_path: Path) -> None:
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    shutil.copy(FIXTURE, tmp_path / "issue.txt")
    with server_process() as server:
        env = bot_env(server, tmp_path / "unused.db")
        # Only what the operator must fill in comes from the environment; the rest is the file as shipped.
        env = {k: v for k, v in env.items() if k not in ("BRIEFING_DB", "LOG_LEVEL")}
        for args in (["db", "upgrade"], ["ingest", "issue.txt"], ["push", "--quiet"], ["stats"]):
            result = briefing(*args, env=env, cwd=tmp_path)
            assert result.returncode == 0, f"briefing {' '.join(args)}: {result.stderr}"
            assert "Traceback" not in result.stderr
        assert (tmp_path / "briefing.db").exists()  # BRIEFING_DB=./briefing.db from the file

        bot = start_bot(["run"], env, cwd=tmp_path)
        try:
            wait_until(lambda: bool(server.control("commands")) or bot.poll() is not None)
        finally:
            bot.send_signal(signal.SIGTERM)
            bot.wait(timeout=15)
    captured = bot_output(tmp_path)
    assert bot.returncode == 0, captured
    assert "Traceback" not in captured and "Unclosed" not in captured and TOKEN not in captured
