"""Reach over real HTTP: channels, groups and forum topics, quiet hours, and what readers opened.

The real bot (real PTB client) against the local Bot API server with its flood limits on, driven with the
injected clock: the scheduler's tick and the channel poster are called as the running bot's minute job calls
them, and the engine is woken as the bot wakes it.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import io
import json
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from bot.cli import main as cli_main
from bot.render import editor as render
from bot.render.callbacks import BroadcastOption, encode
from bot.rules.preferences import Format
from bot.sandbox.records import SentRecord
from bot.sources.ingest import ingest_text
from bot.telegram.context import BotData
from storage import SubscriberStatus
from tests.harness import EDITOR, OTHER_READER, READER, Harness, buttons

FIXTURES = Path(__file__).parents[1] / "fixtures"
ISSUE = "the-real-russia-today-2022-01-07.txt"
"""Dated 2022-01-07, with opinions by Dmitry Trenin, Lilia Shevtsova and Fyodor Lukyanov."""
OLDER_ISSUE = "real-russia-today-2020-11-17.txt"
ISSUE_DAY = dt.datetime(2022, 1, 7, 9, 0, tzinfo=dt.UTC)
CHANNEL, GROUP, FORUM = -1001000, -1002000, -1003000
ADMIN, MEMBER = 5001, 5002


async def publish(harness: Harness, name: str = ISSUE) -> int:
    services = harness.services
    report = await ingest_text(services.db, services.digests, (FIXTURES / name).read_text(), source=name)
    assert report.digest_id is not None
    services.delivery.wake()
    return report.digest_id


async def eventually(check: Callable[[], Awaitable[bool]], *, timeout: float = 5.0) -> bool:
    """Whether ``check`` comes true before ``timeout``: for what the bot records without sending anything."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await check():
        if loop.time() > deadline:
            return False
        await asyncio.sleep(0.01)  # the bot handles the update in the same loop; give it a turn
    return True


def message_id(record: SentRecord) -> int:
    assert record.message_id is not None
    return record.message_id


def bot_data(harness: Harness) -> BotData:
    data: BotData = harness.app.bot_data
    return data


async def post_to_channels(harness: Harness) -> int:
    poster = bot_data(harness).channels
    assert poster is not None
    return await poster.post_due()


async def tick(harness: Harness, when: dt.datetime) -> None:
    harness.clock.set(when)
    await harness.services.scheduler.tick()
    harness.services.delivery.wake()


# --- channels -----------------------------------------------------------------------------------------


@pytest.mark.settings(CHANNELS="@meduza_test")
async def test_todays_issue_is_posted_to_the_channel_once_with_deep_links(harness: Harness) -> None:
    server = harness.server
    server.add_channel(CHANNEL, "Meduza test", username="meduza_test")
    harness.clock.set(ISSUE_DAY)
    digest_id = await publish(harness)
    [post] = await server.wait_for(chat_id=CHANNEL)
    assert "Putin must atone for his early weakness on NATO" in (post.text or "")
    links = [button.get("url") for row in (post.reply_markup or {})["inline_keyboard"] for button in row]
    bot = server.bot_user["username"]
    assert f"https://t.me/{bot}?start=opinion-2022-01-07-1" in links
    assert links[-1] == f"https://t.me/{bot}?start=subscribe"
    assert all(data is None for _, data in buttons(post)), "no callback buttons in a channel"

    assert await post_to_channels(harness) == 0, "posted once, however often the poster looks"
    [stored] = await harness.services.channels.all()
    assert (stored.chat_id, stored.digest_id, stored.status) == (CHANNEL, digest_id, "sent")

    # Readers come in by the buttons: "subscribe" subscribes without a complaint about the link.
    server.add_user(READER)
    [welcome] = await harness.say(READER, "/start subscribe")
    assert "Hello" in (welcome.text or "")
    assert await harness.services.subscribers.get(READER) is not None


