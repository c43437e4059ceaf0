"""The fetcher against a real HTTP server on loopback: decoding, limits, conditional GET and error messages."""

from __future__ import annotations

import asyncio
import codecs
import socket
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import BaseTestServer, TestServer

from bot.sources.file import SourceError
from bot.sources.http import DEFAULT_USER_AGENT, Fetcher, decode_body

ETAG = '"issue-v1"'
LAST_MODIFIED = "Thu, 11 Jul 2024 19:30:00 GMT"


class Site:
    """A small web server whose pages misbehave in the ways real ones do."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.hits = 0
        self.server: BaseTestServer | None = None

    def url(self, path: str) -> str:
        assert self.server is not None
        return str(self.server.make_url(path))

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/text", self.text)
        app.router.add_get("/latin1", self.latin1)
        app.router.add_get("/meta-charset", self.meta_charset)
        app.router.add_get("/cp1252", self.cp1252)
        app.router.add_get("/missing", self.missing)
        app.router.add_get("/broken", self.broken)
        app.router.add_get("/slow", self.slow)
        app.router.add_get("/big", self.big)
        app.router.add_get("/endless", self.endless)
        app.router.add_get("/pdf", self.pdf)
        app.router.add_get("/conditional", self.conditional)
        app.router.add_get("/redirect", self.redirect)
        return app

    async def text(self, request: web.Request) -> web.Response:
        return web.Response(text=f"hello from {request.headers['User-Agent']}", content_type="text/plain")

    async def latin1(self, request: web.Request) -> web.Response:
        return web.Response(body="Café Müller".encode("latin-1"), content_type="text/plain", charset="iso-8859-1")

    async def meta_charset(self, request: web.Request) -> web.Response:
        page = '<html><head><meta charset="windows-1251"></head><body><p>Медуза</p></body></html>'
        return web.Response(body=page.encode("cp1251"), headers={"Content-Type": "text/html"})

    async def cp1252(self, request: web.Request) -> web.Response:
        return web.Response(body="It’s a café".encode("cp1252"), headers={"Content-Type": "text/plain"})

    async def missing(self, request: web.Request) -> web.Response:
        raise web.HTTPNotFound()

    async def broken(self, request: web.Request) -> web.Response:
        raise web.HTTPServiceUnavailable()

    async def slow(self, request: web.Request) -> web.Response:
        await self.release.wait()
        return web.Response(text="too late")

    async def big(self, request: web.Request) -> web.Response:
        return web.Response(text="x" * 2_000, content_type="text/plain")

    async def endless(self, request: web.Request) -> web.StreamResponse:
        # Chunked, so no Content-Length gives the size away: the cap must count the bytes as they come.
        response = web.StreamResponse(headers={"Content-Type": "text/plain"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        for _ in range(20):
            await response.write(b"y" * 500)
        await response.write_eof()
        return response

    async def pdf(self, request: web.Request) -> web.Response:
        return web.Response(body=b"%PDF-1.7\n", content_type="application/pdf")

    async def conditional(self, request: web.Request) -> web.Response:
        self.hits += 1
        validators = {"ETag": ETAG, "Last-Modified": LAST_MODIFIED}
        if request.headers.get("If-None-Match") == ETAG or request.headers.get("If-Modified-Since") == LAST_MODIFIED:
            return web.Response(status=304, headers=validators)
        return web.Response(text="issue", content_type="text/plain", headers=validators)

    async def redirect(self, request: web.Request) -> web.Response:
        raise web.HTTPFound("/text")


@pytest.fixture
async def site() -> AsyncIterator[Site]:
    site = Site()
    async with TestServer(site.app(), host="127.0.0.1") as server:
        site.server = server
        yield site
        site.release.set()


@pytest.fixture
async def fetcher() -> AsyncIterator[Fetcher]:
    async with Fetcher(timeout=5, max_bytes=1_000) as fetcher:
        yield fetcher


async def test_get_returns_text_and_metadata(site: Site, fetcher: Fetcher) -> None:
    result = await fetcher.get(site.url("/text"))
    assert result.status == 200
    assert result.text == f"hello from {DEFAULT_USER_AGENT}"
    assert result.content_type == "text/plain"
    assert not result.not_modified


async def test_redirects_are_followed_and_the_final_url_reported(site: Site, fetcher: Fetcher) -> None:
    result = await fetcher.get(site.url("/redirect"))
    assert result.text is not None and result.text.startswith("hello")
    assert result.url == site.url("/text")


@pytest.mark.parametrize(
    ("path", "expected"),
    [("/latin1", "Café Müller"), ("/meta-charset", "Медуза"), ("/cp1252", "It’s a café")],
    ids=["header-charset", "meta-charset", "undeclared-falls-back"],
)
async def test_decodes_by_declared_charset_else_utf8_with_fallback(
    site: Site, fetcher: Fetcher, path: str, expected: str
) -> None:
    result = await fetcher.get(site.url(path))
    assert result.text is not None and expected in result.text


@pytest.mark.parametrize(
    ("data", "charset", "expected"),
    [
        ("naïve".encode(), "x-no-such-charset", "naïve"),
        (codecs.BOM_UTF8 + "naïve".encode(), "utf-8", "naïve"),
        ("naïve".encode("utf-16"), None, "naïve"),
        ("naïve".encode("utf-16-le"), "utf-16le", "naïve"),
        (b'<meta charset="utf-16"><p>na\xc3\xafve</p>', None, '<meta charset="utf-16"><p>naïve</p>'),
    ],
    ids=["unknown-label", "bom", "utf16-bom", "utf16-header", "copied-utf16-label"],
)
def test_decoding_edge_cases(data: bytes, charset: str | None, expected: str) -> None:
    assert decode_body(data, charset, "u") == expected


def test_binary_bodies_are_refused() -> None:
    with pytest.raises(SourceError, match="u: this looks like binary data"):
        decode_body(b"\x89PNG\r\n\x1a\n\x00\x00", None, "u")


async def test_conditional_get_sends_validators_and_reports_not_modified(site: Site, fetcher: Fetcher) -> None:
    first = await fetcher.get(site.url("/conditional"))
    assert (first.etag, first.last_modified, first.text) == (ETAG, LAST_MODIFIED, "issue")

    by_etag = await fetcher.get(site.url("/conditional"), etag=first.etag)
    by_date = await fetcher.get(site.url("/conditional"), last_modified=first.last_modified)

    for again in (by_etag, by_date):
        assert again.not_modified and again.status == 304 and again.text is None
        assert again.etag == ETAG
    assert site.hits == 3


@pytest.mark.parametrize(
    ("path", "reason"),
    [("/missing", "HTTP 404 Not Found"), ("/broken", "HTTP 503 Service Unavailable")],
)
async def test_http_errors_name_the_url_and_status(site: Site, fetcher: Fetcher, path: str, reason: str) -> None:
    url = site.url(path)
    with pytest.raises(SourceError) as caught:
        await fetcher.get(url)
    assert str(caught.value) == f"{url}: the server answered {reason}"


async def test_timeout_is_a_source_error(site: Site) -> None:
    url = site.url("/slow")
    async with Fetcher(timeout=0.2) as fetcher:
        with pytest.raises(SourceError, match=r"timed out after 0\.2 s") as caught:
            await fetcher.get(url)
    assert str(caught.value).startswith(url)
    site.release.set()


@pytest.mark.parametrize("path", ["/big", "/endless"], ids=["content-length", "chunked"])
async def test_oversize_bodies_are_refused(site: Site, fetcher: Fetcher, path: str) -> None:
    with pytest.raises(SourceError, match=r"over the 1000-byte limit") as caught:
        await fetcher.get(site.url(path))
    assert str(caught.value).startswith(site.url(path))


async def test_binary_content_is_refused(site: Site, fetcher: Fetcher) -> None:
    with pytest.raises(SourceError, match=r"not a text document \(application/pdf\)"):
        await fetcher.get(site.url("/pdf"))


async def test_connection_refused_is_a_source_error(fetcher: Fetcher) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/issue"
    with pytest.raises(SourceError, match=r"cannot connect") as caught:
        await fetcher.get(url)
    message = str(caught.value)
    assert message.startswith(url) and "\n" not in message


async def test_invalid_url_is_a_source_error(fetcher: Fetcher) -> None:
    with pytest.raises(SourceError, match="not a valid URL"):
        await fetcher.get("http://")


async def test_get_outside_the_context_is_a_programming_error() -> None:
    with pytest.raises(RuntimeError, match="async with"):
        await Fetcher().get("http://127.0.0.1/")
