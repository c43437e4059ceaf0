"""`briefing subscribers import` / `export`: row-by-row checks with line numbers, round trips, exit codes."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.digest.model import ItemKind
from bot.features.subscribers_csv import CsvError, Defaults, import_subscribers, read_subscribers, write_subscribers
from bot.rules.chats import ChatKind
from bot.rules.preferences import Format
from bot.rules.quiet import QuietHours
from storage import Database, SubscriberRepository, SubscriberStatus

NOW = dt.datetime(2026, 3, 2, 6, 0, tzinfo=dt.UTC)


def read(text: str, **kwargs: Any):
    return read_subscribers(io.StringIO(text, newline=""), now=NOW, **kwargs)


@pytest.fixture
def db_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "bot.db"
    monkeypatch.setenv("BRIEFING_DB", str(path))
    monkeypatch.chdir(tmp_path)
    return path


def stored(db_path: Path) -> dict[int, dict[str, str]]:
    async def load() -> dict[int, dict[str, str]]:
        async with await Database.open(db_path) as db:
            return {int(row["chat_id"]): row async for row in SubscriberRepository(db).export_rows()}

    return asyncio.run(load())


# --- reading and checking ---------------------------------------------------------------------------


def test_good_rows_are_kept_and_bad_rows_reported_by_line() -> None:
    checked = read(
        "chat_id,timezone,delivery_time,format,status\n"
        "101,Europe/Berlin,07:30,headlines,active\n"  # line 2
        "102,Mars/Olympus,07:30,full,active\n"  # line 3: unknown zone
        "103,UTC,25:00,full,active\n"  # line 4: no hour 25
        "\n"  # line 5: blank, skipped
        "104,UTC+3,7:30 pm,full,paused\n"  # line 6
        "abc,UTC,08:00,full,active\n"  # line 7: not a chat id
        "101,UTC,08:00,full,active\n"  # line 8: duplicate
        "105,UTC,08:00,tiny,gone\n"  # line 9: two problems
        "106,,,,\n"  # line 10: defaults
        "107,UTC,08:00,full,active,extra\n"  # line 11: too many fields
    )
    assert [(e.line, e.message.split(":")[0]) for e in checked.errors] == [
        (3, "timezone"),
        (4, "delivery_time"),
        (7, "chat_id"),
        (8, "chat_id 101 is on an earlier line already"),
        (9, "status"),
        (11, "6 fields, but the header names 5 columns"),
    ]
    assert "There is no hour 25" in checked.errors[1].message
    assert checked.errors[4].message.startswith("status: 'gone' is not one of active, paused, blocked, left; format:")
    rows = {row["chat_id"]: row for row in checked.rows}
    assert sorted(rows) == [101, 104, 106]
    assert rows[101]["timezone"] == "Europe/Berlin" and rows[101]["delivery_time"] == "07:30"
    assert rows[101]["format"] == "headlines"
    # 07:30 in Berlin (UTC+1) on 2 March is 06:30 UTC, still ahead of NOW.
    assert rows[101]["next_delivery_at"] == dt.datetime(2026, 3, 2, 6, 30, tzinfo=dt.UTC)
    assert rows[104]["timezone"] == "Etc/GMT-3" and rows[104]["delivery_time"] == "19:30"
    assert rows[104]["status"] == "paused"
    assert rows[106]["timezone"] == "UTC" and rows[106]["delivery_time"] == "08:00"
    assert "format" not in rows[106]  # storage's default applies
    assert checked.describe() == "imported 3 subscribers; skipped 6 bad rows"


def test_headers_are_matched_loosely_and_semicolons_work() -> None:
    checked = read('Chat ID;TZ;Delivery Time;Sections;Breaking alerts;Notes\n201;berlin;8;"stories, briefs";no;VIP\n')
    assert checked.errors == ()
    assert checked.ignored_columns == ("notes",)
    [row] = checked.rows
    assert row["timezone"] == "Europe/Berlin" and row["delivery_time"] == "08:00"
    assert row["sections"] == "story,brief" and row["breaking_alerts"] == "0"


def test_line_numbers_count_physical_lines_of_quoted_fields() -> None:
    checked = read('chat_id,first_name,timezone\n301,"Anna\nMaria",UTC\n302,Ivan,Nowhere/City\n')
    assert [error.line for error in checked.errors] == [4]
    assert checked.rows[0]["first_name"] == "Anna\nMaria"


def test_defaults_come_from_the_configuration() -> None:
    [row] = read("chat_id\n401\n", defaults=Defaults("Europe/Moscow", dt.time(7, 0))).rows
    assert row["timezone"] == "Europe/Moscow" and row["delivery_time"] == "07:00"


def test_values_that_make_no_sense_in_a_file() -> None:
    checked = read(
        "chat_id,timezone,status,paused_until,user_id,created_at\n"
        "1,14:35,active,,,\n"  # a bare time is not a timezone in a file
        "2,UTC,active,2026-03-10T00:00:00+00:00,,\n"  # a pause end for an active reader
        "3,UTC,paused,soon,,\n"
        "4,UTC,active,,-5,\n"
        "0,UTC,active,,,\n"
        "5,UTC,paused,2026-03-10T00:00:00,7,2025-01-01 10:00\n"  # naive instants are UTC
    )
    assert [error.line for error in checked.errors] == [2, 3, 4, 5, 6]
    assert "not a timezone" in checked.errors[0].message
    assert "only a paused reader" in checked.errors[1].message
    [row] = checked.rows
    assert row["paused_until"] == dt.datetime(2026, 3, 10, tzinfo=dt.UTC)
    assert row["next_delivery_at"] == dt.datetime(2026, 3, 10, 8, 0, tzinfo=dt.UTC)
    assert row["created_at"] == dt.datetime(2025, 1, 1, 10, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "the file is empty"),
        ("timezone,delivery_time\nUTC,08:00\n", "no chat_id column"),
        ("chat_id,tz,timezone\n1,UTC,UTC\n", "column timezone appears twice"),
    ],
)
def test_a_file_that_cannot_be_read_at_all(text: str, problem: str) -> None:
    with pytest.raises(CsvError, match=problem):
        read(text)


# --- the commands -----------------------------------------------------------------------------------


def test_import_stores_good_rows_and_fails_on_bad_ones(db_path: Path, tmp_path: Path, capsys) -> None:
    source = tmp_path / "list.csv"
    source.write_text(
        "\ufeffchat_id,timezone,delivery_time,format,status\n"  # Excel's byte order mark
        "11,Europe/Berlin,07:30,headlines,active\n"
        "12,Mars/Olympus,07:30,full,active\n"
        "13,Asia/Tokyo,21:00,full,left\n",
        encoding="utf-8",
    )
    assert main(["subscribers", "import", str(source)]) == 1
    out, err = capsys.readouterr()
    assert f'{source}:3: timezone: Unknown timezone "Mars/Olympus"' in err
    assert "imported 2 subscribers; skipped 1 bad row" in out
    rows = stored(db_path)
    assert sorted(rows) == [11, 13]
    assert rows[11]["format"] == "headlines" and rows[13]["status"] == "left"

    good = tmp_path / "good.csv"
    good.write_text("chat_id,delivery_time\n14,06:15\n")
    assert main(["subscribers", "import", str(good)]) == 0
    assert stored(db_path)[14]["delivery_time"] == "06:15"


def test_dry_run_stores_nothing(db_path: Path, tmp_path: Path, capsys) -> None:
    source = tmp_path / "list.csv"
    source.write_text("chat_id\n21\n22\n")
    assert main(["subscribers", "import", str(source), "--dry-run"]) == 0
    assert "would import 2 subscribers" in capsys.readouterr().out
    assert stored(db_path) == {}


def test_unreadable_files_fail_with_one_line(db_path: Path, tmp_path: Path, capsys) -> None:
    assert main(["subscribers", "import", str(tmp_path / "missing.csv")]) == 1
    assert "missing.csv: No such file" in capsys.readouterr().err
    (tmp_path / "latin1.csv").write_bytes("chat_id,first_name\n1,J\xfcrgen\n".encode("latin-1"))
    assert main(["subscribers", "import", "latin1.csv"]) == 1
    assert "not UTF-8" in capsys.readouterr().err
    (tmp_path / "noid.csv").write_text("name\nAnna\n")
    assert main(["subscribers", "import", "noid.csv"]) == 1
    err = capsys.readouterr().err
    assert "no chat_id column" in err and "nothing imported" in err and "Traceback" not in err


def test_a_file_that_breaks_late_imports_nothing(db_path: Path, tmp_path: Path, capsys) -> None:
    # Rows are stored as they are read (the file is streamed): a bad byte after 20,000 good rows must
    # still leave the database as it was.
    good = "".join(f"{n}\n" for n in range(1, 20_001)).encode()
    (tmp_path / "late.csv").write_bytes(b"chat_id,first_name\n" + good + "9,J\xfcrgen\n".encode("latin-1"))
    assert main(["subscribers", "import", "late.csv"]) == 1
    assert "not UTF-8" in capsys.readouterr().err
    assert stored(db_path) == {}


def test_export_then_import_is_a_round_trip(db_path: Path, tmp_path: Path, capsys) -> None:
    async def populate() -> None:
        async with await Database.open(db_path) as db:
            subscribers = SubscriberRepository(db)
            await subscribers.upsert_on_start(
                31, user_id=31, first_name='Anna "A", Jr.', username="anna", language="de"
            )
            await subscribers.update_preferences(
                31,
                timezone="Europe/Berlin",
                delivery_time=dt.time(7, 30),
                format=Format.HEADLINES,
                sections=[ItemKind.STORY, ItemKind.BRIEF],
                breaking_alerts=False,
                push_followed_on_publish=True,
            )
            await subscribers.upsert_on_start(32)
            until = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=3)
            await subscribers.set_status(32, SubscriberStatus.PAUSED, until=until)
            await subscribers.upsert_on_start(33)
            await subscribers.set_status(33, SubscriberStatus.LEFT)

    asyncio.run(populate())
    assert main(["subscribers", "export", "out.csv"]) == 0
    assert "exported 3 subscribers to out.csv" in capsys.readouterr().out
    assert main(["subscribers", "export", "out.csv"]) == 1
    assert "pass --force" in capsys.readouterr().err

    other = tmp_path / "other.db"
    assert main(["subscribers", "import", "out.csv", "--db", str(other)]) == 0
    before, after = stored(db_path), stored(other)
    assert sorted(after) == [31, 32, 33]
    for chat_id, row in before.items():
        # The next delivery is recomputed on import (an exported one is stale by then); the rest is kept.
        assert {k: v for k, v in after[chat_id].items() if k != "next_delivery_at"} == {
            k: v for k, v in row.items() if k != "next_delivery_at"
        }
    assert dt.datetime.fromisoformat(after[31]["next_delivery_at"]) > dt.datetime.now(dt.UTC)
    assert after[32]["next_delivery_at"] >= after[32]["paused_until"]


def test_export_to_stdout_is_clean_csv(db_path: Path, capsys) -> None:
    async def populate() -> None:
        async with await Database.open(db_path) as db:
            await SubscriberRepository(db).upsert_on_start(41)

    asyncio.run(populate())
    assert main(["subscribers", "export"]) == 0
    out, err = capsys.readouterr()
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [row["chat_id"] for row in rows] == ["41"]
    assert "exported 1 subscribers to stdout" in err


def test_export_needs_a_database(db_path: Path, capsys) -> None:
    assert main(["subscribers", "export", "-"]) == 1
    assert "no database there" in capsys.readouterr().err



async def test_groups_topics_and_quiet_hours_survive_an_export_and_import(db: Database) -> None:
    subscribers = SubscriberRepository(db)
    await subscribers.upsert_on_start(-1003, chat_kind=ChatKind.SUPERGROUP, thread_id=12)
    night = QuietHours(dt.time(22, 0), dt.time(7, 0))
    await subscribers.upsert_on_start(7)
    await subscribers.update_preferences(7, quiet=night, quiet_hold=True)
    out = io.StringIO()
    await write_subscribers(subscribers, out)
    copy = await Database.open(":memory:", clock=db.clock)
    try:
        checked = read_subscribers(io.StringIO(out.getvalue()), now=NOW)
        await import_subscribers(SubscriberRepository(copy), checked)
        group, reader = await SubscriberRepository(copy).get(-1003), await SubscriberRepository(copy).get(7)
        assert group is not None and (group.chat_kind, group.thread_id) == (ChatKind.SUPERGROUP, 12)
        assert reader is not None and reader.quiet == night and reader.quiet_hold
    finally:
        await copy.close()
