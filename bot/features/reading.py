"""What the reader commands, their buttons, deep links and inline mode answer.

Handlers parse a command and call one method of :class:`Reading`; what comes back is rendered and ready to
send (or, for a button, to edit in). Keeping the whole answer here, away from ``telegram``, means the unit
tests and the benchmark exercise exactly the path a handler runs, minus the HTTP request.

Every bad input is answered with a message that says what was wrong and what works; nothing here raises
for anything a reader can type or press.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.digest.calendar import format_issue_date, format_short_date
from bot.digest.model import Digest, Item, ItemKind
from bot.features.authors import AuthorDirectory
from bot.render import replies
from bot.render import texts as render_texts
from bot.render.callbacks import (
    Action,
    ArchivePage,
    AuthorFollow,
    AuthorPage,
    AuthorsPage,
    FindPage,
    Noop,
    OpenItem,
    OpenOverview,
    SearchPage,
    author_token,
    decode,
    encode,
)
from bot.render.digest import (
    OPENABLE,
    item_at,
    render_issue,
    render_item,
    render_item_list,
    render_overview,
    render_share,
)
from bot.render.keyboard import Button, Keyboard, label
from bot.render.message import RenderedMessage, message, messages
from bot.render.pages import (
    render_archive_page,
    render_author_page,
    render_authors,
    render_no_issue_today,
    render_notice,
    render_pieces,
    render_search_page,
)
from bot.rules.authors import AuthorMatch, author_key
from bot.rules.clock import Clock
from bot.rules.dates import parse_date_phrase
from bot.rules.preferences import Format
from bot.rules.queries import ReadQuery, read_query, search_terms
from bot.rules.searches import SearchMemory, normalize_query
from storage import (
    BroadcastRepository,
    DigestRepository,
    DigestStatus,
    OpenRepository,
    StoredDigest,
    SubscriberRepository,
)
from storage import SearchPage as SearchResults

if TYPE_CHECKING:
    from bot.features.services import Services

ARCHIVE_PAGE_SIZE = 8
SEARCH_PAGE_SIZE = 5
"""Search results per page: five snippets of up to 300 characters still read as one screen."""
INLINE_LIMIT = 10
"""Inline results offered at most (Telegram allows 50). Each is a whole rendered item from its own issue,
so each costs an issue to load and a piece to render: twenty took 20 ms of CPU over five years of issues,
and the picker shows only the first few without scrolling."""
AUTHOR_CHOICES = 5
FOUND_PAGE_SIZE = 5
"""Pieces per page when looking by author or topic: five lines of author, title and date."""
AUTHORS_PAGE_SIZE = 10
AUTHOR_PAGE_SIZE = 5

_NUMBER = re.compile(r"#?(\d{1,4})\.?", re.ASCII)
_DEEP_LINK = re.compile(r"(issue)-(\d{4}-\d{2}-\d{2})|(story|opinion)-(\d{4}-\d{2}-\d{2})-(\d{1,4})", re.ASCII)
_DEEP_FIND = re.compile(r"(story|opinion)-([A-Za-z][A-Za-z0-9_]{0,56})", re.ASCII)
"""A deep link that finds (Telegram allows 64 characters of ``A-Za-z0-9_-``): words start with a letter,
so that a malformed dated link ("opinion-2022-01-07") is never taken for words."""
_WORD = re.compile(r"[^\W_]")
_COMMAND_KINDS = {ItemKind.STORY: "story", ItemKind.OPINION: "opinion"}
_SCOPES: dict[str, tuple[ItemKind, ...]] = {
    "o": (ItemKind.OPINION,),
    "s": (ItemKind.STORY,),
    "p": (ItemKind.OPINION, ItemKind.STORY),
}
"""What a :class:`~bot.render.callbacks.FindPage` looks among; "p" is plain text and inline mode."""
_PIECES = _SCOPES["p"]


@dataclass(frozen=True, slots=True)
class ReaderView:
    """How a chat reads: its /settings when it has pressed /start, the defaults otherwise."""

    today: dt.date
    """The reader's local date, for "yesterday" and "monday"."""
    format: Format = Format.FULL
    kinds: frozenset[ItemKind] | None = None
    """The sections the reader wants; None means all."""
    followed: tuple[str, ...] = ()
    """Keys of the authors the reader follows."""
    shared: bool = False
    """A group, supergroup or channel (20 messages a minute): long answers go there shorter."""


