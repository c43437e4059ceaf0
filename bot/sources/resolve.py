"""One entry point for every kind of source: a path or a URL in, issue texts out.

The caller (the CLI, an admin command, the feed poller) should not have to know whether a URL is a feed, a page
or a plain-text file: that is decided here, by the response's content type and a look at its content, because
servers label feeds as ``text/xml``, ``application/xml`` or even ``text/html`` often enough.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from bot.digest.parser import Hints
from bot.sources.document import read_document, read_html
from bot.sources.feed import EntryError, FeedEntry, FeedIssue, entry_issues, looks_like_feed, parse_feed
from bot.sources.file import DOCUMENT_SUFFIXES, SourceError, read_file
from bot.sources.html import looks_like_html
from bot.sources.http import Fetcher

logger = logging.getLogger(__name__)

FEED_SUFFIXES = frozenset({".xml", ".rss", ".atom"})
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})

SourceKind = Literal["file", "page", "feed-entry"]


@dataclass(frozen=True, slots=True)
class SourceText:
    """The text of one issue, and where it came from."""

    text: str
    source: str
    """The path or URL it was read from (a feed entry's link), for messages and ``Digest.source``."""
    kind: SourceKind
    link: str | None = None
    """The issue's web address when it has one (the page's canonical URL, the entry's link)."""
    hints: Hints = field(default_factory=Hints)
    """What the e-mail's headers, the page's metadata or the feed entry say about the issue."""
    entry: FeedEntry | None = None
    """The feed entry it came from: its id or link is the issue's identity, its teaser a daily digest's item."""


async def load_texts(target: str, fetcher: Fetcher | None = None) -> list[SourceText]:
    """Read ``target`` — a file, a directory of issue files, a saved feed or an http(s) URL — as issue texts.

    Files go through :func:`bot.sources.document.read_document` (text, Markdown, HTML, e-mail); a directory
    gives every issue file in it (by suffix, in name order); a saved RSS/Atom file gives one text per entry,
    like its URL would (teaser entries' pages are fetched). URLs are fetched with ``fetcher`` (or a
    short-lived one of our own) and sniffed: a feed gives one text per entry that could be read (the others
    are logged), a page gives its issue, anything else is taken as plain text.

    Raises:
        SourceError: the target cannot be read, or a feed gave no readable entry at all.
    """
    if "://" not in target:
        if target != "-" and Path(target).is_dir():
            return await _directory_texts(target, fetcher)
        return await _file_texts(target, fetcher)
    parts = urlsplit(target)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SourceError(f"{target}: only http and https URLs can be fetched")
    if fetcher is None:
        async with Fetcher() as own:
            return await _url_texts(target, own)
    return await _url_texts(target, fetcher)


async def _directory_texts(directory: str, fetcher: Fetcher | None) -> list[SourceText]:
    files = sorted(
        path for path in Path(directory).iterdir()
        if path.is_file() and path.suffix.lower() in DOCUMENT_SUFFIXES | FEED_SUFFIXES
    )  # fmt: skip
    if not files:
        raise SourceError(f"{directory}: no issue files in it (.txt, .md, .html, .eml or a saved feed)")
    texts: list[SourceText] = []
    for path in files:
        texts.extend(await _file_texts(str(path), fetcher))
    return texts


async def _file_texts(path: str, fetcher: Fetcher | None) -> list[SourceText]:
    text = read_file(path)
    suffix = Path(path).suffix.lower()
    if path != "-" and (suffix in FEED_SUFFIXES or (suffix not in DOCUMENT_SUFFIXES and looks_like_feed(text, None))):
        if not looks_like_feed(text, None):
            raise SourceError(f"{path}: not an RSS or Atom feed")
        entries = parse_feed(text, Path(path).resolve().as_uri())
        if fetcher is None:
            async with Fetcher() as own:
                return _feed_texts(path, *await entry_issues(own, entries))
        return _feed_texts(path, *await entry_issues(fetcher, entries))
    document = read_document(text, name=None if path == "-" else path)
    return [SourceText(document.text, path, "file", document.link, document.hints)]


def _feed_texts(where: str, issues: list[FeedIssue], errors: list[EntryError]) -> list[SourceText]:
    for error in errors:
        logger.warning("feed %s: skipped an entry: %s", where, error.message)
    if not issues:
        raise SourceError(errors[0].message if errors else f"{where}: the feed has no entries")
    return [entry_text(issue) for issue in issues]


def entry_text(issue: FeedIssue) -> SourceText:
    """A feed entry's issue text, with its title and date as hints (its own text's date still wins)."""
    entry = issue.entry
    dates = ((entry.published.date(), "feed entry date"),) if entry.published else ()
    hints = Hints(title=entry.title or None, title_rule="feed entry title", dates=dates)
    return SourceText(issue.text, entry.link or entry.id, "feed-entry", entry.link, hints, entry)


async def _url_texts(url: str, fetcher: Fetcher) -> list[SourceText]:
    result = await fetcher.get(url)
    text = result.text or ""
    if looks_like_feed(text, result.content_type):
        return _feed_texts(url, *await entry_issues(fetcher, parse_feed(text, result.url)))
    if result.content_type in HTML_TYPES or looks_like_html(text):
        page = read_html(text, url=result.url, label=url)
        return [SourceText(page.text, url, "page", page.link, page.hints)]
    document = read_document(text, url=result.url)
    return [SourceText(document.text, url, "page", result.url, document.hints)]
