"""What the bot's buttons mean: the ``callback_data`` scheme.

Data is short text, ``<tag>:<field>:<field>``, well under Telegram's 64 bytes::

    i:<digest_id>:<index>      open item <index> (its position in the issue) of a digest
    o:<digest_id>              the overview of a digest
    a:<page>                   archive page (1-based)
    s:<page>:<query_id>        search results page for a query the bot remembered under query_id
    f:<scope>:<page>:<qid>     a page of pieces found by author and/or topic (scope o opinions, s stories,
                               p both), for a query the bot remembered under qid
    al:<page>                  a page of the authors listing
    ap:<author_token>:<page>   a page of an author's pieces
    af:<author_token>:<page>:on|off   follow (on) or unfollow (off) from an author's page
    set:<name>:<value>         change a reader setting
    fo:<author_token>          follow an author offered by /follow ("did you mean…?")
    uf:<author_token>          stop following an author (the /settings panel)
    fg:<token>:ok|no           a reader confirms or cancels /forget
    bc:<broadcast_id>:ok|no    an editor confirms or cancels a broadcast
    bo:<broadcast_id>:<option> an editor sets a draft broadcast's option (urgent|calm, channels|readers)
    pub:<token>:ok|no          an editor publishes or discards an uploaded issue
    pn:<token>                 an editor publishes an uploaded archive issue and sends it as today's
    wd:<digest_id>:ok|no       an editor confirms or cancels /withdraw of that issue
    rp:<digest_id>             an editor brings a withdrawn issue back
    -                          does nothing (the "2/5" label between page buttons)

Versioning is by tag: a tag names an action *and* its field layout. To change a layout, introduce a
new tag and retire the old one (never reuse it); buttons still sitting in old chats then decode to
None and get the polite "this button has expired" answer instead of doing something else.

Any client can send any data, so :func:`decode` treats data as hostile: it accepts only the exact
text :func:`encode` would produce for a valid action (canonical numbers, known tags, bounded fields)
and answers None for anything else, never raising. Whether the digest or broadcast still exists,
and whether the presser may act on it, is for the handler to check.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from bot.render.keyboard import CALLBACK_DATA_LIMIT

MAX_ID = 2**63 - 1
"""SQLite's largest rowid."""
MAX_INDEX = 9_999
MAX_PAGE = 99_999

_ID = re.compile(r"[1-9][0-9]{0,18}", re.ASCII)
_NUMBER = re.compile(r"0|[1-9][0-9]{0,18}", re.ASCII)
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,32}", re.ASCII)
_SETTING_NAME = re.compile(r"[a-z][a-z0-9_]{0,15}", re.ASCII)
_SETTING_VALUE = re.compile(r"[A-Za-z0-9_.:+/-]{0,32}", re.ASCII)
_DECISIONS = {"ok": True, "no": False}


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


def _check_id(value: int, what: str) -> None:
    _check(type(value) is int and 1 <= value <= MAX_ID, f"{what} out of range: {value!r}")


def _check_page(page: int) -> None:
    _check(type(page) is int and 1 <= page <= MAX_PAGE, f"page out of range: {page!r}")


def _check_token(token: str, what: str) -> None:
    _check(isinstance(token, str) and _TOKEN.fullmatch(token) is not None, f"bad {what}: {token!r}")


@dataclass(frozen=True, slots=True)
class OpenItem:
    """Open one item of a digest (``i:<digest_id>:<index>``)."""

    tag: ClassVar[str] = "i"
    digest_id: int
    index: int
    """Position in ``list(digest.items())``, 0-based (storage's ``position``)."""

    def __post_init__(self) -> None:
        _check_id(self.digest_id, "digest id")
        _check(type(self.index) is int and 0 <= self.index <= MAX_INDEX, f"item index out of range: {self.index!r}")

    def fields(self) -> tuple[str, ...]:
        return (str(self.digest_id), str(self.index))


@dataclass(frozen=True, slots=True)
class OpenOverview:
    """Show a digest's overview (``o:<digest_id>``)."""

    tag: ClassVar[str] = "o"
    digest_id: int

    def __post_init__(self) -> None:
        _check_id(self.digest_id, "digest id")

    def fields(self) -> tuple[str, ...]:
        return (str(self.digest_id),)


@dataclass(frozen=True, slots=True)
class ArchivePage:
    """A page of the archive (``a:<page>``)."""

    tag: ClassVar[str] = "a"
    page: int
    """1-based."""

    def __post_init__(self) -> None:
        _check_page(self.page)

    def fields(self) -> tuple[str, ...]:
        return (str(self.page),)


