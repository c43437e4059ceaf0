"""Migrations: fresh, repeated, from every earlier version, and failing ones that leave no trace."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import AsyncIterator

import pytest

from bot.digest.model import ItemKind
from bot.rules.clock import ManualClock
from storage import (
    AuditRepository,
    BroadcastRepository,
    Database,
    DatabaseError,
    DeliveryRepository,
    DigestRepository,
    Migration,
    MigrationError,
    SubscriberRepository,
    SubscriberStatus,
    available_migrations,
    current_version,
    migrate,
)
from tests.storage_fixtures import T0, make_digest

LATEST = len(available_migrations())
RAW_DROPPED = next(m.version for m in available_migrations() if m.name == "drop_digest_raw")
"""Until this version digests.raw was NOT NULL, and the repository no longer writes it."""


@pytest.fixture
async def bare_db(clock: ManualClock) -> AsyncIterator[Database]:
    database = await Database.open(":memory:", migrate=False, clock=clock)
    try:
        yield database
    finally:
        await database.close()


async def schema(db: Database) -> set[tuple[str, str, str]]:
    """Everything in sqlite_schema except FTS5's shadow tables' internal rows (same either way)."""
    rows = await db.fetchall("SELECT type, name, sql FROM sqlite_schema WHERE sql IS NOT NULL")
    return {(row["type"], row["name"], row["sql"]) for row in rows}


def test_shipped_migrations_are_numbered_and_split() -> None:
    migrations = available_migrations()
    assert [m.version for m in migrations] == list(range(1, LATEST + 1))
    assert LATEST >= 3
    search = next(m for m in migrations if m.name == "search")
    # Trigger bodies contain semicolons; each trigger must still be one statement.
    triggers = [s for s in search.statements() if s.upper().startswith("CREATE TRIGGER")]
    assert len(triggers) == 3
    assert all(t.rstrip(";").upper().endswith("END") for t in triggers)


def test_statement_splitting_edge_cases() -> None:
    migration = Migration(9, "x", "-- a comment; with a semicolon\nCREATE TABLE a (t TEXT DEFAULT ';');\n-- tail\n")
    assert migration.statements() == ["-- a comment; with a semicolon\nCREATE TABLE a (t TEXT DEFAULT ';');"]
    with pytest.raises(MigrationError, match="unterminated"):
        Migration(9, "x", "CREATE TABLE a (t TEXT);\nCREATE TABLE b (t TEXT)").statements()


async def test_fresh_database_gets_every_migration(bare_db: Database) -> None:
    assert await current_version(bare_db) == 0
    assert await migrate(bare_db) == list(range(1, LATEST + 1))
    assert await current_version(bare_db) == LATEST
    rows = await bare_db.fetchall("SELECT version, name, applied_at FROM schema_migrations ORDER BY version")
    assert [(r["version"], r["name"]) for r in rows] == [(m.version, m.name) for m in available_migrations()]
    assert {r["applied_at"] for r in rows} == {int(T0.timestamp())}
    tables = {r["name"] for r in await bare_db.fetchall("SELECT name FROM sqlite_schema WHERE type = 'table'")}
    assert {
        "digests",
        "sections",
        "items",
        "items_fts",
        "subscribers",
        "followed_authors",
        "deliveries",
        "broadcasts",
        "broadcast_deliveries",
        "audit_log",
        "subscriber_events",
    } <= tables


async def test_migrating_twice_is_a_no_op(bare_db: Database) -> None:
    await migrate(bare_db)
    before = await schema(bare_db)
    assert await migrate(bare_db) == []
    assert await schema(bare_db) == before
    assert await bare_db.fetchval("SELECT count(*) FROM schema_migrations") == LATEST


async def seed(db: Database, version: int) -> dict[str, int]:
    """Data that the schema at ``version`` can hold, written through the repositories."""
    ids: dict[str, int] = {}
    if version >= 1:
        digest = make_digest()
        if version < RAW_DROPPED:
            # The row as the code of the time stored it; save() then fills in the rest as a correction.
            assert digest.date is not None
            await db.execute(
                "INSERT INTO digests (newsletter, issue_date, content_hash, status, published_at, created_at,"
                " updated_at, raw) VALUES (?, ?, ?, 'published', 0, 0, 0, '{}')",
                (digest.newsletter, digest.date.isoformat(), "0" * 64),
            )
        ids["digest"] = (await DigestRepository(db).save(digest)).digest_id
        subscribers = SubscriberRepository(db)
        # Written in the columns of 0001: the repository writes today's columns, which an old schema lacks.
        now = int(T0.timestamp()) - 3600
        for chat_id, name, due in ((100, "Ann", int(T0.timestamp())), (200, "Bob", None)):
            await db.execute(
                "INSERT INTO subscribers (chat_id, first_name, next_delivery_at, created_at, updated_at, "
                "status_changed_at) VALUES (?, ?, ?, ?, ?, ?)",
                (chat_id, name, due, now, now, now),
            )
        await subscribers.set_status(200, SubscriberStatus.LEFT)
        await subscribers.follow(100, "Kevin Rothrock")
        # In that version's columns: the repository writes today's (due_at came with 0012).
        await db.execute(
            "INSERT INTO deliveries (digest_id, chat_id, status, attempts, created_at, updated_at)"
            " VALUES (?, 100, 'pending', 0, 0, 0)",
            (ids["digest"],),
        )
    if version >= 3:
        changes = await db.execute(
            "INSERT INTO broadcasts (editor_id, text, created_at) VALUES (7, '<b>Hello</b>', ?)", (int(T0.timestamp()),)
        )
        assert changes.lastrowid is not None
        ids["broadcast"] = changes.lastrowid
        ids["audit"] = await AuditRepository(db).record(7, "broadcast.create", target=ids["broadcast"])
    return ids


@pytest.mark.parametrize("start", range(LATEST))
async def test_upgrade_from_every_earlier_version(start: int, clock: ManualClock) -> None:
    fresh = await Database.open(":memory:", clock=clock)
    upgraded = await Database.open(":memory:", migrate=False, clock=clock)
    try:
        assert await migrate(upgraded, target=start) == list(range(1, start + 1))
        assert await current_version(upgraded) == start
        ids = await seed(upgraded, start)

        assert await migrate(upgraded) == list(range(start + 1, LATEST + 1))
        assert await current_version(upgraded) == LATEST
        assert await schema(upgraded) == await schema(fresh)

        if start >= 1:
            digests = DigestRepository(upgraded)
            stored = await digests.get(ids["digest"])
            assert stored is not None
            assert stored.digest == make_digest()
            # Items written before the search index existed were indexed by the migration.
            assert (await digests.search("Kursk")).total == 1
            # … and by kind (the index's kind column, 0016, filled for the items already stored).
            assert (await digests.search("Kremlin", kinds=[ItemKind.OPINION])).total == 1
            assert (await digests.search("Kremlin", kinds=[ItemKind.STORY])).total == 0
            subscribers = SubscriberRepository(upgraded)
            assert [s.chat_id for s in await subscribers.due(T0)] == [100]
            assert [f.author_key for f in await subscribers.followed(100)] == ["kevin rothrock"]
            # The event history was reconstructed from the rows for subscribers that predate it.
            growth = await subscribers.new_and_lost_since(T0 - dt.timedelta(days=7))
            assert (growth.new, growth.lost) == (2, 1)
            assert await DeliveryRepository(upgraded).claim(ids["digest"]) == [100]
        if start >= 3:
            broadcast = await BroadcastRepository(upgraded).get(ids["broadcast"])
            assert broadcast is not None
            assert broadcast.text == "<b>Hello</b>"
            assert [e.id for e in await AuditRepository(upgraded).recent()] == [ids["audit"]]
    finally:
        await fresh.close()
        await upgraded.close()


async def test_failing_migration_leaves_the_previous_version(bare_db: Database) -> None:
    good = available_migrations()[0]
    bad = Migration(2, "broken", "CREATE TABLE half_done (x INTEGER);\nINSERT INTO no_such_table VALUES (1);\n")
    with pytest.raises(sqlite3.OperationalError, match="no_such_table"):
        await migrate(bare_db, [good, bad])
    assert await current_version(bare_db) == 1
    assert not await bare_db.fetchval("SELECT count(*) FROM sqlite_schema WHERE name = 'half_done'")
    # A fixed migration applies afterwards.
    fixed = Migration(2, "fixed", "CREATE TABLE half_done (x INTEGER);")
    assert await migrate(bare_db, [good, fixed]) == [2]


async def test_migration_and_its_record_are_one_transaction(bare_db: Database) -> None:
    """If recording fails (here: the migration claims its own version), its changes are undone too."""
    sneaky = Migration(1, "sneaky", "CREATE TABLE t (x);\nINSERT INTO schema_migrations VALUES (1, 'sneaky', 0);")
    with pytest.raises(sqlite3.IntegrityError):
        await migrate(bare_db, [sneaky])
    assert await current_version(bare_db) == 0
    assert not await bare_db.fetchval("SELECT count(*) FROM sqlite_schema WHERE name = 't'")


async def test_database_newer_than_the_code_is_refused(bare_db: Database) -> None:
    await migrate(bare_db)
    with pytest.raises(MigrationError, match="newer"):
        await migrate(bare_db, available_migrations()[:1])


async def test_open_migrates_and_fails_fast_on_a_bad_path(clock: ManualClock) -> None:
    database = await Database.open(":memory:", clock=clock)
    try:
        assert await current_version(database) == LATEST
    finally:
        await database.close()
    with pytest.raises(DatabaseError, match="/nonexistent-dir does not exist"):
        await Database.open("/nonexistent-dir/bot.db", clock=clock)
