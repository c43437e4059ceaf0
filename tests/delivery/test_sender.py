"""The engine's sender fails exactly as PTB does: same exception class and message for every answer.

The sender POSTs with aiohttp itself (no PTB request wrapper on the hot path), so each failure the local
Bot API server can produce is sent both ways, through the sender and through PTB's ``BaseRequest.post`` on
the bot's own transport, and the two errors compared; :mod:`bot.delivery.failures` then sorts them alike.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from telegram.error import TelegramError
from telegram.request import RequestData

from bot.delivery.failures import Action, classify
from bot.delivery.sender import ApiSender, api_error
from bot.delivery.transport import AiohttpRequest
from bot.render.message import message
from bot.sandbox.server import BotApiServer

READER = 42
Setup = Callable[[BotApiServer], None]
Outcome = tuple[Any, ...]
"""("sent", message id) or (error class, message, retry_after, new_chat_id)."""


class JsonBody(RequestData):  # type: ignore[misc]  # @final in PTB's annotations; json_payload is its one hook
    """A ready JSON body for PTB's request wrapper (``RequestData`` documents overriding this)."""

    def __init__(self, payload: bytes) -> None:
        super().__init__([])
        self._payload = payload

    @property
    def json_payload(self) -> bytes:
        return self._payload


@pytest.fixture
async def server() -> AsyncIterator[BotApiServer]:
    async with BotApiServer(limits=None) as running:
        running.add_user(READER)
        yield running


async def both(
    server: BotApiServer,
    chat_id: int,
    html: str,
    setup: Setup,
    observe: Callable[[Callable[[], Awaitable[object]]], Awaitable[Outcome]] | None = None,
) -> tuple[Outcome, Outcome]:
    """What the sender and PTB's wrapper raise (or return) for the same message, each after ``setup``."""
    base = f"{server.url}/bot{server.token}"
    outcomes: list[Outcome] = []
    sender = ApiSender(base, read_timeout=0.3)
    ptb = AiohttpRequest(read_timeout=0.3)

    async def through_sender() -> object:
        return await sender.send(chat_id, message(html))

    async def through_ptb() -> object:
        body = {"chat_id": chat_id, "text": html, "parse_mode": "HTML"}
        result = await ptb.post(f"{base}/sendMessage", JsonBody(json.dumps(body).encode()))
        assert isinstance(result, dict)
        return int(result["message_id"])

    await sender.initialize()
    await ptb.initialize()
    try:
        for attempt in (through_sender, through_ptb):
            setup(server)
            outcomes.append(await (observe or outcome)(attempt))
    finally:
        await sender.shutdown()
        await ptb.shutdown()
    return outcomes[0], outcomes[1]


async def both_errors(server: BotApiServer, chat_id: int, html: str, setup: Setup) -> list[BaseException]:
    """The exceptions the sender and PTB's wrapper raise for the same message, each after ``setup``."""
    caught: list[BaseException] = []

    async def keep(attempt: Callable[[], Awaitable[object]]) -> Outcome:
        try:
            return ("sent", await attempt())
        except TelegramError as exc:
            caught.append(exc)
            return (type(exc),)

    await both(server, chat_id, html, setup, keep)
    return caught


async def outcome(attempt: Callable[[], Awaitable[object]]) -> Outcome:
    try:
        return ("sent", await attempt())
    except TelegramError as exc:
        return (type(exc), str(exc), getattr(exc, "retry_after", None), getattr(exc, "new_chat_id", None))


def nothing(_: BotApiServer) -> None:
    return None


CASES: dict[str, tuple[int, str, Setup]] = {
    "bad html": (READER, "<b>unclosed", nothing),
    "unknown chat": (777, "hello", nothing),
    "blocked": (READER, "hello", lambda s: s.block_user(READER)),
    "429": (READER, "hello", lambda s: s.inject_faults("429", 1, {"sendMessage"}, retry_after=3)),
    "500": (READER, "hello", lambda s: s.inject_faults("5xx", 1, {"sendMessage"})),
    "502": (READER, "hello", lambda s: s.inject_faults("5xx", 1, {"sendMessage"}, status=502)),
}
TRANSPORT_CASES: dict[str, tuple[int, str, Setup]] = {
    "network": (READER, "hello", lambda s: s.inject_faults("network", 1, {"sendMessage"})),
    "timeout": (READER, "hello", lambda s: s.inject_faults("timeout", 1, {"sendMessage"}, delay=2.0)),
}


