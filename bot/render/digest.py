"""Rendering one issue: its overview, a single item, the whole issue, and per-kind lists.

The same functions serve a command, the daily push and an editor's broadcast, so a reader sees an
issue the same way whichever path delivered it. Items are addressed by their position in
``list(digest.items())`` (storage's ``position``), which is what buttons carry.

Every piece of text that comes from an issue goes through :func:`~bot.render.html.escape`; markup is
only ever added around escaped text, here and nowhere else.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from urllib.parse import urlsplit

from bot.digest.calendar import format_issue_date
from bot.digest.model import Digest, Item, ItemKind
from bot.render import texts
from bot.render.callbacks import OpenItem, OpenOverview, encode
from bot.render.html import MESSAGE_LIMIT, escape, utf16_len, visible_len
from bot.render.keyboard import Button, Keyboard, grid, label
from bot.render.message import RenderedMessage, message, messages
from bot.render.split import PARAGRAPH_SEPARATOR, pack_blocks
from bot.rules.authors import author_key
from bot.rules.chats import SHARED_ISSUE_PARTS
from bot.rules.preferences import Format

OPENABLE = frozenset({ItemKind.STORY, ItemKind.OPINION})
"""Kinds that get a button of their own; briefs are read in the overview and the full issue."""
WORDS_PER_MINUTE = 230
"""For items the issue printed no read time for: an adult's average reading speed."""
BUTTONS_PER_MESSAGE = 100
"""Telegram accepts at most 100 buttons under one message."""


def render_issue(
    digest: Digest,
    *,
    digest_id: int,
    fmt: Format,
    kinds: Collection[ItemKind] | None = None,
    followed: Collection[str] = (),
    shared: bool = False,
    max_messages: int | None = None,
) -> list[RenderedMessage]:
    """The issue in the reader's chosen format; what pushes and broadcasts send.

    ``shared``: for a group, supergroup or channel, which takes 20 messages a minute, a full issue longer
    than :data:`~bot.rules.chats.SHARED_ISSUE_PARTS` messages goes as its headlines instead.
    ``max_messages`` (MAX_ISSUE_MESSAGES): an issue that would take more messages than this goes out as
    headlines with a button per piece instead (a 1 MB issue was 285 messages per reader), and its
    headlines stop at that many messages too.
    """
    if fmt is Format.FULL:
        full = render_full(digest, digest_id, kinds=kinds, followed=followed)
        if (max_messages is None or len(full) <= max_messages) and (not shared or len(full) <= SHARED_ISSUE_PARTS):
            return full
    overview = render_overview(digest, digest_id=digest_id, kinds=kinds, followed=followed)
    if max_messages is None or (len(overview) <= max_messages and _buttons(overview) <= BUTTONS_PER_MESSAGE):
        return overview
    return render_long_overview(digest, digest_id=digest_id, kinds=kinds, followed=followed, limit=max_messages)


def full_length(digest: Digest) -> int:
    """How many messages the whole issue takes in the ``full`` format (the editor's preview says it)."""
    return len(render_full(digest, 0))


def render_long_overview(
    digest: Digest,
    *,
    digest_id: int,
    kinds: Collection[ItemKind] | None = None,
    followed: Collection[str] = (),
    limit: int,
) -> list[RenderedMessage]:
    """The headlines of an issue too long for :func:`render_overview`: each message carries the buttons of
    the pieces it lists (at most :data:`BUTTONS_PER_MESSAGE`), and after ``limit`` messages the rest is
    counted, not listed."""
    room = MESSAGE_LIMIT - 200  # the closing line about pieces not listed
    head = PARAGRAPH_SEPARATOR.join(_head(digest, kinds, followed, None))
    parts: list[tuple[list[str], list[tuple[Button, ...]]]] = [([head], [])]
    size = visible_len(head)
    unlisted = 0
    for title, entries in _sections(digest, kinds):
        heading = f"\n<b>{escape(title)}</b>" if title else ""
        for position, (index, item) in enumerate(entries):
            line = (heading if position == 0 else "") + "\n" + _overview_line(item)
            lines, buttons = parts[-1]
            button = None
            if item.kind in OPENABLE:
                button = (Button(_button_text(item), data=encode(OpenItem(digest_id, index))),)
            full = size + visible_len(line) > room or (button is not None and len(buttons) >= BUTTONS_PER_MESSAGE)
            if full and len(parts) >= limit:
                unlisted += 1
                continue
            if full:
                parts.append(([], []))
                lines, buttons = parts[-1]
                line = line.lstrip("\n")
                size = 0
            lines.append(line)
            size += visible_len(line)
            if button is not None:
                buttons.append(button)
    if unlisted:
        parts[-1][0].append(f"\n\n<i>{escape(texts.more_pieces(unlisted))}</i>")
    return [message("".join(lines), Keyboard(tuple(buttons)) if buttons else None) for lines, buttons in parts]


