"""Subscriptions.start: /start subscribes, brings a reader back, and schedules, in one write."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from bot.config import load_settings
from bot.features.services import Services
from bot.features.subscription import Subscriptions
from bot.rules.clock import ManualClock
from storage import Database, SubscriberStatus
from tests.storage_fixtures import make_digest

NOW = dt.datetime(2026, 3, 2, 6, 0, tzinfo=dt.UTC)
"""A Monday, 07:00 in Berlin."""


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def services(db: Database, clock: ManualClock) -> Services:
    settings = load_settings({"DEFAULT_TIMEZONE": "Europe/Berlin", "DEFAULT_DELIVERY_TIME": "07:30"})
    return Services.over(db, settings, clock)


def count_writes(db: Database, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    writes: list[str] = []
    execute = db.execute

    async def counted(sql: str, params: Any = ()) -> Any:
        writes.append(sql)
        return await execute(sql, params)

    monkeypatch.setattr(db, "execute", counted)
    return writes


async def test_a_new_reader_is_subscribed_and_scheduled_in_one_write(
    services: Services, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    writes = count_writes(db, monkeypatch)
    subscriber, created = await Subscriptions(services).start(5, user_id=5, first_name="Anna", language="de")
    assert created and len(writes) == 1
    assert (subscriber.timezone, subscriber.delivery_time) == ("Europe/Berlin", dt.time(7, 30))
    assert subscriber.next_delivery_at == dt.datetime(2026, 3, 2, 6, 30, tzinfo=dt.UTC)  # 07:30 in Berlin, today


async def test_a_reader_coming_back_is_scheduled_at_their_own_time(
    services: Services, db: Database, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    subscriptions = Subscriptions(services)
    await subscriptions.start(5)
    await services.subscribers.update_preferences(5, timezone="Asia/Tokyo", delivery_time=dt.time(9, 0))
    await services.subscribers.set_status(5, SubscriberStatus.LEFT)
    writes = count_writes(db, monkeypatch)
    subscriber, created = await subscriptions.start(5)
    assert not created and len(writes) == 1 and subscriber.status is SubscriberStatus.ACTIVE
    assert subscriber.next_delivery_at == dt.datetime(2026, 3, 3, 0, 0, tzinfo=dt.UTC)  # 09:00 in Tokyo, tomorrow


async def test_start_again_leaves_an_active_reader_schedule_alone(services: Services, clock: ManualClock) -> None:
    subscriptions = Subscriptions(services)
    first, _ = await subscriptions.start(5)
    clock.advance(dt.timedelta(hours=2))  # past today's 07:30: a new computation would say tomorrow
    again, created = await subscriptions.start(5, first_name="Anna")
    assert not created and again.next_delivery_at == first.next_delivery_at and again.first_name == "Anna"


async def test_follow_uses_the_one_author_index_of_the_application(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    await services.digests.save(make_digest())
    subscriptions = Subscriptions(services)
    await subscriptions.start(5)
    listed: list[int] = []
    authors = services.digests.authors

    async def counted() -> Any:
        listed.append(1)
        return await authors()

    monkeypatch.setattr(services.digests, "authors", counted)
    first = await subscriptions.follow(5, "rothrock")
    second = await subscriptions.follow(5, "Kevin Rothrock")
    assert (first.followed, second.already) == ("Kevin Rothrock", "Kevin Rothrock")
    # Built once for the archive as it is, and the same index the reading side asks for.
    assert len(listed) == 1
    assert (await services.authors.load(services.digests))[1].match("rothrock")[0].name == "Kevin Rothrock"
    assert len(listed) == 1
