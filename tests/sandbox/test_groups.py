"""Groups, forum topics and channels in the local Bot API server, driven over HTTP by python-telegram-bot."""

from __future__ import annotations

import aiohttp
import pytest
from telegram import ReactionTypeEmoji
from telegram.error import BadRequest, Forbidden, RetryAfter

from bot.sandbox.errors import SandboxError
from bot.sandbox.server import BotApiServer
from tests.sandbox.test_server import FakeClock, make_bot

ADMIN, MEMBER = 42, 43
GROUP, FORUM, CHANNEL = -1001, -100200, -100300


def world(server: BotApiServer) -> None:
    server.add_user(ADMIN, "Ann")
    server.add_user(MEMBER, "Bob")
    server.add_group(GROUP, "Readers", supergroup=True)
    server.add_group(FORUM, "Forum", supergroup=True, forum=True)
    server.add_channel(CHANNEL, "News", username="news_channel")
    for chat in (GROUP, FORUM):
        server.set_member(chat, ADMIN, "administrator")
        server.set_member(chat, MEMBER, "member")


async def test_get_chat_member_tells_admins_from_members() -> None:
    async with BotApiServer() as server, make_bot(server) as bot:
        world(server)
        assert (await bot.get_chat_member(GROUP, ADMIN)).status == "administrator"
        assert (await bot.get_chat_member(GROUP, MEMBER)).status == "member"
        server.add_user(44, "Stranger")
        assert (await bot.get_chat_member(GROUP, 44)).status == "left"
        with pytest.raises(BadRequest, match=r"(?i)user not found"):
            await bot.get_chat_member(GROUP, 999)
        assert (await bot.get_chat_member(CHANNEL, bot.id)).status == "administrator"


async def test_forum_topics_carry_their_thread_id_and_a_missing_topic_fails() -> None:
    async with BotApiServer() as server, make_bot(server) as bot:
        world(server)
        topic = server.create_topic(FORUM, ADMIN, "Briefing")
        member_message = server.send_group_message(FORUM, MEMBER, "/start", thread_id=topic)
        assert member_message["message_thread_id"] == topic and member_message["is_topic_message"]
        sent = await bot.send_message(FORUM, "hello topic", message_thread_id=topic, disable_notification=True)
        assert sent.message_thread_id == topic and sent.is_topic_message
        [record] = server.sent(FORUM, "sendMessage")
        assert record.message_thread_id == topic and record.disable_notification
        with pytest.raises(BadRequest, match=r"(?i)message thread not found"):
            await bot.send_message(FORUM, "nowhere", message_thread_id=topic + 100)
        with pytest.raises(BadRequest, match=r"(?i)message thread not found"):
            await bot.send_message(GROUP, "not a forum", message_thread_id=topic)
        loud = await bot.send_message(GROUP, "with sound")
        assert loud.message_thread_id is None
        assert server.sent(GROUP, "sendMessage")[-1].disable_notification is False


async def test_channel_posts_by_username_are_signed_by_the_channel() -> None:
    async with BotApiServer() as server, make_bot(server) as bot:
        world(server)
        post = await bot.send_message("@news_channel", "today's issue")
        assert post.chat.id == CHANNEL and post.sender_chat is not None and post.sender_chat.id == CHANNEL
        assert post.from_user is None
        with pytest.raises(BadRequest, match=r"(?i)chat not found"):
            await bot.send_message("@no_such_channel", "x")
        server.add_channel(-100301, "Not ours", bot_admin=False)
        with pytest.raises(BadRequest, match=r"(?i)need administrator rights"):
            await bot.send_message(-100301, "x")


async def test_removed_bot_gets_my_chat_member_then_403() -> None:
    async with BotApiServer() as server, make_bot(server) as bot:
        world(server)
        server.remove_bot(GROUP, ADMIN)
        [update] = [u for u in server.updates() if "my_chat_member" in u]
        change = update["my_chat_member"]
        assert change["new_chat_member"]["status"] == "kicked" and change["old_chat_member"]["status"] == "member"
        assert change["from"]["id"] == ADMIN
        with pytest.raises(Forbidden, match=r"(?i)bot was kicked from the supergroup chat"):
            await bot.send_message(GROUP, "still there?")