@dataclass(frozen=True, slots=True)
class SearchPage:
    """A page of search results for a query the bot remembered (``s:<page>:<query_id>``)."""

    tag: ClassVar[str] = "s"
    page: int
    """1-based."""
    query_id: str
    """A short id or hash under which the handler keeps the query (the query itself may not fit)."""

    def __post_init__(self) -> None:
        _check_page(self.page)
        _check_token(self.query_id, "query id")

    def fields(self) -> tuple[str, ...]:
        return (str(self.page), self.query_id)


FIND_SCOPES = frozenset({"o", "s", "p"})
"""What a :class:`FindPage` looks among: opinions, stories, or both (plain text and inline mode)."""


@dataclass(frozen=True, slots=True)
class FindPage:
    """Another page of the pieces a query found (``/opinion nato``, ``/story kursk``, "trenin nato")."""

    tag: ClassVar[str] = "f"
    scope: str
    page: int
    query_id: str

    def __post_init__(self) -> None:
        _check(self.scope in FIND_SCOPES, f"bad scope: {self.scope!r}")
        _check_page(self.page)
        _check_token(self.query_id, "query id")

    def fields(self) -> tuple[str, ...]:
        return (self.scope, str(self.page), self.query_id)


@dataclass(frozen=True, slots=True)
class AuthorsPage:
    """A page of the authors listing (``al:<page>``)."""

    tag: ClassVar[str] = "al"
    page: int

    def __post_init__(self) -> None:
        _check_page(self.page)

    def fields(self) -> tuple[str, ...]:
        return (str(self.page),)


@dataclass(frozen=True, slots=True)
class AuthorPage:
    """An author's page: how many pieces, the latest ones with buttons, Follow/Unfollow."""

    tag: ClassVar[str] = "ap"
    author: str
    """:func:`author_token` of the author's key."""
    page: int

    def __post_init__(self) -> None:
        _check_token(self.author, "author token")
        _check_page(self.page)

    def fields(self) -> tuple[str, ...]:
        return (self.author, str(self.page))


@dataclass(frozen=True, slots=True)
class AuthorFollow:
    """Follow or unfollow pressed on an author's page (at ``page``, which is shown again)."""

    tag: ClassVar[str] = "af"
    author: str
    page: int
    follow: bool

    def __post_init__(self) -> None:
        _check_token(self.author, "author token")
        _check_page(self.page)
        _check(isinstance(self.follow, bool), "follow must be a bool")

    def fields(self) -> tuple[str, ...]:
        return (self.author, str(self.page), "on" if self.follow else "off")


@dataclass(frozen=True, slots=True)
class ChangeSetting:
    """Change one reader setting from the settings panel (``set:<name>:<value>``)."""

    tag: ClassVar[str] = "set"
    name: str
    """``[a-z][a-z0-9_]{0,15}``, e.g. "format", "time", "tz"."""
    value: str
    """Up to 32 of ``A-Z a-z 0-9 _ . : + / -``: enough for "08:30" and "America/Argentina/Salta"."""

    def __post_init__(self) -> None:
        _check(isinstance(self.name, str) and _SETTING_NAME.fullmatch(self.name) is not None, "bad setting name")
        _check(isinstance(self.value, str) and _SETTING_VALUE.fullmatch(self.value) is not None, "bad setting value")

    def fields(self) -> tuple[str, ...]:
        return (self.name, self.value)


@dataclass(frozen=True, slots=True)
class BroadcastDecision:
    """An editor confirms or cancels a drafted broadcast (``bc:<broadcast_id>:ok|no``)."""

    tag: ClassVar[str] = "bc"
    broadcast_id: int
    approve: bool

    def __post_init__(self) -> None:
        _check_id(self.broadcast_id, "broadcast id")
        _check(isinstance(self.approve, bool), "approve must be a bool")

    def fields(self) -> tuple[str, ...]:
        return (str(self.broadcast_id), "ok" if self.approve else "no")


BROADCAST_OPTIONS = {"urgent": ("urgent", True), "calm": ("urgent", False), "channels": ("channels", True),
                     "readers": ("channels", False)}  # fmt: skip
"""A preview toggle's value: which option it sets, and to what (buttons carry the value, never "toggle")."""


@dataclass(frozen=True, slots=True)
class BroadcastOption:
    """An editor sets an option of a draft broadcast (``bo:<broadcast_id>:<option>``)."""

    tag: ClassVar[str] = "bo"
    broadcast_id: int
    option: str

    def __post_init__(self) -> None:
        _check_id(self.broadcast_id, "broadcast id")
        _check(self.option in BROADCAST_OPTIONS, f"unknown broadcast option: {self.option!r}")

    def fields(self) -> tuple[str, ...]:
        return (str(self.broadcast_id), self.option)


