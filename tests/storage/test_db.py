"""Database: pragmas, transactions (atomic, savepoints, task isolation), streaming, backup."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.rules.clock import ManualClock
from storage import Database, DatabaseError, SubscriberRepository, current_version


@pytest.fixture
async def db(clock: ManualClock) -> AsyncIterator[Database]:
    database = await Database.open(":memory:", migrate=False, clock=clock)
    await database.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
async def file_db(tmp_path: Path, clock: ManualClock) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "bot.db", clock=clock)
    await database.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
    try:
        yield database
    finally:
        await database.close()


async def values(db: Database) -> list[str]:
    return [row["v"] for row in await db.fetchall("SELECT v FROM t ORDER BY id")]


# --- opening -------------------------------------------------------------------------------------


async def test_file_database_pragmas(file_db: Database) -> None:
    assert await file_db.fetchval("PRAGMA journal_mode") == "wal"
    assert await file_db.fetchval("PRAGMA foreign_keys") == 1
    assert await file_db.fetchval("PRAGMA busy_timeout") == 5000
    assert await file_db.fetchval("PRAGMA synchronous") == 1  # NORMAL
    assert await file_db.fetchval("PRAGMA cache_size") == -64 * 1024
    assert await current_version(file_db) > 0  # migrated on open by default


async def test_rows_are_addressable_by_name(db: Database) -> None:
    await db.execute("INSERT INTO t (v) VALUES ('a')")
    row = await db.fetchone("SELECT id, v FROM t")
    assert row is not None
    assert (row["id"], row["v"]) == (1, "a")
    assert await db.fetchval("SELECT v FROM t WHERE id = 99", default="none") == "none"


async def test_execute_reports_changes(db: Database) -> None:
    first = await db.execute("INSERT INTO t (v) VALUES (?)", ("a",))
    assert (first.rowcount, first.lastrowid) == (1, 1)
    assert await db.execute_many("INSERT INTO t (v) VALUES (?)", [("b",), ("c",)]) == 2
    assert (await db.execute("UPDATE t SET v = 'z'")).rowcount == 3


async def test_closed_database_refuses_work(clock: ManualClock) -> None:
    database = await Database.open(":memory:", clock=clock)
    await database.close()
    await database.close()  # twice is harmless
    assert database.closed
    with pytest.raises(RuntimeError, match="closed"):
        await database.fetchval("SELECT 1")


# --- atomic ----------------------------------------------------------------------------------------


async def test_atomic_commits(db: Database) -> None:
    async with db.atomic():
        await db.execute("INSERT INTO t (v) VALUES ('a')")
        assert db.in_transaction
    assert not db.in_transaction
    assert await values(db) == ["a"]


async def test_atomic_rolls_back_on_exception(db: Database) -> None:
    with pytest.raises(ZeroDivisionError):
        async with db.atomic():
            await db.execute("INSERT INTO t (v) VALUES ('a')")
            _ = 1 / 0
    assert await values(db) == []
    # The connection is usable and not stuck in a transaction.
    async with db.atomic():
        await db.execute("INSERT INTO t (v) VALUES ('b')")
    assert await values(db) == ["b"]


async def test_nested_savepoint_rollback_keeps_outer_changes(db: Database) -> None:
    async with db.atomic():
        await db.execute("INSERT INTO t (v) VALUES ('outer')")
        with pytest.raises(KeyError):
            async with db.atomic():
                await db.execute("INSERT INTO t (v) VALUES ('inner')")
                raise KeyError("inner fails")
        async with db.atomic():
            await db.execute("INSERT INTO t (v) VALUES ('sibling')")
    assert await values(db) == ["outer", "sibling"]


async def test_outer_rollback_undoes_released_savepoints(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.atomic():
            async with db.atomic(), db.atomic():
                await db.execute("INSERT INTO t (v) VALUES ('deep')")
            raise RuntimeError
    assert await values(db) == []


async def test_constraint_error_inside_atomic_rolls_back(db: Database) -> None:
    await db.execute("INSERT INTO t (id, v) VALUES (1, 'a')")
    with pytest.raises(sqlite3.IntegrityError):
        async with db.atomic():
            await db.execute("INSERT INTO t (id, v) VALUES (2, 'b')")
            await db.execute("INSERT INTO t (id, v) VALUES (1, 'dup')")
    assert await values(db) == ["a"]


async def test_other_tasks_never_run_inside_a_transaction(db: Database) -> None:
    """B's autocommit write must not land in A's transaction, and B must not read A's uncommitted row."""
    a_inside = asyncio.Event()
    seen_by_b: list[str] = []

    async def task_a() -> None:
        with contextlib.suppress(LookupError):
            async with db.atomic():
                await db.execute("INSERT INTO t (v) VALUES ('a')")
                a_inside.set()
                await asyncio.sleep(0.05)  # B runs meanwhile
                raise LookupError("roll back A")

    async def task_b() -> None:
        await a_inside.wait()
        await db.execute("INSERT INTO t (v) VALUES ('b')")
        seen_by_b.extend(await values(db))

    await asyncio.gather(task_a(), task_b())
    assert await values(db) == ["b"]
    assert seen_by_b == ["b"]