@dataclass(frozen=True, slots=True)
class ButtonAnswer:
    """What a pressed button gets: content to show (edited in or sent), and/or a short notice.

    ``notice`` is plain text for ``answerCallbackQuery``; with no content it is the whole answer.
    """

    messages: tuple[RenderedMessage, ...] = ()
    notice: str | None = None


@dataclass(frozen=True, slots=True)
class InlineArticle:
    """One inline-mode result: what the picker shows and the message it sends when chosen."""

    id: str
    title: str
    description: str
    message: RenderedMessage


def deep_link_payload(kind: ItemKind | None, day: dt.date, number: int | None = None) -> str:
    """``issue-2022-01-07``, or ``opinion-2022-01-07-1`` for the first opinion of that issue (1-based)."""
    if kind is None:
        return f"issue-{day.isoformat()}"
    if kind not in _COMMAND_KINDS or number is None:
        raise ValueError("only stories and opinions, with a number, have deep links")
    return f"{_COMMAND_KINDS[kind]}-{day.isoformat()}-{number}"


def reads_in_place(action: Action, buttons: Sequence[tuple[str, str | None]]) -> bool:
    """Whether pressing ``action`` on a message with ``buttons`` should edit that message.

    Turning a page, and stepping Back/Next through an issue, replace the message: a reader browsing
    does not want a trail of copies. An item opened from the overview replaces it too ("◀ Back to
    the issue" brings it back). An item or issue opened from a numbered list (stories, search results,
    the archive) arrives as a new message, so that the list stays where the reader left it.
    """
    if isinstance(action, ArchivePage | SearchPage | FindPage | AuthorsPage):
        return True
    if isinstance(action, AuthorPage):
        # Turning the pages of an author (a message with their Follow button) replaces them; an author
        # opened from the listing or a "Did you mean" comes as a new message, so that the listing stays.
        pressed = [decode(data) for _, data in buttons if data is not None]
        return any(isinstance(other, AuthorFollow) and other.author == action.author for other in pressed)
    if not isinstance(action, OpenItem | OpenOverview):
        return False
    if any(text == render_texts.BACK_TO_ISSUE for text, _ in buttons):
        return True
    if isinstance(action, OpenOverview) or any(text.strip().isdigit() for text, _ in buttons):
        return False
    pressed = [decode(data) for _, data in buttons if data is not None]
    return all(isinstance(other, OpenItem) and other.digest_id == action.digest_id for other in pressed)


