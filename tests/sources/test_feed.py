"""Feeds: parsing RSS and Atom, one issue text per entry, teaser pages fetched, conditional GET."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import BaseTestServer, TestServer
from aiohttp.typedefs import Handler

from bot.sources.feed import FeedEntry, entry_text, looks_like_feed, parse_feed, read_feed
from bot.sources.file import SourceError
from bot.sources.http import Fetcher

PAGES = Path(__file__).parents[1] / "fixtures" / "pages"
RSS = (PAGES / "the-real-russia-today.rss").read_text()
ATOM = (PAGES / "the-real-russia-today.atom").read_text()
ETAG = 'W/"feed-2024-07-11"'
LAST_MODIFIED = "Thu, 11 Jul 2024 19:35:00 GMT"
ISSUE_PAGES = {
    "/en/feature/2022/01/07/the-real-russia-today": PAGES / "the-real-russia-today-2022-01-07.html",
    "/en/feature/2024/07/11/the-real-russia-today": PAGES / "real-russia-today-2024-07-11.html",
}
HEADLINE_2022 = "The Real Russia. Today. Kazakhstan’s ‘terrorists’ are now to be shot on sight"
HEADLINE_2024 = "The Real Russia. Today. Thursday, July 11, 2024"


class FeedSite:
    """Serves the feeds with validators (304 when the client sends them back) and the issue pages."""

    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.broken: set[str] = set()
        self.server: BaseTestServer | None = None

    def url(self, path: str) -> str:
        assert self.server is not None
        return str(self.server.make_url(path))

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/rss/en/the-real-russia-today", self.feed(RSS, "application/rss+xml"))
        # Served as text/xml, as many sites do: the fetcher has to sniff the content.
        app.router.add_get("/feeds/the-real-russia-today.atom", self.feed(ATOM, "text/xml"))
        app.router.add_get("/en/feature/{path:.+}", self.page)
        return app

    def feed(self, body: str, content_type: str) -> Handler:
        async def handler(request: web.Request) -> web.Response:
            self.hits[request.path] += 1
            validators = {"ETag": ETAG, "Last-Modified": LAST_MODIFIED}
            if (
                request.headers.get("If-None-Match") == ETAG
                or request.headers.get("If-Modified-Since") == LAST_MODIFIED
            ):
                return web.Response(status=304, headers=validators)
            return web.Response(text=body, content_type=content_type, headers=validators)

        return handler

    async def page(self, request: web.Request) -> web.Response:
        self.hits[request.path] += 1
        if request.path in self.broken:
            raise web.HTTPInternalServerError()
        if request.path == "/en/feature/bare":
            # Some sites serve the bare article markup, with no <title> or metadata to take a headline from.
            return web.Response(
                text="<h2>Story</h2><p>Body of the story.</p><p>Yours, Meduza</p>", content_type="text/html"
            )
        if request.path not in ISSUE_PAGES:
            raise web.HTTPNotFound()
        return web.Response(text=ISSUE_PAGES[request.path].read_text(), content_type="text/html")


@pytest.fixture
async def site() -> AsyncIterator[FeedSite]:
    site = FeedSite()
    async with TestServer(site.app(), host="127.0.0.1") as server:
        site.server = server
        yield site


@pytest.fixture
async def fetcher() -> AsyncIterator[Fetcher]:
    async with Fetcher(timeout=5) as fetcher:
        yield fetcher


def test_rss_entries_prefer_full_content_over_the_description() -> None:
    entries = parse_feed(RSS, "https://meduza.io/rss/en/the-real-russia-today")
    assert [entry.title for entry in entries] == [HEADLINE_2024, HEADLINE_2022]
    assert [entry.id for entry in entries] == [
        "meduza-en-feature-2024-07-11-the-real-russia-today",
        "meduza-en-feature-2022-01-07-the-real-russia-today",
    ]
    assert entries[1].link == "https://meduza.io/en/feature/2022/01/07/the-real-russia-today"
    assert entries[1].published == dt.datetime(2022, 1, 7, 18, 45, tzinfo=dt.UTC)
    assert all(not entry.content_is_teaser for entry in entries)
    assert "<h3>Dmitry Trenin: Putin must atone for his early weakness on NATO</h3>" in entries[1].content


def test_atom_teasers_are_marked_and_links_resolved_against_the_feed() -> None:
    entries = parse_feed(ATOM, "http://127.0.0.1:8080/feeds/the-real-russia-today.atom")
    assert [entry.link for entry in entries] == [
        "http://127.0.0.1:8080/en/feature/2024/07/11/the-real-russia-today",
        "http://127.0.0.1:8080/en/feature/2022/01/07/the-real-russia-today",
    ]
    assert all(entry.content_is_teaser for entry in entries)
    assert entries[0].published == dt.datetime(2024, 7, 11, 19, 30, tzinfo=dt.UTC)


def test_long_summaries_are_issues_but_read_more_endings_are_teasers() -> None:
    long_body = "<p>" + "A long paragraph of the issue. " * 40 + "</p>"
    feed = f"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
    <item><title>Full</title><link>https://example.test/full</link><description><![CDATA[{long_body}]]></description></item>
    <item><title>Cut</title><link>https://example.test/cut</link>
    <description><![CDATA[{long_body}<p><a href="/cut">Read more</a></p>]]></description></item>
    </channel></rss>"""
    full, cut = parse_feed(feed, "https://example.test/feed")
    assert (full.content_is_teaser, cut.content_is_teaser) == (False, True)
    assert full.published is None


