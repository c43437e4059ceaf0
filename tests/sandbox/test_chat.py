"""The terminal chat, talking through the sandbox server to a tiny bot built on python-telegram-bot."""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.request import HTTPXRequest

from bot.sandbox.chat import run_chat
from bot.sandbox.records import MediaInfo
from bot.sandbox.server import BotApiServer
from bot.sandbox.terminal import describe_media, render_text

USER = 1001
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
WELCOME = (
    'Welcome, <b>Reader</b>!\n<blockquote>Top story\nSecond line</blockquote>\n<a href="https://example.org/">Read</a>'
)


async def answer(bot: Bot, update: Update) -> None:
    """The fake bot: a welcome with buttons, a callback answer plus edit, and an echo."""
    if update.callback_query is not None:
        query = update.callback_query
        await bot.answer_callback_query(query.id, text="Subscribed!")
        assert query.message is not None
        await bot.edit_message_text("You are <i>subscribed</i>.", USER, query.message.message_id, parse_mode="HTML")
    elif update.message is not None and update.message.text == "/start":
        buttons = [
            [
                InlineKeyboardButton("Subscribe", callback_data="sub"),
                InlineKeyboardButton("Site", url="https://example.org"),
            ]
        ]
        await bot.send_message(USER, WELCOME, parse_mode="HTML", reply_markup=InlineKeyboardMarkup(buttons))
    elif update.message is not None and update.message.text == "/file":
        await bot.send_document(USER, b"x" * 3000, filename="digest.pdf", caption="Today")
    elif update.message is not None and update.message.text == "/chart":
        await bot.send_photo(USER, PNG, caption="Chart")
    elif update.message is not None and update.message.document is not None:
        await bot.send_message(USER, f"got file {update.message.document.file_name}")
    elif update.message is not None:
        await bot.send_message(USER, f"echo: {update.message.text}")


async def poll_forever(bot: Bot) -> None:
    offset = 0
    while True:
        for update in await bot.get_updates(offset=offset, timeout=10):
            offset = update.update_id + 1
            await answer(bot, update)


@pytest.fixture
async def server() -> AsyncIterator[BotApiServer]:
    async with BotApiServer(limits=None) as running:
        yield running


@pytest.fixture
async def fake_bot(server: BotApiServer) -> AsyncIterator[None]:
    bot = Bot(
        server.token,
        base_url=f"{server.url}/bot",
        request=HTTPXRequest(httpx_kwargs={"verify": False}),
        get_updates_request=HTTPXRequest(httpx_kwargs={"verify": False}),
    )
    async with bot:
        task = asyncio.create_task(poll_forever(bot))
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def chat(server: BotApiServer, script: str, **options: Any) -> str:
    output = io.StringIO()
    await asyncio.wait_for(
        run_chat(server, user_id=USER, input=io.StringIO(script), output=output, color=False, settle=0.05, **options),
        timeout=10,
    )
    return output.getvalue()


@pytest.mark.usefixtures("fake_bot")
async def test_conversation_with_buttons_is_rendered(server: BotApiServer) -> None:
    transcript = await chat(server, "/start\n1\nhello there\n")

    assert any("/quit" in line for line in transcript.splitlines()[:5])  # the banner explains how to leave
    assert (
        "you> /start\n"
        "bot: Welcome, Reader!\n"
        "       │ Top story\n"
        "       │ Second line\n"
        "     Read (https://example.org/)\n"
        "     [1] Subscribe  [2] Site\n"
    ) in transcript
    assert "  » Subscribed!\n" in transcript
    assert "bot (edited): You are subscribed.\n" in transcript
    assert "bot: echo: hello there\n" in transcript
    assert transcript.index("Welcome") < transcript.index("Subscribed!") < transcript.index("echo: hello there")
    assert "<b>" not in transcript and "\x1b[" not in transcript

    [answered] = server.callback_answers()
    assert (answered.data, answered.text) == ("sub", "Subscribed!")
    assert [m.get("text") for m in server.messages(USER, from_bot=False)] == ["/start", "hello there"]


