"""storage.due: the tick's batch statements keep the plans that make them cost the same per reader at any size."""

from __future__ import annotations

from storage import Database, SubscriberRepository
from storage.due import _TAKE, DueReaders
from tests.storage_fixtures import T0


async def test_a_batch_starts_from_the_noted_ids_not_from_the_first_subscriber(db: Database) -> None:
    """Left to itself SQLite may walk the subscribers table up to the batch's bound in every batch (the bound
    follows from the join): a tick quadratic in the size of the table. The noted ids must be the outer loop."""
    subscribers = SubscriberRepository(db)
    for chat in range(1, 200):
        await subscribers.upsert_on_start(chat, next_delivery_at=T0)
    await db.execute("ANALYZE")
    await DueReaders(db).forget_schedules()  # the temporary tables
    plan = [row["detail"] for row in await db.fetchall("EXPLAIN QUERY PLAN " + _TAKE, {"bound": 100, "now": 0})]
    assert plan[0].startswith("SEARCH d USING INTEGER PRIMARY KEY"), plan
    assert any(step.startswith("SEARCH s USING INTEGER PRIMARY KEY (rowid=?)") for step in plan), plan
