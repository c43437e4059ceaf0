"""Sending one message for the engine: straight to the Bot API, without PTB's object model.

``Bot.send_message`` turns every answer into a ``Message`` (``Message.de_json``) and JSON-encodes every
parameter twice, and PTB's request wrapper (``BaseRequest.post``) adds its own layers per call; at 1,000
messages/s that was most of the engine's CPU (issue #15: ``ApiSender.send`` 36.5%, the wrapper 31%), and
the engine needs only the message id. So each rendered part is encoded once (the same issue goes to
thousands of readers), only the chat id is spliced in per reader, and the bytes are POSTed by the lean
keep-alive client of :mod:`bot.delivery.keepalive` (aiohttp's client cost more per request than the
local Bot API server spent answering it); through a proxy, on one aiohttp session. The message id is
read off the start of the answer; anything unexpected is decoded in full.

Failures stay what PTB raises, so :mod:`bot.delivery.failures` sorts them unchanged: :func:`api_error`
is PTB's ``_request_wrapper`` mapping (``RetryAfter``, ``ChatMigrated``, ``Forbidden``, ``BadRequest``,
``InvalidToken``, ``Conflict``, ``NetworkError`` for 5xx), and the transport's own failures become
``TimedOut`` and ``NetworkError``, raised from their cause as in :mod:`bot.delivery.transport`.
``tests/delivery/test_sender.py`` holds the two side by side for every kind of failure.
"""

from __future__ import annotations

import functools
import json
import os
import re
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
    TimedOut,
)

from bot.delivery.keepalive import ConnectFailed, KeepAlivePool
from bot.delivery.transport import as_telegram_errors
from bot.render.keyboard import keyboard_json
from bot.render.message import RenderedMessage

if TYPE_CHECKING:
    import aiohttp
    from multidict import CIMultiDict
    from yarl import URL

_JSON = {"Content-Type": "application/json"}
_SENT = re.compile(rb'\{\s*"ok"\s*:\s*true\s*,\s*"result"\s*:\s*\{\s*"message_id"\s*:\s*(\d+)\s*[,}]')
"""The start of a successful sendMessage answer, up to the message id: Telegram puts it first."""


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
        self._pool: KeepAlivePool | None = None
        self._session: aiohttp.ClientSession | None = None
        self._timeout: aiohttp.ClientTimeout | None = None
        self._headers: CIMultiDict[str] | dict[str, str] = _JSON
        self._target: URL | str = self._url

    async def initialize(self) -> None:
        if not _proxy_configured():
            if self._pool is None:
                self._pool = KeepAlivePool(
                    self._url,
                    limit=self._connection_limit,
                    connect_timeout=self._connect_timeout,
                    read_timeout=self._read_timeout,
                )
            return
        import aiohttp
        from multidict import CIMultiDict
        from yarl import URL

        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._connection_limit, ttl_dns_cache=300)
            # What aiohttp does per request that a Bot API client never needs, left out: cookies (a jar
            # matched against every URL), compressed answers (a few hundred bytes of JSON each), and
            # trust_env (~/.netrc read on every request) unless a proxy is configured.
            self._session = aiohttp.ClientSession(
                connector=connector,
                trust_env=_proxy_configured(),
                cookie_jar=aiohttp.DummyCookieJar(),
                skip_auto_headers=("Accept-Encoding",),
                auto_decompress=False,
            )
            # One timer per request for the whole exchange (a read timeout re-arms a timer for every
            # chunk read); connecting has its own limit.
            self._timeout = aiohttp.ClientTimeout(total=self._read_timeout, sock_connect=self._connect_timeout)
            self._headers = CIMultiDict(_JSON)
            self._target = URL(self._url)

    async def shutdown(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
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
        payload = await self._exchange(body)
        # Only the message id is needed: read it off the start of the answer rather than decoding the
        # whole Message (a tenth of the engine's CPU at 6,000/s); anything else is decoded in full.
        sent = _SENT.match(payload)
        if sent is not None:
            return int(sent[1])
        return int(_result(payload)["message_id"])

    async def post(self, chat: int | str, message: RenderedMessage, *, silent: bool = False) -> tuple[int, int]:
        """Post one part to a channel named by id or ``@username``; returns the message id and the channel's id."""
        fields = _encoded_fields(message, False)
        target = json.dumps(chat).encode()
        body = b'{"chat_id":%s,%s%s}' % (target, b'"disable_notification":true,' if silent else b"", fields)
        result = await self._post(body)
        return int(result["message_id"]), int(result["chat"]["id"])

    async def _post(self, body: bytes) -> dict[str, Any]:
        """POST a ready body to sendMessage; Telegram's result object, or the error PTB would raise."""
        return _result(await self._exchange(body))

    async def _exchange(self, body: bytes) -> bytes:
        """POST a ready body to sendMessage; the answer of a 2xx, or the error PTB would raise."""
        if self._pool is None and self._session is None:
            await self.initialize()
        if self._pool is not None:
            status, payload = await _pooled(self._pool, body)
        else:
            status, payload = await self._through_aiohttp(body)
        if not 200 <= status <= 299:
            raise api_error(status, payload)
        return payload


    async def _through_aiohttp(self, body: bytes) -> tuple[int, bytes]:
        """One POST through aiohttp (with a proxy configured); its failures as PTB's transport raises them."""
        assert self._session is not None
        try:
            with as_telegram_errors():
                async with self._session.post(
                    self._target, data=body, headers=self._headers, timeout=self._timeout
                ) as response:
                    return response.status, await response.read()
        except TelegramError:
            raise
        except Exception as exc:  # as PTB's request wrapper does with whatever else the transport raises
            raise NetworkError(f"Unknown error in HTTP implementation: {exc!r}") from exc


async def _pooled(pool: KeepAlivePool, body: bytes) -> tuple[int, bytes]:
    """One POST through the lean client; its failures as the ones PTB's transport raises for the same event:
    ``TimedOut`` for no answer in time, ``NetworkError`` for a failed connection, each raised *from* the
    cause, so that :func:`bot.delivery.failures.classify` tells "never sent" from "answer lost"."""
    try:
        return await pool.post(body)
    except ConnectFailed as exc:
        if isinstance(exc.__cause__, TimeoutError):
            raise TimedOut("Timed out talking to the Bot API") from exc
        raise NetworkError(str(exc)) from exc
    except TimeoutError as exc:
        raise TimedOut("Timed out talking to the Bot API") from exc
    except OSError as exc:  # ConnectionError and the rest: the answer never came complete
        raise NetworkError(f"the Bot API connection failed: {exc}") from exc


def _result(payload: bytes) -> dict[str, Any]:
    """The result object of a successful answer, or PTB's error for one it cannot read."""
    try:
        result = json.loads(payload)["result"]
    except (ValueError, KeyError, TypeError) as exc:
        raise TelegramError("Invalid server response") from exc
    if not isinstance(result, dict):
        raise TelegramError("Invalid server response")
    return result