@pytest.mark.parametrize("case", CASES)
async def test_every_failure_is_the_one_ptb_raises(server: BotApiServer, case: str) -> None:
    chat_id, html, setup = CASES[case]
    ours, ptbs = await both(server, chat_id, html, setup)
    assert ours[0] != "sent"
    assert ours == ptbs


@pytest.mark.parametrize("case", TRANSPORT_CASES)
async def test_a_lost_answer_is_the_error_ptb_raises_and_sorts_alike(server: BotApiServer, case: str) -> None:
    """The sender's own HTTP client words a dropped connection in its own terms, not aiohttp's: the class
    and what the engine makes of it (back off, outcome unknown) are PTB's."""
    chat_id, html, setup = TRANSPORT_CASES[case]
    errors = []
    for attempt in await both_errors(server, chat_id, html, setup):
        assert isinstance(attempt, TelegramError)
        failure = classify(attempt)
        errors.append((type(attempt), failure.action, failure.outcome_unknown, failure.unreachable))
    assert errors[0] == errors[1]
    assert errors[0][1:] == (Action.BACKOFF, True, False)


async def test_a_migrated_group_answers_chat_migrated_with_the_new_id(server: BotApiServer) -> None:
    server.add_group(-100, "Old group")
    server.migrate_chat(-100, -1001234)
    ours, ptbs = await both(server, -100, "hello", nothing)
    assert ours == ptbs
    assert ours[3] == -1001234


async def test_a_send_returns_the_message_id_the_server_gave(server: BotApiServer) -> None:
    sender = ApiSender(f"{server.url}/bot{server.token}", paid_broadcast=True)
    await sender.initialize()
    try:
        first = await sender.send(READER, message("<b>one</b>"))
        second = await sender.send(READER, message("two"))
    finally:
        await sender.shutdown()
    records = server.sent(chat_id=READER, method="sendMessage")
    assert [r.message_id for r in records] == [first, second]
    assert second == first + 1


@pytest.mark.parametrize(
    ("status", "payload", "action"),
    [
        (403, b'{"ok":false,"description":"Forbidden: bot was blocked by the user"}', Action.DEACTIVATE),
        (400, b'{"ok":false,"description":"Bad Request: chat not found"}', Action.DEACTIVATE),
        (400, b'{"ok":false,"description":"Bad Request: can\'t parse entities"}', Action.SKIP),
        (429, b'{"ok":false,"description":"Too Many Requests","parameters":{"retry_after":7}}', Action.RETRY_AFTER),
        (503, b"<html>Service Unavailable</html>", Action.BACKOFF),
        (401, b'{"ok":false,"description":"Unauthorized"}', Action.HALT),
    ],
)
def test_answers_sort_as_before(status: int, payload: bytes, action: Action) -> None:
    assert classify(api_error(status, payload)).action is action


@contextlib.asynccontextmanager
async def answering(answer: bytes) -> AsyncIterator[ApiSender]:
    """A sender to a server answering every sendMessage with ``answer`` (status 200)."""
    from aiohttp import web

    async def send_message(request: web.Request) -> web.Response:
        return web.Response(body=answer, content_type="application/json")

    app = web.Application()
    app.router.add_post("/botTOKEN/sendMessage", send_message)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    sender = ApiSender(f"http://127.0.0.1:{runner.addresses[0][1]}/botTOKEN")
    try:
        yield sender
    finally:
        await sender.shutdown()
        await runner.cleanup()


@pytest.mark.parametrize(
    "answer",
    [
        b'{"ok":true,"result":{"message_id":7,"chat":{"id":42}}}',  # Telegram's compact JSON
        b'{"ok": true, "result": {"message_id": 7, "chat": {"id": 42}}}',
        b'{"ok":true,"result":{"chat":{"id":42},"message_id":7}}',  # another order: decoded in full
        b'{"result":{"message_id":7},"ok":true}',
    ],
)
async def test_the_message_id_is_read_from_any_successful_answer(answer: bytes) -> None:
    async with answering(answer) as sender:
        assert await sender.send(READER, message("hello")) == 7


async def test_an_answer_without_a_result_is_an_invalid_response() -> None:
    async with answering(b'{"ok":true}') as sender:
        with pytest.raises(TelegramError, match="Invalid server response"):
            await sender.send(READER, message("hello"))
