"""publishing.publish: one transaction, the issue never loaded back, late readers queued with it."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.config import load_settings
from bot.features import publishing
from bot.features.services import Services
from bot.rules.clock import ManualClock
from storage import Database, DeliveryStatus, DigestStatus
from tests.storage_fixtures import make_digest

NOON = dt.datetime(2024, 10, 11, 12, 0, tzinfo=dt.UTC)
"""After the readers' 08:00 UTC: an issue published now is late for all of them."""


@pytest.fixture
async def services() -> AsyncIterator[Services]:
    clock = ManualClock(NOON)
    db = await Database.open(":memory:", clock=clock)
    try:
        services = Services.over(db, load_settings({"ADMIN_IDS": "7"}), clock)
        for chat_id in (1, 2):
            await services.subscribers.upsert_on_start(chat_id)
        yield services
    finally:
        await db.close()


def watch_transactions(services: Services, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The BEGINs the connection sees from now on."""
    begins: list[str] = []
    conn = services.db._conn
    assert conn is not None
    execute = conn.execute

    def counted(sql: str, *args: Any) -> Any:
        if sql.startswith("BEGIN"):
            begins.append(sql)
        return execute(sql, *args)

    monkeypatch.setattr(conn, "execute", counted)
    return begins


async def test_publishing_is_one_transaction_and_never_loads_the_issue_back(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def no_load(digest_id: int) -> None:
        raise AssertionError(f"issue {digest_id} loaded back")

    monkeypatch.setattr(services.digests, "get", no_load)
    begins = watch_transactions(services, monkeypatch)
    published = await publishing.publish(services, make_digest(), editor_id=7)
    assert begins == ["BEGIN IMMEDIATE"]
    monkeypatch.undo()
    stored = await services.digests.get(published.digest_id)
    assert stored is not None and stored.status is DigestStatus.PUBLISHED
    assert await services.deliveries.status(published.digest_id, 1) is not None
    assert (await services.deliveries.status(published.digest_id, 2)).status is DeliveryStatus.PENDING
    [entry] = await services.audit.recent(action="issue.publish")
    assert entry.target == str(published.digest_id)


async def test_a_failed_publish_leaves_nothing_behind(services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken(*_: Any, **__: Any) -> None:
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(services.audit, "record", broken)
    with pytest.raises(RuntimeError):
        await publishing.publish(services, make_digest(), editor_id=7)
    assert await services.digests.latest_published_id() is None
    assert await services.deliveries.status(1, 1) is None
