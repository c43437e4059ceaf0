"""`briefing db upgrade` and `briefing db backup`, including a backup taken while the bot writes."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot.cli import main
from storage import Database, available_migrations, migrate


@pytest.fixture
def db_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "bot.db"
    monkeypatch.setenv("BRIEFING_DB", str(path))
    monkeypatch.chdir(tmp_path)
    return path


def test_upgrade_applies_pending_migrations_once(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    async def make_old() -> None:
        async with await Database.open(db_path, migrate=False) as db:
            await migrate(db, target=2)

    asyncio.run(make_old())
    latest = available_migrations()[-1].version
    assert main(["db", "upgrade"]) == 0
    assert f"now at {latest}" in capsys.readouterr().out
    assert main(["db", "upgrade"]) == 0
    assert "already up to date" in capsys.readouterr().out


def test_backup_is_a_consistent_copy_even_during_writes(db_path: Path, tmp_path: Path, capsys) -> None:
    async def scenario() -> None:
        async with await Database.open(db_path) as db:
            from storage import SubscriberRepository

            subscribers = SubscriberRepository(db)

            async def writer() -> None:
                for chat_id in range(1, 300):
                    await subscribers.upsert_on_start(chat_id)

            task = asyncio.create_task(writer())
            await asyncio.sleep(0)
            await asyncio.to_thread(main, ["db", "backup", str(tmp_path / "copy.db")])
            await task

    asyncio.run(scenario())
    assert "backed up" in capsys.readouterr().out
    with sqlite3.connect(tmp_path / "copy.db") as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert copy.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == len(available_migrations())


def test_backup_refuses_to_overwrite_and_to_copy_nothing(db_path: Path, tmp_path: Path, capsys) -> None:
    assert main(["db", "backup", str(tmp_path / "x.db")]) == 1
    assert "no database there" in capsys.readouterr().err
    assert main(["db", "upgrade"]) == 0
    target = tmp_path / "exists.db"
    target.write_text("keep me")
    assert main(["db", "backup", str(target)]) == 1
    assert "--force" in capsys.readouterr().err
    assert target.read_text() == "keep me"