@pytest.mark.settings(CHANNELS="@meduza_test")
async def test_a_post_reserved_before_a_crash_is_made_after_it(harness: Harness) -> None:
    server = harness.server
    server.add_channel(CHANNEL, "Meduza test", username="meduza_test")
    harness.clock.set(ISSUE_DAY)
    services = harness.services
    report = await ingest_text(services.db, services.digests, (FIXTURES / ISSUE).read_text(), source=ISSUE)
    assert report.digest_id is not None
    # The last run reserved the post and stopped before sending it.
    assert await services.channels.claim("@meduza_test", digest_id=report.digest_id)
    await post_to_channels(harness)
    await server.wait_for(chat_id=CHANNEL)
    assert await post_to_channels(harness) == 0
    assert len(server.sent(CHANNEL, "sendMessage")) == 1


@pytest.mark.settings(CHANNELS="@meduza_test", CHANNEL_POST_TIME="10:30")
async def test_channel_post_time_waits_and_a_back_filled_issue_is_never_posted(harness: Harness) -> None:
    server = harness.server
    server.add_channel(CHANNEL, "Meduza test", username="meduza_test")
    harness.clock.set(ISSUE_DAY)
    await publish(harness)
    await post_to_channels(harness)
    assert server.sent(CHANNEL) == [], "not before CHANNEL_POST_TIME"
    harness.clock.set(ISSUE_DAY.replace(hour=10, minute=30))
    await post_to_channels(harness)  # the poster's own minute loop may be the one that posts it
    await server.wait_for(chat_id=CHANNEL)
    # The next day an older issue is published late (a back-fill): it is not today's issue.
    harness.clock.set(ISSUE_DAY + dt.timedelta(days=1, hours=2))
    await publish(harness, OLDER_ISSUE)
    assert await post_to_channels(harness) == 0
    assert len(server.sent(CHANNEL, "sendMessage")) == 1


@pytest.mark.settings(CHANNELS="@meduza_test")
async def test_reactions_on_the_channel_post_count_for_the_issue(harness: Harness) -> None:
    server = harness.server
    server.add_channel(CHANNEL, "Meduza test", username="meduza_test")
    harness.clock.set(ISSUE_DAY)
    digest_id = await publish(harness)
    [post] = await server.wait_for(chat_id=CHANNEL)
    assert post.message_id is not None
    server.react(CHANNEL, post.message_id, {"👍": 4, "🔥": 1})

    async def counted() -> bool:
        return await harness.services.channels.reactions(digest_id) == 5

    assert await eventually(counted), "the reaction total of the post, counted for its issue"


# --- groups and forum topics ----------------------------------------------------------------------------


def group_world(harness: Harness) -> int:
    server = harness.server
    server.add_user(ADMIN, "Ann")
    server.add_user(MEMBER, "Bob")
    server.add_group(GROUP, "Readers' club", supergroup=True)
    server.add_group(FORUM, "Forum", supergroup=True, forum=True)
    for chat in (GROUP, FORUM):
        server.set_member(chat, ADMIN, "administrator")
        server.set_member(chat, MEMBER, "member")
    return server.create_topic(FORUM, ADMIN, "Daily briefing")


async def say_in(
    harness: Harness, chat: int, user: int, text: str, *, thread_id: int | None = None
) -> list[SentRecord]:
    before = harness._count(chat)
    harness.server.send_group_message(chat, user, text, thread_id=thread_id)
    return await harness.wait_messages(chat, before, 1)


