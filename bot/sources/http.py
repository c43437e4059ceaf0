"""Fetching pages and feeds over HTTP, politely and with limits.

One :class:`Fetcher` owns one ``aiohttp.ClientSession`` for its whole life (``async with``), so connections are
pooled across a feed and its entry pages and nothing is left open when the caller is done. Every failure becomes
a :class:`~bot.sources.file.SourceError` whose one-line message names the URL and says what went wrong, because
that message ends up in a log line or in a reply to an operator.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING

from bot.sources.file import SourceError

if TYPE_CHECKING:
    import aiohttp

DEFAULT_USER_AGENT = "briefing-bot/0.1"
CHUNK_SIZE = 64 * 1024

# A page or feed that forgot the Content-Type charset usually declares it in the document itself.
DECLARED_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)|<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""",
    re.IGNORECASE,
)
# Anything that is plainly not text; an issue never arrives as one of these.
BINARY_TYPES = ("image/", "audio/", "video/", "font/")
BINARY_SUBTYPES = {"application/octet-stream", "application/pdf", "application/zip", "application/gzip"}


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What one GET returned. ``text`` is ``None`` exactly when the server answered 304 Not Modified."""

    url: str
    """The final URL, after redirects: relative links in the document resolve against it."""
    status: int
    text: str | None
    content_type: str | None
    etag: str | None
    last_modified: str | None
    not_modified: bool = False


class Fetcher:
    """An async HTTP client for sources: timeouts, a body size cap, conditional GET and charset decoding.

    Use it as ``async with Fetcher() as fetcher: result = await fetcher.get(url)``.

    Args:
        timeout: Seconds for the whole request, connection to last byte; a stuck server must not stall a poll.
        max_bytes: Largest body accepted (after decompression), so a huge or endless response cannot eat memory.
        user_agent: Sent with every request, so site owners can tell who is fetching.
    """

    def __init__(
        self, *, timeout: float = 20, max_bytes: int = 5_000_000, user_agent: str = DEFAULT_USER_AGENT
    ) -> None:
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.user_agent = user_agent
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Fetcher:
        import aiohttp  # loaded with the first fetch, not with the application

        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=self.timeout),
            headers={"User-Agent": self.user_agent},
        )
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> FetchResult:
        """GET ``url`` and decode the body; pass the validators of an earlier response to allow a 304.

        Raises:
            SourceError: network failure, timeout, a 4xx/5xx status, a body over ``max_bytes`` or binary content.
        """
        import aiohttp

        if self._session is None:
            raise RuntimeError("use the Fetcher inside 'async with'")
        headers = {"Accept": "text/html, application/rss+xml, application/atom+xml, application/xml, text/*;q=0.8"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            async with self._session.get(url, headers=headers) as response:
                return await self._result(url, response)
        except TimeoutError:
            raise SourceError(f"{url}: timed out after {self.timeout:g} s") from None
        except aiohttp.InvalidURL:
            raise SourceError(f"{url}: not a valid URL") from None
        except aiohttp.TooManyRedirects:
            raise SourceError(f"{url}: too many redirects") from None
        except aiohttp.ClientConnectionError as exc:
            raise SourceError(f"{url}: cannot connect ({_reason(exc)})") from None
        except aiohttp.ClientError as exc:
            raise SourceError(f"{url}: request failed ({_reason(exc)})") from None

    async def _result(self, url: str, response: aiohttp.ClientResponse) -> FetchResult:
        final_url = str(response.url)
        etag = response.headers.get("ETag")
        last_modified = response.headers.get("Last-Modified")
        if response.status == 304:
            return FetchResult(final_url, 304, None, None, etag, last_modified, not_modified=True)
        if response.status >= 400:
            reason = f" {response.reason}" if response.reason else ""
            raise SourceError(f"{url}: the server answered HTTP {response.status}{reason}")
        content_type = response.content_type if response.headers.get("Content-Type") else None
        if content_type and (content_type.startswith(BINARY_TYPES) or content_type in BINARY_SUBTYPES):
            raise SourceError(f"{url}: not a text document ({content_type})")
        data = await self._read_capped(url, response)
        text = decode_body(data, response.charset, url)
        return FetchResult(final_url, response.status, text, content_type, etag, last_modified)

    async def _read_capped(self, url: str, response: aiohttp.ClientResponse) -> bytes:
        # Content-Length lets us refuse early; counting chunks also catches chunked and compressed bodies.
        declared = response.content_length
        if declared is not None and declared > self.max_bytes:
            raise SourceError(f"{url}: the body is {declared} bytes, over the {self.max_bytes}-byte limit")
        body = bytearray()
        async for chunk in response.content.iter_chunked(CHUNK_SIZE):
            body += chunk
            if len(body) > self.max_bytes:
                raise SourceError(f"{url}: the body is over the {self.max_bytes}-byte limit")
        return bytes(body)


def decode_body(data: bytes, charset: str | None, url: str) -> str:
    """Decode by the charset the server or the document declares, else UTF-8, else cp1252.

    A wrong or unknown declaration is ignored rather than fatal: mislabelled pages are common and a
    replacement character here and there is better than losing the issue.

    Raises:
        SourceError: the body is binary (NUL bytes in a body that declares no UTF-16/32 charset).
    """
    encoding = _known_encoding(charset)
    if encoding is None:
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return data.decode("utf-16", errors="replace")
        if b"\x00" in data[:4096]:
            raise SourceError(f"{url}: this looks like binary data, not a text document")
        encoding = _known_encoding(_declared_in_document(data))
        # A document that declares "utf-16" in ASCII bytes cannot be UTF-16 (WHATWG): the label was copied.
        if encoding and encoding.startswith(("utf-16", "utf-32")):
            encoding = None
    if encoding == "utf-8":
        encoding = "utf-8-sig"
    if encoding:
        return data.decode(encoding, errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _declared_in_document(data: bytes) -> str | None:
    match = DECLARED_CHARSET.search(data[:4096])
    if match is None:
        return None
    return (match.group(1) or match.group(2)).decode("ascii")


def _known_encoding(label: str | None) -> str | None:
    if not label:
        return None
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _reason(exc: BaseException) -> str:
    """One line, even for the multi-line or empty messages some aiohttp errors carry."""
    import aiohttp

    cause = exc.__cause__ or exc
    if isinstance(cause, aiohttp.ClientConnectorError) and cause.os_error.strerror:
        return cause.os_error.strerror
    text = " ".join(str(cause).split())
    return text or type(cause).__name__
