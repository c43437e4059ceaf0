"""load_texts: one call for a text file, an HTML file, a page URL or a feed URL."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import BaseTestServer, TestServer
from aiohttp.typedefs import Handler

from bot.sources.file import SourceError
from bot.sources.http import Fetcher
from bot.sources.resolve import SourceText, load_texts

FIXTURES = Path(__file__).parents[1] / "fixtures"
PAGES = FIXTURES / "pages"
SAMPLE = FIXTURES / "the-real-russia-today-2022-01-07.txt"
PAGE = PAGES / "the-real-russia-today-2022-01-07.html"
HEADLINE = "The Real Russia. Today. Kazakhstan’s ‘terrorists’ are now to be shot on sight"
CANONICAL = "https://meduza.io/en/feature/2022/01/07/the-real-russia-today"


def serve(path: Path, content_type: str) -> Handler:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(text=path.read_text(), content_type=content_type)

    return handler


@pytest.fixture
async def server() -> AsyncIterator[BaseTestServer]:
    app = web.Application()
    app.router.add_get("/issue", serve(PAGE, "text/html"))
    app.router.add_get("/issue.txt", serve(SAMPLE, "text/plain"))
    app.router.add_get("/rss", serve(PAGES / "the-real-russia-today.rss", "application/rss+xml"))
    async with TestServer(app, host="127.0.0.1") as server:
        yield server


@pytest.fixture
async def fetcher() -> AsyncIterator[Fetcher]:
    async with Fetcher(timeout=5) as fetcher:
        yield fetcher


async def test_a_text_file_is_read_as_it_is() -> None:
    [text] = await load_texts(str(SAMPLE), None)
    assert text == SourceText(SAMPLE.read_text(), str(SAMPLE), "file", None)


async def test_an_html_file_is_extracted(tmp_path: Path) -> None:
    for name in ("issue.html", "issue"):  # by suffix, and by sniffing when there is none
        path = tmp_path / name
        shutil.copy(PAGE, path)
        [text] = await load_texts(str(path), None)
        assert (text.kind, text.source, text.link) == ("file", str(path), CANONICAL)
        assert text.text.split("\n\n")[0] == HEADLINE
        assert dt.date(2022, 1, 7) in [date for date, _rule in text.hints.dates]  # metadata, ranked below print
        assert "Leave A Reply" not in text.text


async def test_a_missing_file_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file"):
        await load_texts(str(tmp_path / "nope.html"), None)


async def test_a_saved_feed_file_ingests_like_its_url(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    shutil.copy(PAGES / "the-real-russia-today.rss", path)
    texts = await load_texts(str(path), None)
    assert [text.kind for text in texts] == ["feed-entry", "feed-entry"]
    assert len({text.source for text in texts}) == 2  # each entry by its own link, never only its date
    assert all(text.hints.dates and text.hints.dates[0][1] == "feed entry date" for text in texts)


async def test_a_directory_gives_every_issue_file_in_it(tmp_path: Path) -> None:
    shutil.copy(PAGE, tmp_path / "b.html")
    (tmp_path / "a.txt").write_text("The Real Russia. Today. A headline\nFriday, January 7, 2022\n\nStory\n\nText.")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    texts = await load_texts(str(tmp_path), None)
    assert [Path(text.source).name for text in texts] == ["a.txt", "b.html"]


async def test_a_page_url_is_fetched_and_extracted(server: TestServer, fetcher: Fetcher) -> None:
    url = str(server.make_url("/issue"))
    [text] = await load_texts(url, fetcher)
    assert (text.kind, text.source, text.link) == ("page", url, CANONICAL)
    assert text.text.startswith(f"{HEADLINE}\n\n")
    assert dt.date(2022, 1, 7) in [date for date, _rule in text.hints.dates]


async def test_a_plain_text_url_is_taken_as_it_is(server: TestServer) -> None:
    url = str(server.make_url("/issue.txt"))
    [text] = await load_texts(url, None)  # no fetcher: load_texts opens and closes its own
    assert text == SourceText(SAMPLE.read_text(), url, "page", url)


async def test_a_feed_url_gives_one_text_per_entry(server: TestServer, fetcher: Fetcher) -> None:
    texts = await load_texts(str(server.make_url("/rss")), fetcher)
    assert [text.kind for text in texts] == ["feed-entry", "feed-entry"]
    assert [text.link for text in texts] == [
        "https://meduza.io/en/feature/2024/07/11/the-real-russia-today",
        CANONICAL,
    ]
    assert texts[1].text.startswith(f"{HEADLINE}\n\nFriday, January 7, 2022\n\n")


async def test_other_url_schemes_are_refused() -> None:
    with pytest.raises(SourceError, match="only http and https"):
        await load_texts("ftp://example.test/issue.txt", None)
