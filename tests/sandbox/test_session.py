"""`briefing sandbox`: the real bot against the local server, chatted with from a (scripted) terminal."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from bot.sandbox.session import run_sandbox


async def test_sandbox_answers_start_and_help_and_has_the_sample_issues(tmp_path: Path) -> None:
    out = io.StringIO()
    await run_sandbox(db_path=tmp_path / "s.db", input=io.StringIO("/start\n/help\n"), output=out)
    text = out.getvalue()
    assert "Hello, Reader!" in text
    assert "What I can do" in text
    assert "/start" in text and "/help" in text
    assert "<b>" not in text  # HTML is rendered for the terminal, not shown raw


def test_briefing_sandbox_command_runs_with_piped_input(tmp_path: Path) -> None:
    env_clean = {k: v for k, v in __import__("os").environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "sandbox"],
        input="/start\n",
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env=env_clean,
    )
    assert result.returncode == 0, result.stderr
    assert "Hello, Reader!" in result.stdout
    assert "Traceback" not in result.stderr


async def test_sandbox_shows_reading_and_inline_mode(tmp_path: Path) -> None:
    out = io.StringIO()
    script = "/start\n/opinion trenin\n@briefing_sandbox_bot trenin\n"
    await run_sandbox(db_path=tmp_path / "s.db", input=io.StringIO(script), output=out)
    text = out.getvalue()
    assert "Putin must atone for his early weakness on NATO" in text
    assert "inline results" in text