@dataclass(frozen=True, slots=True)
class PublishDecision:
    """An editor publishes or discards an uploaded issue (``pub:<token>:ok|no``)."""

    tag: ClassVar[str] = "pub"
    token: str
    approve: bool

    def __post_init__(self) -> None:
        _check_token(self.token, "token")
        _check(isinstance(self.approve, bool), "approve must be a bool")

    def fields(self) -> tuple[str, ...]:
        return (self.token, "ok" if self.approve else "no")


@dataclass(frozen=True, slots=True)
class PublishNow:
    """Publish an uploaded issue and send it as today's, whatever its date (the editor's decision)."""

    tag: ClassVar[str] = "pn"
    token: str

    def __post_init__(self) -> None:
        _check_token(self.token, "token")

    def fields(self) -> tuple[str, ...]:
        return (self.token,)


@dataclass(frozen=True, slots=True)
class WithdrawDecision:
    """An editor confirms or cancels ``/withdraw`` of an issue (``wd:<digest_id>:ok|no``)."""

    tag: ClassVar[str] = "wd"
    digest_id: int
    approve: bool

    def __post_init__(self) -> None:
        _check_id(self.digest_id, "digest id")
        _check(isinstance(self.approve, bool), "approve must be a bool")

    def fields(self) -> tuple[str, ...]:
        return (str(self.digest_id), "ok" if self.approve else "no")


@dataclass(frozen=True, slots=True)
class RepublishIssue:
    """An editor brings a withdrawn issue back (``rp:<digest_id>``)."""

    tag: ClassVar[str] = "rp"
    digest_id: int

    def __post_init__(self) -> None:
        _check_id(self.digest_id, "digest id")

    def fields(self) -> tuple[str, ...]:
        return (str(self.digest_id),)


def author_token(key: str) -> str:
    """A short, stable stand-in for an author key in callback data: the key itself may not fit the charset or
    the 64 bytes ("dmitri trenin" has a space). Handlers find the author again by computing the token of
    each candidate (the archive's authors, or the reader's follows), so nothing needs remembering.

    Eight characters (48 bits of BLAKE2s): collisions among a few hundred authors are out of the question.
    """
    digest = hashlib.blake2s(key.encode(), digest_size=6).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")


@dataclass(frozen=True, slots=True)
class FollowAuthor:
    """Follow an author that ``/follow`` offered ("did you mean…?") (``fo:<author_token>``)."""

    tag: ClassVar[str] = "fo"
    author: str
    """:func:`author_token` of the author's key."""

    def __post_init__(self) -> None:
        _check_token(self.author, "author token")

    def fields(self) -> tuple[str, ...]:
        return (self.author,)


@dataclass(frozen=True, slots=True)
class UnfollowAuthor:
    """Stop following an author, from the settings panel (``uf:<author_token>``)."""

    tag: ClassVar[str] = "uf"
    author: str
    """:func:`author_token` of the author's key."""

    def __post_init__(self) -> None:
        _check_token(self.author, "author token")

    def fields(self) -> tuple[str, ...]:
        return (self.author,)


@dataclass(frozen=True, slots=True)
class ForgetDecision:
    """The reader's answer to "delete everything?".

    ``token`` identifies the subscription the question was asked for (its creation time), so a
    confirmation button left over from before a /forget and a new /start cannot delete the new one.
    """

    tag: ClassVar[str] = "fg"
    token: str
    approve: bool

    def __post_init__(self) -> None:
        _check_token(self.token, "token")
        _check(isinstance(self.approve, bool), "approve must be a bool")

    def fields(self) -> tuple[str, ...]:
        return (self.token, "ok" if self.approve else "no")


@dataclass(frozen=True, slots=True)
class Noop:
    """A button that only shows something (the page counter); the handler just answers the query."""

    tag: ClassVar[str] = "-"

    def fields(self) -> tuple[str, ...]:
        return ()


Action = (
    OpenItem
    | OpenOverview
    | ArchivePage
    | SearchPage
    | FindPage
    | AuthorsPage
    | AuthorPage
    | AuthorFollow
    | ChangeSetting
    | FollowAuthor
    | UnfollowAuthor
    | ForgetDecision
    | BroadcastDecision
    | BroadcastOption
    | PublishDecision
    | PublishNow
    | WithdrawDecision
    | RepublishIssue
    | Noop
)