def test_not_a_feed_is_a_source_error() -> None:
    with pytest.raises(SourceError, match=r"https://example.test/x: not a readable feed"):
        parse_feed("<html><body><p>Hello</p></body></html>", "https://example.test/x")


@pytest.mark.parametrize(
    ("text", "content_type", "expected"),
    [
        (RSS, "application/rss+xml", True),
        (RSS, "text/xml", True),
        (ATOM, None, True),
        ("\ufeff<?xml version='1.0'?>\n<!-- generated -->\n<rdf:RDF xmlns:rdf='x'></rdf:RDF>", "application/xml", True),
        ("anything", "application/atom+xml", True),
        ((PAGES / "the-real-russia-today-2022-01-07.html").read_text(), "text/html", False),
        ("The Real Russia. Today.", "text/plain", False),
    ],
    ids=["rss-type", "rss-sniffed", "atom-sniffed", "rdf-with-bom", "atom-type", "html", "plain"],
)
def test_looks_like_feed(text: str, content_type: str | None, expected: bool) -> None:
    assert looks_like_feed(text, content_type) is expected


async def test_full_content_feed_yields_one_issue_per_entry_without_fetching_pages(
    site: FeedSite, fetcher: Fetcher
) -> None:
    poll = await read_feed(fetcher, site.url("/rss/en/the-real-russia-today"))
    assert not poll.not_modified and not poll.errors
    assert [issue.text.split("\n\n")[0] for issue in poll.entries] == [HEADLINE_2024, HEADLINE_2022]
    kazakhstan = poll.entries[1].text.split("\n\n")
    # The entry body has no date line: the entry's date is put in, as the plain-text issue has it.
    assert kazakhstan[1] == "Friday, January 7, 2022"
    assert "### Fyodor Lukyanov: Russia has developed its own brand of interventionism" in kazakhstan
    assert kazakhstan[-1] == "Yours, Meduza"
    assert "- **💰 Gig-economy military recruitment:**" in poll.entries[0].text
    assert set(site.hits) == {"/rss/en/the-real-russia-today"}


