"""One entry point for every kind of source: a path or a URL in, issue texts out.

The caller (the CLI, an admin command, the feed poller) should not have to know whether a URL is a feed, a page
or a plain-text file: that is decided here, by the response's content type and a look at its content, because
servers label feeds as ``text/xml``, ``application/xml`` or even ``text/html`` often enough.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from bot.sources.feed import entry_issues, looks_like_feed, parse_feed
from bot.sources.file import SourceError, read_file
from bot.sources.html import extract_issue_text, looks_like_html
from bot.sources.http import Fetcher

logger = logging.getLogger(__name__)

HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown"})
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


async def load_texts(target: str, fetcher: Fetcher | None = None) -> list[SourceText]:
    """Read ``target``, a file path or an http(s) URL, as issue texts: one, or one per feed entry.

    Files are read as text, except HTML files, whose article is extracted. URLs are fetched with ``fetcher``
    (or a short-lived one of our own) and sniffed: a feed gives one text per entry that could be read (the
    others are logged), a page gives its extracted article, anything else is taken as plain text.

    Raises:
        SourceError: the target cannot be read, or a feed gave no readable entry at all.
    """
    if "://" not in target:
        return [_file_text(target)]
    parts = urlsplit(target)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SourceError(f"{target}: only http and https URLs can be fetched")
    if fetcher is None:
        async with Fetcher() as own:
            return await _url_texts(target, own)
    return await _url_texts(target, fetcher)


def _file_text(path: str) -> SourceText:
    text = read_file(path)
    suffix = Path(path).suffix.lower()
    if suffix in TEXT_SUFFIXES or path == "-":
        return SourceText(text, path, "file")
    if looks_like_feed(text, None):
        raise SourceError(f"{path}: this is a feed; give its URL instead, so that teaser entries can be fetched")
    if suffix in HTML_SUFFIXES or looks_like_html(text):
        try:
            page = extract_issue_text(text)
        except SourceError:
            raise SourceError(f"{path}: found no article text in the HTML") from None
        return SourceText(page.text, path, "file", page.link)
    return SourceText(text, path, "file")


async def _url_texts(url: str, fetcher: Fetcher) -> list[SourceText]:
    result = await fetcher.get(url)
    text = result.text or ""
    if looks_like_feed(text, result.content_type):
        issues, errors = await entry_issues(fetcher, parse_feed(text, result.url))
        for error in errors:
            logger.warning("feed %s: skipped an entry: %s", url, error.message)
        if not issues:
            raise SourceError(errors[0].message if errors else f"{url}: the feed has no entries")
        return [
            SourceText(issue.text, issue.entry.link or issue.entry.id, "feed-entry", issue.entry.link)
            for issue in issues
        ]
    if result.content_type in HTML_TYPES or looks_like_html(text):
        page = extract_issue_text(text, result.url)
        return [SourceText(page.text, url, "page", page.link)]
    return [SourceText(text, url, "page", result.url)]
