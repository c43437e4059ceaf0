"""Sending one message for the engine: straight through the transport, without PTB's object model.

``Bot.send_message`` turns every answer into a ``Message`` (``Message.de_json``) and JSON-encodes every
parameter twice; at 1,000 messages/s that is most of the engine's CPU, and the engine needs only the
message id. Each rendered part is encoded once (the same issue goes to thousands of readers) and only the
chat id is spliced in per reader. Requests still go through PTB's ``BaseRequest.post``, so Telegram's
error answers become the usual ``RetryAfter``, ``Forbidden``, ``BadRequest``, ``ChatMigrated`` and
``NetworkError`` that :mod:`bot.delivery.failures` sorts.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from telegram.request import BaseRequest, RequestData

from bot.render.keyboard import keyboard_json
from bot.render.message import RenderedMessage


# RequestData is @final in PTB's annotations, yet its json_payload is the one hook for a body encoded elsewhere;
# PreparedJson overrides only that property; the engine tests send through it to the sandbox server.
class PreparedJson(RequestData):  # type: ignore[misc]  # subclassing a @final class, see above
    """Request data whose JSON body is already encoded (``RequestData`` documents overriding this)."""

    def __init__(self, payload: bytes) -> None:
        super().__init__([])
        self._payload = payload

    @property
    def json_payload(self) -> bytes:
        return self._payload


@functools.lru_cache(maxsize=4096)
def _encoded_fields(message: RenderedMessage, paid: bool) -> bytes:
    """Everything but the chat id, as the inside of a JSON object, encoded once per rendered part."""
    params: dict[str, Any] = {
        "text": message.html,
        "parse_mode": "HTML",
        "link_preview_options": {"is_disabled": message.disable_preview},
    }
    if message.keyboard is not None:
        params["reply_markup"] = keyboard_json(message.keyboard)
    if paid:
        params["allow_paid_broadcast"] = True
    return json.dumps(params, ensure_ascii=False).encode()[1:-1]


class ApiSender:
    """sendMessage for rendered messages; returns Telegram's message id."""

    def __init__(self, base_url: str, request: BaseRequest, *, paid_broadcast: bool = False) -> None:
        self._url = f"{base_url}/sendMessage"
        self._request = request
        self._paid = paid_broadcast

    async def initialize(self) -> None:
        await self._request.initialize()

    async def shutdown(self) -> None:
        await self._request.shutdown()

    async def send(
        self, chat_id: int, message: RenderedMessage, *, thread_id: int | None = None, silent: bool = False
    ) -> int:
        """Send one part; ``thread_id`` names a forum topic, ``silent`` sends without a notification sound."""
        extra = b""
        if thread_id is not None:
            extra += b'"message_thread_id":%d,' % thread_id
        if silent:
            extra += b'"disable_notification":true,'
        body = b'{"chat_id":%d,%s%s}' % (chat_id, extra, _encoded_fields(message, self._paid))
        result = await self._request.post(self._url, PreparedJson(body))
        assert isinstance(result, dict)
        return int(result["message_id"])

    async def post(self, chat: int | str, message: RenderedMessage, *, silent: bool = False) -> tuple[int, int]:
        """Post one part to a channel named by id or ``@username``; returns the message id and the channel's id."""
        fields = _encoded_fields(message, False)
        target = json.dumps(chat).encode()
        body = b'{"chat_id":%s,%s%s}' % (target, b'"disable_notification":true,' if silent else b"", fields)
        result = await self._request.post(self._url, PreparedJson(body))
        assert isinstance(result, dict)
        return int(result["message_id"]), int(result["chat"]["id"])
