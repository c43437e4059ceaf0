"""Issues from RSS 2.0 and Atom feeds: one issue text per entry.

Feedparser reads every RSS and Atom dialect in the wild (including broken ones), normalises dates, resolves
relative links and sanitises embedded HTML, which is exactly the part not worth rewriting. It is given bytes,
never a URL: the fetching stays with our :class:`~bot.sources.http.Fetcher` (limits, conditional GET, one
session), and feedparser never touches the network or the file system.

Many feeds carry only a teaser; for those the entry's own page is fetched and extracted like any issue page.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import io
import re
import time
from dataclasses import dataclass, field
from typing import Any

from bot.sources.file import SourceError
from bot.sources.html import extract_issue_text, frame_issue, html_to_text
from bot.sources.http import Fetcher

FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/x-rss+xml"})
FEED_ROOT = re.compile(
    r"(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*|<\?xml-stylesheet[^>]*>\s*|<!DOCTYPE[^>]*>\s*)*<(?:rss|feed|rdf:RDF)[\s>]",
    re.IGNORECASE | re.DOTALL,
)
TEASER_LENGTH = 600
"""A summary shorter than this (in characters of text) is a teaser: no issue of a daily newsletter is that short."""
TEASER_ENDING = re.compile(
    r"(?:…|\.\.\.|\[…\]|\[\.\.\.\]|read more|continue reading|read the full (?:story|issue|text))\W*$", re.IGNORECASE
)
PAGE_FETCHES = 4
"""Entry pages fetched at once: enough to be quick, few enough to be polite to one site."""


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One feed entry, reduced to what an issue needs."""

    id: str
    title: str
    link: str | None
    published: dt.datetime | None
    """In UTC; ``None`` when the entry has neither a published nor an updated date."""
    content: str
    """The full content when the feed has it (``content:encoded``, Atom ``<content>``), else the summary."""
    content_is_teaser: bool
    """Only a short or truncated summary: the issue itself is on the entry's page."""
    content_type: str = "text/html"
    """``text/html`` or ``text/plain``, as the feed declared the content."""
    author: str | None = None


@dataclass(frozen=True, slots=True)
class FeedIssue:
    """An entry and its issue text, ready for the parser."""

    entry: FeedEntry
    text: str


@dataclass(frozen=True, slots=True)
class EntryError:
    """Why one entry gave no issue; the others are unaffected."""

    entry: FeedEntry
    message: str


@dataclass(frozen=True, slots=True)
class FeedPoll:
    """The outcome of one poll: the validators to send next time, and the issues (none when not modified)."""

    not_modified: bool
    etag: str | None
    last_modified: str | None
    entries: list[FeedIssue] = field(default_factory=list)
    errors: list[EntryError] = field(default_factory=list)


def looks_like_feed(text: str, content_type: str | None) -> bool:
    """Whether a response is an RSS or Atom feed: by its declared type, else by its root element."""
    if content_type and content_type.lower() in FEED_TYPES:
        return True
    return bool(FEED_ROOT.match(text[:2048].lstrip("\ufeff \t\r\n")))


def parse_feed(text: str, url: str) -> list[FeedEntry]:
    """Parse an RSS or Atom document; relative links resolve against ``url``.

    Raises:
        SourceError: the text is not a feed feedparser can make sense of.
    """
    import feedparser  # loaded on the first feed, not when the bot starts

    parsed = feedparser.parse(
        io.BytesIO(text.encode("utf-8")),
        # The text is already decoded, so tell feedparser its real encoding: an XML declaration that still says
        # ISO-8859-1 must not win. The location makes relative links absolute.
        response_headers={"content-type": "application/xml; charset=utf-8", "content-location": url},
    )
    if not parsed.get("version") and not parsed.entries:
        reason = parsed.get("bozo_exception") or "no RSS or Atom root element"
        raise SourceError(f"{url}: not a readable feed ({' '.join(str(reason).split())})")
    return [_entry(raw, url, number) for number, raw in enumerate(parsed.entries)]


async def read_feed(
    fetcher: Fetcher, url: str, *, etag: str | None = None, last_modified: str | None = None, pages: bool = True
) -> FeedPoll:
    """Poll a feed with a conditional GET and turn each entry into issue text.

    ``pages=False`` (a newsroom feed read for the daily digest) keeps the entries as they are: their titles,
    links and teasers are what the digest needs, so no entry page is fetched and the texts are empty.

    Pass the ``etag`` and ``last_modified`` of the previous poll: an unchanged feed then costs one 304 and
    yields no entries. An entry whose page cannot be fetched or read lands in ``errors``, not in an exception.

    Raises:
        SourceError: the feed itself cannot be fetched or is not a feed.
    """
    result = await fetcher.get(url, etag=etag, last_modified=last_modified)
    if result.not_modified:
        return FeedPoll(True, result.etag or etag, result.last_modified or last_modified)
    text = result.text or ""
    if not looks_like_feed(text, result.content_type):
        raise SourceError(f"{url}: not an RSS or Atom feed ({result.content_type or 'no content type'})")
    entries = parse_feed(text, result.url)
    if not pages:
        return FeedPoll(False, result.etag, result.last_modified, [FeedIssue(entry, "") for entry in entries])
    issues, errors = await entry_issues(fetcher, entries)
    return FeedPoll(False, result.etag, result.last_modified, issues, errors)


