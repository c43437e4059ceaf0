"""`briefing ingest`: idempotent, corrections replace, drafts, dry runs, bad input, one transaction per issue."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import load_settings
from bot.features.publishing import announce_published
from bot.features.services import Services
from bot.rules.clock import ManualClock
from bot.sources.ingest import ingest_text
from storage import Database, DeliveryStatus, DigestRepository, DigestStatus
from tests.harness import present

FIXTURES = Path(__file__).parents[1] / "fixtures"
SAMPLE = FIXTURES / "the-real-russia-today-2022-01-07.txt"


@pytest.fixture
def db_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "ingest.db"
    monkeypatch.setenv("BRIEFING_DB", str(path))
    monkeypatch.chdir(tmp_path)
    return path


async def stored(db_path: Path) -> list[tuple[str | None, str]]:
    async with await Database.open(db_path) as db:
        return [(str(s.issue_date), s.status) for s in await DigestRepository(db).recent(100, status=None)]


def test_ingest_is_idempotent_and_reports_each_file(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = sorted(str(p) for p in FIXTURES.glob("*.txt"))
    assert main(["ingest", "--quiet", *files]) == 0
    first = capsys.readouterr().out
    assert first.count(": stored ") == len(files)
    assert main(["ingest", "--quiet", *files]) == 0
    second = capsys.readouterr().out
    assert second.count("already stored, unchanged") == len(files)
    assert len(asyncio.run(stored(db_path))) == len(files)


def test_corrected_reingest_replaces_the_earlier_version(db_path: Path, tmp_path: Path, capsys) -> None:
    assert main(["ingest", "--quiet", str(SAMPLE)]) == 0
    corrected = tmp_path / "corrected.txt"
    corrected.write_text(SAMPLE.read_text().replace("26 “criminals”", "27 “criminals”"))
    assert main(["ingest", "--quiet", str(corrected)]) == 0
    assert "replaced the earlier version" in capsys.readouterr().out
    assert asyncio.run(stored(db_path)) == [("2022-01-07", "published")]


def test_dry_run_stores_nothing_and_draft_is_not_published(db_path: Path, capsys) -> None:
    assert main(["ingest", "--dry-run", str(SAMPLE)]) == 0
    assert "would store 2022-01-07" in capsys.readouterr().out
    assert asyncio.run(stored(db_path)) == []
    assert main(["ingest", "--draft", str(SAMPLE)]) == 0
    assert asyncio.run(stored(db_path)) == [("2022-01-07", DigestStatus.DRAFT)]


@pytest.mark.parametrize(
    ("content", "expected"),
    [(b"", "empty"), (b"\x00\x01\x02binary\xff", "binary"), (b"Just some words, no issue here.", "no items found")],
)
def test_bad_input_names_the_file_and_stores_nothing(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, expected: str
) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    assert main(["ingest", str(bad)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:" in err and expected in err
    assert "Traceback" not in err
    assert asyncio.run(stored(db_path)) == []


def test_parse_command_prints_the_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    assert main(["parse", str(SAMPLE), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["date"] == "2022-01-07"
    kinds = [item["kind"] for section in data["sections"] for item in section["items"]]
    assert kinds == ["story", "opinion", "opinion", "opinion"]
    assert set(data["sections"][1]["items"][0]) >= {"kind", "title", "author", "read_minutes", "words", "body"}


def test_parse_bad_file_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    assert main(["parse", str(empty)]) == 1
    assert str(empty) in capsys.readouterr().err


async def test_a_failure_mid_save_leaves_nothing_half_written(tmp_path: Path, monkeypatch) -> None:
    async with await Database.open(tmp_path / "t.db") as db:
        digests = DigestRepository(db)

        async def broken(*args: object) -> None:
            raise RuntimeError("disk full")

        monkeypatch.setattr(digests, "_insert_parts", broken)
        with pytest.raises(RuntimeError):
            await ingest_text(db, digests, SAMPLE.read_text(), source="x")
        assert await db.fetchval("SELECT count(*) FROM digests") == 0


async def test_a_late_issue_goes_to_readers_whose_time_has_passed_but_a_backfill_to_nobody(tmp_path: Path) -> None:
    clock = ManualClock(dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC))
    async with await Database.open(tmp_path / "t.db", clock=clock) as db:
        services = Services.over(db, load_settings({}), clock)
        early, late = 1, 2
        await services.subscribers.upsert_on_start(early, delivery_time=dt.time(7, 0))
        await services.subscribers.upsert_on_start(late, delivery_time=dt.time(18, 0))
        text = (FIXTURES / "real-russia-today-2024-07-11.txt").read_text()
        report = await ingest_text(db, services.digests, text.replace("July 11, 2024", "March 2, 2026"), source="new")
        assert report.digest_id is not None
        assert await announce_published(services, report.digest_id) == 1
        assert present(await services.deliveries.status(report.digest_id, early)).status == DeliveryStatus.PENDING
        assert await services.deliveries.status(report.digest_id, late) is None

        old = await ingest_text(db, services.digests, SAMPLE.read_text(), source="archive")
        assert old.digest_id is not None
        assert await announce_published(services, old.digest_id) == 0


def test_ingest_says_an_archive_issue_is_not_sent_and_announce_sends_one(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ingest", "--quiet", str(SAMPLE)]) == 0
    assert "archive issue (dated before today): searchable, not sent to readers" in capsys.readouterr().out
    other = FIXTURES / "real-russia-today-2024-07-11.txt"
    assert main(["ingest", "--quiet", "--announce", str(SAMPLE), str(other)]) == 1
    assert "exactly one issue" in capsys.readouterr().err
    assert main(["ingest", "--quiet", "--announce", str(SAMPLE)]) == 0
    assert "announced on purpose as today's issue" in capsys.readouterr().out


def test_ingest_of_a_saved_feed_and_of_a_directory(db_path: Path, tmp_path: Path, capsys) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_text((FIXTURES / "pages" / "the-real-russia-today.rss").read_text())
    assert main(["ingest", "--quiet", str(feed)]) == 0
    out = capsys.readouterr().out
    assert out.count(": stored ") == 2  # two entries, two issues: keyed by their links, not their dates
    issues = tmp_path / "issues"
    issues.mkdir()
    for name in ("real-russia-today-2024-10-11.txt", "real-russia-today-2020-11-17.txt"):
        (issues / name).write_text((FIXTURES / name).read_text())
    assert main(["ingest", "--quiet", str(issues)]) == 0
    assert capsys.readouterr().out.count(": stored ") == 2


def test_ingest_of_a_saved_feed_in_daily_mode_makes_a_digest_per_day(
    db_path: Path, tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FEED_MODE", "daily")
    feed = tmp_path / "feed.xml"
    feed.write_text((FIXTURES / "pages" / "the-real-russia-today.rss").read_text())
    assert main(["ingest", "--quiet", str(feed)]) == 0
    out = capsys.readouterr().out
    assert out.count("daily digest of ") == 2 and "1 entries (created)" in out  # the entries' days are past
    assert main(["ingest", "--quiet", str(feed)]) == 0
    assert "daily digest of" not in capsys.readouterr().out  # nothing new: nothing assembled again