async def test_shared_chats_take_20_messages_a_minute_private_chats_more() -> None:
    clock = FakeClock()
    async with BotApiServer(clock=clock) as server, make_bot(server) as bot:
        world(server)
        for _ in range(20):
            await bot.send_message(GROUP, "x")
            clock.advance(1.0)
        with pytest.raises(RetryAfter):
            await bot.send_message(GROUP, "the 21st within a minute")
        await bot.send_message(ADMIN, "a private chat is not limited per minute")
        clock.advance(41.0)  # the first of the 20 is now a minute old
        await bot.send_message(GROUP, "fits again")
        assert len(server.sent(GROUP, "sendMessage")) == 21


async def test_reaction_counts_reach_an_admin_bot_that_asked_for_them() -> None:
    async with BotApiServer() as server, make_bot(server) as bot:
        world(server)
        post = await bot.send_message(CHANNEL, "issue")
        server.react(CHANNEL, post.message_id, {"👍": 3})
        assert not [u for u in server.updates() if "message_reaction_count" in u], "not asked for: not sent"
        await bot.get_updates(timeout=0, allowed_updates=["message", "message_reaction_count"])
        server.react(CHANNEL, post.message_id, {"👍": 3, "🔥": 2})
        [update] = await bot.get_updates(timeout=0)
        counts = update.message_reaction_count
        assert counts is not None and counts.chat.id == CHANNEL and counts.message_id == post.message_id
        assert {(r.type.emoji, r.total_count) for r in counts.reactions if isinstance(r.type, ReactionTypeEmoji)} == {
            ("👍", 3),
            ("🔥", 2),
        }


async def test_chosen_inline_result_names_an_offered_result() -> None:
    from telegram import InlineQueryResultArticle, InputTextMessageContent

    async with BotApiServer() as server, make_bot(server) as bot:
        world(server)
        query_id = server.send_inline_query(ADMIN, "trenin")
        article = InlineQueryResultArticle("7-2", "Piece", InputTextMessageContent("text"))
        await bot.answer_inline_query(query_id, [article])
        with pytest.raises(SandboxError):
            server.choose_inline_result(ADMIN, "not-offered")
        server.choose_inline_result(ADMIN, "7-2")
        updates = await bot.get_updates(timeout=0)
        chosen = [u.chosen_inline_result for u in updates if u.chosen_inline_result is not None]
        assert [(c.result_id, c.query, c.from_user.id) for c in chosen] == [("7-2", "trenin", ADMIN)]


def test_group_ids_are_negative() -> None:
    server = BotApiServer()
    with pytest.raises(SandboxError):
        server.add_group(5, "positive")
    with pytest.raises(SandboxError):
        server.add_group(-5, "forum", forum=True)



async def test_groups_and_channels_are_driven_over_the_control_api_too() -> None:
    async with BotApiServer() as server, make_bot(server) as bot, aiohttp.ClientSession() as http:

        async def control(action: str, **args: object) -> object:
            async with http.post(f"{server.url}/control/{action}", json=args) as response:
                body = await response.json()
                assert body["ok"], body
                return body["result"]

        await control("add_user", user_id=ADMIN)
        await control("add_group", chat_id=FORUM, supergroup=True, forum=True)
        await control("set_member", chat_id=FORUM, user_id=ADMIN, status="creator")
        topic = await control("create_topic", chat_id=FORUM, user_id=ADMIN, name="News")
        await control("send_group_message", chat_id=FORUM, user_id=ADMIN, text="/start", thread_id=topic)
        await control("add_channel", chat_id=CHANNEL, username="news_channel")
        assert (await bot.get_chat_member(FORUM, ADMIN)).status == "creator"
        assert (await bot.send_message("@news_channel", "x")).chat.id == CHANNEL
        await control("remove_bot", chat_id=FORUM, by_user=ADMIN)
        assert any("my_chat_member" in update for update in server.updates())
