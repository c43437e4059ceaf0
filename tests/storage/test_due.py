"""storage.due: the tick's batch statements keep the plans that make them cost the same per reader at any size."""

from __future__ import annotations

from storage import Database, SubscriberRepository
from storage.due import _TAKE, DueReaders
from tests.storage_fixtures import T0


async def test_a_batch_looks_its_subscribers_up_by_chat_id(db: Database) -> None:
    """As a join, SQLite walked the subscribers table up to the batch's bound (which follows from the join),
    or built a Bloom filter over the whole table, in every batch: a tick quadratic in the size of the table."""
    subscribers = SubscriberRepository(db)
    for chat in range(1, 200):
        await subscribers.upsert_on_start(chat, next_delivery_at=T0)
    await db.execute("ANALYZE")
    await DueReaders(db).forget_schedules()  # the temporary tables
    plan = [row["detail"] for row in await db.fetchall("EXPLAIN QUERY PLAN " + _TAKE, {"bound": 100, "now": 0})]
    assert plan[0] == "SEARCH s USING INTEGER PRIMARY KEY (rowid=?)", plan
    assert not any("BLOOM" in step or step.startswith("SCAN") for step in plan), plan