def encode(action: Action) -> str:
    """The ``callback_data`` for ``action``.

    Raises:
        ValueError: if it would exceed 64 bytes (the field bounds make that impossible today; the
            check keeps a future action from producing buttons Telegram refuses).
    """
    data = ":".join((action.tag, *action.fields()))
    if len(data.encode()) > CALLBACK_DATA_LIMIT:
        raise ValueError(f"callback data over {CALLBACK_DATA_LIMIT} bytes: {data!r}")
    return data


def decode(data: object) -> Action | None:
    """The action a pressed button asks for, or None for stale, forged or garbled data."""
    if not isinstance(data, str) or len(data) > CALLBACK_DATA_LIMIT or not data.isascii():
        return None
    tag, _, rest = data.partition(":")
    parser = _PARSERS.get(tag)
    if parser is None:
        return None
    try:
        action = parser(rest.split(":", 1) if rest else [])
    except ValueError:
        return None
    if action is None or encode(action) != data:
        return None
    return action


def _number(text: str) -> int:
    if _NUMBER.fullmatch(text) is None:
        raise ValueError(text)
    return int(text)


def _id(text: str) -> int:
    if _ID.fullmatch(text) is None:
        raise ValueError(text)
    return int(text)


def _decision(text: str) -> bool:
    if text not in _DECISIONS:
        raise ValueError(text)
    return _DECISIONS[text]


def _open_item(fields: list[str]) -> Action:
    digest_id, index = fields
    return OpenItem(_id(digest_id), _number(index))


def _search_page(fields: list[str]) -> Action:
    page, query_id = fields
    return SearchPage(_number(page), query_id)


def _find_page(fields: list[str]) -> Action:
    scope, rest = fields
    page, query_id = rest.split(":", 1)
    return FindPage(scope, _number(page), query_id)


def _author_page(fields: list[str]) -> Action:
    token, page = fields
    return AuthorPage(token, _number(page))


_SWITCHES = {"on": True, "off": False}


def _author_follow(fields: list[str]) -> Action:
    token, rest = fields
    page, switch = rest.split(":", 1)
    if switch not in _SWITCHES:
        raise ValueError(switch)
    return AuthorFollow(token, _number(page), _SWITCHES[switch])


def _setting(fields: list[str]) -> Action:
    name, value = fields
    return ChangeSetting(name, value)


def _broadcast(fields: list[str]) -> Action:
    broadcast_id, decision = fields
    return BroadcastDecision(_id(broadcast_id), _decision(decision))


def _broadcast_option(fields: list[str]) -> Action:
    broadcast_id, option = fields
    return BroadcastOption(_id(broadcast_id), option)


def _publish(fields: list[str]) -> Action:
    token, decision = fields
    return PublishDecision(token, _decision(decision))


def _withdraw(fields: list[str]) -> Action:
    digest_id, decision = fields
    return WithdrawDecision(_id(digest_id), _decision(decision))


def _single(build: Callable[[int], Action], parse: Callable[[str], int]) -> Callable[[list[str]], Action]:
    def parser(fields: list[str]) -> Action:
        (value,) = fields
        return build(parse(value))

    return parser


def _forget(fields: list[str]) -> Action:
    token, decision = fields
    return ForgetDecision(token, _decision(decision))


def _author(build: Callable[[str], Action]) -> Callable[[list[str]], Action]:
    def parser(fields: list[str]) -> Action:
        (token,) = fields
        return build(token)

    return parser


def _noop(fields: list[str]) -> Action:
    if fields:
        raise ValueError("noop takes no fields")
    return Noop()


_PARSERS: dict[str, Callable[[list[str]], Action]] = {
    OpenItem.tag: _open_item,
    OpenOverview.tag: _single(OpenOverview, _id),
    ArchivePage.tag: _single(ArchivePage, _number),
    SearchPage.tag: _search_page,
    FindPage.tag: _find_page,
    AuthorsPage.tag: _single(AuthorsPage, _number),
    AuthorPage.tag: _author_page,
    AuthorFollow.tag: _author_follow,
    ChangeSetting.tag: _setting,
    FollowAuthor.tag: _author(FollowAuthor),
    UnfollowAuthor.tag: _author(UnfollowAuthor),
    ForgetDecision.tag: _forget,
    BroadcastDecision.tag: _broadcast,
    BroadcastOption.tag: _broadcast_option,
    PublishDecision.tag: _publish,
    PublishNow.tag: _author(PublishNow),
    WithdrawDecision.tag: _withdraw,
    RepublishIssue.tag: _single(RepublishIssue, _id),
    Noop.tag: _noop,
}
