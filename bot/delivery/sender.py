"""Sending one message for the engine: straight through the transport, without PTB's object model.

``Bot.send_message`` turns every answer into a ``Message`` (``Message.de_json``), about a third of the
engine's CPU per message at 1,000 messages/s; the engine needs only the message id. Requests still go
through PTB's ``BaseRequest.post``, so Telegram's error answers become the usual ``RetryAfter``,
``Forbidden``, ``BadRequest``, ``ChatMigrated`` and ``NetworkError`` that :mod:`bot.delivery.failures`
sorts.
"""

from __future__ import annotations

from typing import Any

# PTB keeps RequestParameter in a private module; RequestData (public) is built from it. Pinned to PTB 22.
from telegram.request import BaseRequest, RequestData
from telegram.request._requestparameter import RequestParameter

from bot.render.message import RenderedMessage
from bot.telegram_io import keyboard_json


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

    async def send(self, chat_id: int, message: RenderedMessage) -> int:
        params: dict[str, Any] = {
            "chat_id": chat_id,
            "text": message.html,
            "parse_mode": "HTML",
            "link_preview_options": {"is_disabled": message.disable_preview},
        }
        if message.keyboard is not None:
            params["reply_markup"] = keyboard_json(message.keyboard)
        if self._paid:
            params["allow_paid_broadcast"] = True
        data = RequestData([RequestParameter(name, value, None) for name, value in params.items()])
        result = await self._request.post(self._url, data)
        assert isinstance(result, dict)
        return int(result["message_id"])