class Reading:
    """The reading side of the archive, for one running application (or one benchmark, or one test)."""

    def __init__(
        self,
        *,
        digests: DigestRepository,
        subscribers: SubscriberRepository,
        broadcasts: BroadcastRepository,
        clock: Clock,
        searches: SearchMemory,
        authors: AuthorDirectory,
        default_timezone: str = "UTC",
        opens: OpenRepository | None = None,
        max_issue_messages: int | None = None,
        newsletter: str | None = None,
    ) -> None:
        self._newsletter = newsletter
        """NEWSLETTER_NAME: the name the issues are shown under (None: the name each issue prints)."""
        self._opens = opens
        self._authors = authors
        self._max_issue_messages = max_issue_messages
        self._digests = digests
        self._subscribers = subscribers
        self._broadcasts = broadcasts
        self._clock = clock
        self._searches = searches
        self._default_timezone = default_timezone

    @classmethod
    def of(cls, services: Services) -> Reading:
        """Cheap (it only holds references): handlers build one per update."""
        return cls(
            digests=services.digests,
            subscribers=services.subscribers,
            broadcasts=services.broadcasts,
            clock=services.clock,
            searches=services.searches,
            authors=services.authors,
            default_timezone=services.settings.default_timezone,
            opens=services.opens,
            max_issue_messages=services.settings.max_issue_messages,
            newsletter=services.settings.newsletter_name,
        )

    # --- the reader ---------------------------------------------------------------------------------

    async def view(self, chat_id: int | None) -> ReaderView:
        """The chat's preferences; a chat that never pressed /start reads with the defaults."""
        subscriber = await self._subscribers.get(chat_id) if chat_id is not None else None
        if subscriber is None:
            # Telegram's group and channel ids are negative.
            shared = chat_id is not None and chat_id < 0
            return ReaderView(today=self._local_today(self._default_timezone), shared=shared)
        followed = tuple(f.author_key for f in await self._subscribers.followed(subscriber.chat_id))
        kinds = frozenset(subscriber.sections)
        return ReaderView(
            today=self._local_today(subscriber.timezone),
            format=subscriber.format,
            kinds=None if kinds >= frozenset(ItemKind) else kinds,
            followed=followed,
            shared=subscriber.chat_kind.shared,
        )

    def _local_today(self, timezone: str) -> dt.date:
        try:
            zone = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            zone = ZoneInfo("UTC")
        return self._clock.now().astimezone(zone).date()

    # --- issues -------------------------------------------------------------------------------------

    async def today(self, chat_id: int | None) -> list[RenderedMessage]:
        """``/today``: today's issue (dated the publisher's today), in the reader's format.

        Before it is out, or once an editor has withdrawn it, an older issue is never shown in its place as
        if it were today's: the reply says so and offers the latest issue, named by its date, and the archive.
        """
        stored = await self._digests.todays_issue()
        if stored is not None:
            return self._issue(stored, await self.view(chat_id))
        today = self._digests.today()
        dated_today = await self._digests.of_date(today)
        withdrawn = dated_today is not None and dated_today.status is DigestStatus.WITHDRAWN
        latest = await self._digests.latest_published()
        if latest is None and not withdrawn:
            return [message(replies.NO_ISSUE_YET)]
        offered = (latest.id, latest.digest.date) if latest is not None else None
        return [render_no_issue_today(today, offered, withdrawn=withdrawn)]

    async def digest_on(self, chat_id: int | None, phrase: str) -> list[RenderedMessage]:
        """``/digest 2022-01-07`` (or "yesterday", "monday"): that day's issue, or the nearest with a note."""
        phrase = phrase.strip()
        if not phrase:
            return [message(replies.DIGEST_USAGE)]
        view = await self.view(chat_id)
        day = parse_date_phrase(phrase, view.today)
        if day is None:
            return [message(replies.bad_date(phrase))]
        stored = await self._digests.by_date(day)
        if stored is not None:
            return self._issue(stored, view)
        nearest = await self._digests.nearest_to(day)
        if nearest is None:
            return [message(replies.NO_ISSUE_YET)]
        found = format_issue_date(nearest.digest.date) if nearest.digest.date else render_texts.DEFAULT_NEWSLETTER
        return [message(replies.nearest_issue(format_issue_date(day), found)), *self._issue(nearest, view)]

    def _issue(self, stored: StoredDigest, view: ReaderView) -> list[RenderedMessage]:
        return render_issue(
            stored.digest.named(self._newsletter),
            digest_id=stored.id,
            fmt=view.format,
            kinds=view.kinds,
            followed=view.followed,
            shared=view.shared,
            max_messages=self._max_issue_messages,
        )

    # --- the archive --------------------------------------------------------------------------------

    async def archive(self, text: str = "") -> list[RenderedMessage]:
        """``/archive`` or ``/archive 3``: a page of recent issues, each with a button."""
        text = text.strip()
        if not text:
            return [await self.archive_page(1)]
        match = _NUMBER.fullmatch(text)
        if match is None or int(match[1]) < 1:
            return [message(replies.not_a_page_number(text))]
        page = int(match[1])
        pages = await self._archive_pages()
        if page > pages:
            return [message(replies.archive_page_out_of_range(page, pages)), await self.archive_page(pages)]
        return [await self.archive_page(page)]

    async def archive_page(self, page: int) -> RenderedMessage:
        """Page ``page`` (1-based, clamped to the pages there are, since a button may be old)."""
        pages = await self._archive_pages()
        page = min(max(page, 1), pages)
        entries = await self._digests.recent(ARCHIVE_PAGE_SIZE, (page - 1) * ARCHIVE_PAGE_SIZE)
        return render_archive_page(entries, page, pages)

    async def _archive_pages(self) -> int:
        return max(1, math.ceil(await self._digests.count() / ARCHIVE_PAGE_SIZE))

    # --- stories and opinions -----------------------------------------------------------------------

    async def items(self, kind: ItemKind, text: str = "", chat_id: int | None = None) -> list[RenderedMessage]:
        """``/stories``, ``/opinions``: today's items of one kind, numbered; with words (``/opinions
        kazakhstan``), the archive's pieces of that kind on the topic, or by the author named."""
        if " ".join(text.split()):
            return await self.find(chat_id, (kind,), text)
        stored = await self._digests.latest_published()
        if stored is None:
            return [message(replies.NO_ISSUE_YET)]
        return render_item_list(kind, stored.digest, digest_id=stored.id)

    async def story(self, chat_id: int | None, text: str) -> list[RenderedMessage]:
        """``/story N``; without a number, the list of stories; with words, stories on that topic."""
        text = " ".join(text.split())
        if not text or _NUMBER.fullmatch(text):
            return await self._numbered(chat_id, ItemKind.STORY, text)
        return await self.find(chat_id, (ItemKind.STORY,), text)

    async def opinion(self, chat_id: int | None, text: str) -> list[RenderedMessage]:
        """``/opinion 2``, ``/opinion trenin``, ``/opinion nato``, ``/opinion trenin nato``.

        A number is an opinion of today's issue. Otherwise the words are read by
        :func:`bot.rules.queries.read_query`: an author (matched against every author in the archive,
        forgivingly: see :class:`bot.rules.authors.AuthorIndex`), a topic, or both; see :meth:`find`.
        """
        text = " ".join(text.split())
        if not text or _NUMBER.fullmatch(text):
            return await self._numbered(chat_id, ItemKind.OPINION, text)
        if await self._digests.count() == 0:
            return [message(replies.NO_ISSUE_YET)]
        return await self.find(chat_id, (ItemKind.OPINION,), text)

    async def find(self, chat_id: int | None, kinds: Sequence[ItemKind], text: str) -> list[RenderedMessage]:
        """Pieces of ``kinds`` by the author and/or on the topic that ``text`` names.

        * An author alone: their piece in today's issue if there is one (several authors with one there:
          a choice), otherwise the author's page (several authors the name may mean: a choice).
        * An author and a topic: the author's pieces on it; one opens at once, several are listed.
        * A topic alone: the archive's pieces on it, best match first, most recent first among equals,
          always as a list (the reader asked what there is), with "Did you mean …?" when a word of it
          is close to an author's name.
        """
        query = read_query(text, (await self._authors.load(self._digests))[1], limit=AUTHOR_CHOICES)
        kind = _COMMAND_KINDS.get(kinds[0], "opinion") if len(kinds) == 1 else "opinion"
        if not query.topic:
            if not query.authors:
                return [message(replies.nothing_to_find(kind))]
            return await self._by_author(chat_id, query)
        found = await self._found_page(chat_id, kinds, query, 1)
        if found is not None:
            return found
        if query.authors:
            # The author wrote nothing on the topic: say so, and show what they did write.
            author = query.authors[0]
            note = render_texts.nothing_by_on(author.name, query.topic_label)
            page = await self.author_page(chat_id, author_token(author.key), 1, note=note)
            if page is not None:
                return [page]
        return [self._nothing_on(kinds, query)]

    async def _found_page(
        self, chat_id: int | None, kinds: Sequence[ItemKind], query: ReadQuery, page: int, *, open_single: bool = True
    ) -> list[RenderedMessage] | None:
        """Page ``page`` of the pieces ``query`` finds; None when it finds none. An author's single piece on
        the topic opens at once (``open_single``)."""
        authors = [match.key for match in query.authors] or None

        async def search(page: int) -> SearchResults:
            offset = (page - 1) * FOUND_PAGE_SIZE
            return await self._digests.search(
                query.topic_query, FOUND_PAGE_SIZE, offset, kinds=kinds, author_keys=authors
            )

        result = await search(page)
        if result.total == 0:
            return None
        pages = max(1, math.ceil(result.total / FOUND_PAGE_SIZE))
        if page > pages:
            # An old button after the archive changed: the last page rather than an empty one.
            page = pages
            result = await search(page)
        if authors and open_single and result.total == 1:
            [hit] = result.hits
            stored = await self._digests.get(hit.digest_id)
            if stored is not None:
                return await self._read(stored, hit.position, await self.view(chat_id))
        query_id = self._searches.remember(query.text, self._clock.now())
        scope = _scope(kinds)

        def turn(number: int) -> Action:
            return FindPage(scope, number, query_id)

        # One author in the heading; several a name may mean ("dmitry nato") are named on each line.
        author = query.authors[0].name if len(query.authors) == 1 else None
        extra = [] if query.suggestion is None else [_suggestion_button(query.suggestion)]
        heading = render_texts.found_heading(kinds, query.topic_label, author)
        return [render_pieces(heading, result.hits, page, pages, turn, with_author=author is None, extra=extra)]

    def _nothing_on(self, kinds: Sequence[ItemKind], query: ReadQuery) -> RenderedMessage:
        as_name = len(query.topic) == 1 and not query.topic[0].phrase
        text = render_texts.nothing_on(kinds, query.topic_label, as_name=as_name)
        if query.suggestion is None:
            return render_notice(text)
        suggestion = query.suggestion
        return render_notice(f"{text} {render_texts.did_you_mean(suggestion.name)}", [_suggestion_button(suggestion)])

    async def find_page(self, scope: str, query_id: str, page: int) -> RenderedMessage | None:
        """Another page of a remembered :meth:`find`; None when the query has expired."""
        text = self._searches.recall(query_id, self._clock.now())
        if text is None:
            return None
        query = read_query(text, (await self._authors.load(self._digests))[1], limit=AUTHOR_CHOICES)
        kinds = _SCOPES[scope]
        found = await self._found_page(None, kinds, query, page, open_single=False) if query.topic else None
        return found[0] if found else self._nothing_on(kinds, query)

    async def _by_author(self, chat_id: int | None, query: ReadQuery) -> list[RenderedMessage]:
        """An author named without a topic: today's piece by them, or their page."""
        matches = list(query.authors)
        text = " ".join(query.author_words)
        stored = await self._digests.latest_published()
        if stored is not None:
            keys = {match.key for match in matches}
            today = [
                (position, item)
                for position, item in enumerate(stored.digest.items())
                if item.kind in OPENABLE and author_key(item.author) in keys
            ]
            if len({author_key(item.author) for _, item in today}) > 1:
                choices = [_open_button(stored.id, position, item, with_author=True) for position, item in today]
                return [message(replies.author_choices(text), Keyboard(tuple((choice,) for choice in choices)))]
            if today:
                today.sort(key=lambda pair: pair[1].kind is not ItemKind.OPINION)
                view = await self.view(chat_id)
                return await self._read(stored, today[0][0], view)
        if len(matches) > 1:
            # Several authors the name may mean, none in today's issue: their pages to choose from.
            buttons = tuple(
                (Button(label(f"{match.name} — {render_texts.pieces(match.count)}"), data=_author_page_data(match)),)
                for match in matches
            )
            return [message(replies.author_choices(text), Keyboard(buttons))]
        note = render_texts.nothing_today_from(matches[0].name)
        page = await self.author_page(chat_id, author_token(matches[0].key), 1, note=note)
        return [page] if page is not None else [message(replies.unknown_author(text))]

    async def _numbered(self, chat_id: int | None, kind: ItemKind, text: str) -> list[RenderedMessage]:
        """``/story 2`` (``text`` matches ``_NUMBER``), or the list of today's items of ``kind`` (empty)."""
        stored = await self._digests.latest_published()
        if stored is None:
            return [message(replies.NO_ISSUE_YET)]
        match = _NUMBER.fullmatch(text)
        if match is None:
            return render_item_list(kind, stored.digest, digest_id=stored.id)
        positions = _positions(stored.digest, kind)
        command_kind = _COMMAND_KINDS[kind]
        number = int(match[1])
        if positions and 1 <= number <= len(positions):
            return await self._read(stored, positions[number - 1], await self.view(chat_id))
        # Before today's issue is out (or once it is withdrawn) the numbers are the latest issue's: it is named
        # by its date, never called today's.
        where = "today's issue"
        if stored.digest.date is not None and await self._digests.todays_issue_id() != stored.id:
            where = f"the issue of {format_issue_date(stored.digest.date)}"
        if not positions:
            return [message(replies.no_items_of_kind(command_kind, where=where))]
        return [message(replies.item_number_out_of_range(command_kind, number, len(positions), where=where))]

    async def _read(self, stored: StoredDigest, position: int, view: ReaderView) -> list[RenderedMessage]:
        """A piece opened (a button, a number, an author, a deep link): counted anonymously, then rendered."""
        if self._opens is not None:
            await self._opens.record(stored.id, position)
        return render_item(stored.digest, stored.id, position, kinds=view.kinds)

    async def authors(self, page: int = 1) -> list[RenderedMessage]:
        """``/authors``: everyone with a byline in the archive, with how many pieces and when last, a page
        at a time, each with a button to their page."""
        return [await self.authors_page(page)]

    async def authors_page(self, page: int) -> RenderedMessage:
        rows, _ = await self._authors.load(self._digests)
        pages = max(1, math.ceil(len(rows) / AUTHORS_PAGE_SIZE))
        page = min(max(page, 1), pages)
        return render_authors(rows[(page - 1) * AUTHORS_PAGE_SIZE : page * AUTHORS_PAGE_SIZE], page, pages)

    async def author_page(
        self, chat_id: int | None, token: str, page: int, *, note: str | None = None
    ) -> RenderedMessage | None:
        """Page ``page`` of the author a button names (by :func:`~bot.render.callbacks.author_token`), under
        ``note``; None when the archive no longer has them."""
        author = await self._authors.by_token(self._digests, token)
        if author is None:
            return None
        key = author.key
        count = await self._digests.count_by_author(key, kinds=_PIECES)
        pages = max(1, math.ceil(count / AUTHOR_PAGE_SIZE))
        page = min(max(page, 1), pages)
        pieces = await self._digests.items_by_author(
            key, AUTHOR_PAGE_SIZE, (page - 1) * AUTHOR_PAGE_SIZE, kinds=_PIECES
        )
        view = await self.view(chat_id)
        return render_author_page(author, pieces, page, pages, following=key in view.followed, note=note)

    # --- search -------------------------------------------------------------------------------------

    async def search(self, text: str) -> list[RenderedMessage]:
        """``/search words`` (or plain text): the first page of ranked results; the query is kept for paging."""
        query = normalize_query(text)
        if not query:
            return [message(replies.SEARCH_USAGE)]
        if not _WORD.search(query):
            return [message(replies.nothing_to_search(query))]
        if search_terms(query).only_common:
            return [message(replies.too_common_to_search(query))]
        query_id = self._searches.remember(query, self._clock.now())
        return [await self._search_page(query, query_id, 1)]

    async def text(self, chat_id: int | None, text: str) -> list[RenderedMessage]:
        """A plain message: the named author's stories and opinions on the topic it names ("what does
        lukyanov say about kazakhstan", "trenin nato"), before a search of the archive.

        The search leaves out the filler of a question ("what does … say about"), which would otherwise
        have to appear in every match; words typed as words are searched as they are.
        """
        query = read_query(text, (await self._authors.load(self._digests))[1], limit=AUTHOR_CHOICES)
        if query.authors and query.topic:
            found = await self._found_page(chat_id, _PIECES, query, 1)
            if found is not None:
                return found
        return await self.search(query.words_query if query.conversational and query.words_query else query.text)

    async def search_page(self, query_id: str, page: int) -> RenderedMessage | None:
        """Another page of a remembered search; None when the search has expired."""
        query = self._searches.recall(query_id, self._clock.now())
        if query is None:
            return None
        return await self._search_page(query, query_id, page)

    async def _search_page(self, query: str, query_id: str, page: int) -> RenderedMessage:
        result = await self._digests.search(query, SEARCH_PAGE_SIZE, (page - 1) * SEARCH_PAGE_SIZE)
        pages = max(1, math.ceil(result.total / SEARCH_PAGE_SIZE))
        if page > pages:
            # An old button after the archive changed: show the last page rather than an empty one.
            page = pages
            result = await self._digests.search(query, SEARCH_PAGE_SIZE, (page - 1) * SEARCH_PAGE_SIZE)
        return render_search_page(query, result.hits, page, pages, query_id=query_id)

    # --- breaking news ------------------------------------------------------------------------------

    async def latest_update(self) -> list[RenderedMessage]:
        """``/latest``: the last breaking update the editors finished sending, exactly as it went out."""
        broadcast = await self._broadcasts.latest_done()
        if broadcast is None:
            return [message(replies.NO_BREAKING_NEWS)]
        return messages(broadcast.text)

    # --- buttons ------------------------------------------------------------------------------------

    async def press(self, chat_id: int | None, action: Action) -> ButtonAnswer:
        """What a reading button shows. Data that decodes but points at nothing gets a polite notice."""
        if isinstance(action, OpenItem | OpenOverview):
            stored = await self._digests.get(action.digest_id)
            if stored is None or stored.status is not DigestStatus.PUBLISHED:
                return ButtonAnswer(notice=replies.ISSUE_GONE)
            view = await self.view(chat_id)
            if isinstance(action, OpenOverview):
                digest = stored.digest.named(self._newsletter)
                overview = render_overview(digest, digest_id=stored.id, kinds=view.kinds, followed=view.followed)
                return ButtonAnswer(tuple(overview))
            item = item_at(stored.digest, action.index)
            if item is None or item.kind not in OPENABLE:
                return ButtonAnswer(notice=replies.ITEM_GONE)
            return ButtonAnswer(tuple(await self._read(stored, action.index, view)))
        if isinstance(action, ArchivePage):
            return ButtonAnswer((await self.archive_page(action.page),))
        if isinstance(action, FindPage):
            found = await self.find_page(action.scope, action.query_id, action.page)
            return ButtonAnswer(notice=replies.SEARCH_EXPIRED) if found is None else ButtonAnswer((found,))
        if isinstance(action, AuthorsPage):
            return ButtonAnswer((await self.authors_page(action.page),))
        if isinstance(action, AuthorPage):
            author = await self.author_page(chat_id, action.author, action.page)
            return ButtonAnswer(notice=replies.AUTHOR_GONE) if author is None else ButtonAnswer((author,))
        if isinstance(action, SearchPage):
            page = await self.search_page(action.query_id, action.page)
            return ButtonAnswer(notice=replies.SEARCH_EXPIRED) if page is None else ButtonAnswer((page,))
        if isinstance(action, Noop):
            return ButtonAnswer()
        return ButtonAnswer(notice=replies.STALE_BUTTON)

    # --- deep links ---------------------------------------------------------------------------------

    async def deep_link(self, chat_id: int | None, payload: str) -> list[RenderedMessage]:
        """``/start issue-2022-01-07``, ``/start story-2022-01-07-1``, ``/start opinion-2022-01-07-2``; and
        ``/start opinion-trenin_nato`` (words joined by ``_``), which finds as ``/opinion trenin nato`` does."""
        match = _DEEP_LINK.fullmatch(payload.strip())
        if match is None:
            found = _DEEP_FIND.fullmatch(payload.strip())
            if found is None:
                return [message(replies.BAD_DEEP_LINK)]
            kind = ItemKind.STORY if found[1] == "story" else ItemKind.OPINION
            return await self.find(chat_id, (kind,), found[2].replace("_", " "))
        kind_name = match[1] or match[3]
        try:
            day = dt.date.fromisoformat(match[2] or match[4])
        except ValueError:
            return [message(replies.BAD_DEEP_LINK)]
        stored = await self._digests.by_date(day)
        if stored is None:
            return [message(replies.no_issue_on(format_issue_date(day)))]
        view = await self.view(chat_id)
        if kind_name == "issue":
            return self._issue(stored, view)
        kind = ItemKind(kind_name)
        positions = _positions(stored.digest, kind)
        number = int(match[5])
        where = f"the issue of {format_issue_date(day)}"
        if not positions:
            return [message(replies.no_items_of_kind(kind_name, where=where))]
        if not 1 <= number <= len(positions):
            return [message(replies.item_number_out_of_range(kind_name, number, len(positions), where=where))]
        return await self._read(stored, positions[number - 1], view)

    # --- inline mode --------------------------------------------------------------------------------

    async def inline(self, text: str, bot_username: str | None) -> list[InlineArticle]:
        """``@bot trenin nato`` in any chat: stories and opinions to share, read as :meth:`find` reads them.

        The author's pieces on the topic come first (all their pieces when there is no topic), then what
        a search of the remaining words finds. An empty query offers the latest issue's stories and opinions
        (today's once it is out); each result names its issue's date, so an older one is never taken for today's.
        """
        query = normalize_query(text)
        wanted: dict[tuple[int, int], None] = {}
        if not query:
            stored = await self._digests.latest_published()
            if stored is not None:
                for position, item in enumerate(stored.digest.items()):
                    if item.kind in OPENABLE:
                        wanted[(stored.id, position)] = None
        elif _WORD.search(query):
            read = read_query(query, (await self._authors.load(self._digests))[1], limit=3)
            keys = [match.key for match in read.authors]
            if keys and read.topic:
                found = await self._digests.search(read.topic_query, INLINE_LIMIT, kinds=_PIECES, author_keys=keys)
                for hit in found.hits:
                    wanted[(hit.digest_id, hit.position)] = None
            for key in keys if not read.topic else ():
                for authored in await self._digests.items_by_author(key, limit=INLINE_LIMIT, kinds=_PIECES):
                    wanted[(authored.digest_id, authored.position)] = None
            if len(wanted) < INLINE_LIMIT:
                # Unfiltered, and briefs (never shared) skipped here: limiting the search to stories and
                # opinions would cost it a set of every such item's id, for a handful of briefs.
                for hit in (await self._digests.search(read.words_query or query, INLINE_LIMIT)).hits:
                    if hit.kind in OPENABLE:
                        wanted[(hit.digest_id, hit.position)] = None
        chosen = list(wanted)[:INLINE_LIMIT]
        issues = await self._digests.get_many({digest_id for digest_id, _ in chosen})
        articles = []
        for digest_id, position in chosen:
            stored = issues.get(digest_id)
            if stored is None:
                continue
            article = _article(stored, position, bot_username)
            if article is not None:
                articles.append(article)
        return articles


