"""An aiohttp transport for python-telegram-bot.

PTB's default httpx transport tops out near 1,000 requests/s at concurrency 1 and collapses above ~32
concurrent requests (httpcore's connection pool, encode/httpx#3215). Fan-out to tens of thousands of readers
needs many requests in flight, so the bot talks to the Bot API through aiohttp with JSON bodies instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from telegram._utils.defaultvalue import DefaultValue
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

if TYPE_CHECKING:
    import aiohttp

Timeout = float | None | DefaultValue[Any]


def _proxy_configured() -> bool:
    return any(os.environ.get(name) for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"))


class AiohttpRequest(BaseRequest):
    """A :class:`telegram.request.BaseRequest` over one aiohttp session with a bounded connection pool."""

    __slots__ = ("_connect_timeout", "_connection_limit", "_read_timeout", "_session", "_write_timeout")

    def __init__(
        self,
        *,
        connection_limit: int = 64,
        connect_timeout: float = 5.0,
        read_timeout: float = 10.0,
        write_timeout: float = 10.0,
    ) -> None:
        self._connection_limit = connection_limit
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float:
        return self._read_timeout

    async def initialize(self) -> None:
        # aiohttp (0.1 s, 10 MB, most of it its SSL contexts) is loaded when a session opens, not with the app.
        import aiohttp

        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._connection_limit, ttl_dns_cache=300)
            # trust_env makes aiohttp read ~/.netrc on every request (a third of the CPU at 1,000/s): only
            # pay for it when a proxy is actually configured.
            self._session = aiohttp.ClientSession(connector=connector, trust_env=_proxy_configured())

    async def shutdown(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    @staticmethod
    def _seconds(value: Timeout, default: float) -> float | None:
        if isinstance(value, DefaultValue):
            return default
        return value

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Timeout = BaseRequest.DEFAULT_NONE,
        write_timeout: Timeout = BaseRequest.DEFAULT_NONE,
        connect_timeout: Timeout = BaseRequest.DEFAULT_NONE,
        pool_timeout: Timeout = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        import aiohttp

        if self._session is None:
            await self.initialize()
        assert self._session is not None
        read = self._seconds(read_timeout, self._read_timeout)
        timeout = aiohttp.ClientTimeout(
            total=None,
            sock_connect=self._seconds(connect_timeout, self._connect_timeout),
            sock_read=read,
        )
        kwargs: dict[str, Any] = {}
        if request_data is not None:
            if request_data.contains_files:
                form = aiohttp.FormData()
                for name, value in request_data.json_parameters.items():
                    form.add_field(name, value)
                for name, part in request_data.multipart_data.items():
                    filename, content, *mime = part
                    form.add_field(
                        name,
                        content,
                        filename=filename,
                        content_type=mime[0] if mime else "application/octet-stream",
                    )
                kwargs["data"] = form
            else:
                kwargs["data"] = request_data.json_payload
                kwargs["headers"] = {"Content-Type": "application/json"}
        with as_telegram_errors():
            async with self._session.request(method, url, timeout=timeout, **kwargs) as response:
                return response.status, await response.read()


@contextlib.contextmanager
def as_telegram_errors() -> Iterator[None]:
    """aiohttp's failures as PTB's: a timeout is ``TimedOut``, any other client error ``NetworkError``."""
    import aiohttp

    try:
        yield
    except TimeoutError as exc:
        raise TimedOut("Timed out talking to the Bot API") from exc
    except asyncio.CancelledError:
        raise
    except aiohttp.ClientError as exc:
        # The URL carries the token: say what failed without it.
        raise NetworkError(f"aiohttp: {type(exc).__name__}") from exc
