"""The local Bot API server, driven over real HTTP by python-telegram-bot and by raw requests."""

from __future__ import annotations

import asyncio
import datetime as dtm
import html
import json
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Message,
)
from telegram.error import BadRequest, ChatMigrated, Forbidden, InvalidToken, NetworkError, RetryAfter, TimedOut
from telegram.request import HTTPXRequest

from bot.sandbox.errors import SandboxError
from bot.sandbox.htmlcheck import parse_html
from bot.sandbox.limits import FloodLimits
from bot.sandbox.server import BotApiServer

USER = 42
REPO = Path(__file__).resolve().parents[2]


class FakeClock:
    """Monotonic time that only moves when a test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def make_bot(server: BotApiServer, token: str | None = None) -> Bot:
    """A real PTB client for the sandbox; PTB appends the token to base_url and base_file_url."""
    # Plain HTTP on loopback: skipping certificate loading saves ~0.1 s per client.
    return Bot(
        token or server.token,
        base_url=f"{server.url}/bot",
        base_file_url=f"{server.url}/file/bot",
        request=HTTPXRequest(httpx_kwargs={"verify": False}),
        get_updates_request=HTTPXRequest(httpx_kwargs={"verify": False}),
    )


@pytest.fixture
async def server() -> AsyncIterator[BotApiServer]:
    async with BotApiServer(limits=None) as running:
        running.add_user(USER)
        yield running


@pytest.fixture
async def bot(server: BotApiServer) -> AsyncIterator[Bot]:
    async with make_bot(server) as client:
        yield client


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def timedelta_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    # PTB 22 warns when RetryAfter.retry_after is read as int; opt into timedelta.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


async def call(
    http: aiohttp.ClientSession, server: BotApiServer, method: str, **payload: Any
) -> tuple[int, dict[str, Any]]:
    async with http.post(f"{server.url}/bot{server.token}/{method}", json=payload) as response:
        return response.status, await response.json()


def keyboard(*buttons: InlineKeyboardButton) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([list(buttons)])


# -- identity and envelopes --------------------------------------------------------------------


async def test_get_me_through_ptb(bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (123456, "briefing_sandbox_bot", True)


async def test_unknown_method_answers_404_envelope(server: BotApiServer, http: aiohttp.ClientSession) -> None:
    assert await call(http, server, "sendTelepathy") == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found"},
    )


async def test_wrong_token_answers_401(server: BotApiServer, http: aiohttp.ClientSession) -> None:
    async with http.get(f"{server.url}/bot999:WRONG/getMe") as response:
        assert response.status == 401
        assert await response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    with pytest.raises(InvalidToken):
        async with make_bot(server, token="999:WRONG"):
            pass


async def test_missing_parameters_are_worded_like_telegram(server: BotApiServer, http: aiohttp.ClientSession) -> None:
    status, body = await call(http, server, "sendMessage", text="hi")
    assert (status, body["description"]) == (400, "Bad Request: chat_id is empty")
    status, body = await call(http, server, "sendMessage", chat_id=USER)
    assert (status, body) == (
        400,
        {"ok": False, "error_code": 400, "description": "Bad Request: message text is empty"},
    )


async def test_every_request_encoding_is_understood(server: BotApiServer, http: aiohttp.ClientSession) -> None:
    base = f"{server.url}/bot{server.token}/sendMessage"
    markup = json.dumps({"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]})
    form = {"chat_id": str(USER), "text": "<b>form</b>", "parse_mode": "HTML", "reply_markup": markup}
    multipart = aiohttp.FormData({**form, "text": "multipart"})
    multipart.add_field("unused", b"x", filename="x.bin")
    requests = [
        http.post(base, json={"chat_id": USER, "text": "json"}),
        http.post(base, data=form),
        http.post(base, data=multipart),
        http.get(base, params={"chat_id": str(USER), "text": "query"}),
    ]
    for request in requests:
        async with request as response:
            body = await response.json()
            assert body["ok"], body
    assert [record.text for record in server.sent()] == ["json", "form", "multipart", "query"]
    assert server.sent()[1].reply_markup == {"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}
    assert server.sent()[1].entities == ({"type": "bold", "offset": 0, "length": 4},)


# -- sending and HTML --------------------------------------------------------------------------


async def test_send_message_returns_telegram_entities(bot: Bot, server: BotApiServer) -> None:
    source = 'Hi <b>Bold</b> <i>it</i> 😀 <a href="https://example.org">link</a> <code>x</code> /start'
    message = await bot.send_message(USER, source, parse_mode="HTML")

    assert message.text == "Hi Bold it 😀 link x /start"
    assert message.from_user is not None and message.from_user.username == "briefing_sandbox_bot"
    assert [(e.type, e.offset, e.length) for e in message.entities] == [
        ("bold", 3, 4),
        ("italic", 8, 2),
        ("text_link", 14, 4),  # the emoji counts two UTF-16 units
        ("code", 19, 1),
        ("bot_command", 21, 6),
    ]
    assert message.entities[2].url == "https://example.org/"
    record = server.sent(USER)[0]
    assert (record.method, record.html, record.text, record.message_id) == (
        "sendMessage",
        source,
        message.text,
        message.message_id,
    )
    second = await bot.send_message(USER, "again")
    assert second.message_id == message.message_id + 1


async def test_pre_with_language_and_escapes(bot: Bot) -> None:
    message = await bot.send_message(
        USER,
        '<pre><code class="language-python">x = 1 &lt; 2</code></pre>&amp;&quot;&#65;&#x1F600;',
        parse_mode="HTML",
    )
    assert message.text == 'x = 1 < 2&"A😀'
    assert [(e.type, e.offset, e.length, e.language) for e in message.entities] == [("pre", 0, 9, "python")]


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("<foo>x</foo>", 'unsupported start tag "foo" at byte offset 0'),
        ("é<foo>x</foo>", 'unsupported start tag "foo" at byte offset 2'),
        ("<b>bold", 'can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("x</b>", "unexpected end tag at byte offset 1"),
        ("1 < 2", 'unsupported start tag "" at byte offset 2'),
        ("AT&T", "can't find end of the entity starting at byte offset 2"),
        ("&nbsp;", 'unsupported html entity "&nbsp;" at byte offset 0'),
        ('<span class="x">s</span>', 'tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("<b", "unclosed start tag at byte offset 0"),
    ],
)
async def test_invalid_html_is_rejected(bot: Bot, server: BotApiServer, source: str, reason: str) -> None:
    with pytest.raises(BadRequest) as error:
        await bot.send_message(USER, source, parse_mode="HTML")
    assert str(error.value).lower() == f"can't parse entities: {reason}"
    assert server.sent() == []


async def test_supported_tags_are_accepted(bot: Bot) -> None:
    source = (
        "<strong>a</strong><em>b</em><ins>c</ins><strike>d</strike><del>e</del><s>f</s><u>g</u>"
        '<tg-spoiler>h</tg-spoiler><span class="tg-spoiler">i</span><tg-emoji emoji-id="5368324170671202286">'
        "👍</tg-emoji><blockquote expandable>j</blockquote><blockquote>k</blockquote>"
    )
    message = await bot.send_message(USER, source, parse_mode="HTML")
    assert [e.type for e in message.entities] == [
        "bold", "italic", "underline", "strikethrough", "strikethrough", "strikethrough", "underline",
        "spoiler", "spoiler", "custom_emoji", "expandable_blockquote", "blockquote",
    ]  # fmt: skip


async def test_length_counts_utf16_units_after_parsing(bot: Bot) -> None:
    assert (await bot.send_message(USER, "😀" * 2048)).text == "😀" * 2048
    assert (await bot.send_message(USER, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")).text == "a" * 4096
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(USER, "😀" * 2048 + "a")
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(USER, "<b> </b>\n", parse_mode="HTML")
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await bot.send_document(USER, b"data", filename="a.txt", caption="x" * 1025)


@given(st.text())
def test_escaped_text_parses_back_to_itself(text: str) -> None:
    plain, entities = parse_html(html.escape(text))
    assert (plain, entities) == (text, [])


# -- keyboards ---------------------------------------------------------------------------------


async def test_callback_data_limit_is_64_utf8_bytes(bot: Bot) -> None:
    fits = "é" * 32  # 64 bytes
    message = await bot.send_message(USER, "ok", reply_markup=keyboard(InlineKeyboardButton("A", callback_data=fits)))
    assert message.reply_markup is not None
    assert message.reply_markup.inline_keyboard[0][0].callback_data == fits
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(USER, "no", reply_markup=keyboard(InlineKeyboardButton("A", callback_data=fits + "x")))


@pytest.mark.parametrize(
    ("button", "reason"),
    [
        (InlineKeyboardButton("text only"), "Text buttons are unallowed in the inline keyboard"),
        (
            InlineKeyboardButton("both", url="https://example.org", callback_data="x"),
            "Can't parse reply keyboard markup json object",
        ),
        (InlineKeyboardButton("", callback_data="x"), "Text buttons are unallowed in the inline keyboard"),
    ],
)
async def test_malformed_buttons_are_rejected(bot: Bot, button: InlineKeyboardButton, reason: str) -> None:
    with pytest.raises(BadRequest) as error:
        await bot.send_message(USER, "x", reply_markup=keyboard(button))
    assert str(error.value) == reason


# -- flood control -----------------------------------------------------------------------------


@pytest.mark.usefixtures("timedelta_retry_after")
async def test_per_chat_limit_answers_retry_after(http: aiohttp.ClientSession) -> None:
    clock = FakeClock()
    limits = FloodLimits(global_per_second=100, per_chat_per_second=1.0, per_chat_burst=3)
    async with BotApiServer(limits=limits, clock=clock) as server, make_bot(server) as bot:
        server.add_user(USER)
        for number in range(3):
            await bot.send_message(USER, f"burst {number}")
        with pytest.raises(RetryAfter) as error:
            await bot.send_message(USER, "one too many")
        assert error.value.retry_after == dtm.timedelta(seconds=1)
        assert await call(http, server, "sendMessage", chat_id=USER, text="raw") == (
            429,
            {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests: retry after 1",
                "parameters": {"retry_after": 1},
            },
        )
        assert [r.text for r in server.sent()] == ["burst 0", "burst 1", "burst 2"]
        stats = server.stats()
        assert (stats.flood_rejections, stats.flood_rejections_by_chat, stats.errors) == (2, {USER: 2}, {429: 2})

        clock.advance(1.0)
        await bot.send_message(USER, "after waiting")
        assert server.sent()[-1].text == "after waiting"


@pytest.mark.usefixtures("timedelta_retry_after")
async def test_global_limit_is_30_per_second_across_chats() -> None:
    clock = FakeClock()
    async with BotApiServer(clock=clock) as server, make_bot(server) as bot:
        for user_id in range(1, 32):
            server.add_user(user_id)
        for user_id in range(1, 31):
            await bot.send_message(user_id, "news")
        with pytest.raises(RetryAfter):
            await bot.send_message(31, "news")
        assert 31 not in {record.chat_id for record in server.sent()}
        clock.advance(0.04)  # one token refills in 1/30 s
        await bot.send_message(31, "news")


async def test_paced_sending_never_hits_the_limit() -> None:
    clock = FakeClock()
    async with BotApiServer(clock=clock) as server, make_bot(server) as bot:
        server.add_user(USER)
        for number in range(10):
            await bot.send_message(USER, f"item {number}")
            clock.advance(1.0)
        assert len(server.sent(USER)) == 10
        assert server.stats().flood_rejections == 0


async def test_paid_broadcast_gets_the_higher_limit() -> None:
    async with BotApiServer(clock=FakeClock()) as server, make_bot(server) as bot:
        for user_id in range(1, 101):
            server.add_user(user_id)
        for user_id in range(1, 101):
            await bot.send_message(user_id, "paid", allow_paid_broadcast=True)
        assert len(server.sent()) == 100
        assert server.stats().flood_rejections == 0


async def test_limits_can_be_switched_off_and_on(bot: Bot, server: BotApiServer) -> None:
    for _ in range(5):
        await bot.send_message(USER, "unlimited")
    server.set_limits(FloodLimits(per_chat_burst=1))
    await bot.send_message(USER, "first")
    with pytest.raises(RetryAfter):
        await bot.send_message(USER, "second")


# -- chats and users ---------------------------------------------------------------------------


async def test_unknown_chat_is_not_found(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(999, "hello?")


async def test_blocked_and_deactivated_users_answer_forbidden(bot: Bot, server: BotApiServer) -> None:
    server.block_user(USER)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(USER, "hi")
    server.unblock_user(USER)
    await bot.send_message(USER, "hi again")
    server.deactivate_user(USER)
    with pytest.raises(Forbidden, match="user is deactivated"):
        await bot.send_message(USER, "anyone?")


async def test_migrated_group_points_to_the_supergroup(
    bot: Bot, server: BotApiServer, http: aiohttp.ClientSession
) -> None:
    server.add_group(-100, "Newsroom")
    server.migrate_chat(-100, -1001234)
    with pytest.raises(ChatMigrated) as error:
        await bot.send_message(-100, "hello group")
    assert error.value.new_chat_id == -1001234
    status, body = await call(http, server, "sendMessage", chat_id=-100, text="x")
    assert (status, body["parameters"]) == (400, {"migrate_to_chat_id": -1001234})
    assert body["description"] == "Bad Request: group chat was upgraded to a supergroup chat"
    message = await bot.send_message(-1001234, "hello supergroup")
    assert (message.chat.type, message.chat.title) == ("supergroup", "Newsroom")


async def test_get_chat_and_chat_action(bot: Bot, server: BotApiServer) -> None:
    server.add_user(7, "Ada", username="ada")
    chat = await bot.get_chat(7)
    assert (chat.id, chat.first_name, chat.username, chat.type) == (7, "Ada", "ada", "private")
    assert await bot.send_chat_action(7, "typing")
    with pytest.raises(BadRequest, match="Wrong parameter action"):
        await bot.send_chat_action(7, "dancing")


# -- faults ------------------------------------------------------------------------------------


async def test_5xx_fault_is_a_network_error_and_not_delivered(bot: Bot, server: BotApiServer) -> None:
    server.inject_faults("5xx", 2, {"sendMessage"})
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.send_message(USER, "lost")
    server.clear_faults()
    server.inject_faults("5xx", 1, {"sendMessage"}, status=502)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(USER, "lost too")
    await bot.send_message(USER, "works")
    assert [record.text for record in server.sent()] == ["works"]
    assert server.stats().faults == {"5xx": 2}


async def test_delivered_fault_records_the_message_anyway(bot: Bot, server: BotApiServer) -> None:
    server.inject_faults("5xx", 1, delivered=True)
    with pytest.raises(NetworkError):
        await bot.send_message(USER, "arrived anyway")
    [record] = server.sent(USER)
    assert (record.text, record.fault) == ("arrived anyway", "5xx")


async def test_faults_without_methods_spare_get_updates(bot: Bot, server: BotApiServer) -> None:
    server.inject_faults("5xx", 1)
    assert await bot.get_updates(timeout=0) == ()
    with pytest.raises(NetworkError):
        await bot.get_me()


@pytest.mark.usefixtures("timedelta_retry_after")
async def test_injected_429_and_network_faults(bot: Bot, server: BotApiServer) -> None:
    server.inject_faults("429", 1, {"sendMessage"}, retry_after=7)
    with pytest.raises(RetryAfter) as error:
        await bot.send_message(USER, "x")
    assert error.value.retry_after == dtm.timedelta(seconds=7)
    server.inject_faults("network", 1, {"sendMessage"})
    with pytest.raises(NetworkError):
        await bot.send_message(USER, "x")
    assert server.sent() == []
    await bot.send_message(USER, "recovered")


async def test_timeout_fault_delivered_late(bot: Bot, server: BotApiServer) -> None:
    server.inject_faults("timeout", 1, {"sendMessage"}, delay=30, delivered=True)
    with pytest.raises(TimedOut):
        await bot.send_message(USER, "slow", read_timeout=0.1)
    [record] = await server.wait_for(chat_id=USER)
    assert (record.text, record.fault) == ("slow", "timeout")


async def test_timeout_fault_not_delivered_when_the_client_gave_up(bot: Bot, server: BotApiServer) -> None:
    server.inject_faults("timeout", 1, {"sendMessage"}, delay=30)
    with pytest.raises(TimedOut):
        await bot.send_message(USER, "never", read_timeout=0.1)
    await server.stop()  # ends the held request at once
    assert server.sent() == []


async def test_timeout_fault_answers_after_the_delay(server: BotApiServer, http: aiohttp.ClientSession) -> None:
    server.inject_faults("timeout", 1, {"getMe"}, delay=0.05)
    loop = asyncio.get_running_loop()
    started = loop.time()
    status, body = await call(http, server, "getMe")
    assert (status, body["ok"]) == (200, True)
    assert loop.time() - started >= 0.05


# -- updates, buttons, queries -----------------------------------------------------------------


async def test_long_poll_returns_an_injected_message_promptly(bot: Bot, server: BotApiServer) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    sent = server.send_user_message(USER, "/start@briefing_sandbox_bot")
    [update] = await asyncio.wait_for(poll, timeout=3)
    assert update.message is not None
    assert update.message.text == "/start@briefing_sandbox_bot"
    assert update.message.message_id == sent["message_id"]
    assert [(e.type, e.offset, e.length) for e in update.message.entities] == [("bot_command", 0, 27)]

    assert await bot.get_updates(offset=update.update_id + 1, timeout=0) == ()
    assert server.pending_updates() == []
    assert [u["update_id"] for u in server.updates()] == [update.update_id]


async def test_get_updates_limit_and_allowed_updates(bot: Bot, server: BotApiServer) -> None:
    for text in ("one", "two", "three"):
        server.send_user_message(USER, text)
    first = await bot.get_updates(limit=2, timeout=0)
    assert [u.message.text for u in first if u.message] == ["one", "two"]
    rest = await bot.get_updates(offset=first[-1].update_id + 1, timeout=0, allowed_updates=["callback_query"])
    assert [u.message.text for u in rest if u.message] == ["three"]
    server.send_user_message(USER, "filtered out")
    assert len(server.pending_updates()) == 1


async def test_press_button_and_answer_callback(bot: Bot, server: BotApiServer) -> None:
    message = await bot.send_message(
        USER,
        "Subscribe?",
        reply_markup=keyboard(
            InlineKeyboardButton("Yes", callback_data="yes"), InlineKeyboardButton("Site", url="https://example.org")
        ),
    )
    query_id = server.press_button(USER, message.message_id, "yes")
    [update] = await bot.get_updates(timeout=0)
    query = update.callback_query
    assert query is not None
    assert (query.id, query.data, query.from_user.id) == (query_id, "yes", USER)
    assert query.message is not None and query.message.message_id == message.message_id

    assert await bot.answer_callback_query(query_id, text="Saved")
    [answer] = server.callback_answers()
    assert (answer.text, answer.data, answer.message_id) == ("Saved", "yes", message.message_id)
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(query_id)

    assert server.press_button(USER, message.message_id, button_text="Yes")
    with pytest.raises(SandboxError, match="no button"):
        server.press_button(USER, message.message_id, "nope")
    with pytest.raises(SandboxError, match="not a callback button"):
        server.press_button(USER, message.message_id, button_text="Site")
    forged = server.press_button(USER, message.message_id, "admin:drop", forge=True)
    assert server.pending_updates()[-1]["callback_query"]["id"] == forged


async def test_callback_query_expires_after_15_minutes() -> None:
    clock = FakeClock()
    async with BotApiServer(limits=None, clock=clock) as server, make_bot(server) as bot:
        message = await _message_with_button(bot, server)
        query_id = server.press_button(USER, message.message_id, "go")
        clock.advance(15 * 60 + 1)
        with pytest.raises(BadRequest, match="Query is too old"):
            await bot.answer_callback_query(query_id)


async def _message_with_button(bot: Bot, server: BotApiServer) -> Any:
    server.add_user(USER)
    return await bot.send_message(USER, "Go?", reply_markup=keyboard(InlineKeyboardButton("Go", callback_data="go")))


async def test_inline_query_answers_are_validated(bot: Bot, server: BotApiServer) -> None:
    query_id = server.send_inline_query(USER, "news")
    [update] = await bot.get_updates(timeout=0)
    assert update.inline_query is not None and update.inline_query.query == "news"

    def article(result_id: str, text: str) -> InlineQueryResultArticle:
        return InlineQueryResultArticle(result_id, "Title", InputTextMessageContent(text, parse_mode="HTML"))

    with pytest.raises(BadRequest, match="Result_id_duplicate"):
        await bot.answer_inline_query(query_id, [article("1", "a"), article("1", "b")])
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await bot.answer_inline_query(query_id, [article("1", "<b>broken")])
    assert await bot.answer_inline_query(query_id, [article("1", "<b>fine</b>")])
    [answer] = server.inline_answers()
    assert (answer.query, answer.results[0]["id"]) == ("news", "1")


# -- editing and deleting ----------------------------------------------------------------------


async def test_edit_rules(bot: Bot, server: BotApiServer) -> None:
    markup = keyboard(InlineKeyboardButton("Go", callback_data="go"))
    message = await bot.send_message(USER, "<b>Hi</b>", parse_mode="HTML", reply_markup=markup)
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("<b>Hi</b>", USER, message.message_id, parse_mode="HTML", reply_markup=markup)
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(USER, message.message_id, reply_markup=markup)

    # Same text but no markup: Telegram removes the keyboard, so this is a change.
    edited = await bot.edit_message_text("<b>Hi</b>", USER, message.message_id, parse_mode="HTML")
    assert isinstance(edited, Message)
    assert edited.reply_markup is None and edited.edit_date is not None
    await bot.edit_message_text("Bye", USER, message.message_id)
    [current] = server.messages(USER, from_bot=True)
    assert (current["text"], "entities" in current, "reply_markup" in current) == ("Bye", False, False)
    assert [(r.method, r.edited, r.text) for r in server.sent(USER)] == [
        ("sendMessage", False, "Hi"),
        ("editMessageText", True, "Hi"),
        ("editMessageText", True, "Bye"),
    ]

    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", USER, 999)
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(USER, 999)
    assert await bot.delete_message(USER, message.message_id)
    assert server.messages(USER) == []


async def test_reply_to_a_user_message(bot: Bot, server: BotApiServer) -> None:
    question = server.send_user_message(USER, "What's new?")
    answer = await bot.send_message(USER, "Plenty", reply_to_message_id=question["message_id"])
    assert answer.reply_to_message is not None and answer.reply_to_message.text == "What's new?"
    with pytest.raises(BadRequest, match="Message to be replied not found"):
        await bot.send_message(USER, "Plenty", reply_to_message_id=999)


# -- commands, files, misc ---------------------------------------------------------------------


async def test_commands_are_stored_per_scope(bot: Bot, server: BotApiServer) -> None:
    await bot.set_my_commands([BotCommand("start", "Start"), BotCommand("help", "Help")])
    await bot.set_my_commands([BotCommand("admin", "Admin")], scope=BotCommandScopeChat(USER))
    await bot.set_my_commands([BotCommand("start", "Anfang")], language_code="de")

    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    assert [c.command for c in await bot.get_my_commands(scope=BotCommandScopeChat(USER))] == ["admin"]
    assert server.commands({"type": "chat", "chat_id": USER}) == [{"command": "admin", "description": "Admin"}]
    assert server.commands(language_code="de") == [{"command": "start", "description": "Anfang"}]
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Not-Valid", "x")])

    assert await bot.delete_my_commands(scope=BotCommandScopeChat(USER))
    assert server.commands({"type": "chat", "chat_id": USER}) == []
    assert len(server.commands()) == 2


async def test_document_upload_and_download_round_trip(bot: Bot, server: BotApiServer) -> None:
    message = await bot.send_document(
        USER, b"hello briefing", filename="notes.txt", caption="<i>today</i>", parse_mode="HTML"
    )
    assert message.document is not None
    assert (message.document.file_name, message.document.file_size) == ("notes.txt", 14)
    assert message.caption == "today"
    [record] = server.sent(USER)
    assert record.media is not None
    assert (record.media.kind, record.media.file_name, record.media.size) == ("document", "notes.txt", 14)

    file = await bot.get_file(message.document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"hello briefing"
    again = await bot.send_document(USER, message.document.file_id)
    assert again.document is not None and again.document.file_id == message.document.file_id

    photo = await bot.send_photo(USER, b"\x89PNG fake", caption="chart")
    assert photo.photo and photo.caption == "chart"
    edited = await bot.edit_message_caption(USER, photo.message_id, caption="<b>chart</b>", parse_mode="HTML")
    assert isinstance(edited, Message) and edited.caption_entities
    assert (edited.caption, edited.caption_entities[0].type) == ("chart", "bold")
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_caption(USER, photo.message_id, caption="<b>chart</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match="Wrong file identifier"):
        await bot.send_document(USER, "no-such-file-id")


async def test_user_document_can_be_fetched_by_the_bot(bot: Bot, server: BotApiServer) -> None:
    server.send_user_document(USER, "feeds.csv", b"name,url\n", "text/csv", caption="my feeds")
    [update] = await bot.get_updates(timeout=0)
    assert update.message is not None and update.message.document is not None
    assert (update.message.document.file_name, update.message.caption) == ("feeds.csv", "my feeds")
    file = await bot.get_file(update.message.document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"name,url\n"


async def test_webhook_and_session_methods(bot: Bot, server: BotApiServer) -> None:
    assert await bot.delete_webhook(drop_pending_updates=True)
    info = await bot.get_webhook_info()
    assert info.url == ""
    with pytest.raises(BadRequest, match="Bad webhook"):
        await bot.set_webhook("https://example.org/hook")
    assert await bot.set_chat_menu_button()
    assert await bot.set_my_description("Daily news", language_code="en")
    assert (await bot.get_my_description(language_code="en")).description == "Daily news"
    assert (await bot.get_my_name()).name == "Briefing Sandbox"
    assert await bot.close()
    assert await bot.log_out()


async def test_wait_for_times_out_with_a_readable_message(server: BotApiServer) -> None:
    with pytest.raises(TimeoutError, match="waiting for 1 record"):
        await server.wait_for(chat_id=USER, timeout=0.01)


async def test_wait_for_with_a_predicate(bot: Bot, server: BotApiServer) -> None:
    waiter = asyncio.create_task(server.wait_for(lambda records: any(r.text == "two" for r in records)))
    await bot.send_message(USER, "one")
    await bot.send_message(USER, "two")
    assert [r.text for r in await waiter] == ["one", "two"]


async def test_reset_keeps_update_ids_counting(server: BotApiServer) -> None:
    server.send_user_message(USER, "before")
    server.reset()
    assert (server.sent(), server.messages(USER), server.updates()) == ([], [], [])
    server.send_user_message(USER, "after")
    assert server.updates()[0]["update_id"] == 2


async def test_servers_are_independent() -> None:
    async with BotApiServer() as first, BotApiServer() as second:
        first.add_user(USER)
        assert first.url != second.url
        assert second.messages(USER) == [] and second.pending_updates() == []


# -- the control API over HTTP -----------------------------------------------------------------


async def test_control_api_over_http(bot: Bot, server: BotApiServer, http: aiohttp.ClientSession) -> None:
    async def control(action: str, **payload: Any) -> tuple[int, Any]:
        async with http.post(f"{server.url}/control/{action}", json=payload) as response:
            return response.status, await response.json()

    assert (await control("add_user", user_id=5, first_name="Bo"))[1]["result"]["first_name"] == "Bo"
    status, body = await control("send_user_message", user_id=5, text="/start")
    assert status == 200 and body["result"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    [update] = await bot.get_updates(timeout=0)
    assert update.message is not None and update.message.chat_id == 5

    waiting = asyncio.create_task(control("wait_for", chat_id=5, count=1, timeout=3))
    await bot.send_message(5, "hi <b>Bo</b>", parse_mode="HTML")
    status, body = await waiting
    assert status == 200 and body["result"][0]["text"] == "hi Bo"
    async with http.get(f"{server.url}/control/sent", params={"chat_id": "5"}) as response:
        assert [r["html"] for r in (await response.json())["result"]] == ["hi <b>Bo</b>"]

    assert (await control("inject_faults", kind="5xx", count=1, methods=["sendMessage"]))[0] == 200
    with pytest.raises(NetworkError):
        await bot.send_message(5, "x")
    stats = (await control("stats"))[1]["result"]
    assert stats["requests"]["sendMessage"] == 2 and stats["faults"] == {"5xx": 1}

    status, body = await control(
        "send_user_document", user_id=5, filename="a.txt", data_base64="aGk=", mime_type="text/plain"
    )
    assert status == 200 and body["result"]["document"]["file_size"] == 2
    assert (await control("set_limits", limits={"per_chat_burst": 1}))[0] == 200
    assert (await control("press_button", user_id=5, message_id=1))[0] == 400
    assert (await control("no_such_action"))[0] == 404


async def test_separate_process_server_prints_its_url() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.sandbox.server", "--port", "0", "--no-limits", "--token", "1:T",
        cwd=REPO,
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        url = (await asyncio.wait_for(process.stdout.readline(), timeout=10)).decode().strip()
        assert url.startswith("http://127.0.0.1:")
        async with aiohttp.ClientSession() as http, http.get(f"{url}/bot1:T/getMe") as response:
            assert (await response.json())["result"]["id"] == 1
    finally:
        process.terminate()
        await process.wait()