async def test_admins_subscribe_a_group_and_a_forum_topic_and_both_get_the_issue(harness: Harness) -> None:
    harness.clock.set(ISSUE_DAY.replace(hour=6))  # only an issue dated today goes out at the delivery time
    topic = group_world(harness)
    services = harness.services

    [refusal] = await say_in(harness, GROUP, MEMBER, "/start")
    assert "Only this group's admins" in (refusal.text or "")
    assert await services.subscribers.get(GROUP) is None

    await say_in(harness, GROUP, ADMIN, "/start")
    [welcome] = await say_in(harness, FORUM, ADMIN, "/start", thread_id=topic)
    assert welcome.message_thread_id == topic, "the reply goes back into the topic"
    group, forum = await services.subscribers.get(GROUP), await services.subscribers.get(FORUM)
    assert group is not None and forum is not None
    assert (str(group.chat_kind), group.thread_id) == ("supergroup", None)
    assert forum.thread_id == topic

    # A member reads but cannot change or stop the group's subscription.
    [today] = await say_in(harness, GROUP, MEMBER, "/today")
    assert "issue" in (today.text or "").lower() or today.text
    [stop] = await say_in(harness, GROUP, MEMBER, "/stop")
    assert "Only this group's admins" in (stop.text or "")
    group = await services.subscribers.get(GROUP)
    assert group is not None and group.status is SubscriberStatus.ACTIVE

    await publish(harness)
    await tick(harness, harness.clock.now().replace(hour=8, minute=0))
    for chat in (GROUP, FORUM):
        await harness.server.wait_for(
            lambda records: any("Kazakhstan" in (r.text or "") for r in records), chat_id=chat, method="sendMessage"
        )
    issue_in_topic = [r for r in harness.server.sent(FORUM, "sendMessage") if "Kazakhstan" in (r.text or "")]
    assert issue_in_topic and all(r.message_thread_id == topic for r in issue_in_topic)
    issue_in_group = [r for r in harness.server.sent(GROUP, "sendMessage") if "Kazakhstan" in (r.text or "")]
    assert len(issue_in_group) <= 3, "a long issue goes to a group as fewer messages"
    assert harness.server.stats().flood_rejections == 0, "no 429 in the groups"


async def test_only_a_group_admin_changes_its_settings_with_the_panel(harness: Harness) -> None:
    group_world(harness)
    server = harness.server
    await say_in(harness, GROUP, ADMIN, "/start")
    [panel] = await say_in(harness, GROUP, MEMBER, "/settings")
    headlines = next(d for text, d in buttons(panel) if "Headlines only" in text)
    answers = len(server.callback_answers())
    server.press_button(MEMBER, message_id(panel), headlines, chat_id=GROUP)
    await server.wait_for(lambda _: len(server.callback_answers()) > answers)
    assert server.callback_answers()[-1].text == "Only the group's admins can change its settings."
    group = await harness.services.subscribers.get(GROUP)
    assert group is not None and group.format is Format.FULL

    answers = len(server.callback_answers())
    server.press_button(ADMIN, message_id(panel), headlines, chat_id=GROUP)
    await server.wait_for(lambda _: len(server.callback_answers()) > answers)
    group = await harness.services.subscribers.get(GROUP)
    assert group is not None and group.format is Format.HEADLINES


async def test_in_a_group_commands_for_other_bots_and_unknown_ones_get_no_answer(harness: Harness) -> None:
    # Groups have other bots: "/start@other_bot" is theirs, and a bare "/roll" may be too.
    group_world(harness)
    await say_in(harness, GROUP, ADMIN, "/start")
    before = harness._count(GROUP)
    for text in ("/start@other_bot", "/today@other_bot", "/roll", "/weather@other_bot Berlin"):
        harness.server.send_group_message(GROUP, MEMBER, text)
    [unknown] = await say_in(harness, GROUP, MEMBER, f"/roll@{harness.server.bot_user['username']}")
    assert "I don't know /roll" in (unknown.text or ""), "a command addressed to this bot is answered"
    with pytest.raises(TimeoutError):
        await harness.wait_messages(GROUP, before, 2, timeout=1.0)


async def test_a_group_that_removes_the_bot_is_deactivated(harness: Harness) -> None:
    group_world(harness)
    await say_in(harness, GROUP, ADMIN, "/start")
    harness.server.remove_bot(GROUP, ADMIN)

    async def deactivated() -> bool:
        group = await harness.services.subscribers.get(GROUP)
        return group is not None and group.status is SubscriberStatus.BLOCKED

    assert await eventually(deactivated)


# --- quiet hours ----------------------------------------------------------------------------------------


