"""The engine and shared chats: a long issue goes to a group as its headlines, a removed group is deactivated,
a forum topic gets its thread id, and quiet hours make the digest silent."""

from __future__ import annotations

import datetime as dt

from bot.digest.model import Digest, Item, ItemKind, Section
from bot.rules.chats import ChatKind
from bot.rules.preferences import Format
from bot.rules.quiet import QuietHours
from bot.sandbox.limits import FloodLimits
from storage import DeliveryStatus, SubscriberStatus
from tests.delivery import test_engine
from tests.delivery.test_engine import Rig, run

rig = test_engine.rig
"""The engine tests' fixture: a sandbox server and services over a database holding one issue."""

GROUP, FORUM = -1002001, -1002002


def long_issue() -> Digest:
    paragraph = "A long paragraph about what happened and what it means for the region. " * 12
    stories = tuple(Item(ItemKind.STORY, f"Story number {n}", body=(paragraph,) * 3) for n in range(1, 9))
    return Digest(newsletter="The Real Russia. Today.", date=dt.date(2026, 3, 2), title="A long day",
                  summary="Many stories.", source="long", sections=(Section("Stories", stories),))  # fmt: skip


async def test_a_long_issue_goes_to_a_group_as_its_headlines_and_to_a_reader_in_full(rig: Rig) -> None:
    digest_id = (await rig.services.digests.save(long_issue())).digest_id
    assert digest_id is not None
    rig.server.add_group(GROUP, "Readers' club", supergroup=True)
    await rig.services.subscribers.upsert_on_start(GROUP, chat_kind=ChatKind.SUPERGROUP)
    await rig.readers(7, fmt=Format.FULL)
    await rig.services.deliveries.enqueue(digest_id, [GROUP, 7])
    rig.server.set_limits(FloodLimits(per_chat_per_second=20, per_chat_burst=20))  # a quick test; 20/minute stays
    await run(rig.engine(rate=30, chat_interval=0.05, chat_burst=20), digest_id)
    assert len(rig.received(7)) > 3
    [headlines] = rig.received(GROUP)
    assert "Story number 8" in headlines
    assert rig.server.stats().flood_rejections == 0


async def test_a_forum_topic_gets_its_thread_id_and_quiet_hours_silence_the_digest(rig: Rig) -> None:
    rig.server.add_user(1, "Admin")
    rig.server.add_group(FORUM, "Forum", supergroup=True, forum=True)
    topic = rig.server.create_topic(FORUM, 1, "Briefing")
    await rig.services.subscribers.upsert_on_start(FORUM, chat_kind=ChatKind.SUPERGROUP, thread_id=topic)
    quiet = QuietHours(dt.time(7), dt.time(9))
    await rig.services.subscribers.update_preferences(FORUM, format=Format.HEADLINES, quiet=quiet)
    await rig.readers(8)
    await rig.services.deliveries.enqueue_active(rig.digest_id)
    await run(rig.engine(rate=30))
    [in_topic] = rig.server.sent(FORUM, "sendMessage")
    assert in_topic.message_thread_id == topic and in_topic.disable_notification, "08:00 is inside 07:00–09:00"
    [private] = rig.server.sent(8, "sendMessage")
    assert private.message_thread_id is None and not private.disable_notification


async def test_a_group_that_removed_the_bot_is_deactivated_on_the_403(rig: Rig) -> None:
    rig.server.add_group(GROUP, "Readers' club", supergroup=True)
    await rig.services.subscribers.upsert_on_start(GROUP, chat_kind=ChatKind.SUPERGROUP)
    await rig.services.subscribers.update_preferences(GROUP, format=Format.HEADLINES)
    rig.server.remove_bot(GROUP)
    await rig.services.deliveries.enqueue_active(rig.digest_id)
    engine = rig.engine(rate=30)
    await run(engine)
    assert engine.stats.blocked == 1
    group = await rig.services.subscribers.get(GROUP)
    assert group is not None and group.status is SubscriberStatus.BLOCKED
    assert (await rig.services.deliveries.counts(rig.digest_id))[DeliveryStatus.FAILED] == 1