def _buttons(parts: list[RenderedMessage]) -> int:
    return max((sum(len(row) for row in part.keyboard.rows) for part in parts if part.keyboard), default=0)


def render_overview(
    digest: Digest,
    *,
    digest_id: int,
    kinds: Collection[ItemKind] | None = None,
    followed: Collection[str] = (),
    date_label: str | None = None,
) -> list[RenderedMessage]:
    """Headline, date, teaser, then one line per item grouped by section; a button per story and opinion.

    Args:
        kinds: the kinds the reader wants (None: all). Hidden items keep their positions.
        followed: names or keys of authors the reader follows; their items are announced on top.
        date_label: replaces the printed date (e.g. "Yesterday's issue").
    """
    blocks = _head(digest, kinds, followed, date_label)
    buttons = []
    listed = False
    for title, entries in _sections(digest, kinds):
        lines = [f"<b>{escape(title)}</b>"] if title else []
        for index, item in entries:
            lines.append(_overview_line(item))
            listed = True
            if item.kind in OPENABLE:
                buttons.append((Button(_button_text(item), data=encode(OpenItem(digest_id, index))),))
        blocks.append("\n".join(lines))
    if not listed:
        blocks.append(f"<i>{escape(texts.NOTHING_IN_SECTIONS)}</i>")
    keyboard = Keyboard(tuple(buttons)) if buttons else None
    return messages(PARAGRAPH_SEPARATOR.join(blocks), keyboard)


def render_headlines(
    digest: Digest,
    *,
    digest_id: int,
    kinds: Collection[ItemKind] | None = None,
    followed: Collection[str] = (),
) -> list[RenderedMessage]:
    """The ``headlines`` format: the overview and nothing else."""
    return render_overview(digest, digest_id=digest_id, kinds=kinds, followed=followed)


def render_item(
    digest: Digest,
    digest_id: int,
    index: int,
    *,
    kinds: Collection[ItemKind] | None = None,
) -> list[RenderedMessage]:
    """The full text of item ``index``, with "◀ Previous", "Next ▶" and "◀ Back to the issue" under it.

    Previous and Next step through the stories and opinions the reader wants (``kinds``). The link
    preview is on only when the item has its own link (it is the last line).

    Raises:
        IndexError: when the issue has no item ``index``; check with :func:`item_at` first, since
            the index comes from a button and may be stale.
    """
    items = list(digest.items())
    item = item_at(digest, index)
    if item is None:
        raise IndexError(f"issue {digest_id} has no item {index}")
    html = _item_head(digest, index, item) + "\n" + _item_text(item)
    wanted = OPENABLE if kinds is None else OPENABLE & set(kinds)
    previous = next((i for i in range(index - 1, -1, -1) if items[i].kind in wanted), None)
    following = next((i for i in range(index + 1, len(items)) if items[i].kind in wanted), None)
    steps = []
    if previous is not None:
        steps.append(Button(texts.PREVIOUS, data=encode(OpenItem(digest_id, previous))))
    if following is not None:
        steps.append(Button(texts.NEXT, data=encode(OpenItem(digest_id, following))))
    back = (Button(texts.BACK_TO_ISSUE, data=encode(OpenOverview(digest_id))),)
    keyboard = Keyboard((tuple(steps), back) if steps else (back,))
    return messages(html, keyboard)


def render_full(
    digest: Digest,
    digest_id: int,
    *,
    kinds: Collection[ItemKind] | None = None,
    followed: Collection[str] = (),
) -> list[RenderedMessage]:
    """The ``full`` format: the head of the overview, then every item's full text.

    Items are packed into as few messages as fit, each item starting at the top of a message or after
    a blank line, never split unless it is longer than a message by itself. No buttons: everything is
    already there, so ``digest_id`` is unused today; it is taken so that every format is called alike.
    """
    blocks = [PARAGRAPH_SEPARATOR.join(_head(digest, kinds, followed, None))]
    for title, entries in _sections(digest, kinds):
        heading = f"<b><u>{escape(title)}</u></b>{PARAGRAPH_SEPARATOR}" if title else ""
        for position, (_, item) in enumerate(entries):
            text = _brief_text(item) if item.kind is ItemKind.BRIEF else _item_text(item, marker=True)
            blocks.append((heading if position == 0 else "") + text)
    if len(blocks) == 1:
        blocks[0] += PARAGRAPH_SEPARATOR + f"<i>{escape(texts.NOTHING_IN_SECTIONS)}</i>"
    return [message(html) for html in pack_blocks(blocks)]