async def test_concurrent_read_modify_write_transactions_serialise(db: Database) -> None:
    await db.execute("INSERT INTO t (id, v) VALUES (1, '0')")

    async def increment() -> None:
        async with db.atomic():
            current = int(await db.fetchval("SELECT v FROM t WHERE id = 1"))
            await asyncio.sleep(0)  # give every other task the chance to interleave
            await db.execute("UPDATE t SET v = ? WHERE id = 1", (str(current + 1),))

    await asyncio.gather(*(increment() for _ in range(50)))
    assert await db.fetchval("SELECT v FROM t WHERE id = 1") == "50"


async def test_task_spawned_inside_a_transaction_waits_for_it(db: Database) -> None:
    async with db.atomic():
        await db.execute("INSERT INTO t (v) VALUES ('parent')")
        child = asyncio.create_task(db.execute("INSERT INTO t (v) VALUES ('child')"))
        await asyncio.sleep(0.01)
        assert not child.done()
    await child
    assert await values(db) == ["parent", "child"]


async def test_cancelled_transaction_rolls_back_and_releases_the_lock(db: Database) -> None:
    inside = asyncio.Event()

    async def slow() -> None:
        async with db.atomic():
            await db.execute("INSERT INTO t (v) VALUES ('never')")
            inside.set()
            await asyncio.sleep(10)

    task = asyncio.create_task(slow())
    await inside.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.wait_for(db.execute("INSERT INTO t (v) VALUES ('after')"), timeout=1)
    assert await values(db) == ["after"]


# --- iterate ---------------------------------------------------------------------------------------