async def test_teaser_entries_fetch_and_extract_their_pages(site: FeedSite, fetcher: Fetcher) -> None:
    poll = await read_feed(fetcher, site.url("/feeds/the-real-russia-today.atom"))
    assert not poll.errors
    assert [issue.text.split("\n\n")[0] for issue in poll.entries] == [HEADLINE_2024, HEADLINE_2022]
    kazakhstan = poll.entries[1].text
    assert "## Opinions on Russia’s geopolitical aims" in kazakhstan
    assert "Leave A Reply" not in kazakhstan and "Skip to main content" not in kazakhstan
    assert all(site.hits[path] == 1 for path in ISSUE_PAGES)


async def test_one_failing_entry_page_does_not_lose_the_others(site: FeedSite, fetcher: Fetcher) -> None:
    site.broken.add("/en/feature/2024/07/11/the-real-russia-today")
    poll = await read_feed(fetcher, site.url("/feeds/the-real-russia-today.atom"))
    assert [issue.entry.title for issue in poll.entries] == [HEADLINE_2022]
    [error] = poll.errors
    assert error.entry.title == HEADLINE_2024
    assert error.message == (
        f"{site.url('/en/feature/2024/07/11/the-real-russia-today')}: "
        "the server answered HTTP 500 Internal Server Error"
    )


async def test_conditional_get_reports_not_modified(site: FeedSite, fetcher: Fetcher) -> None:
    feed_url = site.url("/feeds/the-real-russia-today.atom")
    first = await read_feed(fetcher, feed_url)
    assert (first.etag, first.last_modified) == (ETAG, LAST_MODIFIED)

    by_etag = await read_feed(fetcher, feed_url, etag=first.etag)
    by_date = await read_feed(fetcher, feed_url, last_modified=first.last_modified)

    for poll in (by_etag, by_date):
        assert poll.not_modified
        assert poll.entries == [] and poll.errors == []
        assert (poll.etag, poll.last_modified) == (ETAG, LAST_MODIFIED)
    assert site.hits["/feeds/the-real-russia-today.atom"] == 3
    # Pages are fetched for the first poll only.
    assert all(site.hits[path] == 1 for path in ISSUE_PAGES)


async def test_a_page_served_where_a_feed_was_expected_is_a_source_error(site: FeedSite, fetcher: Fetcher) -> None:
    url = site.url("/en/feature/2022/01/07/the-real-russia-today")
    with pytest.raises(SourceError, match=r": not an RSS or Atom feed \(text/html\)"):
        await read_feed(fetcher, url)


async def test_teaser_without_a_link_is_an_entry_error(fetcher: Fetcher) -> None:
    entry = FeedEntry(
        id="tag:x,1", title="T", link=None, published=None, content="<p>Soon…</p>", content_is_teaser=True
    )
    with pytest.raises(SourceError, match=r"tag:x,1: the feed has only a teaser"):
        await entry_text(fetcher, entry)


async def test_plain_text_entries_are_framed_but_not_converted(fetcher: Fetcher) -> None:
    entry = FeedEntry(
        id="1",
        title="Issue",
        link=None,
        published=dt.datetime(2024, 4, 26, 18, tzinfo=dt.UTC),
        content="Body with <not a tag> in it",
        content_is_teaser=False,
        content_type="text/plain",
    )
    assert await entry_text(fetcher, entry) == "Issue\n\nFriday, April 26, 2024\n\nBody with <not a tag> in it"


async def test_a_teaser_page_without_a_title_is_headed_by_the_entry(site: FeedSite, fetcher: Fetcher) -> None:
    entry = FeedEntry(
        id="tag:x,2",
        title="The Real Russia. Today. Friday, October 11, 2024",
        link=site.url("/en/feature/bare"),
        published=dt.datetime(2024, 10, 11, 19, tzinfo=dt.UTC),
        content="<p>Putin goes to Turkmenistan…</p>",
        content_is_teaser=True,
    )
    assert await entry_text(fetcher, entry) == (
        "The Real Russia. Today. Friday, October 11, 2024\n\n## Story\n\nBody of the story.\n\nYours, Meduza"
    )
