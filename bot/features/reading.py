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
from bot.render.callbacks import Action, ArchivePage, Noop, OpenItem, OpenOverview, SearchPage, decode, encode
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
from bot.render.pages import render_archive_page, render_authors, render_search_page
from bot.rules.authors import AuthorMatch, author_key
from bot.rules.clock import Clock
from bot.rules.dates import parse_date_phrase
from bot.rules.preferences import Format
from bot.rules.searches import SearchMemory, normalize_query
from storage import (
    BroadcastRepository,
    DigestRepository,
    DigestStatus,
    OpenRepository,
    StoredDigest,
    SubscriberRepository,
)

if TYPE_CHECKING:
    from bot.features.services import Services

ARCHIVE_PAGE_SIZE = 8
SEARCH_PAGE_SIZE = 5
"""Search results per page: five snippets of up to 300 characters still read as one screen."""
INLINE_LIMIT = 20
"""Inline results offered at most (Telegram allows 50); each is a whole rendered item, so fewer is faster."""
AUTHOR_CHOICES = 5

_NUMBER = re.compile(r"#?(\d{1,4})\.?", re.ASCII)
_DEEP_LINK = re.compile(r"(issue)-(\d{4}-\d{2}-\d{2})|(story|opinion)-(\d{4}-\d{2}-\d{2})-(\d{1,4})", re.ASCII)
_WORD = re.compile(r"[^\W_]")
_COMMAND_KINDS = {ItemKind.STORY: "story", ItemKind.OPINION: "opinion"}


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
    if isinstance(action, ArchivePage | SearchPage):
        return True
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
        """``/today``: the latest published issue, in the reader's format."""
        stored = await self._digests.latest_published()
        if stored is None:
            return [message(replies.NO_ISSUE_YET)]
        return self._issue(stored, await self.view(chat_id))

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

    async def items(self, kind: ItemKind) -> list[RenderedMessage]:
        """``/stories``, ``/opinions``: today's items of one kind, numbered."""
        stored = await self._digests.latest_published()
        if stored is None:
            return [message(replies.NO_ISSUE_YET)]
        return render_item_list(kind, stored.digest, digest_id=stored.id)

    async def story(self, chat_id: int | None, text: str) -> list[RenderedMessage]:
        """``/story N``; without a number, the list of stories."""
        return await self._numbered(chat_id, ItemKind.STORY, text)

    async def opinion(self, chat_id: int | None, text: str) -> list[RenderedMessage]:
        """``/opinion 2`` or ``/opinion trenin``: by number in today's issue, or by author.

        The name is matched against every author in the archive (forgiving: see
        :class:`bot.rules.authors.AuthorIndex`). Among the authors it may mean, one with a piece in today's
        issue wins; otherwise the reader learns when that author last wrote, with a button to read it.
        """
        text = " ".join(text.split())
        if not text or _NUMBER.fullmatch(text):
            return await self._numbered(chat_id, ItemKind.OPINION, text)
        stored = await self._digests.latest_published()
        if stored is None:
            return [message(replies.NO_ISSUE_YET)]
        _, index = await self._authors.load(self._digests)
        matches = index.match(text, limit=AUTHOR_CHOICES)
        if not matches:
            return [message(replies.unknown_author(text))]
        keys = {match.key for match in matches}
        today = [
            (position, item)
            for position, item in enumerate(stored.digest.items())
            if item.kind in OPENABLE and author_key(item.author) in keys
        ]
        if len({author_key(item.author) for _, item in today}) > 1:
            buttons = tuple((_open_button(stored.id, position, item, with_author=True),) for position, item in today)
            return [message(replies.author_choices(text), Keyboard(buttons))]
        if today:
            today.sort(key=lambda pair: pair[1].kind is not ItemKind.OPINION)
            view = await self.view(chat_id)
            return await self._read(stored, today[0][0], view)
        return await self._elsewhere(text, matches)

    async def _numbered(self, chat_id: int | None, kind: ItemKind, text: str) -> list[RenderedMessage]:
        stored = await self._digests.latest_published()
        if stored is None:
            return [message(replies.NO_ISSUE_YET)]
        text = text.strip()
        if not text:
            return render_item_list(kind, stored.digest, digest_id=stored.id)
        positions = _positions(stored.digest, kind)
        command_kind = _COMMAND_KINDS[kind]
        match = _NUMBER.fullmatch(text)
        if not positions:
            return [message(replies.no_items_of_kind(command_kind))]
        if match is None:
            return [message(replies.not_an_item_number(command_kind, text, len(positions)))]
        number = int(match[1])
        if not 1 <= number <= len(positions):
            return [message(replies.item_number_out_of_range(command_kind, number, len(positions)))]
        view = await self.view(chat_id)
        return await self._read(stored, positions[number - 1], view)

    async def _read(self, stored: StoredDigest, position: int, view: ReaderView) -> list[RenderedMessage]:
        """A piece opened (a button, a number, an author, a deep link): counted anonymously, then rendered."""
        if self._opens is not None:
            await self._opens.record(stored.id, position)
        return render_item(stored.digest, stored.id, position, kinds=view.kinds)

    async def _elsewhere(self, text: str, matches: list[AuthorMatch]) -> list[RenderedMessage]:
        """Authors with nothing in today's issue: when the one meant last wrote, or a choice of several."""
        if len(matches) > 1:
            buttons = []
            for match in matches:
                latest = await self._latest_piece(match)
                if latest is not None:
                    buttons.append((Button(label(f"{match.name}: {latest.title}"), data=latest.data),))
            return [message(replies.author_choices(text), Keyboard(tuple(buttons)) if buttons else None)]
        latest = await self._latest_piece(matches[0])
        if latest is None:
            return [message(replies.unknown_author(text))]
        date = format_issue_date(latest.day) if latest.day else None
        button = Button(label(f"{render_texts.KIND_MARKERS[latest.kind]} {latest.title}"), data=latest.data)
        return [message(replies.author_last_wrote(matches[0].name, date, latest.title), Keyboard(((button,),)))]

    async def _latest_piece(self, match: AuthorMatch) -> _Piece | None:
        for authored in await self._digests.items_by_author(match.key, limit=5):
            if authored.kind in OPENABLE:
                return _Piece(
                    encode(OpenItem(authored.digest_id, authored.position)),
                    authored.kind,
                    authored.title,
                    authored.issue_date,
                )
        return None

    async def authors(self) -> list[RenderedMessage]:
        """``/authors``: everyone with a byline in the archive, with how many pieces and when last."""
        rows, _ = await self._authors.load(self._digests)
        return render_authors(rows)

    # --- search -------------------------------------------------------------------------------------

    async def search(self, text: str) -> list[RenderedMessage]:
        """``/search words`` (or plain text): the first page of ranked results; the query is kept for paging."""
        query = normalize_query(text)
        if not query:
            return [message(replies.SEARCH_USAGE)]
        if not _WORD.search(query):
            return [message(replies.nothing_to_search(query))]
        query_id = self._searches.remember(query, self._clock.now())
        return [await self._search_page(query, query_id, 1)]

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
        if isinstance(action, SearchPage):
            page = await self.search_page(action.query_id, action.page)
            return ButtonAnswer(notice=replies.SEARCH_EXPIRED) if page is None else ButtonAnswer((page,))
        if isinstance(action, Noop):
            return ButtonAnswer()
        return ButtonAnswer(notice=replies.STALE_BUTTON)

    # --- deep links ---------------------------------------------------------------------------------

    async def deep_link(self, chat_id: int | None, payload: str) -> list[RenderedMessage]:
        """``/start issue-2022-01-07``, ``/start story-2022-01-07-1``, ``/start opinion-2022-01-07-2``."""
        match = _DEEP_LINK.fullmatch(payload.strip())
        if match is None:
            return [message(replies.BAD_DEEP_LINK)]
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
        """``@bot trenin`` in any chat: stories and opinions to share, by author first, then by words.

        An empty query offers today's stories and opinions.
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
            _, index = await self._authors.load(self._digests)
            for match in index.match(query, limit=3):
                for authored in await self._digests.items_by_author(match.key, limit=INLINE_LIMIT):
                    if authored.kind in OPENABLE:
                        wanted[(authored.digest_id, authored.position)] = None
            if len(wanted) < INLINE_LIMIT:
                for hit in (await self._digests.search(query, INLINE_LIMIT)).hits:
                    if hit.kind in OPENABLE:
                        wanted[(hit.digest_id, hit.position)] = None
        issues: dict[int, StoredDigest | None] = {}
        articles = []
        for digest_id, position in list(wanted)[:INLINE_LIMIT]:
            if digest_id not in issues:
                issues[digest_id] = await self._digests.get(digest_id)
            stored = issues[digest_id]
            if stored is None:
                continue
            article = _article(stored, position, bot_username)
            if article is not None:
                articles.append(article)
        return articles


@dataclass(frozen=True, slots=True)
class _Piece:
    """An author's latest story or opinion, ready for a button."""

    data: str
    kind: ItemKind
    title: str
    day: dt.date | None


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
