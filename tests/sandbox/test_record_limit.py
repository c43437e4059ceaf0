"""The sandbox server at benchmark scale: one HTML text parsed once, records capped, every message counted."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot
from telegram.error import BadRequest

from bot.sandbox.server import BotApiServer
from tests.sandbox.test_server import make_bot

READERS = (11, 12, 13)


@pytest.fixture
async def server() -> AsyncIterator[BotApiServer]:
    async with BotApiServer(limits=None, record_limit=2) as running:
        for reader in READERS:
            running.add_user(reader)
        yield running


@pytest.fixture
async def bot(server: BotApiServer) -> AsyncIterator[Bot]:
    async with make_bot(server) as client:
        yield client


async def test_only_the_newest_records_are_kept_but_every_message_is_counted(server: BotApiServer, bot: Bot) -> None:
    for reader in READERS:
        await bot.send_message(reader, "<b>Today</b>", parse_mode="HTML")
    await bot.send_message(12, "<b>Today</b>", parse_mode="HTML")  # a repeat

    assert [record.chat_id for record in server.sent()] == [13, 12]
    delivered = server.delivered("sendMessage")
    assert (delivered["count"], delivered["chats"], delivered["repeated"]) == (4, 3, 1)
    assert delivered["most_in_one_chat"] == {"chat_id": 12, "messages": 2}


async def test_forgotten_messages_are_gone_and_kept_ones_still_editable(server: BotApiServer, bot: Bot) -> None:
    first = await bot.send_message(11, "one")
    second = await bot.send_message(12, "two")
    third = await bot.send_message(13, "three")
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("one, edited", chat_id=11, message_id=first.message_id)
    await bot.edit_message_text("two, edited", chat_id=12, message_id=second.message_id)
    assert [m["text"] for m in server.messages(13)] == [third.text]


async def test_the_same_text_sent_again_is_checked_as_strictly(bot: Bot) -> None:
    # The conversion of an HTML text is remembered: a bad text must be refused every time, not only once.
    for reader in READERS:
        with pytest.raises(BadRequest, match="Can't parse entities: can't find end tag"):
            await bot.send_message(reader, "<b>unclosed", parse_mode="HTML")
    sent = await bot.send_message(11, "<b>bold</b> and <i>italic</i>", parse_mode="HTML")
    again = await bot.send_message(12, "<b>bold</b> and <i>italic</i>", parse_mode="HTML")
    assert sent.entities == again.entities
    assert [e.type for e in again.entities] == ["bold", "italic"]