async def confirm_broadcast(harness: Harness, text: str, *, urgent: bool = False) -> None:
    _, question = await harness.say(EDITOR, f"/broadcast {text}", replies=2)
    broadcast_id = int(next(d for _, d in buttons(question) if d and d.startswith("bc:")).split(":")[1])
    if urgent:
        await harness.press(EDITOR, message_id(question), encode(BroadcastOption(broadcast_id, "urgent")), edits=1)
    await harness.press(EDITOR, message_id(question), f"bc:{broadcast_id}:ok", edits=1)


async def test_a_reader_in_quiet_hours_gets_the_alert_silently_another_with_sound(harness: Harness) -> None:
    server = harness.server
    for reader in (READER, OTHER_READER):
        server.add_user(reader)
        await harness.say(reader, "/start")
    [reply] = await harness.say(READER, "/quiet 00:00-23:59")
    assert "Quiet hours: 00:00–23:59" in (reply.text or "")

    _, question = await harness.say(EDITOR, "/broadcast Preview only", replies=2)
    assert "1 reader in quiet hours right now: 1 gets it silently" in (question.text or "")

    await confirm_broadcast(harness, "Breaking: quiet please")
    for reader in (READER, OTHER_READER):
        await server.wait_for(lambda rs: any("quiet please" in (r.text or "") for r in rs), chat_id=reader)
    [quiet] = [r for r in server.sent(READER, "sendMessage") if "quiet please" in (r.text or "")]
    [loud] = [r for r in server.sent(OTHER_READER, "sendMessage") if "quiet please" in (r.text or "")]
    assert quiet.disable_notification is True
    assert loud.disable_notification is False


async def test_held_alerts_wait_for_the_end_of_quiet_hours_but_urgent_ones_do_not(harness: Harness) -> None:
    server = harness.server
    server.add_user(READER)
    await harness.say(READER, "/start")
    await harness.say(READER, "/quiet 05:00-07:00")  # the clock starts at 06:00 UTC, the reader's zone is UTC
    [panel] = await harness.say(READER, "/settings")
    hold = next(d for text, d in buttons(panel) if "Hold alerts" in text)
    await harness.press(READER, message_id(panel), hold, edits=1)
    subscriber = await harness.services.subscribers.get(READER)
    assert subscriber is not None and subscriber.quiet_hold

    await confirm_broadcast(harness, "Held until seven")
    await confirm_broadcast(harness, "Urgent right now", urgent=True)
    await server.wait_for(
        lambda rs: any("Urgent right now" in (r.text or "") for r in rs), chat_id=READER, method="sendMessage"
    )
    urgent_record = next(r for r in server.sent(READER, "sendMessage") if "Urgent right now" in (r.text or ""))
    assert urgent_record.disable_notification is True
    assert not [r for r in server.sent(READER, "sendMessage") if "Held until seven" in (r.text or "")]
    await server.wait_for(
        lambda rs: any("1 reader held until their quiet hours end" in (r.text or "") for r in rs), chat_id=EDITOR
    )

    harness.clock.set(harness.clock.now().replace(hour=7, minute=0, second=1))
    harness.services.delivery.wake()
    await server.wait_for(
        lambda rs: any("Held until seven" in (r.text or "") for r in rs), chat_id=READER, method="sendMessage"
    )
    held = [r for r in server.sent(READER, "sendMessage") if "Held until seven" in (r.text or "")]
    assert len(held) == 1 and held[0].disable_notification is False


async def test_the_digest_is_silent_when_its_time_falls_in_quiet_hours(harness: Harness) -> None:
    harness.clock.set(ISSUE_DAY.replace(hour=6))  # only an issue dated today goes out at the delivery time
    server = harness.server
    for reader in (READER, OTHER_READER):
        server.add_user(reader)
        await harness.say(reader, "/start")
        await harness.services.subscribers.update_preferences(reader, format=Format.HEADLINES)
    await harness.say(READER, "/quiet 22:00-08:30")  # the default delivery time 08:00 is inside
    await publish(harness)
    await tick(harness, harness.clock.now().replace(hour=8, minute=0))
    for reader in (READER, OTHER_READER):
        await server.wait_for(lambda rs: any("Kazakhstan" in (r.text or "") for r in rs), chat_id=reader)
    issues = [r for r in server.sent(method="sendMessage") if "Kazakhstan" in (r.text or "")]
    silent = {r.chat_id: r.disable_notification for r in issues}
    assert silent == {READER: True, OTHER_READER: False}


