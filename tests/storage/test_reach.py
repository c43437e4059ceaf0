"""Storage for reach: chat kinds and topics, quiet hours, held broadcast recipients, channel posts, opens."""

from __future__ import annotations

import datetime as dt

from bot.digest.model import ItemKind
from bot.rules.chats import ChatKind
from bot.rules.clock import ManualClock
from bot.rules.quiet import QuietHours
from storage import (
    BroadcastRepository,
    ChannelPostRepository,
    Database,
    DigestRepository,
    OpenRepository,
    SubscriberRepository,
)
from tests.storage_fixtures import T0, make_digest


async def test_a_forum_topic_subscription_moves_with_the_latest_start(db: Database) -> None:
    subscribers = SubscriberRepository(db)
    group, created = await subscribers.upsert_on_start(-100, chat_kind=ChatKind.SUPERGROUP, thread_id=7)
    assert created and (group.chat_kind, group.thread_id) == (ChatKind.SUPERGROUP, 7)
    again, created = await subscribers.upsert_on_start(-100, chat_kind=ChatKind.SUPERGROUP, thread_id=9)
    assert not created and again.thread_id == 9
    counts = await subscribers.count_by_kind()
    assert counts[ChatKind.SUPERGROUP] == 1 and counts[ChatKind.PRIVATE] == 0


async def test_a_migrated_group_becomes_a_supergroup(db: Database) -> None:
    subscribers = SubscriberRepository(db)
    await subscribers.upsert_on_start(-5, chat_kind=ChatKind.GROUP)
    assert await subscribers.migrate_chat(-5, -1005)
    moved = await subscribers.get(-1005)
    assert moved is not None and moved.chat_kind is ChatKind.SUPERGROUP


async def test_quiet_hours_are_stored_and_counted_for_the_preview(db: Database) -> None:
    subscribers = SubscriberRepository(db)
    for chat in (1, 2, 3):
        await subscribers.upsert_on_start(chat)
    night = QuietHours(dt.time(22, 0), dt.time(7, 0))
    await subscribers.update_preferences(1, quiet=night)
    await subscribers.update_preferences(2, quiet=night, quiet_hold=True)
    await subscribers.update_preferences(3, quiet=night, breaking_alerts=False)
    one = await subscribers.get(1)
    assert one is not None and one.quiet == night and not one.quiet_hold
    readers = await subscribers.quiet_readers()
    assert sorted(reader.hold for reader in readers) == [False, True], "no alerts, not a recipient"
    await subscribers.update_preferences(1, quiet=None)
    one = await subscribers.get(1)
    assert one is not None and one.quiet is None


async def test_a_held_recipient_is_not_claimed_before_its_time(db: Database, clock: ManualClock) -> None:
    subscribers, broadcasts = SubscriberRepository(db), BroadcastRepository(db)
    for chat in (1, 2):
        await subscribers.upsert_on_start(chat)
    broadcast = await broadcasts.create(9, "Breaking")
    await broadcasts.confirm(broadcast.id)
    await broadcasts.start(broadcast.id)
    assert await broadcasts.claim(broadcast.id) == [1, 2]
    assert await broadcasts.hold(broadcast.id, 1, T0 + dt.timedelta(hours=1))
    await broadcasts.mark_sent(broadcast.id, 2, [10])
    assert await broadcasts.claim(broadcast.id) == []
    assert (await broadcasts.tally(broadcast.id)).held == 1
    assert not await broadcasts.finish(broadcast.id), "a held recipient keeps the broadcast open"
    clock.set(T0 + dt.timedelta(hours=1))
    assert await broadcasts.claim(broadcast.id) == [1]


async def test_broadcast_options_change_only_a_draft(db: Database) -> None:
    broadcasts = BroadcastRepository(db)
    broadcast = await broadcasts.create(9, "Breaking")
    changed = await broadcasts.set_options(broadcast.id, urgent=True)
    assert changed is not None and changed.urgent and not changed.to_channels
    await broadcasts.confirm(broadcast.id)
    assert await broadcasts.set_options(broadcast.id, to_channels=True) is None


async def test_a_channel_post_is_claimed_once_and_its_reactions_count_for_the_issue(db: Database) -> None:
    digest_id = (await DigestRepository(db).save(make_digest())).digest_id
    channels = ChannelPostRepository(db)
    assert await channels.claim("@news", digest_id=digest_id)
    assert not await channels.claim("@news", digest_id=digest_id)
    assert await channels.claim("@other", digest_id=digest_id)
    post = await channels.find("@news", digest_id=digest_id)
    assert post is not None
    await channels.mark_sent(post.id, -1001, [5, 6])
    assert await channels.record_reactions(-1001, 6, 4) == digest_id
    assert await channels.record_reactions(-1001, 6, 7) == digest_id, "Telegram sends totals: the latest wins"
    assert await channels.record_reactions(-1001, 99, 3) is None, "not one of our posts"
    assert await channels.reactions(digest_id) == 7
    totals = await channels.totals()
    assert (totals.issues, totals.broadcasts, totals.reactions) == (1, 0, 7)


async def test_opens_are_counted_per_item_and_day_and_ranked(db: Database, clock: ManualClock) -> None:
    digest_id = (await DigestRepository(db).save(make_digest())).digest_id
    opens = OpenRepository(db)
    for _ in range(3):
        await opens.record(digest_id, 1)  # the opinion by Kevin Rothrock
    await opens.record(digest_id, 0)
    await opens.record(digest_id, 99)  # no such item: not counted
    clock.set(T0 + dt.timedelta(days=1))
    await opens.record(digest_id, 0)
    await opens.record(digest_id, 0)
    assert await opens.opens(digest_id, 0) == 3
    top = await opens.top_items(T0.date())
    assert [(item.position, item.opens) for item in top] == [(0, 3), (1, 3)], "a tie goes in issue order"
    opinion = next(item for item in top if item.position == 1)
    assert (opinion.kind, opinion.author, opinion.date) == (ItemKind.OPINION, "Kevin Rothrock", dt.date(2024, 10, 11))
    assert [(item.position, item.opens) for item in await opens.top_items(T0.date() + dt.timedelta(days=1))] == [
        (0, 2)
    ]
    authors = await opens.top_authors(T0.date())
    assert authors[0].author == "Kevin Rothrock" and authors[0].opens == 3