async def test_run_atomic_commits_in_one_step_or_rolls_back(file_db: Database) -> None:
    def insert(conn: sqlite3.Connection) -> int:
        conn.execute("INSERT INTO t (v) VALUES ('a')")
        return conn.execute("INSERT INTO t (v) VALUES ('b')").rowcount

    def fail(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO t (v) VALUES ('c')")
        raise RuntimeError("half-way")

    result, took = await file_db.run_atomic(insert)
    assert result == 1 and took.seconds > 0 and took.cpu_seconds >= 0
    with pytest.raises(RuntimeError, match="half-way"):
        await file_db.run_atomic(fail)
    assert await values(file_db) == ["a", "b"]
    assert not file_db.in_transaction
    await file_db.execute("INSERT INTO t (v) VALUES ('d')")  # the connection is usable: nothing left open
    assert await values(file_db) == ["a", "b", "d"]


async def test_run_atomic_inside_atomic_is_a_savepoint_of_it(db: Database) -> None:
    def insert(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO t (v) VALUES ('inner')")

    with pytest.raises(RuntimeError):
        async with db.atomic():
            await db.run_atomic(insert)
            assert await values(db) == ["inner"]
            raise RuntimeError
    assert await values(db) == []


async def test_other_tasks_wait_for_a_run_atomic_step(db: Database) -> None:
    """Another task's statement never lands inside the step's transaction (it waits for the lock)."""
    started = threading.Event()

    def slow(conn: sqlite3.Connection) -> list[str]:
        conn.execute("INSERT INTO t (v) VALUES ('step')")
        started.set()
        time.sleep(0.05)
        return [row[0] for row in conn.execute("SELECT v FROM t ORDER BY id")]

    step = asyncio.create_task(db.run_atomic(slow))
    while not started.is_set():
        await asyncio.sleep(0.001)
    await db.execute("INSERT INTO t (v) VALUES ('other')")
    seen, _ = await step
    assert seen == ["step"]
    assert await values(db) == ["step", "other"]


async def test_quiet_waits_for_a_run_of_statements_to_end(db: Database) -> None:
    """A bulk job's gap: another task's statements, one after another, all go before it (the tick lets an
    engine claim's few queries go on together)."""
    done: list[int] = []

    async def chain() -> None:
        for n in range(10):
            await db.execute("INSERT INTO t (v) VALUES (?)", (str(n),))
            done.append(n)

    task = asyncio.create_task(chain())
    await asyncio.sleep(0)  # the chain has started
    await db.quiet(0.2, at_most=30)
    assert done == list(range(10))
    await task


async def test_quiet_gives_up_after_at_most(db: Database) -> None:
    async with db.atomic():  # the connection busy all along: quiet returns anyway, after at_most
        await db.quiet(1.0, at_most=0.01)


async def test_iterate_streams_every_row_in_order(db: Database) -> None:
    async with db.atomic():
        await db.execute_many("INSERT INTO t (v) VALUES (?)", [(str(i),) for i in range(2500)])
    seen = [row["v"] async for row in db.iterate("SELECT v FROM t ORDER BY id", batch=1000)]
    assert seen == [str(i) for i in range(2500)]


async def test_iterate_lets_writers_in_between_batches(db: Database) -> None:
    await db.execute_many("INSERT INTO t (v) VALUES (?)", [(str(i),) for i in range(30)])
    writes: list[asyncio.Task[object]] = []
    finished_before_scan_end = False
    count = 0
    async for _row in db.iterate("SELECT v FROM t WHERE id <= 30", batch=5):
        count += 1
        if count == 1:
            writes.append(asyncio.create_task(db.execute("INSERT INTO t (v) VALUES ('x')")))
        await asyncio.sleep(0)
        if count == 25:
            finished_before_scan_end = writes[0].done()
    assert count == 30
    assert finished_before_scan_end


async def test_iterate_can_stop_early_and_inside_atomic(db: Database) -> None:
    await db.execute_many("INSERT INTO t (v) VALUES (?)", [(str(i),) for i in range(10)])
    async with contextlib.aclosing(db.iterate("SELECT v FROM t ORDER BY id", batch=3)) as rows:
        async for row in rows:
            if row["v"] == "4":
                break
    async with db.atomic():
        await db.execute("INSERT INTO t (v) VALUES ('new')")
        seen = [row["v"] async for row in db.iterate("SELECT v FROM t ORDER BY id", batch=4)]
    assert seen[-1] == "new"
    with pytest.raises(ValueError):
        [row async for row in db.iterate("SELECT 1", batch=0)]


# --- backup ----------------------------------------------------------------------------------------


async def test_backup_while_a_write_is_in_progress(file_db: Database, tmp_path: Path) -> None:
    await file_db.execute("INSERT INTO t (v) VALUES ('committed')")
    inside = asyncio.Event()
    release = asyncio.Event()

    async def writer() -> None:
        async with file_db.atomic():
            await file_db.execute("INSERT INTO t (v) VALUES ('uncommitted')")
            inside.set()
            await release.wait()

    task = asyncio.create_task(writer())
    await inside.wait()
    dest = tmp_path / "copy.db"
    try:
        # Must finish while the writer still holds its transaction: the backup does not queue behind it.
        await asyncio.wait_for(file_db.backup(dest), timeout=5)
    finally:
        release.set()
        await task

    copy = sqlite3.connect(dest)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("SELECT v FROM t").fetchall() == [("committed",)]
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        assert copy.execute("SELECT max(version) FROM schema_migrations").fetchone()[0] > 0
    finally:
        copy.close()
    assert await values(file_db) == ["committed", "uncommitted"]
    assert not list(tmp_path.glob(".copy.db.partial*"))


async def test_backup_overwrites_and_copies_in_memory_databases(db: Database, tmp_path: Path) -> None:
    dest = tmp_path / "copy.db"
    dest.write_text("not a database")
    await db.execute("INSERT INTO t (v) VALUES ('a')")
    await db.backup(dest)
    copy = await Database.open(dest, migrate=False)
    try:
        assert await values(copy) == ["a"]
    finally:
        await copy.close()


async def test_refresh_statistics_gives_the_planner_the_subscribers_size(file_db: Database) -> None:
    """Without sqlite_stat1 the planner guesses table sizes (a 28 s tick at 1M subscribers); with it, it knows."""
    await SubscriberRepository(file_db).import_rows({"chat_id": str(chat_id)} for chat_id in range(1, 501))
    assert await file_db.fetchone("SELECT name FROM sqlite_schema WHERE name = 'sqlite_stat1'") is None
    await file_db.refresh_statistics()
    stats = await file_db.fetchall("SELECT idx, stat FROM sqlite_stat1 WHERE tbl = 'subscribers'")
    assert stats and all(int(row["stat"].split()[0]) == 500 for row in stats)


async def test_a_directory_of_another_owner_is_named_as_such_not_as_read_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A container's bind mount owned by root: the operator needs to hear "whose", not "read-only"."""
    data = tmp_path / "data"
    data.mkdir()
    try:
        os.chown(data, 12345, 12345)
    except PermissionError:
        pytest.skip("needs to run as root to give the directory away")
    monkeypatch.setattr("storage.db.os.access", lambda path, mode: False)  # root may write anywhere
    with pytest.raises(DatabaseError) as raised:
        await Database.open(str(data / "briefing.db"))
    message = str(raised.value)
    assert "cannot create the database" in message
    assert f"not writable by this user (uid {os.getuid()}; it belongs to uid 12345)" in message
    assert "read-only" not in message
