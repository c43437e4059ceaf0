"""Sending one message for the engine: aiohttp straight to the Bot API, without PTB's object model.

``Bot.send_message`` turns every answer into a ``Message`` (``Message.de_json``) and JSON-encodes every
parameter twice, and PTB's request wrapper (``BaseRequest.post``) adds its own layers per call; at 1,000
messages/s that was most of the engine's CPU (issue #15: ``ApiSender.send`` 36.5%, the wrapper 31%), and
the engine needs only the message id. So each rendered part is encoded once (the same issue goes to
thousands of readers), only the chat id is spliced in per reader, and the bytes are POSTed on one aiohttp
session.

Failures stay exactly what PTB raises, so :mod:`bot.delivery.failures` sorts them unchanged:
:func:`api_error` is PTB's ``_request_wrapper`` mapping (``RetryAfter``, ``ChatMigrated``,
``Forbidden``, ``BadRequest``, ``InvalidToken``, ``Conflict``, ``NetworkError`` for 5xx), and the
transport's own failures become ``TimedOut`` and ``NetworkError`` as in :mod:`bot.delivery.transport`.
``tests/delivery/test_sender.py`` holds the two side by side for every kind of failure.
"""

from __future__ import annotations

import functools
import json
import os
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from bot.delivery.transport import as_telegram_errors
from bot.render.keyboard import keyboard_json
from bot.render.message import RenderedMessage

if TYPE_CHECKING:
    import aiohttp

_JSON = {"Content-Type": "application/json"}


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


def api_error(status: int, payload: bytes) -> TelegramError:
    """The error PTB's ``BaseRequest._request_wrapper`` raises for a non-2xx answer, built the same way."""
    try:
        message = f"{HTTPStatus(status).phrase} ({status})"
    except ValueError:
        message = f"Unknown HTTPError ({status})"
    try:
        data = json.loads(payload.decode("utf-8", "replace"))
        if not isinstance(data, dict):
            raise ValueError("not an object")
    except ValueError:
        message += f". Parsing the server response {payload!r} failed"
    else:
        message = data.get("description") or message
        parameters = data.get("parameters")
        if parameters:
            if migrate_to_chat_id := parameters.get("migrate_to_chat_id"):
                return ChatMigrated(migrate_to_chat_id)
            if retry_after := parameters.get("retry_after"):
                return RetryAfter(retry_after)
            message += f". The server response contained unknown parameters: {parameters}"
    if status == HTTPStatus.FORBIDDEN:
        return Forbidden(message)
    if status in (HTTPStatus.NOT_FOUND, HTTPStatus.UNAUTHORIZED):
        return InvalidToken(message)
    if status == HTTPStatus.BAD_REQUEST:
        return BadRequest(message)
    if status == HTTPStatus.CONFLICT:
        return Conflict(message)
    return NetworkError(message)


def _proxy_configured() -> bool:
    return any(os.environ.get(name) for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"))


class ApiSender:
    """sendMessage for rendered messages over one aiohttp session; returns Telegram's message id.

    Args:
        base_url: ``{api}/bot{token}``.
        connection_limit: connections kept open at most (the engine's concurrency).
        read_timeout, connect_timeout: seconds, as for the bot's own requests.
        paid_broadcast: send with ``allow_paid_broadcast`` (up to 1,000 messages/s, paid in Stars).
    """

    def __init__(
        self,
        base_url: str,
        *,
        connection_limit: int = 64,
        read_timeout: float = 10.0,
        connect_timeout: float = 5.0,
        paid_broadcast: bool = False,
    ) -> None:
        self._url = f"{base_url}/sendMessage"
        self._connection_limit = connection_limit
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._paid = paid_broadcast
        self._session: aiohttp.ClientSession | None = None
        self._timeout: aiohttp.ClientTimeout | None = None

    async def initialize(self) -> None:
        import aiohttp

        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._connection_limit, ttl_dns_cache=300)
            # trust_env would read ~/.netrc on every request: only when a proxy is configured.
            self._session = aiohttp.ClientSession(connector=connector, trust_env=_proxy_configured())
            self._timeout = aiohttp.ClientTimeout(
                total=None, sock_connect=self._connect_timeout, sock_read=self._read_timeout
            )

    async def shutdown(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

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
        return int((await self._post(body))["message_id"])

    async def post(self, chat: int | str, message: RenderedMessage, *, silent: bool = False) -> tuple[int, int]:
        """Post one part to a channel named by id or ``@username``; returns the message id and the channel's id."""
        fields = _encoded_fields(message, False)
        target = json.dumps(chat).encode()
        body = b'{"chat_id":%s,%s%s}' % (target, b'"disable_notification":true,' if silent else b"", fields)
        result = await self._post(body)
        return int(result["message_id"]), int(result["chat"]["id"])

    async def _post(self, body: bytes) -> dict[str, Any]:
        """POST a ready body to sendMessage; Telegram's result object, or the error PTB would raise."""
        if self._session is None:
            await self.initialize()
        assert self._session is not None
        try:
            with as_telegram_errors():
                async with self._session.post(self._url, data=body, headers=_JSON, timeout=self._timeout) as response:
                    status, payload = response.status, await response.read()
        except TelegramError:
            raise
        except Exception as exc:  # as PTB's request wrapper does with whatever else the transport raises
            raise NetworkError(f"Unknown error in HTTP implementation: {exc!r}") from exc
        if not 200 <= status <= 299:
            raise api_error(status, payload)
        try:
            result = json.loads(payload)["result"]
        except (ValueError, KeyError, TypeError) as exc:
            raise TelegramError("Invalid server response") from exc
        if not isinstance(result, dict):
            raise TelegramError("Invalid server response")
        return result