# --- opens ------------------------------------------------------------------------------------------------


async def test_opinion_by_author_is_counted_in_briefing_stats_top_items(harness: Harness) -> None:
    harness.clock.set(dt.datetime.now(dt.UTC))  # `briefing stats` counts the last 7 days of the real clock
    server = harness.server
    server.add_user(READER)
    await publish(harness)
    replies = await harness.say(READER, "/opinion trenin")
    assert "Putin must atone" in (replies[0].text or "")
    # An inline result chosen counts too.
    query_id = server.send_inline_query(OTHER_READER, "trenin")
    await server.wait_for(lambda _: any(a.query_id == query_id for a in server.inline_answers()))
    [answer] = [a for a in server.inline_answers() if a.query_id == query_id]
    trenin = next(r["id"] for r in answer.results if "Putin must atone" in r["title"])
    server.choose_inline_result(OTHER_READER, trenin)
    digest_id, position = (int(part) for part in trenin.split("-"))

    async def both_counted() -> bool:
        return await harness.services.opens.opens(digest_id, position) == 2

    assert await eventually(both_counted)

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = await asyncio.to_thread(cli_main, ["stats", "--json", "--db", str(harness.db_path)])
    assert code == 0
    figures = json.loads(out.getvalue())
    top = figures["top_items"][0]
    assert top == {
        "title": "Putin must atone for his early weakness on NATO",
        "author": "Dmitry Trenin",
        "kind": "opinion",
        "date": "2022-01-07",
        "opens": 2,
    }
    assert figures["top_authors"][0] == {"author": "Dmitry Trenin", "opens": 2}


@pytest.mark.settings(CHANNELS="@meduza_test")
async def test_stats_count_channel_posts_apart_and_show_the_top_pieces(harness: Harness) -> None:
    server = harness.server
    server.add_channel(CHANNEL, "Meduza test", username="meduza_test")
    harness.clock.set(ISSUE_DAY)
    await publish(harness)
    await server.wait_for(chat_id=CHANNEL)
    server.add_user(READER)
    await harness.say(READER, "/start")
    await harness.say(READER, "/opinion 1")
    text, _chart = await harness.say(EDITOR, "/stats", replies=2)
    body = text.text or ""
    assert "Channel posts\nissues 1 · breaking updates 0 · failed 0" in body
    assert "1. Putin must atone for his early weakness on NATO — Dmitry Trenin (opinion, Jan 7, 2022) · 1 open" in body
    assert "active 1 ·" in body, "the channel is not counted as a reader"


@pytest.mark.settings(CHANNELS="@meduza_test")
async def test_a_broadcast_marked_for_the_channels_is_posted_there(harness: Harness) -> None:
    server = harness.server
    server.add_channel(CHANNEL, "Meduza test", username="meduza_test")
    _, question = await harness.say(EDITOR, "/broadcast Breaking for everyone", replies=2)
    broadcast_id = int(next(d for _, d in buttons(question) if d and d.startswith("bc:")).split(":")[1])
    toggle = encode(BroadcastOption(broadcast_id, "channels"))
    [edited] = await harness.press(EDITOR, message_id(question), toggle, edits=1)
    assert "Also posted to the 1 channel." in (edited.text or "")
    await harness.press(EDITOR, message_id(question), f"bc:{broadcast_id}:ok", edits=1)
    [post] = await server.wait_for(chat_id=CHANNEL)
    assert post.text == "Breaking for everyone"
    assert render.SAVED_OPTION == "Changed."
