"""The fixed phrases of rendered digests, lists and pages, in one place for editing and translation.

Everything here is plain text: the renderer escapes it and adds the markup. The app's own replies
(welcome, help) live in :mod:`bot.render.replies`.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.digest.model import ItemKind
from bot.render.html import quote_input

DEFAULT_NEWSLETTER = "Today's issue"
"""Shown as the headline of an issue that has neither a title nor a newsletter name of its own."""

KIND_MARKERS = {ItemKind.STORY: "📰", ItemKind.OPINION: "💬", ItemKind.BRIEF: "•"}
KIND_NAMES = {ItemKind.STORY: "Story", ItemKind.OPINION: "Opinion", ItemKind.BRIEF: "In brief"}
KIND_PLURALS = {ItemKind.STORY: "Stories", ItemKind.OPINION: "Opinions", ItemKind.BRIEF: "In brief"}

BACK_TO_ISSUE = "◀ Back to the issue"
NEXT = "Next ▶"
PREVIOUS = "◀ Previous"
PAGE_BACK = "◀"
PAGE_FORWARD = "▶"
READ_ORIGINAL = "Read the original"
READ_IN_BOT = "Read in full in the bot"
NOTHING_IN_SECTIONS = "Nothing in this issue is from the sections you chose."
ARCHIVE = "Archive"
ARCHIVE_EMPTY = "The archive is empty for now."
AUTHORS = "Authors"
NO_AUTHORS = "No authors yet."
FOLLOWED_MARKER = "⭐"
OPEN_ARCHIVE = "🗄 Archive"


def read_issue_of(date: str | None) -> str:
    """The button that opens the latest issue when today's is not out (or was withdrawn)."""
    return f"📰 Read the issue of {date}" if date else "📰 Read the latest issue"


def read_time(minutes: int) -> str:
    return f"{minutes} min"


def read_time_long(minutes: int) -> str:
    return f"{minutes} min read"


def new_from(names: Sequence[str]) -> str:
    """ "⭐ New from Dmitry Trenin", "⭐ New from A, B and C"."""
    joined = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    return f"{FOLLOWED_MARKER} New from {joined}"


def no_items(kind: ItemKind) -> str:
    return {
        ItemKind.STORY: "No stories in this issue.",
        ItemKind.OPINION: "No opinions in this issue.",
        ItemKind.BRIEF: "No news briefs in this issue.",
    }[kind]


def page_of(page: int, pages: int) -> str:
    return f"page {page} of {pages}"


def page_counter(page: int, pages: int) -> str:
    return f"{page}/{pages}"


def items_count(count: int) -> str:
    return "1 item" if count == 1 else f"{count} items"


def pieces(count: int) -> str:
    return "1 piece" if count == 1 else f"{count} pieces"


def more_pieces(count: int) -> str:
    """Under the headlines of an issue too long to list whole."""
    return f"…and {pieces(count)} more in this issue. Send /search to find one."


def latest(date_label: str) -> str:
    return f"latest {date_label}"


def search_heading(query: str) -> str:
    return f"Search: “{quote_input(query)}”"


def nothing_found(query: str) -> str:
    return f"Nothing found for “{quote_input(query)}”. Try fewer or different words."


# --- finding pieces by author and topic ----------------------------------------------------------------

KIND_PLURALS_LOWER = {ItemKind.STORY: "stories", ItemKind.OPINION: "opinions", ItemKind.BRIEF: "briefs"}
ALL_AUTHORS = "◀ All authors"


def found_heading(kinds: Sequence[ItemKind], topic: str, author: str | None = None) -> str:
    """ "Opinions on “nato”", "Dmitry Trenin on “nato”", "Stories on “kursk”", "Pieces on …"."""
    if author:
        return f"{author} on “{quote_input(topic)}”"
    what = KIND_PLURALS[kinds[0]] if len(kinds) == 1 else "Pieces"
    return f"{what} on “{quote_input(topic)}”"


def nothing_on(kinds: Sequence[ItemKind], topic: str, *, as_name: bool = False) -> str:
    """Nothing found on ``topic``; ``as_name`` when the one word might have been meant as an author's name."""
    topic = quote_input(topic)
    if len(kinds) != 1:
        return f"No stories or opinions on “{topic}” in the archive."
    what = KIND_PLURALS_LOWER[kinds[0]]
    if as_name and kinds[0] is ItemKind.OPINION:
        return (
            f"I don't know an author called “{topic}”, and no opinions in the archive are on it. "
            "Send /authors to see everyone who writes, or /opinions for today's opinions."
        )
    return f"No {what} on “{topic}” in the archive. Try other words, or /{what} for today's."


def nothing_by_on(author: str, topic: str) -> str:
    return f"Nothing by {author} on “{quote_input(topic)}”. Their latest pieces:"


def did_you_mean(name: str) -> str:
    return f"Did you mean {name}?"


def nothing_today_from(name: str) -> str:
    return f"{name} has nothing in today's issue."


def author_summary(count: int, last_date: str | None) -> str:
    """ "2 pieces, latest Jan 7, 2022"."""
    return pieces(count) + (f", {latest(last_date)}" if last_date else "")


def follow(name: str) -> str:
    return f"{FOLLOWED_MARKER} Follow {name}"


def unfollow(name: str) -> str:
    return f"Unfollow {name}"
