"""Fixed replies the bot sends. Texts built from digests live in the renderer; these are the rest."""

from __future__ import annotations

from html import escape

from bot.render.commands import EDITOR_COMMANDS, READER_COMMANDS, Command
from bot.render.html import quote_input

APOLOGY = "Sorry, something went wrong on our side. Please try again in a minute."
EDITORS_ONLY = "This command is for editors."
GROUP_ADMINS_ONLY = (
    "Only this group's admins can subscribe it to the daily briefing. Everyone here can read: /today, /opinion trenin."
)
STALE_BUTTON = "That button has expired. Send /today for the latest issue."
OPEN_THE_CHAT = "This button works in the chat with the bot: open it and send /today."


def welcome(
    first_name: str | None,
    delivery_time: str,
    timezone: str,
    *,
    returning: bool = False,
    newsletter: str | None = None,
) -> str:
    """The /start reply; ``newsletter`` is the briefing's name (NEWSLETTER_NAME or the latest issue's)."""
    name = escape(first_name or "there")
    greeting = f"Welcome back, {name}!" if returning else f"Hello, {name}!"
    this = f"<b>{escape(newsletter)}</b> — a daily briefing" if newsletter else "a daily news briefing"
    return (
        f"{greeting} This is {this} in Telegram.\n\n"
        f"You are subscribed: the digest arrives every day at <b>{escape(delivery_time)}</b> "
        f"({escape(timezone)}).\n\n"
        "Send /help to see everything I can do."
    )


def _command_lines(commands: tuple[Command, ...]) -> list[str]:
    return [f"/{c.name}{' ' + escape(c.usage) if c.usage else ''} — {escape(c.description)}" for c in commands]


def help_text(*, editor: bool = False) -> str:
    lines = ["<b>What I can do</b>", *_command_lines(READER_COMMANDS)]
    if editor and EDITOR_COMMANDS:
        lines += ["", "<b>For editors</b>", *_command_lines(EDITOR_COMMANDS)]
    return "\n".join(lines)


def unknown_command(command: str) -> str:
    return f"I don't know {escape(quote_input(command))}.\n\n" + help_text()


# --- reading: replies to the reader commands that are not built from an issue ------------------------

NO_ISSUE_YET = "No issue has been published yet. The first one will be here soon: try /today again later."
DIGEST_USAGE = (
    "Which day? Send /digest 2022-01-07, /digest yesterday or /digest monday. "
    "/today has the latest issue and /archive lists them all."
)
SEARCH_USAGE = (
    "What should I look for? Send /search with some words, e.g. <code>/search Trenin NATO</code>. "
    "You can also just type the words to me."
)
NO_BREAKING_NEWS = "No breaking updates yet. When the editors send one, /latest will show it."
SEARCH_EXPIRED = "This search has expired. Please search again."
ISSUE_GONE = "That issue is no longer available. Send /today for the latest one."
ITEM_GONE = "That piece is no longer in the issue. Send /today for the latest issue."
BAD_DEEP_LINK = (
    "That link does not point to an issue I know. Send /today for the latest issue or /archive for older ones."
)


def _escape(text: str) -> str:
    """Escape for Telegram HTML; quotes stay as they are (they are text here, never an attribute)."""
    return escape(text, quote=False)


def _typed(text: str) -> str:
    """What the reader typed, shortened and escaped, to quote back."""
    return escape(quote_input(text), quote=False)


_KIND_WORDS = {"story": ("story", "stories"), "opinion": ("opinion", "opinions")}


def _counted(count: int, kind: str) -> str:
    singular, plural = _KIND_WORDS[kind]
    return f"one {singular}" if count == 1 else f"{count} {plural}"


def no_items_of_kind(kind: str, *, where: str = "today's issue") -> str:
    """``kind`` is "story" or "opinion", as the command is named."""
    plural = _KIND_WORDS[kind][1]
    other = "/opinions" if kind == "story" else "/stories"
    return f"There are no {plural} in {_escape(where)}. Try {other}, or /archive for other issues."


def item_number_out_of_range(kind: str, number: int, count: int, *, where: str = "today's issue") -> str:
    """``/story 99``: say how many there are and which numbers work."""
    choices = f"/{kind} 1" if count == 1 else f"/{kind} 1 to /{kind} {count}"
    return (
        f"There is no {kind} {number}: {_escape(where)} has {_counted(count, kind)}. "
        f"Send {choices}, or /{_KIND_WORDS[kind][1]} to see them."
    )


def bad_date(text: str) -> str:
    return (
        f"I can't read “{_typed(text)}” as a date. "
        "Try /digest 2022-01-07, /digest yesterday, /digest monday or /digest January 7."
    )


def nearest_issue(asked: str, found: str) -> str:
    """``asked`` and ``found`` are formatted dates."""
    return f"There is no issue for {_typed(asked)}. Here is the nearest one, from <b>{_escape(found)}</b>:"


def no_issue_today(today: str, latest: str | None, *, withdrawn: bool) -> str:
    """``/today`` without today's issue; ``today`` and ``latest`` (the latest issue's, if any) are formatted dates."""
    if withdrawn:
        head = f"Today's issue ({_escape(today)}) was withdrawn."
    else:
        head = f"There is no issue for today ({_escape(today)}) yet."
    if latest is None:
        return f"{head} There is no other issue yet."
    return f"{head} The latest one is from <b>{_escape(latest)}</b>."


def archive_page_out_of_range(page: int, pages: int) -> str:
    last = "only one page" if pages == 1 else f"{pages} pages"
    return f"There is no page {page}: the archive has {last}. Here is the last one."


def not_a_page_number(text: str) -> str:
    return f"“{_typed(text)}” is not a page number. Send /archive for the newest issues, or /archive 2 for older ones."


def nothing_to_search(text: str) -> str:
    return f"“{_typed(text)}” has no words to search for. Search with words, e.g. <code>/search Trenin NATO</code>."


def too_common_to_search(text: str) -> str:
    return (
        f"“{_typed(text)}” has only words that nearly every piece has. Add a word that says what you are "
        "looking for, e.g. <code>/search Trenin NATO</code>."
    )


def unknown_author(text: str) -> str:
    return (
        f"I don't know an author called “{_typed(text)}”. "
        "Send /authors to see everyone in the archive, or /opinions for today's opinions."
    )


def author_choices(text: str) -> str:
    return f"Several authors match “{_typed(text)}”. Which one did you mean?"


def no_issue_on(date: str) -> str:
    """A deep link to an issue the archive does not have."""
    return f"I have no issue from {_typed(date)}. Send /archive to see the issues I have, or /today for the latest."


def nothing_to_find(kind: str) -> str:
    """``/opinion what about``: only filler words, neither an author nor a topic."""
    plural = _KIND_WORDS[kind][1]
    return (
        f"Tell me an author or a topic, e.g. <code>/{kind} trenin</code>, <code>/{kind} nato</code> or "
        f"<code>/{kind} trenin nato</code>. /{plural} lists today's {plural}."
    )


AUTHOR_GONE = "That author is no longer in the archive. Send /authors to see everyone who writes for it."
FOLLOW_NEEDS_START = "Send /start first: following an author flags their new pieces in your daily digest."
FOLLOWED = "Followed ⭐"
UNFOLLOWED = "Unfollowed"
