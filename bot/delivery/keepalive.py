"""A lean HTTP/1.1 client for the engine's one request: a JSON POST to the Bot API over kept-alive connections.

aiohttp's client does per request what a sendMessage never needs: cookies, redirects, auth, tracing,
multipart, a request and a response object with their header multidicts, a timer re-armed per chunk.
At 6,000 messages a second that was three fifths of the engine's CPU, more than the local Bot API server
spent answering, so the engine ran at 0.66x a bare aiohttp loop (issue #15). This client writes the
request bytes (a prepared head, the length, the body), reads a Content-Length or chunked answer and
keeps the connection for the next request, ``limit`` connections at most.

It is for :class:`bot.delivery.sender.ApiSender` without a proxy (through a proxy the sender keeps
aiohttp). Failures are Python's own: :class:`ConnectFailed` (nothing was sent), ``TimeoutError`` (no
answer in time; the connection is dropped), ``ConnectionError`` (the connection closed before the answer
was complete) and :class:`ProtocolError` (an answer that is not HTTP/1.x); the sender turns them into
PTB's errors.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    import ssl

MAX_HEAD = 64 * 1024
"""An answer whose status line and headers are longer than this is not from a Bot API."""


class ConnectFailed(OSError):
    """The connection could not be opened (refused, unresolvable, timed out): the request never left."""


class ProtocolError(ConnectionError):
    """The answer was not HTTP/1.x as expected."""


class _Connection(asyncio.Protocol):
    """One kept-alive connection; one request at a time."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self.transport: asyncio.Transport | None = None
        self._buffer = bytearray()
        self._answer: asyncio.Future[tuple[int, bytes]] | None = None
        self.closed = False
        self.reusable = True

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        if self._answer is None:
            self.reusable = False  # bytes nobody asked for: this connection is out of step
            return
        try:
            parsed = _parse(self._buffer, closed=False)
        except ProtocolError as exc:
            self._fail(exc)
            return
        if parsed is not None:
            self._complete(*parsed)

    def eof_received(self) -> bool:
        self.reusable = False
        return False  # close the transport: connection_lost follows

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.reusable = False
        if self._answer is None or self._answer.done():
            return
        try:
            parsed = _parse(self._buffer, closed=True)  # an answer that ends with the connection
        except ProtocolError as error:
            self._fail(error)
            return
        if parsed is not None:
            self._complete(*parsed)
        else:
            lost = ConnectionResetError("the server closed the connection before answering")
            lost.__cause__ = exc
            self._fail(lost)

    def request(self, data: bytes) -> asyncio.Future[tuple[int, bytes]]:
        """Write one request; the future is the answer's status and body."""
        assert self.transport is not None
        self._answer = answer = self._loop.create_future()
        self.transport.write(data)
        return answer

    def time_out(self) -> None:
        """No answer in time: fail the request and drop the connection (a late answer must not be read
        as the next request's)."""
        self._fail(TimeoutError("no answer from the Bot API in time"))
        self.close()

    def close(self) -> None:
        self.reusable = False
        if self.transport is not None and not self.closed:
            self.transport.close()

    def _complete(self, status: int, body: bytes, keep: bool, used: int) -> None:
        del self._buffer[:used]
        if self._buffer or not keep:
            self.reusable = False
        answer, self._answer = self._answer, None
        if answer is not None and not answer.done():
            answer.set_result((status, body))

    def _fail(self, exc: BaseException) -> None:
        self.reusable = False
        answer, self._answer = self._answer, None
        if answer is not None and not answer.done():
            answer.set_exception(exc)


def _parse(buffer: bytearray, *, closed: bool) -> tuple[int, bytes, bool, int] | None:
    """(status, body, keep the connection, bytes used) once a whole answer is in ``buffer``; None before.

    ``closed``: the server has closed the connection, which ends an answer without a length.
    """
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        if len(buffer) > MAX_HEAD:
            raise ProtocolError("the answer's headers are too long")
        if closed and buffer:
            raise ProtocolError("the answer ended inside its headers")
        return None
    lines = bytes(buffer[:end]).decode("latin-1").split("\r\n")
    version, _, rest = lines[0].partition(" ")
    code = rest[:3]
    if not version.startswith("HTTP/1.") or not code.isdigit():
        raise ProtocolError(f"not an HTTP/1.x answer: {lines[0][:60]!r}")
    status = int(code)
    length: int | None = None
    chunked = False
    keep = version == "HTTP/1.1"
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            value = value.strip()
            if not value.isdigit():
                raise ProtocolError(f"bad Content-Length: {value[:20]!r}")
            length = int(value)
        elif name == "transfer-encoding":
            chunked = "chunked" in value.lower()
        elif name == "connection":
            token = value.strip().lower()
            keep = token == "keep-alive" if not keep else token != "close"
    start = end + 4
    if status in (204, 304) or 100 <= status < 200:
        return status, b"", keep, start
    if chunked:
        return _chunked(buffer, status, start, keep, closed=closed)
    if length is not None:
        if len(buffer) - start < length:
            if closed:
                raise ProtocolError("the answer ended before its Content-Length")
            return None
        return status, bytes(buffer[start : start + length]), keep, start + length
    if not closed:
        return None  # the body runs until the server closes the connection
    return status, bytes(buffer[start:]), False, len(buffer)