def render_item_list(
    kind: ItemKind,
    digest: Digest,
    *,
    digest_id: int,
) -> list[RenderedMessage]:
    """``/stories``, ``/opinions``: the issue's items of one kind, numbered, with a number button each."""
    heading = f"<b>{escape(texts.KIND_PLURALS[kind])}</b>"
    if digest.date is not None:
        heading += f" · <i>{escape(format_issue_date(digest.date))}</i>"
    entries = [(index, item) for index, item in enumerate(digest.items()) if item.kind is kind]
    if not entries:
        return messages(heading + PARAGRAPH_SEPARATOR + escape(texts.no_items(kind)))
    lines = []
    buttons = []
    for number, (index, item) in enumerate(entries, start=1):
        lines.append(f"{number}. " + _overview_line(item, marker=False, bold=True))
        buttons.append(Button(str(number), data=encode(OpenItem(digest_id, index))))
    return messages(heading + PARAGRAPH_SEPARATOR + "\n".join(lines), Keyboard(grid(buttons)))


def render_share(digest: Digest, index: int, *, more_url: str | None, limit: int = MESSAGE_LIMIT) -> RenderedMessage:
    """Item ``index`` as one self-contained message that a reader can forward anywhere (inline mode).

    Unlike :func:`render_item` it is never split and has no callback buttons (they would not work in
    someone else's chat): paragraphs are added while they fit, the first that does not is cut at a word
    with an ellipsis, and ``more_url`` (a deep link into the bot) becomes a "read in full" button.

    Raises:
        IndexError: when the issue has no item ``index``.
    """
    item = item_at(digest, index)
    if item is None:
        raise IndexError(f"issue has no item {index}")
    head = _item_head(digest, index, item) + "\n" + _item_heading(item)
    link = safe_link(item.link)
    tail = f'<a href="{escape(link, quote=True)}">{escape(texts.READ_ORIGINAL)}</a>' if link else ""
    room = limit - visible_len(head) - (visible_len(tail) + len(PARAGRAPH_SEPARATOR) if tail else 0)
    blocks = [head]
    for paragraph in (p.strip() for p in item.body if p.strip()):
        cost = len(PARAGRAPH_SEPARATOR) + utf16_len(paragraph)
        if cost <= room:
            blocks.append(escape(paragraph))
            room -= cost
            continue
        cut = _cut_words(paragraph, room - len(PARAGRAPH_SEPARATOR) - 1)
        if cut:
            blocks.append(escape(cut) + "…")
        break
    if tail:
        blocks.append(tail)
    keyboard = Keyboard(((Button(texts.READ_IN_BOT, url=more_url),),)) if more_url else None
    return message(PARAGRAPH_SEPARATOR.join(blocks), keyboard)


def item_at(digest: Digest, index: int) -> Item | None:
    """Item ``index`` of the issue, or None when a (stale or forged) button points past its end."""
    if index < 0:
        return None
    for position, item in enumerate(digest.items()):
        if position == index:
            return item
    return None


def read_minutes(item: Item) -> int | None:
    """The read time the issue printed, or an estimate from the words, or None for an empty item."""
    if item.read_minutes:
        return item.read_minutes
    words = item.words or sum(len(paragraph.split()) for paragraph in item.body)
    return max(1, math.ceil(words / WORDS_PER_MINUTE)) if words else None


def followed_authors(digest: Digest, followed: Collection[str], kinds: Collection[ItemKind] | None = None) -> list[str]:
    """Bylines in the issue (among the kinds shown) of authors the reader follows, in issue order.

    ``followed`` may hold printed names or keys of any spelling: both sides are folded with
    :func:`bot.rules.authors.author_key`, which is idempotent, so "Dmitri Trenin" finds "Dmitry Trenin".
    """
    keys = {key for name in followed if (key := author_key(name)) is not None}
    names: dict[str, str] = {}
    for item in digest.items():
        if item.author and (kinds is None or item.kind in kinds):
            key = author_key(item.author)
            if key is not None and key in keys:
                names.setdefault(key, item.author)
    return list(names.values())


def safe_link(link: str | None) -> str | None:
    """``link`` if it is an http(s) URL Telegram will accept as a link, else None."""
    if not link or any(char.isspace() for char in link):
        return None
    parts = urlsplit(link)
    return link if parts.scheme.lower() in ("http", "https") and parts.netloc else None


# --- pieces --------------------------------------------------------------------------------------


