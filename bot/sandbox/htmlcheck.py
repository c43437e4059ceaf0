"""Telegram's HTML parse mode: validate markup and turn it into plain text plus entities.

The walk follows tdlib's ``parse_html`` (td/telegram/MessageEntity.cpp) so that error
reasons and byte offsets read like the ones the real Bot API returns. One deliberate
difference: tdlib copies a stray ``&`` (``AT&T``, ``&nbsp;``) through as text, while the
sandbox rejects it, so a bot that forgets to escape user content fails here rather
than rendering garbage in production.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from bot.sandbox.utf16 import utf16_len

_SPECIAL = re.compile(r"[<&]")
# tdlib's is_space(): what ends a tag name or separates attributes.
_SPACE = frozenset(" \t\r\n\v\0")
_NAME_TOKEN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")
_DIGITS = frozenset("0123456789")
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SUPPORTED_TAGS = frozenset(
    {
        "a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins", "tg-spoiler",
        "tg-emoji", "span", "pre", "code", "blockquote",
    }
)  # fmt: skip
_SIMPLE_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}


class EntityParseError(Exception):
    """The markup is not valid Telegram HTML; ``reason`` is tdlib's wording."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(slots=True)
class _OpenTag:
    name: str
    argument: str
    offset: int  # UTF-16 offset in the output where the tag's content starts
    output_index: int  # index into the output chunk list, to recover the content for <a>


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Convert Telegram HTML into ``(text, entities)`` with UTF-16 offsets.

    Raises:
        EntityParseError: when Telegram would answer "can't parse entities".
    """
    return _HtmlParser(source).run()


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8"))


class _HtmlParser:
    """One pass over the markup; state lives here so the helpers stay small."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.chunks: list[str] = []
        self.offset = 0
        self.stack: list[_OpenTag] = []
        self.entities: list[dict[str, Any]] = []

    def error(self, reason: str, index: int) -> EntityParseError:
        return EntityParseError(f"{reason} at byte offset {_byte_offset(self.source, index)}")

    def emit(self, text: str) -> None:
        self.chunks.append(text)
        self.offset += utf16_len(text)

    def run(self) -> tuple[str, list[dict[str, Any]]]:
        source = self.source
        pos = 0
        while True:
            match = _SPECIAL.search(source, pos)
            end = match.start() if match else len(source)
            if end > pos:
                self.emit(source[pos:end])
            if match is None:
                break
            if source[end] == "&":
                char, pos = self.entity(end)
                self.emit(char)
            elif source.startswith("</", end):
                pos = self.end_tag(end)
            else:
                pos = self.start_tag(end)
        if self.stack:
            raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"')
        return "".join(self.chunks), _finish(self.entities)

    def entity(self, begin: int) -> tuple[str, int]:
        """Decode the character reference at ``begin``; return it and the index after it."""
        source = self.source
        size = len(source)
        index = begin + 1
        if index < size and source[index] == "#":
            index += 1
            hexadecimal = index < size and source[index] in "xX"
            if hexadecimal:
                index += 1
            allowed = _HEX_DIGITS if hexadecimal else _DIGITS
            digits_start = index
            while index < size and source[index] in allowed:
                index += 1
            digits = source[digits_start:index]
            if not digits or index >= size or source[index] != ";" or len(digits) > 8:
                raise self.error("Can't find end of the entity starting", begin)
            code = int(digits, 16 if hexadecimal else 10)
            if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                raise self.error(f'Unsupported HTML entity "{source[begin : index + 1]}"', begin)
            return chr(code), index + 1
        while index < size and source[index].isascii() and source[index].isalpha():
            index += 1
        if index == begin + 1 or index >= size or source[index] != ";":
            raise self.error("Can't find end of the entity starting", begin)
        char = _NAMED_ENTITIES.get(source[begin + 1 : index])
        if char is None:
            raise self.error(f'Unsupported HTML entity "{source[begin : index + 1]}"', begin)
        return char, index + 1

    def start_tag(self, begin: int) -> int:
        source = self.source
        size = len(source)
        index = begin + 1
        while index < size and source[index] not in _SPACE and source[index] != ">":
            index += 1
        if index >= size:
            raise self.error("Unclosed start tag", begin)
        name = source[begin + 1 : index].lower()
        if name not in _SUPPORTED_TAGS:
            raise self.error(f'Unsupported start tag "{name}"', begin)
        argument = ""
        while True:
            while index < size and source[index] in _SPACE:
                index += 1
            if index >= size:
                raise self.error(f'Unclosed start tag "{name}"', begin)
            if source[index] == ">":
                break
            attribute_start = index
            while index < size and source[index] not in _SPACE and source[index] not in "=>":
                index += 1
            attribute = source[attribute_start:index].lower()
            if not attribute:
                raise self.error(f'Empty attribute name in the tag "{name}"', begin)
            while index < size and source[index] in _SPACE:
                index += 1
            if index >= size:
                raise self.error(f'Unclosed start tag "{name}"', begin)
            if source[index] != "=":
                if name == "blockquote" and attribute == "expandable":
                    argument = "expandable"
                    continue
                raise self.error(f'Expected equal sign in declaration of an attribute of the tag "{name}"', begin)
            index += 1
            while index < size and source[index] in _SPACE:
                index += 1
            if index >= size:
                raise self.error(f'Unclosed start tag "{name}"', begin)
            value, index = self.attribute_value(index, begin)
            argument = _tag_argument(name, attribute, value, argument)
        if name == "span" and argument != "spoiler":
            raise self.error('Tag "span" must have class "tg-spoiler"', begin)
        self.stack.append(_OpenTag(name, argument, self.offset, len(self.chunks)))
        return index + 1

    def attribute_value(self, index: int, tag_begin: int) -> tuple[str, int]:
        source = self.source
        size = len(source)
        quote = source[index]
        if quote not in "'\"":
            token_start = index
            while index < size and source[index] in _NAME_TOKEN:
                index += 1
            if index >= size or (source[index] not in _SPACE and source[index] != ">"):
                raise self.error("Unexpected end of name token", token_start)
            return source[token_start:index].lower(), index
        index += 1
        parts: list[str] = []
        while index < size and source[index] != quote:
            if source[index] == "&":
                char, index = self.entity(index)
                parts.append(char)
            else:
                parts.append(source[index])
                index += 1
        if index >= size:
            raise self.error("Unclosed start tag", tag_begin)
        return "".join(parts), index + 1

    def end_tag(self, begin: int) -> int:
        source = self.source
        size = len(source)
        if not self.stack:
            raise self.error("Unexpected end tag", begin)
        index = begin + 2
        while index < size and source[index] not in _SPACE and source[index] != ">":
            index += 1
        end_name = source[begin + 2 : index].lower()
        while index < size and source[index] in _SPACE:
            index += 1
        if index >= size or source[index] != ">":
            raise self.error("Unclosed end tag", begin)
        open_tag = self.stack[-1]
        if end_name and end_name != open_tag.name:
            raise EntityParseError(
                f"Unmatched end tag at byte offset {_byte_offset(source, begin)}, "
                f'expected "</{open_tag.name}>", found "</{end_name}>"'
            )
        self.stack.pop()
        self.close(open_tag)
        return index + 1

    def close(self, tag: _OpenTag) -> None:
        """Turn a closed tag into an entity, merging ``<pre><code class=…>`` like tdlib."""
        if self.offset <= tag.offset:
            return
        offset, length = tag.offset, self.offset - tag.offset
        last = self.entities[-1] if self.entities else None
        same_range = last is not None and last["offset"] == offset and last["length"] == length
        if tag.name in _SIMPLE_TYPES:
            self.entities.append({"type": _SIMPLE_TYPES[tag.name], "offset": offset, "length": length})
        elif tag.name == "a":
            url = _normalize_url(tag.argument or "".join(self.chunks[tag.output_index :]))
            if url is not None:
                self.entities.append({"type": "text_link", "offset": offset, "length": length, "url": url})
        elif tag.name == "tg-emoji":
            if not tag.argument.isdigit() or int(tag.argument) == 0 or int(tag.argument) >= 2**63:
                raise EntityParseError("Invalid custom emoji identifier specified")
            self.entities.append(
                {"type": "custom_emoji", "offset": offset, "length": length, "custom_emoji_id": tag.argument}
            )
        elif tag.name == "pre":
            if same_range and last is not None and last["type"] == "code" and last.get("language"):
                last["type"] = "pre"
            else:
                self.entities.append({"type": "pre", "offset": offset, "length": length})
        elif tag.name == "code":
            if same_range and last is not None and last["type"] == "pre" and tag.argument:
                last["language"] = tag.argument
            else:
                entity = {"type": "code", "offset": offset, "length": length}
                if tag.argument:
                    entity["language"] = tag.argument
                self.entities.append(entity)
        elif tag.name == "blockquote":
            kind = "expandable_blockquote" if tag.argument else "blockquote"
            self.entities.append({"type": kind, "offset": offset, "length": length})


def _tag_argument(tag: str, attribute: str, value: str, current: str) -> str:
    """The one attribute each tag cares about; tdlib ignores all others."""
    if tag == "a" and attribute == "href":
        return value
    if tag == "code" and attribute == "class" and value.startswith("language-"):
        return value[len("language-") :]
    if tag == "span" and attribute == "class" and value.startswith("tg-"):
        return value[len("tg-") :]
    if tag == "tg-emoji" and attribute == "emoji-id":
        return value
    return current


def _normalize_url(url: str) -> str | None:
    """Telegram stores links in canonical form and silently drops invalid ones."""
    url = url.strip()
    if not url or any(char.isspace() for char in url):
        return None
    if url.startswith("tg://") or url.startswith("mailto:"):
        return url
    if "://" not in url:
        url = f"http://{url}"
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https", "ftp", "ton") or not parts.netloc:
        return None
    if not parts.path:
        return urlunsplit(parts._replace(path="/"))
    return url


def _finish(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A ``code`` entity only keeps its language when it was merged into a ``pre``."""
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)
    return entities