async def entry_issues(fetcher: Fetcher, entries: list[FeedEntry]) -> tuple[list[FeedIssue], list[EntryError]]:
    """Issue texts for ``entries``, in feed order, fetching teaser entries' pages a few at a time."""
    gate = asyncio.Semaphore(PAGE_FETCHES)

    async def one(entry: FeedEntry) -> FeedIssue | EntryError:
        try:
            async with gate:
                return FeedIssue(entry, await entry_text(fetcher, entry))
        except SourceError as exc:
            return EntryError(entry, str(exc))

    # A TaskGroup, not gather: if something other than a SourceError escapes, the other fetches are cancelled
    # instead of running on against a fetcher the caller is about to close.
    async with asyncio.TaskGroup() as group:
        tasks = [group.create_task(one(entry)) for entry in entries]
    outcomes = [task.result() for task in tasks]
    issues = [outcome for outcome in outcomes if isinstance(outcome, FeedIssue)]
    errors = [outcome for outcome in outcomes if isinstance(outcome, EntryError)]
    return issues, errors


async def entry_text(fetcher: Fetcher, entry: FeedEntry) -> str:
    """The issue text of one entry: its own content, or its page's when the feed has only a teaser."""
    if not entry.content_is_teaser:
        return entry_content_text(entry)
    if not entry.link:
        raise SourceError(f"{entry.id}: the feed has only a teaser of this entry and no link to the issue")
    page = await fetcher.get(entry.link)
    extracted = extract_issue_text(page.text or "", page.url)
    if extracted.title is None:
        # A page without a usable title (or an HTML fragment): the entry still knows the headline and date.
        return frame_issue(extracted.text, entry.title or None, _entry_date(entry))
    return extracted.text


def entry_content_text(entry: FeedEntry) -> str:
    """The entry's content as issue text, headed by the entry title and date when the body lacks them."""
    plain = entry.content_type == "text/plain"
    body = entry.content.strip() if plain else html_to_text(entry.content, entry.link)
    if not body:
        raise SourceError(f"{entry.link or entry.id}: the feed entry has no text")
    return frame_issue(body, entry.title or None, _entry_date(entry))


def _entry_date(entry: FeedEntry) -> dt.date | None:
    return entry.published.date() if entry.published else None


def _entry(raw: Any, feed_url: str, number: int) -> FeedEntry:
    full = _full_content(raw)
    content, content_type = full if full else (raw.get("summary", ""), _text_type(raw.get("summary_detail")))
    link = raw.get("link") or None
    title = " ".join(raw.get("title", "").split())
    return FeedEntry(
        id=raw.get("id") or link or f"{feed_url}#{number}",
        title=title,
        link=link,
        published=_published(raw),
        content=content,
        content_is_teaser=_is_teaser(content, content_type, has_full_content=full is not None),
        content_type=content_type,
        author=" ".join(str(raw.get("author") or "").split()) or None,
    )


def _full_content(raw: Any) -> tuple[str, str] | None:
    """The longest ``content`` item: feeds sometimes add a plain-text copy next to the HTML."""
    items = [item for item in raw.get("content", []) if item.get("value", "").strip()]
    if not items:
        return None
    best = max(items, key=lambda item: len(item["value"]))
    return best["value"], _text_type(best)


def _text_type(detail: Any) -> str:
    return "text/plain" if detail and detail.get("type") == "text/plain" else "text/html"


def _is_teaser(content: str, content_type: str, *, has_full_content: bool) -> bool:
    text = content if content_type == "text/plain" else html.unescape(re.sub(r"<[^>]+>", " ", content))
    text = " ".join(text.split())
    if TEASER_ENDING.search(text[-40:]):
        return True
    return not has_full_content and len(text) < TEASER_LENGTH


def _published(raw: Any) -> dt.datetime | None:
    # dict.get skips feedparser's own lookup, which warns (DeprecationWarning) when asked for updated_parsed
    # on an entry that only has published_parsed.
    parsed: time.struct_time | None = dict.get(raw, "published_parsed") or dict.get(raw, "updated_parsed")
    if parsed is None:
        return None
    return dt.datetime(*parsed[:6], tzinfo=dt.UTC)
