"""Listings across issues: the archive, search results and the authors.

Archive and search pages are edited in place when a reader turns a page, so each is exactly one
message: long titles and snippets are shortened and lines that would not fit are left out, rather
than split. The row types are protocols matching storage's ``DigestSummary``, ``SearchHit`` and
``AuthorStat``, so storage results are passed in as they are.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from typing import Protocol

from bot.digest.calendar import format_short_date
from bot.digest.model import ItemKind
from bot.render import texts
from bot.render.callbacks import Action, ArchivePage, Noop, OpenItem, OpenOverview, SearchPage, encode
from bot.render.html import MESSAGE_LIMIT, escape, visible_len
from bot.render.keyboard import Button, Keyboard, grid
from bot.render.message import RenderedMessage, message, messages
from bot.render.split import PARAGRAPH_SEPARATOR
from bot.rules.authors import AuthorRow

SNIPPET_START = "\x02"
"""Storage marks a matched word in a snippet with these two control characters; they survive
escaping untouched, so the renderer escapes first and only then turns them into ``<b>``/``</b>``."""
SNIPPET_END = "\x03"
TITLE_LIMIT = 120
SNIPPET_LIMIT = 300
QUERY_LIMIT = 64

_MARKERS = re.compile("([\x02\x03])")
_CONTROL = re.compile("[\x00-\x01\x04-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ArchiveRow(Protocol):
    """An issue in the archive listing (storage's ``DigestSummary``)."""

    @property
    def id(self) -> int: ...
    @property
    def issue_date(self) -> dt.date | None: ...
    @property
    def title(self) -> str | None: ...
    @property
    def item_count(self) -> int: ...


class SearchRow(Protocol):
    """A matching item (storage's ``SearchHit``); ``position`` is its index in the issue."""

    @property
    def digest_id(self) -> int: ...
    @property
    def issue_date(self) -> dt.date | None: ...
    @property
    def position(self) -> int: ...
    @property
    def kind(self) -> ItemKind: ...
    @property
    def title(self) -> str: ...
    @property
    def author(self) -> str | None: ...
    @property
    def snippet(self) -> str: ...


def render_archive_page(entries: Sequence[ArchiveRow], page: int, pages: int) -> RenderedMessage:
    """Page ``page`` (1-based) of ``pages``: an issue per line, a number button per issue, page buttons."""
    heading = f"<b>{escape(texts.ARCHIVE)}</b>"
    if pages > 1:
        heading += f" · {escape(texts.page_of(page, pages))}"
    if not entries:
        empty = f"{heading}{PARAGRAPH_SEPARATOR}{escape(texts.ARCHIVE_EMPTY)}"
        return message(empty, _keyboard([], _pager(page, pages, ArchivePage)))
    lines = []
    for number, entry in enumerate(entries, start=1):
        date = f"<b>{escape(format_short_date(entry.issue_date))}</b> — " if entry.issue_date else ""
        title = escape(_shorten(entry.title or texts.DEFAULT_NEWSLETTER, TITLE_LIMIT))
        lines.append(f"{number}. {date}{title} · {escape(texts.items_count(entry.item_count))}")
    lines = _fitting(heading, lines)
    buttons = [
        Button(str(number), data=encode(OpenOverview(entry.id)))
        for number, entry in enumerate(entries[: len(lines)], start=1)
    ]
    return message(_page_html(heading, lines), _keyboard(buttons, _pager(page, pages, ArchivePage)))


def render_search_page(
    query: str, hits: Sequence[SearchRow], page: int, pages: int, *, query_id: str
) -> RenderedMessage:
    """Page ``page`` (1-based) of search results, matched words in bold; ``query_id`` names the query in
    the page buttons (see :class:`~bot.render.callbacks.SearchPage`)."""
    shown_query = _shorten(" ".join(query.split()), QUERY_LIMIT)
    heading = f"<b>{escape(texts.search_heading(shown_query))}</b>"
    if pages > 1:
        heading += f" · {escape(texts.page_of(page, pages))}"
    turn_page = _search_pager(query_id)
    if not hits:
        return message(escape(texts.nothing_found(shown_query)), _keyboard([], _pager(page, pages, turn_page)))
    lines = []
    for number, hit in enumerate(hits, start=1):
        line = f"{number}. {texts.KIND_MARKERS[hit.kind]} <b>{escape(_shorten(hit.title, TITLE_LIMIT))}</b>"
        if hit.author:
            line += f" — <i>{escape(hit.author)}</i>"
        if hit.issue_date:
            line += f" · {escape(format_short_date(hit.issue_date))}"
        snippet = highlight(_shorten(hit.snippet, SNIPPET_LIMIT))
        lines.append(f"{line}\n{snippet}" if snippet else line)
    lines = _fitting(heading, lines, separator=PARAGRAPH_SEPARATOR)
    buttons = [
        Button(str(number), data=encode(OpenItem(hit.digest_id, hit.position)))
        for number, hit in enumerate(hits[: len(lines)], start=1)
    ]
    html = heading + PARAGRAPH_SEPARATOR + PARAGRAPH_SEPARATOR.join(lines)
    return message(html, _keyboard(buttons, _pager(page, pages, turn_page)))


def render_authors(rows: Sequence[AuthorRow]) -> list[RenderedMessage]:
    """Everyone with a byline, in the order given (storage: most prolific first), with counts."""
    heading = f"<b>{escape(texts.AUTHORS)}</b>"
    if not rows:
        return messages(f"{heading}{PARAGRAPH_SEPARATOR}{escape(texts.NO_AUTHORS)}")
    lines = []
    for row in rows:
        details = texts.pieces(row.count)
        if row.last_date is not None:
            details += ", " + texts.latest(format_short_date(row.last_date))
        lines.append(f"<b>{escape(row.name)}</b> — {escape(details)}")
    return messages(heading + PARAGRAPH_SEPARATOR + "\n".join(lines))


def highlight(snippet: str) -> str:
    """Escape a search snippet, then turn storage's match markers into bold.

    Markers may be unbalanced (a snippet shortened mid-match, or text that contained the control
    characters itself): a start inside a match and an end outside one are ignored, and a match still
    open at the end is closed, so the result is always valid markup.
    """
    out = []
    bold = False
    for piece in _MARKERS.split(escape(_CONTROL.sub("", snippet))):
        if piece == SNIPPET_START:
            if not bold:
                out.append("<b>")
                bold = True
        elif piece == SNIPPET_END:
            if bold:
                out.append("</b>")
                bold = False
        else:
            out.append(piece)
    if bold:
        out.append("</b>")
    return "".join(out)


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _fitting(heading: str, lines: list[str], *, separator: str = "\n") -> list[str]:
    """As many leading ``lines`` as fit in one message under ``heading``."""
    kept: list[str] = []
    for line in lines:
        if visible_len(_page_html(heading, [*kept, line], separator)) > MESSAGE_LIMIT:
            break
        kept.append(line)
    return kept


def _page_html(heading: str, lines: list[str], separator: str = "\n") -> str:
    return heading + PARAGRAPH_SEPARATOR + separator.join(lines)


def _search_pager(query_id: str) -> Callable[[int], Action]:
    def turn(page: int) -> Action:
        return SearchPage(page, query_id)

    return turn


def _pager(page: int, pages: int, turn: Callable[[int], Action]) -> tuple[Button, ...]:
    """ "◀ 2/5 ▶": the arrows turn pages, the counter only shows where the reader is."""
    if pages <= 1:
        return ()
    row = []
    if page > 1:
        row.append(Button(texts.PAGE_BACK, data=encode(turn(page - 1))))
    row.append(Button(texts.page_counter(page, pages), data=encode(Noop())))
    if page < pages:
        row.append(Button(texts.PAGE_FORWARD, data=encode(turn(page + 1))))
    return tuple(row)


def _keyboard(buttons: list[Button], pager: tuple[Button, ...]) -> Keyboard | None:
    rows = grid(buttons) + ((pager,) if pager else ())
    return Keyboard(rows) if rows else None
