"""The engine's sender fails exactly as PTB does: same exception class and message for every answer.

The sender POSTs with aiohttp itself (no PTB request wrapper on the hot path), so each failure the local
Bot API server can produce is sent both ways, through the sender and through PTB's ``BaseRequest.post`` on
the bot's own transport, and the two errors compared; :mod:`bot.delivery.failures` then sorts them alike.
"""

from __future__ import annotations

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


async def both(server: BotApiServer, chat_id: int, html: str, setup: Setup) -> tuple[Outcome, Outcome]:
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
            outcomes.append(await outcome(attempt))
    finally:
        await sender.shutdown()
        await ptb.shutdown()
    return outcomes[0], outcomes[1]


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
    "network": (READER, "hello", lambda s: s.inject_faults("network", 1, {"sendMessage"})),
    "timeout": (READER, "hello", lambda s: s.inject_faults("timeout", 1, {"sendMessage"}, delay=2.0)),
}


@pytest.mark.parametrize("case", CASES)
async def test_every_failure_is_the_one_ptb_raises(server: BotApiServer, case: str) -> None:
    chat_id, html, setup = CASES[case]
    ours, ptbs = await both(server, chat_id, html, setup)
    assert ours[0] != "sent"
    assert ours == ptbs


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
