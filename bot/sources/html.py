"""Turning an issue's web page into the text the parser reads.

The parser was written against plain-text copies of the newsletter: a headline line, a date line, a teaser,
then headings, paragraphs and bullet briefs. A news page wraps the same content in navigation, share buttons,
cookie banners, donation boxes and comment forms. Trafilatura is a maintained main-content extractor that
removes that furniture and, with ``output_format="markdown"``, keeps the structure the parser needs:
``## heading`` lines, ``- item`` bullets, ``**bold**`` brief titles and ``[text](url)`` links. When it finds
nothing (tiny pages, odd markup) a standard-library fallback (:mod:`bot.sources.blocks`) takes over.

Trafilatura drops headlines and ``<time>`` elements as page metadata, so the headline and date lines are put
back from the page's metadata when the extracted body lacks them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bot.sources.blocks import block_text
from bot.sources.file import SourceError

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
FULL_DOCUMENT = re.compile(r"<(?:html|body)[\s>]", re.IGNORECASE)
DOCUMENT_START = re.compile(r"(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*(?:<!doctype\s+html|<html[\s>])", re.I | re.S)
FEED_ROOT = re.compile(r"<(?:rss|feed|rdf:RDF)[\s>]", re.IGNORECASE)
HTML_TAG = re.compile(r"</?(?:head|body|article|main|section|div|p|h[1-6]|ul|ol|li|br|a|span)\b[^>]*>", re.I)
MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
HEADLINE_LOOKAHEAD = 6
"""How many leading lines may hold the headline and the date before we decide they are missing."""


@dataclass(frozen=True, slots=True)
class ExtractedPage:
    """The readable issue text of a page, plus what the page says about itself."""

    text: str
    title: str | None
    date: dt.date | None
    link: str | None
    """The canonical URL when the page declares one, else the URL it was fetched from."""


def looks_like_html(text: str) -> bool:
    """Whether ``text`` is HTML (a document or a fragment) rather than plain text, Markdown or a feed."""
    head = text[:4096].lstrip("\ufeff \t\r\n")
    if FEED_ROOT.search(head[:1024]):
        return False
    return bool(DOCUMENT_START.match(head)) or len(HTML_TAG.findall(head)) >= 3


def extract_issue_text(html: str, url: str | None = None, *, date_line: bool = True) -> ExtractedPage:
    """Extract the issue from a page: headline, date, teaser, headings, paragraphs and bullets, no furniture.

    With ``date_line=False`` the page's metadata date is only returned, not written into the text as a date
    line, so that a caller can rank it below the date the issue prints.

    Raises:
        SourceError: the page has no readable article text.
    """
    is_document = bool(FULL_DOCUMENT.search(html[:8192]))
    body = html_to_text(html, url)
    if not body:
        raise SourceError(f"{url or 'HTML page'}: found no article text in the page")
    if not is_document:
        # Trafilatura titles a fragment after its first heading, which is a story, not the issue.
        return ExtractedPage(body, None, None, url)
    import trafilatura

    metadata = trafilatura.extract_metadata(html, default_url=url)
    title = " ".join(metadata.title.split()) if metadata.title else None
    date = _parse_date(metadata.date)
    return ExtractedPage(frame_issue(body, title, date if date_line else None), title, date, metadata.url or url)


def html_to_text(html: str, url: str | None = None) -> str:
    """The main content of ``html`` (a page or a fragment) as light Markdown; empty if there is none."""
    document = html if FULL_DOCUMENT.search(html[:8192]) else f"<html><body><article>{html}</article></body></html>"
    import trafilatura  # 0.3 s and 30 MB (lxml, htmldate): loaded with the first page, not at start-up

    text = trafilatura.extract(
        document,
        url=url,
        output_format="markdown",
        include_formatting=True,
        include_links=True,
        include_comments=False,
        include_tables=True,
        include_images=False,
    )
    if not text:
        text = block_text(document)
    return _tidy(text)


def frame_issue(body: str, title: str | None, date: dt.date | None) -> str:
    """Make ``body`` start like the plain-text issues: the headline line, then the date line.

    A leading heading that the title completes (``# The Real Russia. Today.`` for ``The Real Russia. Today.
    Thursday, July 11, 2024``) is replaced by the full title; the date line is added only when neither the
    headline nor the first lines mention that date.
    """
    lines = [line for line in body.strip().split("\n\n") if line.strip()]
    header: list[str] = []
    if title:
        first = _plain(lines[0]) if lines else ""
        if lines and (first == title or (lines[0].startswith("#") and len(first) >= 12 and title.startswith(first))):
            lines = lines[1:]
            header.append(title)
        elif title not in (_plain(line) for line in lines[:HEADLINE_LOOKAHEAD]):
            header.append(title)
    if date and not _mentions_date([*header, *lines[:HEADLINE_LOOKAHEAD]], date):
        header.append(format_date(date))
    return "\n\n".join([*header, *lines])


def format_date(date: dt.date) -> str:
    """The date line as the newsletter prints it ("Friday, January 7, 2022"), whatever the process locale."""
    return f"{WEEKDAYS[date.weekday()]}, {MONTHS[date.month - 1]} {date.day}, {date.year}"


def _mentions_date(lines: list[str], date: dt.date) -> bool:
    month = MONTHS[date.month - 1]
    spellings = (f"{month} {date.day}, {date.year}", f"{date.day} {month} {date.year}", date.isoformat())
    return any(spelling in line for line in lines for spelling in spellings)


def _plain(line: str) -> str:
    """A Markdown line as bare words, for comparing it with a title."""
    text = MARKDOWN_LINK.sub(r"\1", line.lstrip("#")).replace("**", "")
    return " ".join(text.split())


def _parse_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _tidy(text: str) -> str:
    """Trailing spaces off every line and at most one blank line between blocks."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