@pytest.mark.usefixtures("fake_bot")
async def test_numbers_and_escapes(server: BotApiServer) -> None:
    transcript = await chat(server, "#1\n/start\n#2\n7\n\\42\n")

    assert "(no message with buttons yet)" in transcript
    assert "(button [2] Site opens https://example.org)" in transcript
    assert "(no button 7: the latest message has 2)" in transcript
    assert "bot: echo: 42\n" in transcript
    assert server.callback_answers() == []


@pytest.mark.usefixtures("fake_bot")
async def test_documents_show_name_and_size(server: BotApiServer) -> None:
    transcript = await chat(server, "/file\n")
    assert "bot: [document: digest.pdf, 3 KB]\n     Today\n" in transcript


async def test_quit_stops_reading(server: BotApiServer) -> None:
    await chat(server, "/quit\nnot sent\n")
    assert server.updates() == []


async def test_pipe_input_ends_at_eof(server: BotApiServer) -> None:
    read_end, write_end = os.pipe()
    with os.fdopen(write_end, "w") as writer:
        writer.write("first\nsecond\n")
    output = io.StringIO()
    with os.fdopen(read_end) as source:
        await asyncio.wait_for(
            run_chat(server, user_id=USER, input=source, output=output, reply_timeout=0.01, settle=0.01), timeout=10
        )
    assert [u["message"]["text"] for u in server.updates()] == ["first", "second"]
    assert output.getvalue().endswith("you> \n")


@pytest.mark.usefixtures("fake_bot")
async def test_bytes_that_are_not_text_arrive_as_replacement_characters(server: BotApiServer) -> None:
    read_end, write_end = os.pipe()
    with os.fdopen(write_end, "wb") as writer:
        writer.write(b"\xff\xfe bad bytes\nsecond\n")
    output = io.StringIO()
    with os.fdopen(read_end, encoding="utf-8", errors="surrogateescape") as source:
        await asyncio.wait_for(run_chat(server, user_id=USER, input=source, output=output, settle=0.05), timeout=10)
    assert [u["message"]["text"] for u in server.updates()] == ["\ufffd\ufffd bad bytes", "second"]
    # The Bot API's answers stay encodable: the bot still gets (and echoes) what came after.
    assert "bot: echo: second\n" in output.getvalue()


def test_rendering_uses_ansi_only_with_color() -> None:
    entities = [
        {"type": "bold", "offset": 0, "length": 4},
        {"type": "text_link", "offset": 5, "length": 4, "url": "https://x.org/"},
    ]
    assert render_text("Bold link 😀", entities, color=False) == "Bold link (https://x.org/) 😀"
    assert render_text("Bold link", entities, color=True) == "\x1b[1mBold\x1b[0m \x1b[4;34mlink\x1b[0m (https://x.org/)"
    assert describe_media(MediaInfo("photo", "id", None, None, 5 * 1024 * 1024)) == "[photo, 5.0 MB]"


@pytest.mark.usefixtures("fake_bot")
async def test_a_number_says_which_message_it_pressed(server: BotApiServer) -> None:
    transcript = await chat(server, "/start\n1\n")
    assert "(pressed [1] Subscribe on the message “Welcome, Reader!" in transcript


@pytest.mark.usefixtures("fake_bot")
async def test_a_pasted_message_of_several_lines(server: BotApiServer) -> None:
    transcript = await chat(server, 'before\n"""\n/publish\nline one\n\nline three\n"""\nafter\n')
    sent = [m.get("text") for m in server.messages(USER, from_bot=False)]
    assert sent == ["before", "/publish\nline one\n\nline three", "after"]
    assert "echo: /publish" in transcript


@pytest.mark.usefixtures("fake_bot")
async def test_file_sends_a_document_and_photos_are_saved(server: BotApiServer, tmp_path) -> None:
    issue = tmp_path / "issue.txt"
    issue.write_text("The Real Russia. Today.")
    transcript = await chat(server, f"/file {issue}\n/file {tmp_path / 'missing.txt'}\n/chart\n", media_dir=tmp_path)
    assert "bot: got file issue.txt" in transcript
    assert "(no such file:" in transcript
    [saved] = [line for line in transcript.splitlines() if "saved to" in line]
    path = saved.split("saved to ", 1)[1].strip().removesuffix(")")
    assert path.endswith(".png")
    assert Path(path).read_bytes() == PNG
