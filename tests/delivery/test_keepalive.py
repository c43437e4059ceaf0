"""The engine's lean HTTP/1.1 client against real servers on loopback: reuse, limits, framing, failures."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
import trustme
from aiohttp import web

from bot.delivery.keepalive import ConnectFailed, KeepAlivePool

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@contextlib.asynccontextmanager
async def serving(handler: Handler, tls: ssl.SSLContext | None = None) -> AsyncIterator[tuple[str, list[int]]]:
    """An aiohttp server answering POST /bot/m with ``handler``; yields its URL and the peer port of each request."""
    peers: list[int] = []

    async def handle(request: web.Request) -> web.StreamResponse:
        assert request.transport is not None
        peers.append(request.transport.get_extra_info("peername")[1])
        return await handler(request)

    app = web.Application()
    app.router.add_post("/bot/m", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0, ssl_context=tls).start()
    try:
        origin = "https://localhost" if tls else "http://127.0.0.1"  # the certificate names localhost
        yield f"{origin}:{runner.addresses[0][1]}/bot/m", peers
    finally:
        await runner.cleanup()


@contextlib.asynccontextmanager
async def raw_server(answer: bytes, *, close: bool = False) -> AsyncIterator[str]:
    """A server that reads one request (head and Content-Length body) and writes ``answer`` as it is."""

    handlers: list[asyncio.Task[None]] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
                await reader.readexactly(length)
                writer.write(answer)
                await writer.drain()
                if close:
                    break
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()

    def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        handlers.append(asyncio.create_task(serve(reader, writer)))

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/bot/m"
    finally:
        server.close()
        await server.wait_closed()
        await asyncio.wait_for(asyncio.gather(*handlers), 2)  # each connection closed before the loop is


async def answered_twice(url: str, expected: tuple[int, bytes]) -> None:
    """Two requests on one pool get ``expected`` each: the first answer left the connection (or the pool)
    in a state to serve the second."""
    pool = KeepAlivePool(url, limit=1, connect_timeout=2, read_timeout=2)
    try:
        assert await pool.post(b"{}") == expected
        assert await pool.post(b"{}") == expected
    finally:
        await pool.close()


async def echo(request: web.Request) -> web.Response:
    return web.Response(body=b"echo:" + await request.read(), content_type="application/json")


async def test_sequential_requests_share_one_connection_and_bodies_arrive_intact() -> None:
    async with serving(echo) as (url, peers):
        pool = KeepAlivePool(url, limit=4, connect_timeout=2, read_timeout=2)
        try:
            for n in range(5):
                assert await pool.post(b'{"n":%d}' % n) == (200, b'echo:{"n":%d}' % n)
        finally:
            await pool.close()
    assert len(peers) == 5 and len(set(peers)) == 1


async def test_https_checks_the_certificate_and_keeps_the_connection() -> None:
    """Telegram is https: the handshake names the host, the certificate is verified, connections are reused."""
    ca = trustme.CA()
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost").configure_cert(server_tls)
    trusting = ssl.create_default_context()
    ca.configure_trust(trusting)
    async with serving(echo, tls=server_tls) as (url, peers):
        assert url.startswith("https://localhost:")
        pool = KeepAlivePool(url, limit=2, connect_timeout=2, read_timeout=2, ssl_context=trusting)
        try:
            for n in range(3):
                assert await pool.post(b'{"n":%d}' % n) == (200, b'echo:{"n":%d}' % n)
        finally:
            await pool.close()
        assert len(peers) == 3 and len(set(peers)) == 1

        # The system's CAs do not know this one: refused before anything is sent.
        strict = KeepAlivePool(url, limit=1, connect_timeout=2, read_timeout=2)
        try:
            with pytest.raises(ConnectFailed, match=r"CERTIFICATE_VERIFY_FAILED|certificate verify failed"):
                await strict.post(b"{}")
        finally:
            await strict.close()
    assert len(peers) == 3


async def test_concurrent_requests_open_at_most_limit_connections() -> None:
    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(0.01)
        return await echo(request)

    async with serving(slow) as (url, peers):
        pool = KeepAlivePool(url, limit=3, connect_timeout=2, read_timeout=5)
        try:
            answers = await asyncio.gather(*(pool.post(b"%d" % n) for n in range(30)))
        finally:
            await pool.close()
    assert sorted(answers) == sorted((200, b"echo:%d" % n) for n in range(30))
    assert len(set(peers)) == 3


async def test_an_error_status_comes_back_with_its_body() -> None:
    async def refuse(request: web.Request) -> web.Response:
        return web.Response(status=403, body=b'{"ok":false}', content_type="application/json")

    async with serving(refuse) as (url, _):
        await answered_twice(url, (403, b'{"ok":false}'))


async def test_a_chunked_answer_is_read_whole() -> None:
    answer = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"ok\r\n6\r\n\":true\r\n1\r\n}\r\n0\r\n\r\n"
    async with raw_server(answer) as url:
        await answered_twice(url, (200, b'{"ok":true}'))


async def test_an_answer_closing_the_connection_is_read_and_the_next_request_reconnects() -> None:
    answer = b'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}'
    async with raw_server(answer, close=True) as url:
        await answered_twice(url, (200, b"{}"))


async def test_a_connection_dropped_before_the_answer_is_a_connection_error() -> None:
    async with raw_server(b"HTTP/1.1 200 OK\r\nContent-Len", close=True) as url:
        pool = KeepAlivePool(url, limit=1, connect_timeout=2, read_timeout=2)
        try:
            with pytest.raises(ConnectionError):
                await pool.post(b"{}")
        finally:
            await pool.close()


async def test_no_answer_in_time_is_a_timeout_and_the_connection_is_not_reused() -> None:
    calls = 0

    async def late_once(request: web.Request) -> web.Response:
        nonlocal calls
        calls += 1
        body = await request.read()
        if calls == 1:
            await asyncio.sleep(1.0)
        return web.Response(body=b"echo:" + body, content_type="application/json")

    async with serving(late_once) as (url, peers):
        pool = KeepAlivePool(url, limit=1, connect_timeout=2, read_timeout=0.2)
        try:
            with pytest.raises(TimeoutError):
                await pool.post(b"late")
            assert await pool.post(b"next") == (200, b"echo:next")  # not the late answer to the first
        finally:
            await pool.close()
    assert len(set(peers)) == 2


async def test_nobody_listening_is_a_connect_failure() -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    pool = KeepAlivePool(f"http://127.0.0.1:{port}/bot/m", limit=2, connect_timeout=1, read_timeout=1)
    for _ in range(3):  # and the failed attempts do not use up the pool's places
        with pytest.raises(ConnectFailed):
            await pool.post(b"{}")
    await pool.close()


async def test_a_request_cancelled_while_waiting_for_a_connection_gives_its_turn_away() -> None:
    gate = asyncio.Event()

    async def held(request: web.Request) -> web.Response:
        body = await request.read()
        await gate.wait()
        return web.Response(body=b"echo:" + body, content_type="application/json")

    async with serving(held) as (url, _):
        pool = KeepAlivePool(url, limit=1, connect_timeout=2, read_timeout=5)
        try:
            first = asyncio.create_task(pool.post(b"1"))
            await asyncio.sleep(0.05)
            waiting = asyncio.create_task(pool.post(b"2"))
            third = asyncio.create_task(pool.post(b"3"))
            await asyncio.sleep(0.01)
            waiting.cancel()
            gate.set()
            assert await first == (200, b"echo:1")
            assert await asyncio.wait_for(third, 2) == (200, b"echo:3")
        finally:
            await pool.close()