def _author_page_data(match: AuthorMatch) -> str:
    return encode(AuthorPage(author_token(match.key), 1))


def _suggestion_button(match: AuthorMatch) -> Button:
    """ "Did you mean Dmitry Trenin?", opening that author's page."""
    return Button(label(render_texts.did_you_mean(match.name)), data=_author_page_data(match))


def _scope(kinds: Sequence[ItemKind]) -> str:
    return next(scope for scope, scoped in _SCOPES.items() if set(scoped) == set(kinds))


def _positions(digest: Digest, kind: ItemKind) -> list[int]:
    """Positions in the issue of its items of ``kind``: ``/story 2`` is ``positions[1]``."""
    return [position for position, item in enumerate(digest.items()) if item.kind is kind]


def _open_button(digest_id: int, position: int, item: Item, *, with_author: bool = False) -> Button:
    title = f"{item.author}: {item.title}" if with_author and item.author else item.title
    return Button(label(f"{render_texts.KIND_MARKERS[item.kind]} {title}"), data=encode(OpenItem(digest_id, position)))


def _article(stored: StoredDigest, position: int, bot_username: str | None) -> InlineArticle | None:
    digest = stored.digest
    item = item_at(digest, position)
    if item is None or item.kind not in OPENABLE:
        return None
    more_url = None
    if digest.date is not None and bot_username:
        number = _positions(digest, item.kind).index(position) + 1
        more_url = f"https://t.me/{bot_username}?start={deep_link_payload(item.kind, digest.date, number)}"
    details = [render_texts.KIND_NAMES[item.kind]]
    if item.author:
        details.append(item.author)
    if digest.date is not None:
        details.append(format_short_date(digest.date))
    return InlineArticle(
        id=f"{stored.id}-{position}",
        title=label(item.title, 120),
        description=" · ".join(details),
        message=render_share(digest, position, more_url=more_url),
    )