def _head(
    digest: Digest, kinds: Collection[ItemKind] | None, followed: Collection[str], date_label: str | None
) -> list[str]:
    """Blocks on top of an issue: the followed-authors flag, headline with date, teaser."""
    blocks = []
    names = followed_authors(digest, followed, kinds) if followed else []
    if names:
        blocks.append(f"<b>{escape(texts.new_from(names))}</b>")
    headline = digest.title or digest.newsletter or texts.DEFAULT_NEWSLETTER
    masthead = [digest.newsletter] if digest.newsletter and digest.newsletter != headline else []
    if date_label is not None:
        masthead.append(date_label)
    elif digest.date is not None:
        masthead.append(format_issue_date(digest.date))
    head = f"<b>{escape(headline)}</b>"
    if masthead:
        head += f"\n<i>{escape(' · '.join(masthead))}</i>"
    blocks.append(head)
    if digest.summary and digest.summary.strip():
        blocks.append(escape(digest.summary.strip()))
    return blocks


def _sections(digest: Digest, kinds: Collection[ItemKind] | None) -> list[tuple[str | None, list[tuple[int, Item]]]]:
    """Sections with the items the reader wants, each with its position in the issue; empty ones go."""
    result = []
    index = 0
    for section in digest.sections:
        entries = []
        for item in section.items:
            if kinds is None or item.kind in kinds:
                entries.append((index, item))
            index += 1
        if entries:
            result.append((section.title, entries))
    return result


def _section_of(digest: Digest, index: int) -> str | None:
    position = 0
    for section in digest.sections:
        if index < position + len(section.items):
            return section.title
        position += len(section.items)
    return None


def _overview_line(item: Item, *, marker: bool = True, bold: bool = False) -> str:
    """ "💬 Putin must atone for his early weakness on NATO — <i>Dmitry Trenin</i> · 3 min"."""
    title = escape(_titled(item))
    parts = [f"<b>{title}</b>" if bold else title]
    if item.author:
        parts.append(f" — <i>{escape(item.author)}</i>")
    minutes = item.read_minutes if item.kind is ItemKind.BRIEF else read_minutes(item)
    if minutes:
        parts.append(f" · {escape(texts.read_time(minutes))}")
    line = "".join(parts)
    return f"{texts.KIND_MARKERS[item.kind]} {line}" if marker else line


def _titled(item: Item) -> str:
    return f"{item.emoji} {item.title}" if item.emoji else item.title


def _button_text(item: Item) -> str:
    surname = item.author.split()[-1] if item.author and item.author.split() else None
    title = f"{surname}: {item.title}" if surname and item.kind is ItemKind.OPINION else item.title
    return label(f"{texts.KIND_MARKERS[item.kind]} {title}")


def _item_head(digest: Digest, index: int, item: Item) -> str:
    """ "💬 <i>Opinions · Friday, January 7, 2022</i>": where the item comes from."""
    context = [_section_of(digest, index) or texts.KIND_NAMES[item.kind]]
    if digest.date is not None:
        context.append(format_issue_date(digest.date))
    return f"{texts.KIND_MARKERS[item.kind]} <i>{escape(' · '.join(context))}</i>"


def _item_heading(item: Item, *, marker: bool = False) -> str:
    """Title and byline of a story or opinion."""
    title = f"<b>{escape(_titled(item))}</b>"
    lines = [f"{texts.KIND_MARKERS[item.kind]} {title}" if marker else title]
    byline = [item.author] if item.author else []
    minutes = read_minutes(item)
    if minutes:
        byline.append(texts.read_time_long(minutes))
    if byline:
        lines.append(f"<i>{escape(' · '.join(byline))}</i>")
    return "\n".join(lines)


def _cut_words(text: str, room: int) -> str:
    """The longest start of ``text`` that ends at a word and takes at most ``room`` UTF-16 units."""
    if room <= 0:
        return ""
    cut = text
    while cut and utf16_len(cut) > room:
        cut = cut[: max(0, min(len(cut) - 1, room))]
        cut = cut[: cut.rfind(" ")] if " " in cut else ""
    return cut.rstrip(" ,;:.–—-")


def _item_text(item: Item, *, marker: bool = False) -> str:
    """Title, byline, paragraphs and link of a story or opinion."""
    blocks = [_item_heading(item, marker=marker), *(escape(p.strip()) for p in item.body if p.strip())]
    link = safe_link(item.link)
    if link:
        blocks.append(f'<a href="{escape(link, quote=True)}">{escape(texts.READ_ORIGINAL)}</a>')
    return PARAGRAPH_SEPARATOR.join(blocks)


def _brief_text(item: Item) -> str:
    """A news brief in the full issue: its title in bold, its text under it."""
    marker = item.emoji or texts.KIND_MARKERS[ItemKind.BRIEF]
    lines = [f"{escape(marker)} <b>{escape(item.title)}</b>"]
    lines += [escape(paragraph.strip()) for paragraph in item.body if paragraph.strip()]
    link = safe_link(item.link)
    if link:
        lines.append(f'<a href="{escape(link, quote=True)}">{escape(texts.READ_ORIGINAL)}</a>')
    return "\n".join(lines)
