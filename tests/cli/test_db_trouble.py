"""The database in trouble (issue #14): one line naming the file and the problem, exit 1, no traceback."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from storage import Database, SubscriberRepository

AS_ROOT = os.geteuid() == 0
"""Root ignores file permissions: read-only is made with the immutable flag then."""


@pytest.fixture
def db_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "bot.db"
    monkeypatch.setenv("BRIEFING_DB", str(path))
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456789:" + "A" * 35)
    monkeypatch.setenv("TELEGRAM_API_URL", "http://127.0.0.1:9")
    monkeypatch.chdir(tmp_path)
    return path


def make_database(path: Path, readers: int = 50) -> None:
    async def build() -> None:
        async with await Database.open(path) as db:
            subscribers = SubscriberRepository(db)
            for chat_id in range(1, readers + 1):
                await subscribers.upsert_on_start(chat_id, first_name="x" * 200)
        # One self-contained file, as a backup would be.
        with sqlite3.connect(path) as conn:
            conn.execute("PRAGMA journal_mode = DELETE")

    asyncio.run(build())


def one_line(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    return lines[0]


@pytest.mark.parametrize("command", [["stats"], ["db", "upgrade"], ["subscribers", "export"], ["run"], ["push"]])
def test_a_file_that_is_not_sqlite_is_named_in_one_line(
    db_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    db_path.write_text("id,name\n1,Ann\n")
    assert main(command) == 1
    line = one_line(capsys)
    assert str(db_path) in line and "not an SQLite database" in line


@pytest.mark.parametrize("command", [["stats"], ["run"], ["db", "check"]])
def test_a_truncated_file_is_named_and_damaged(
    db_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    make_database(db_path)
    data = db_path.read_bytes()
    db_path.write_bytes(data[: len(data) // 3])
    assert main(command) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert str(db_path) in captured.err and ("damaged" in captured.err or "malformed" in captured.err)


def test_run_refuses_a_damaged_file_and_says_how_to_restore(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_database(db_path, readers=400)
    data = bytearray(db_path.read_bytes())
    page = 4096
    for number in range(2, 12):  # scribble over b-tree page headers, as a bad disk or a stray write would
        data[number * page : number * page + 12] = b"\x07" * 12
    db_path.write_bytes(bytes(data))
    assert main(["run"]) == 1
    line = one_line(capsys)
    assert str(db_path) in line and "briefing db backup" in line


def test_a_missing_directory_is_named(tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nowhere" / "bot.db"
    assert main(["db", "upgrade", "--db", str(missing)]) == 1
    line = one_line(capsys)
    assert str(missing) in line and "does not exist" in line


def test_an_empty_file_is_a_new_database_with_a_warning(
    db_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    db_path.write_bytes(b"")
    assert main(["db", "upgrade"]) == 0
    assert "now at" in capsys.readouterr().out
    assert any("empty (0 bytes)" in record.getMessage() for record in caplog.records)


def test_db_check_passes_a_good_file_and_reports_broken_foreign_keys(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_database(db_path)
    assert main(["db", "check"]) == 0
    assert "ok" in capsys.readouterr().out
    with sqlite3.connect(db_path) as conn:  # foreign keys off: what a careless hand edit does
        conn.execute("INSERT INTO followed_authors VALUES (999, 'k', 'Nobody', 0)")
    assert main(["db", "check"]) == 1
    err = capsys.readouterr().err
    assert "1 rows break a foreign key" in err and "briefing db backup" in err


def test_stats_opens_the_database_read_only(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_database(db_path)
    before = db_path.read_bytes()
    assert main(["stats"]) == 0
    assert "Subscribers" in capsys.readouterr().out
    assert db_path.read_bytes() == before
    assert not db_path.with_name("bot.db-wal").exists()


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """The file and its directory made read-only: by permissions, or as root (who ignores them) immutable."""
    if not AS_ROOT:
        path.chmod(0o444)
        path.parent.chmod(0o555)
        try:
            yield
        finally:
            path.parent.chmod(0o755)
            path.chmod(0o644)
        return
    chattr = shutil.which("chattr")
    if chattr is None or subprocess.run([chattr, "+i", str(path)], capture_output=True).returncode != 0:
        pytest.skip("root ignores permissions and this file system has no immutable flag")
    subprocess.run([chattr, "+i", str(path.parent)], check=True)
    try:
        yield
    finally:
        subprocess.run([chattr, "-i", str(path.parent)], check=True)
        subprocess.run([chattr, "-i", str(path)], check=True)


def test_stats_works_on_a_read_only_database_and_run_says_why_it_cannot(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_database(db_path)
    with read_only(db_path):
        assert main(["stats"]) == 0
        assert "Subscribers" in capsys.readouterr().out
        assert main(["run"]) == 1
        line = one_line(capsys)
        assert str(db_path) in line and ("read-only" in line or "cannot write" in line), line


def test_a_backup_restores_a_damaged_database(db_path: Path, tmp_path: Path, capsys) -> None:
    make_database(db_path)
    assert main(["db", "backup", str(tmp_path / "copy.db")]) == 0
    db_path.write_bytes(db_path.read_bytes()[:5000])
    shutil.copy(tmp_path / "copy.db", db_path)
    capsys.readouterr()
    assert main(["db", "check"]) == 0
