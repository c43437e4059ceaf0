"""Telegram HTML as the renderer writes it: escaping text, measuring it, reading it back.

Telegram limits a message to 4096 characters of the text *after* entity parsing, counted in UTF-16
code units: ``<b>`` costs nothing, ``&amp;`` costs one, an emoji outside the Basic Multilingual Plane
costs two. Every length check in the renderer goes through :func:`visible_len` for that reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MESSAGE_LIMIT = 4096
"""Telegram's limit on a message's text, in UTF-16 code units after entity parsing."""

ALLOWED_TAGS = frozenset(
    {
        "a", "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler",
        "tg-emoji", "code", "pre", "blockquote",
    }
)  # fmt: skip
"""The tags Telegram's HTML parse mode knows; anything else is refused by the Bot API."""

_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_MARKUP = re.compile(
    r"""<(?P<close>/?)(?P<name>[a-zA-Z][a-zA-Z0-9-]*)(?P<attrs>\s(?:[^>"']|"[^"]*"|'[^']*')*)?>"""
    r"|&(?P<entity>#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,8}|[a-zA-Z]+);"
    r"|(?P<stray>[<&])"
)


def escape(text: str, *, quote: bool = False) -> str:
    """Make ``text`` safe to put in a message: Telegram only needs ``&``, ``<`` and ``>`` escaped.

    With ``quote``, ``"`` is escaped too, for text that goes inside an attribute (``href="…"``).
    Telegram has no other named entities (no ``&#x27;``-style needs, no ``&nbsp;``), so nothing else
    is touched: apostrophes and quotes in body text stay readable in logs and tests.
    """
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace('"', "&quot;") if quote else text


QUOTE_LIMIT = 100
"""At most this many characters of what a reader typed are quoted back (Telegram refuses a reply over 4,096)."""

_QUOTED = re.compile(rf'"([^"\n]{{{QUOTE_LIMIT + 1},}})"|“([^”\n]{{{QUOTE_LIMIT + 1},}})”')


def quote_input(text: str, limit: int = QUOTE_LIMIT) -> str:
    """What a reader typed, fit to quote in a reply: one line, at most ``limit`` characters (… when cut).

    Every reply that echoes input goes through this (or :func:`shorten_quotes`), so a 4,000-character
    command gets a short, valid answer instead of one Telegram refuses. Not escaped: escape the result.
    """
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def shorten_quotes(text: str) -> str:
    """Shorten every quoted passage ("…" or “…”) longer than :data:`QUOTE_LIMIT` in a sentence written by a
    lower layer (a parser's complaint quoting the input), with :func:`quote_input`."""

    def shorten(match: re.Match[str]) -> str:
        if match.group(1) is not None:
            return f'"{quote_input(match.group(1))}"'
        return f"“{quote_input(match.group(2))}”"

    return _QUOTED.sub(shorten, text)


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit of every Telegram length limit."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def char_width(char: str) -> int:
    """UTF-16 code units of one code point: 2 outside the Basic Multilingual Plane (most emoji)."""
    return 2 if ord(char) > 0xFFFF else 1


@dataclass(frozen=True, slots=True)
class Tag:
    """One tag of the markup; ``source`` is how it was written, so it can be repeated verbatim."""

    name: str
    closing: bool
    source: str


@dataclass(frozen=True, slots=True)
class Markup:
    """Markup cut into atoms: one per tag, one per visible character (an entity is one character).

    ``sources[k]`` is how atom ``k`` is written in the HTML, ``chars[k]`` the character it shows (empty
    for a tag) and ``tags[k]`` the tag, if it is one. Splitting works on atoms, so a cut can never fall
    inside a tag or inside ``&amp;``.
    """

    sources: tuple[str, ...]
    chars: tuple[str, ...]
    tags: tuple[Tag | None, ...]

    @property
    def text(self) -> str:
        """The visible text, as Telegram shows it."""
        return "".join(self.chars)


def parse(html: str) -> Markup:
    """Cut ``html`` into atoms, checking that it is markup Telegram accepts.

    Raises:
        ValueError: on a tag Telegram does not know, unbalanced tags, a stray ``<`` or ``&`` or an
            unknown entity: the renderer escapes every piece of text, so any of these is a bug.
    """
    sources: list[str] = []
    chars: list[str] = []
    tags: list[Tag | None] = []
    stack: list[str] = []

    def add_text(text: str) -> None:
        sources.extend(text)
        chars.extend(text)
        tags.extend([None] * len(text))

    position = 0
    for match in _MARKUP.finditer(html):
        add_text(html[position : match.start()])
        position = match.end()
        if match["stray"]:
            raise ValueError(f"unescaped {match['stray']!r} at index {match.start()}")
        if match["entity"]:
            sources.append(match[0])
            chars.append(_decode_entity(match["entity"]))
            tags.append(None)
            continue
        name = match["name"].lower()
        if name not in ALLOWED_TAGS:
            raise ValueError(f"Telegram does not support the tag <{name}>")
        closing = bool(match["close"])
        if closing:
            if not stack or stack.pop() != name:
                raise ValueError(f"unbalanced </{name}> at index {match.start()}")
        else:
            stack.append(name)
        sources.append(match[0])
        chars.append("")
        tags.append(Tag(name, closing, match[0]))
    add_text(html[position:])
    if stack:
        raise ValueError(f"<{stack[-1]}> is never closed")
    return Markup(tuple(sources), tuple(chars), tuple(tags))


def visible_text(html: str) -> str:
    """The text Telegram shows for ``html``: tags dropped, entities decoded."""
    return parse(html).text


def visible_len(html: str) -> int:
    """What Telegram counts against :data:`MESSAGE_LIMIT` for ``html``."""
    return utf16_len(visible_text(html))


def _decode_entity(entity: str) -> str:
    if entity.startswith("#"):
        code = int(entity[2:], 16) if entity[1:2] in ("x", "X") else int(entity[1:])
        if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise ValueError(f"invalid character reference &{entity};")
        return chr(code)
    char = _ENTITIES.get(entity)
    if char is None:
        raise ValueError(f"Telegram does not support the entity &{entity};")
    return char
