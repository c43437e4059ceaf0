"""SubscriberRepository: /start, preferences, statuses, who is due, follows, stats, deletion, CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import sqlite3

import pytest

from bot.digest.model import ItemKind
from bot.rules.clock import ManualClock
from storage import (
    EXPORT_COLUMNS,
    BroadcastRepository,
    Database,
    DeliveryRepository,
    DigestFormat,
    DigestRepository,
    SubscriberRepository,
    SubscriberStatus,
)
from tests.storage_fixtures import T0, make_digest

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def subs(db: Database) -> SubscriberRepository:
    return SubscriberRepository(db)


# --- /start and profile -------------------------------------------------------------------------------


async def test_start_creates_then_refreshes(subs: SubscriberRepository, clock: ManualClock) -> None:
    created, is_new = await subs.upsert_on_start(
        42,
        user_id=7,
        first_name="Ann",
        username="ann",
        language="de",
        timezone="Europe/Berlin",
        delivery_time="07:30",
        next_delivery_at=T0 + HOUR,
    )
    assert is_new
    assert (created.status, created.timezone, created.delivery_time) == (
        SubscriberStatus.ACTIVE,
        "Europe/Berlin",
        dt.time(7, 30),
    )
    assert created.sections == frozenset(ItemKind)
    assert created.format is DigestFormat.FULL
    assert created.next_delivery_at == T0 + HOUR
    assert created.created_at == created.updated_at == created.status_changed_at == T0

    clock.advance(HOUR)
    again, is_new = await subs.upsert_on_start(42, user_id=7, first_name="Anna", language="en", timezone="UTC")
    assert not is_new
    assert (again.first_name, again.username) == ("Anna", None)
    assert again.language == "de"  # a chosen language is kept
    assert again.timezone == "Europe/Berlin"  # defaults only apply to new subscribers
    assert again.created_at == T0
    assert again.updated_at == T0 + HOUR


@pytest.mark.parametrize("gone", [SubscriberStatus.LEFT, SubscriberStatus.BLOCKED])
async def test_start_reactivates_readers_who_left(
    subs: SubscriberRepository, clock: ManualClock, gone: SubscriberStatus
) -> None:
    await subs.upsert_on_start(1)
    await subs.set_status(1, gone)
    clock.advance(HOUR)
    back, is_new = await subs.upsert_on_start(1, next_delivery_at=T0 + 2 * HOUR)
    assert not is_new
    assert back.status is SubscriberStatus.ACTIVE
    assert back.status_changed_at == T0 + HOUR
    assert back.next_delivery_at == T0 + 2 * HOUR


async def test_start_leaves_a_pause_alone(subs: SubscriberRepository) -> None:
    await subs.upsert_on_start(1, next_delivery_at=T0)
    await subs.set_status(1, SubscriberStatus.PAUSED, until=T0 + 24 * HOUR)
    back, _ = await subs.upsert_on_start(1, next_delivery_at=T0 + HOUR)
    assert back.status is SubscriberStatus.PAUSED
    assert back.next_delivery_at == T0


async def test_update_preferences(subs: SubscriberRepository, clock: ManualClock) -> None:
    await subs.upsert_on_start(1)
    clock.advance(HOUR)
    updated = await subs.update_preferences(
        1,
        timezone="America/New_York",
        delivery_time=dt.time(6, 45),
        format=DigestFormat.HEADLINES,
        sections=[ItemKind.STORY, ItemKind.BRIEF],
        breaking_alerts=True,
        push_followed_on_publish=True,
        next_delivery_at=T0 + 5 * HOUR,
    )
    assert updated is not None
    assert updated.timezone == "America/New_York"
    assert updated.delivery_time == dt.time(6, 45)
    assert updated.format is DigestFormat.HEADLINES
    assert updated.sections == {ItemKind.STORY, ItemKind.BRIEF}
    assert updated.breaking_alerts and updated.push_followed_on_publish
    assert updated.next_delivery_at == T0 + 5 * HOUR
    assert updated.updated_at == T0 + HOUR
    assert updated.language is None

    only_language = await subs.update_preferences(1, language="ru")
    assert only_language is not None
    assert only_language.language == "ru"
    assert only_language.sections == {ItemKind.STORY, ItemKind.BRIEF}  # untouched
    unscheduled = await subs.update_preferences(1, next_delivery_at=None)
    assert unscheduled is not None
    assert unscheduled.next_delivery_at is None
    assert await subs.update_preferences(999, language="en") is None


async def test_invalid_preferences_are_refused(subs: SubscriberRepository, db: Database) -> None:
    await subs.upsert_on_start(1)
    with pytest.raises(ValueError, match="time zone"):
        await subs.update_preferences(1, timezone="Mars/Olympus")
    with pytest.raises(ValueError):
        await subs.update_preferences(1, delivery_time="25:00")
    with pytest.raises(ValueError):
        await subs.update_preferences(1, format="pdf")  # type: ignore[arg-type]  # a bad value on purpose
    # The schema refuses what slipped past the repository.
    with pytest.raises(sqlite3.IntegrityError):
        await db.execute("UPDATE subscribers SET delivery_time = '24:00' WHERE chat_id = 1")
    with pytest.raises(sqlite3.IntegrityError):
        await db.execute("UPDATE subscribers SET status = 'gone' WHERE chat_id = 1")
    with pytest.raises(sqlite3.IntegrityError):
        await db.execute("UPDATE subscribers SET paused_until = 1 WHERE chat_id = 1")  # not paused


async def test_expired_pauses_resume_a_few_at_a_time_earliest_first(subs: SubscriberRepository) -> None:
    for chat in range(1, 7):
        await subs.upsert_on_start(chat)
        # Chat 6's pause ends last, and after the moment asked about; 1 to 5 end in the order 5, 4, 3, 2, 1.
        until = T0 + (6 - chat) * HOUR if chat < 6 else T0 + 9 * HOUR
        await subs.set_status(chat, SubscriberStatus.PAUSED, until=until)
    now = T0 + 6 * HOUR
    assert await subs.resume_expired_pauses(now, limit=2) == [4, 5]
    assert await subs.resume_expired_pauses(now, limit=2) == [2, 3]
    assert await subs.resume_expired_pauses(now, limit=2) == [1]
    assert await subs.resume_expired_pauses(now, limit=2) == []
    still = await subs.get(6)
    assert still is not None and still.status is SubscriberStatus.PAUSED


async def test_pause_and_automatic_resume(subs: SubscriberRepository, clock: ManualClock) -> None:
    await subs.upsert_on_start(1)
    await subs.upsert_on_start(2)
    assert await subs.set_status(1, SubscriberStatus.PAUSED, until=T0 + 3 * HOUR)
    assert not await subs.set_status(1, SubscriberStatus.PAUSED, until=T0 + 3 * HOUR)  # no change
    assert await subs.set_status(2, SubscriberStatus.PAUSED)  # indefinitely
    with pytest.raises(ValueError):
        await subs.set_status(2, SubscriberStatus.ACTIVE, until=T0)
    assert not await subs.set_status(999, SubscriberStatus.LEFT)

    assert await subs.resume_expired_pauses(T0 + 2 * HOUR) == []
    clock.advance(3 * HOUR)
    assert await subs.resume_expired_pauses(T0 + 3 * HOUR) == [1]
    resumed = await subs.get(1)
    assert resumed is not None
    assert (resumed.status, resumed.paused_until, resumed.status_changed_at) == (
        SubscriberStatus.ACTIVE,
        None,
        T0 + 3 * HOUR,
    )
    still = await subs.get(2)
    assert still is not None
    assert still.status is SubscriberStatus.PAUSED


# --- who is due -------------------------------------------------------------------------------------


async def test_due_picks_only_active_subscribers_whose_time_has_come(subs: SubscriberRepository) -> None:
    await subs.upsert_on_start(1, next_delivery_at=T0 - HOUR)
    await subs.upsert_on_start(2, next_delivery_at=T0)
    await subs.upsert_on_start(3, next_delivery_at=T0 + dt.timedelta(seconds=1))
    await subs.upsert_on_start(4)  # never scheduled
    for chat_id, status in [(5, SubscriberStatus.PAUSED), (6, SubscriberStatus.BLOCKED), (7, SubscriberStatus.LEFT)]:
        await subs.upsert_on_start(chat_id, next_delivery_at=T0 - 2 * HOUR)
        await subs.set_status(chat_id, status)
    await subs.upsert_on_start(8, next_delivery_at=T0 - 3 * HOUR)

    assert [s.chat_id for s in await subs.due(T0)] == [8, 1, 2]
    assert [s.chat_id for s in await subs.due(T0, limit=2)] == [8, 1]
    assert await subs.count_due(T0) == 3
    assert [s.chat_id for s in await subs.due(T0 + HOUR)] == [8, 1, 2, 3]


async def test_iter_due_survives_rescheduling_while_iterating(subs: SubscriberRepository) -> None:
    for chat_id in range(1, 12):
        await subs.upsert_on_start(chat_id, next_delivery_at=T0 - dt.timedelta(minutes=chat_id % 3))
    await subs.upsert_on_start(100, next_delivery_at=T0 + HOUR)
    seen = []
    async for subscriber in subs.iter_due(T0, batch=3):
        seen.append(subscriber.chat_id)
        await subs.set_next_delivery(subscriber.chat_id, T0 + 24 * HOUR)  # what the delivery tick does
    assert sorted(seen) == list(range(1, 12))
    assert len(seen) == len(set(seen))
    assert await subs.due(T0) == []


async def test_set_next_deliveries_in_bulk(subs: SubscriberRepository) -> None:
    for chat_id in (1, 2, 3):
        await subs.upsert_on_start(chat_id, next_delivery_at=T0)
    assert await subs.set_next_deliveries([(1, T0 + HOUR), (2, None), (999, T0)]) == 2
    assert [s.chat_id for s in await subs.due(T0)] == [3]
    assert await subs.set_next_delivery(1, T0)
    assert not await subs.set_next_delivery(999, T0)


async def test_iter_active_pages_and_filters(subs: SubscriberRepository) -> None:
    for chat_id in range(-3, 8):
        await subs.upsert_on_start(chat_id)
    await subs.set_status(0, SubscriberStatus.BLOCKED)
    for chat_id in (-2, -1, 1, 2, 3, 4, 6, 7):
        await subs.update_preferences(chat_id, breaking_alerts=False)
    assert [s.chat_id async for s in subs.iter_active(batch=2)] == [-3, -2, -1, 1, 2, 3, 4, 5, 6, 7]
    assert [s.chat_id async for s in subs.iter_active(batch=2, breaking_alerts=True)] == [-3, 5]


# --- statistics -------------------------------------------------------------------------------------


async def test_counts_growth_and_delivery_hours(subs: SubscriberRepository, clock: ManualClock) -> None:
    for chat_id in range(1, 6):
        await subs.upsert_on_start(chat_id, delivery_time=f"0{chat_id % 3 + 6}:15")
    clock.advance(dt.timedelta(days=10))
    await subs.upsert_on_start(6)
    await subs.set_status(1, SubscriberStatus.BLOCKED)
    await subs.set_status(2, SubscriberStatus.PAUSED)
    await subs.set_status(2, SubscriberStatus.LEFT)  # paused -> left is a loss
    await subs.set_status(2, SubscriberStatus.BLOCKED)  # left -> blocked is not another one
    await subs.delete(3)
    clock.advance(HOUR)
    await subs.upsert_on_start(1)  # came back

    counts = await subs.count_by_status()
    assert counts == {
        SubscriberStatus.ACTIVE: 4,
        SubscriberStatus.PAUSED: 0,
        SubscriberStatus.BLOCKED: 1,
        SubscriberStatus.LEFT: 0,
    }
    week = await subs.new_and_lost_since(clock.now() - dt.timedelta(days=7))
    assert (week.new, week.lost) == (2, 3)  # 6 joined, 1 returned; 1, 2 and 3 lost
    everything = await subs.new_and_lost_since(T0)
    assert (everything.new, everything.lost) == (7, 3)
    days = await subs.growth_by_day(T0)
    assert [(d.day, d.new, d.lost) for d in days] == [
        (T0.date(), 5, 0),
        ((T0 + dt.timedelta(days=10)).date(), 2, 3),
    ]
    # Active only: 1 and 4 at 07:15, 5 at 08:15, 6 at the default 08:00 (3 at 06:15 was deleted).
    assert await subs.by_delivery_hour() == {7: 2, 8: 2}


# --- follows ----------------------------------------------------------------------------------------


async def test_follow_unfollow_and_followers(subs: SubscriberRepository) -> None:
    await subs.upsert_on_start(1)
    await subs.upsert_on_start(2)
    await subs.upsert_on_start(3)
    assert await subs.follow(1, "Kevin Rothrock")
    assert not await subs.follow(1, "kevin  ROTHROCK")  # same author
    assert await subs.follow(1, "Anna Kuzmina")
    assert await subs.follow(2, "Kevin Rothrock")
    assert await subs.follow(3, "Kevin Rothrock")
    await subs.set_status(3, SubscriberStatus.BLOCKED)
    await subs.update_preferences(2, push_followed_on_publish=True)
    with pytest.raises(ValueError):
        await subs.follow(1, "!!!")
    with pytest.raises(sqlite3.IntegrityError):
        await subs.follow(999, "Kevin Rothrock")  # not a subscriber

    assert [(f.author_name, f.author_key) for f in await subs.followed(1)] == [
        ("Anna Kuzmina", "ana kuzmina"),
        ("Kevin Rothrock", "kevin rothrock"),
    ]
    assert await subs.followers_of("KEVIN ROTHROCK") == [1, 2]
    assert await subs.followers_of("kevin rothrock", push_on_publish=True) == [2]
    assert await subs.unfollow(1, "Kevin Rothrock")
    assert not await subs.unfollow(1, "Kevin Rothrock")
    assert await subs.followers_of("kevin rothrock") == [2]
    assert await subs.followers_of("") == []


# --- deletion and chat migration --------------------------------------------------------------------


async def test_delete_removes_everything_about_the_reader(subs: SubscriberRepository, db: Database) -> None:
    digest_id = (await DigestRepository(db).save(make_digest())).digest_id
    for chat_id in (1, 2):
        await subs.upsert_on_start(chat_id)
        await subs.follow(chat_id, "Kevin Rothrock")
    await DeliveryRepository(db).enqueue(digest_id, [1, 2])
    broadcasts = BroadcastRepository(db)
    broadcast = await broadcasts.create(9, "hi")
    await broadcasts.enqueue(broadcast.id, [1, 2])

    assert await subs.delete(1)
    assert not await subs.delete(1)
    assert await subs.get(1) is None
    for table in ("followed_authors", "deliveries", "broadcast_deliveries", "subscriber_events"):
        assert await db.fetchval(f"SELECT count(*) FROM {table} WHERE chat_id = 1") == 0, table
        assert await db.fetchval(f"SELECT count(*) FROM {table} WHERE chat_id = 2") >= 1, table
    # The history stays countable, anonymously.
    assert await db.fetchval("SELECT count(*) FROM subscriber_events WHERE chat_id IS NULL") == 2
    assert (await subs.new_and_lost_since(T0)).lost == 1


async def test_migrate_chat_moves_everything(subs: SubscriberRepository, db: Database) -> None:
    digest_id = (await DigestRepository(db).save(make_digest())).digest_id
    await subs.upsert_on_start(-100, first_name="Group")
    await subs.follow(-100, "Kevin Rothrock")
    deliveries = DeliveryRepository(db)
    await deliveries.enqueue(digest_id, [-100])
    await deliveries.claim(digest_id)
    await deliveries.mark_sent(digest_id, -100, [5])

    assert await subs.migrate_chat(-100, -100200)
    assert await subs.get(-100) is None
    moved = await subs.get(-100200)
    assert moved is not None
    assert (moved.first_name, moved.last_digest_id) == ("Group", digest_id)
    assert await subs.followers_of("Kevin Rothrock") == [-100200]
    assert await deliveries.has_received(-100200, digest_id)
    assert not await subs.migrate_chat(-100, -100300)


async def test_migrate_chat_merges_into_an_existing_subscriber(subs: SubscriberRepository, db: Database) -> None:
    digest_id = (await DigestRepository(db).save(make_digest())).digest_id
    await subs.upsert_on_start(-1, timezone="Europe/Berlin")
    await subs.upsert_on_start(-2, timezone="UTC")
    await subs.follow(-1, "Kevin Rothrock")
    await subs.follow(-1, "Anna Kuzmina")
    await subs.follow(-2, "Anna Kuzmina")
    deliveries = DeliveryRepository(db)
    await deliveries.enqueue(digest_id, [-1])
    await deliveries.claim(digest_id)
    await deliveries.mark_sent(digest_id, -1, [1])

    assert await subs.migrate_chat(-1, -2)
    assert await subs.get(-1) is None
    merged = await subs.get(-2)
    assert merged is not None
    assert merged.timezone == "UTC"  # the new chat's settings win
    assert {f.author_key for f in await subs.followed(-2)} == {"kevin rothrock", "ana kuzmina"}
    assert await deliveries.has_received(-2, digest_id)


# --- CSV --------------------------------------------------------------------------------------------


async def test_export_import_round_trip_through_csv(subs: SubscriberRepository, clock: ManualClock) -> None:
    await subs.upsert_on_start(
        1,
        first_name='Ann, "the" reader',
        username="ann",
        language="de",
        timezone="Europe/Berlin",
        next_delivery_at=T0 + HOUR,
    )
    await subs.upsert_on_start(2)
    await subs.update_preferences(2, sections=[], format=DigestFormat.HEADLINES, breaking_alerts=True)
    await subs.set_status(2, SubscriberStatus.PAUSED, until=T0 + 24 * HOUR)

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS)
    writer.writeheader()
    async for row in subs.export_rows(batch=1):
        writer.writerow(row)
    before = [await subs.get(1), await subs.get(2)]

    database = await Database.open(":memory:", clock=clock)
    try:
        target = SubscriberRepository(database)
        assert await target.import_rows(csv.DictReader(io.StringIO(buffer.getvalue()))) == 2
        after = [await target.get(1), await target.get(2)]
        assert after == before
        # Importing again updates in place.
        assert await target.import_rows([{"chat_id": "1", "timezone": "UTC", "status": "left"}]) == 1
        changed = await target.get(1)
        assert changed is not None
        assert (changed.timezone, changed.status) == ("UTC", SubscriberStatus.LEFT)
        assert changed.sections == frozenset(ItemKind)
    finally:
        await database.close()


async def test_import_is_all_or_nothing(subs: SubscriberRepository) -> None:
    rows = [{"chat_id": "1"}, {"chat_id": "2", "delivery_time": "99:99"}]
    with pytest.raises(ValueError):
        await subs.import_rows(rows)
    assert await subs.get(1) is None
    with pytest.raises(ValueError):
        await subs.import_rows([{"chat_id": "3", "breaking_alerts": "maybe"}])
    with pytest.raises(ValueError):
        await subs.import_rows([{"first_name": "no id"}])
    with pytest.raises(ValueError):
        await subs.import_rows([{"chat_id": "4", "created_at": "2024-01-01T00:00:00"}])  # naive


async def test_followed_keys_for_many_readers_at_once(tmp_path) -> None:
    from storage import Database, SubscriberRepository

    async with await Database.open(tmp_path / "f.db") as db:
        subscribers = SubscriberRepository(db)
        for chat_id in (1, 2, 3):
            await subscribers.upsert_on_start(chat_id)
        await subscribers.follow(1, "Dmitry Trenin")
        await subscribers.follow(1, "Lilia Shevtsova")
        await subscribers.follow(2, "Dmitri Trenin")
        keys = await subscribers.followed_keys_many([1, 2, 3])
    assert keys == {1: frozenset({"dmitri trenin", "lilia shevtsova"}), 2: frozenset({"dmitri trenin"})}
