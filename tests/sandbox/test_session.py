"""`briefing sandbox`: the real bot against the local server, chatted with from a (scripted) terminal."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
from pathlib import Path

from bot.sandbox.session import run_sandbox
from storage import Database, DigestRepository, SubscriberRepository


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


async def test_todays_issue_is_a_complete_one_and_excerpts_say_so(tmp_path: Path) -> None:
    db_path = tmp_path / "s.db"
    out = io.StringIO()
    await run_sandbox(db_path=db_path, input=io.StringIO("/start\n"), output=out)
    async with await Database.open(db_path) as db:
        digests = DigestRepository(db)
        today = await digests.latest_published()
        assert today is not None and today.digest.date == dt.datetime.now(dt.UTC).date()
        assert sum(len(item.body_text) for item in today.digest.items()) > 5000  # the whole issue, not 2,000 chars
        assert "Yours, Meduza" not in (today.digest.title or "")
        archive = [s for s in await digests.recent(20) if s.id != today.id]
        assert len(archive) == 6
        assert all("excerpt" in (s.title or "") for s in archive)


async def test_sandbox_never_writes_samples_into_a_database_with_readers(tmp_path: Path) -> None:
    real = tmp_path / "real.db"
    async with await Database.open(real) as db:
        await SubscriberRepository(db).upsert_on_start(555)
    out = io.StringIO()
    await run_sandbox(db_path=real, input=io.StringIO("/today\n"), output=out)
    assert "copy" in out.getvalue() and str(real) in out.getvalue()
    async with await Database.open(real) as db:
        assert await DigestRepository(db).count(status=None) == 0
        assert [s.chat_id async for s in SubscriberRepository(db).iter_active()] == [555]


async def test_sandbox_uses_a_database_of_its_own_as_given(tmp_path: Path) -> None:
    own = tmp_path / "own.db"
    out = io.StringIO()
    await run_sandbox(db_path=own, input=io.StringIO("/start\n"), output=out)
    await run_sandbox(db_path=own, input=io.StringIO("/start\n"), output=out)  # its own reader is no reason
    assert "copy" not in out.getvalue()
    async with await Database.open(own) as db:
        assert await DigestRepository(db).count() == 7
