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

from bot.digest.calendar import format_issue_date, format_short_date
from bot.digest.model import ItemKind
from bot.render import replies, texts
from bot.render.callbacks import (
    Action,
    ArchivePage,
    AuthorFollow,
    AuthorPage,
    AuthorsPage,
    Noop,
    OpenItem,
    OpenOverview,
    SearchPage,
    author_token,
    encode,
)
from bot.render.html import MESSAGE_LIMIT, escape, visible_len
from bot.render.keyboard import Button, Keyboard, grid, label
from bot.render.message import RenderedMessage, message
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


class PieceRow(Protocol):
    """A story or opinion in a list of pieces (storage's ``SearchHit`` and ``AuthoredItem`` both fit)."""

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


class SearchRow(PieceRow, Protocol):
    """A matching item (storage's ``SearchHit``); ``position`` is its index in the issue."""

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


class AuthorListRow(AuthorRow, Protocol):
    """An author of the listing (storage's ``AuthorStat``): the key names them in buttons."""

    @property
    def key(self) -> str: ...


def render_authors(rows: Sequence[AuthorListRow], page: int = 1, pages: int = 1) -> RenderedMessage:
    """A page of everyone with a byline, in the order given (storage: most prolific first), with counts
    and a button each that opens the author's page."""
    heading = f"<b>{escape(texts.AUTHORS)}</b>"
    if pages > 1:
        heading += f" · {escape(texts.page_of(page, pages))}"
    if not rows:
        return message(f"{heading}{PARAGRAPH_SEPARATOR}{escape(texts.NO_AUTHORS)}")
    lines = []
    for number, row in enumerate(rows, start=1):
        last = format_short_date(row.last_date) if row.last_date is not None else None
        lines.append(f"{number}. <b>{escape(row.name)}</b> — {escape(texts.author_summary(row.count, last))}")
    lines = _fitting(heading, lines)
    buttons = [
        Button(str(number), data=encode(AuthorPage(author_token(row.key), 1)))
        for number, row in enumerate(rows[: len(lines)], start=1)
    ]
    return message(_page_html(heading, lines), _keyboard(buttons, _pager(page, pages, AuthorsPage)))


def render_pieces(
    heading: str,
    rows: Sequence[PieceRow],
    page: int,
    pages: int,
    turn: Callable[[int], Action],
    *,
    note: str | None = None,
    with_author: bool = True,
    extra: Sequence[Button] = (),
) -> RenderedMessage:
    """A page of pieces found by author or topic: a line each (marker, title, author, date) with a number
    button that opens it, page buttons, then ``extra`` buttons a row each ("Follow", "Did you mean …?").
    ``note`` comes first, as its own paragraph."""
    top = f"{escape(note)}{PARAGRAPH_SEPARATOR}" if note else ""
    title = f"{top}<b>{escape(heading)}</b>"
    if pages > 1:
        title += f" · {escape(texts.page_of(page, pages))}"
    lines = []
    for number, row in enumerate(rows, start=1):
        line = f"{number}. {texts.KIND_MARKERS[row.kind]} <b>{escape(_shorten(row.title, TITLE_LIMIT))}</b>"
        if with_author and row.author:
            line += f" — <i>{escape(row.author)}</i>"
        if row.issue_date:
            line += f" · {escape(format_short_date(row.issue_date))}"
        lines.append(line)
    lines = _fitting(title, lines)
    buttons = [
        Button(str(number), data=encode(OpenItem(row.digest_id, row.position)))
        for number, row in enumerate(rows[: len(lines)], start=1)
    ]
    keyboard = _keyboard(buttons, _pager(page, pages, turn))
    rows_of_extra = tuple((button,) for button in extra)
    if rows_of_extra:
        keyboard = Keyboard((keyboard.rows if keyboard else ()) + rows_of_extra)
    return message(_page_html(title, lines) if lines else title, keyboard)


def render_author_page(
    author: AuthorListRow,
    rows: Sequence[PieceRow],
    page: int,
    pages: int,
    *,
    following: bool,
    note: str | None = None,
) -> RenderedMessage:
    """An author's page: how many pieces and when last, a page of their pieces (newest first) with a button
    each, Follow or Unfollow, and the way back to all authors."""
    token = author_token(author.key)
    last = format_short_date(author.last_date) if author.last_date is not None else None
    heading = f"{author.name} — {texts.author_summary(author.count, last)}"
    switch = Button(
        texts.unfollow(author.name) if following else texts.follow(author.name),
        data=encode(AuthorFollow(token, page, not following)),
    )
    back = Button(texts.ALL_AUTHORS, data=encode(AuthorsPage(1)))

    def turn(number: int) -> Action:
        return AuthorPage(token, number)

    return render_pieces(heading, rows, page, pages, turn, note=note, with_author=False, extra=(switch, back))


def render_no_issue_today(
    today: dt.date, latest: tuple[int, dt.date | None] | None, *, withdrawn: bool
) -> RenderedMessage:
    """``/today`` when today's issue is not out yet, or was withdrawn: it says so, and offers ``latest``
    (the latest issue's id and date, if there is one) by its date, and the archive; never shows it as today's."""
    latest_date = latest[1] if latest is not None else None
    text = replies.no_issue_today(
        format_issue_date(today), format_issue_date(latest_date) if latest_date else None, withdrawn=withdrawn
    )
    if latest is None:
        return message(text)
    issue = texts.read_issue_of(format_short_date(latest_date) if latest_date else None)
    buttons = (
        (Button(label(issue), data=encode(OpenOverview(latest[0]))),),
        (Button(texts.OPEN_ARCHIVE, data=encode(ArchivePage(1))),),
    )
    return message(text, Keyboard(buttons))


def render_notice(text: str, buttons: Sequence[Button] = ()) -> RenderedMessage:
    """A plain-text answer (escaped here) with ``buttons`` a row each."""
    return message(escape(text), Keyboard(tuple((button,) for button in buttons)) if buttons else None)


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