def _chunked(
    buffer: bytearray, status: int, start: int, keep: bool, *, closed: bool
) -> tuple[int, bytes, bool, int] | None:
    body = bytearray()
    at = start
    while (line_end := buffer.find(b"\r\n", at)) >= 0:
        size_text = bytes(buffer[at:line_end]).split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise ProtocolError(f"bad chunk size: {size_text[:20]!r}") from None
        if size == 0:
            trailers_end = buffer.find(b"\r\n\r\n", line_end)  # "0\r\n", trailers if any, an empty line
            if trailers_end < 0:
                break
            return status, bytes(body), keep, trailers_end + 4
        chunk_start = line_end + 2
        if len(buffer) < chunk_start + size + 2:
            break
        body += buffer[chunk_start : chunk_start + size]
        at = chunk_start + size + 2
    if closed:
        raise ProtocolError("the answer ended inside a chunk")
    return None


class KeepAlivePool:
    """POSTs JSON bodies to one URL over at most ``limit`` kept-alive connections.

    Args:
        url: ``http://`` or ``https://`` host, port and path of the method (the token is in the path).
        limit: connections open at most; more requests wait for a free one.
        connect_timeout: seconds to open a connection (and finish TLS).
        read_timeout: seconds from writing a request to the whole answer.
        ssl_context: for ``https://``: how to check the server (default: the system's trusted CAs and the
            host name, as for api.telegram.org).
    """

    def __init__(
        self,
        url: str,
        *,
        limit: int,
        connect_timeout: float,
        read_timeout: float,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {parts.scheme}://{parts.hostname}")
        self._host = parts.hostname
        self._tls = parts.scheme == "https"
        self._port = parts.port or (443 if self._tls else 80)
        default_port = self._port == (443 if self._tls else 80)
        host = f"[{self._host}]" if ":" in self._host else self._host
        netloc = host if default_port else f"{host}:{self._port}"
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self._head = (
            f"POST {path} HTTP/1.1\r\nHost: {netloc}\r\nUser-Agent: briefing-bot\r\n"
            "Content-Type: application/json\r\nContent-Length: "
        ).encode("latin-1")
        self._limit = limit
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self._ssl = ssl_context
        self._idle: list[_Connection] = []
        self._opened = 0
        self._waiting: deque[asyncio.Future[_Connection | None]] = deque()
        self._closed = False

    async def post(self, body: bytes) -> tuple[int, bytes]:
        """The status and body of the answer to one POST of ``body``."""
        connection = await self._acquire()
        keep = False
        try:
            loop = asyncio.get_running_loop()
            answer = connection.request(b"%s%d\r\n\r\n%s" % (self._head, len(body), body))
            timer = loop.call_later(self._read_timeout, connection.time_out)
            try:
                status, payload = await answer
            finally:
                timer.cancel()
            keep = connection.reusable and not connection.closed
            return status, payload
        finally:
            self._release(connection, keep)

    async def close(self) -> None:
        """Close every connection; requests in flight fail as their connections close."""
        self._closed = True
        idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_exception(ConnectionResetError("the client was closed"))

    async def _acquire(self) -> _Connection:
        if self._closed:
            raise ConnectionResetError("the client was closed")
        while self._idle:
            connection = self._idle.pop()
            if not connection.closed and connection.reusable:
                return connection
            self._opened -= 1
        if self._opened >= self._limit:
            waiter: asyncio.Future[_Connection | None] = asyncio.get_running_loop().create_future()
            self._waiting.append(waiter)
            try:
                handed = await waiter
            except asyncio.CancelledError:
                if waiter.done() and not waiter.cancelled():
                    # Handed a connection (or a free place) just as this request was cancelled: pass it on.
                    given = waiter.result()
                    if given is not None:
                        self._release(given, not given.closed and given.reusable)
                    else:
                        self._opened -= 1
                        self._wake_next(None)
                raise
            if handed is not None:
                return handed
        else:
            self._opened += 1
        try:
            return await self._connect()
        except BaseException:
            self._opened -= 1
            self._wake_next(None)
            raise

    async def _connect(self) -> _Connection:
        loop = asyncio.get_running_loop()
        if self._tls and self._ssl is None:
            import ssl  # with the first https connection, not with the app (start-up time, issue #15)

            self._ssl = ssl.create_default_context()
        try:
            async with asyncio.timeout(self._connect_timeout):
                _, connection = await loop.create_connection(
                    lambda: _Connection(loop),
                    self._host,
                    self._port,
                    ssl=self._ssl if self._tls else None,
                    server_hostname=self._host if self._tls else None,
                )
        except TimeoutError as exc:
            raise ConnectFailed(f"connecting to {self._host}:{self._port} timed out") from exc
        except OSError as exc:
            raise ConnectFailed(f"cannot connect to {self._host}:{self._port}: {exc.strerror or exc}") from exc
        return connection

    def _release(self, connection: _Connection, keep: bool) -> None:
        if not keep or self._closed:
            connection.close()
            self._opened -= 1
            self._wake_next(None)
            return
        if not self._wake_next(connection):
            self._idle.append(connection)

    def _wake_next(self, given: _Connection | None) -> bool:
        """Hand ``given`` (or, with None, the place of a closed connection) to the next waiting request."""
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                if given is None:
                    self._opened += 1  # the waiter opens a connection in the freed place
                waiter.set_result(given)
                return True
        return False
