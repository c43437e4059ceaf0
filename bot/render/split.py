"""Cutting long Telegram HTML into messages that each fit Telegram's limit.

A cut prefers, in order: a paragraph break (a blank line), a line break, the end of a sentence, a
space between words, a hyphen or slash inside a long word or URL, and as a last resort any character
boundary that does not tear an emoji sequence apart. It never falls inside a tag or an entity (the
markup is cut into atoms first, see :func:`bot.render.html.parse`). When a cut falls inside formatted
text, the open tags are closed at the end of one part and reopened, verbatim, at the start of the next.
The whitespace at a cut is dropped: it would only be trimmed by Telegram anyway.

Numbering: when text needs more than one message, every part ends with a line ``<i>1/3</i>``. A
suffix rather than a prefix keeps the headline the first thing a reader sees, and "1/3" at the
bottom says "more follows" exactly where the reader stops. Room for it is kept in every part.
"""

from __future__ import annotations

import bisect
import itertools
import re
import unicodedata
from collections.abc import Iterable

from bot.render.html import MESSAGE_LIMIT, Markup, Tag, char_width, parse, utf16_len, visible_len

PARAGRAPH_SEPARATOR = "\n\n"

# Whitespace where a line may break; no-break spaces (U+00A0, U+2007, U+202F) are meant to hold on.
_SPACE_RUN = re.compile(r"[^\S\xa0\u2007\u202f]+")
_SENTENCE_END = frozenset(".!?…")
_CLOSERS = frozenset("\"'”’»)]")
_SOFT_BREAK_AFTER = frozenset("-/?&=_,;|–—")
_GLUE = frozenset("\u200d\ufe0e\ufe0f")
"""Zero-width joiner and variation selectors: they belong to the character before them."""
_GRAPHEME_BACKOFF = 16

_PARAGRAPH, _LINE, _SENTENCE, _WORD = 5, 4, 3, 2


def split_html(html: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Cut ``html`` into parts whose visible text is at most ``limit`` UTF-16 code units each.

    Text that fits is returned unchanged, as one part. Otherwise every part carries its number as a
    last line (see the module docstring) and the numbering is counted within ``limit``.

    Raises:
        ValueError: when ``html`` is not valid Telegram markup, or ``limit`` leaves no room for text.
    """
    markup = parse(html)
    text = markup.text
    if utf16_len(text) <= limit:
        return [html]
    widths = [0, *itertools.accumulate(char_width(char) for char in text)]
    start = _skip_space(text, 0)
    end = len(text.rstrip())
    if end <= start:
        return [html]
    if widths[end] - widths[start] <= limit:
        return [_emit(markup, [(start, end)])[0]]
    digits = 1
    while True:
        budget = limit - visible_len(_numbering(10**digits - 1, 10**digits - 1))
        if budget < 2:
            raise ValueError(f"a limit of {limit} leaves no room for text")
        ranges = _ranges(text, widths, start, end, budget)
        if len(str(len(ranges))) <= digits:
            break
        digits += 1
    parts = _emit(markup, ranges)
    return [part + _numbering(number, len(parts)) for number, part in enumerate(parts, start=1)]


def pack_blocks(blocks: Iterable[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Put consecutive blocks (items of an issue) into as few messages as fit, a blank line apart.

    A block is never split across messages unless it is too long for a message of its own; then it
    is split with :func:`split_html` and its parts are numbered among themselves. This keeps each item
    starting at the top of a message while not spending one message per short item.
    """
    messages: list[str] = []
    current: list[str] = []
    size = 0
    for block in blocks:
        block_size = visible_len(block)
        if block_size > limit:
            if current:
                messages.append(PARAGRAPH_SEPARATOR.join(current))
                current, size = [], 0
            messages.extend(split_html(block, limit))
            continue
        added = block_size + (utf16_len(PARAGRAPH_SEPARATOR) if current else 0)
        if current and size + added > limit:
            messages.append(PARAGRAPH_SEPARATOR.join(current))
            current, size, added = [], 0, block_size
        current.append(block)
        size += added
    if current:
        messages.append(PARAGRAPH_SEPARATOR.join(current))
    return messages


def _numbering(number: int, total: int) -> str:
    return f"{PARAGRAPH_SEPARATOR}<i>{number}/{total}</i>"


def _skip_space(text: str, index: int) -> int:
    match = _SPACE_RUN.match(text, index)
    return match.end() if match else index


def _ranges(text: str, widths: list[int], start: int, end: int, budget: int) -> list[tuple[int, int]]:
    """Visible-text ranges ``[start, stop)`` of the parts, each at most ``budget`` wide."""
    ranges = []
    while start < end:
        if widths[end] - widths[start] <= budget:
            ranges.append((start, end))
            break
        fit = bisect.bisect_right(widths, widths[start] + budget) - 1
        stop = _best_cut(text, start, fit)
        ranges.append((start, stop))
        start = _skip_space(text, stop)
    return ranges


def _best_cut(text: str, start: int, fit: int) -> int:
    """Where to end a part that starts at ``start`` and may extend to ``fit`` (exclusive)."""
    best: dict[int, int] = {}
    for match in _SPACE_RUN.finditer(text, start + 1):
        stop = match.start()
        if stop > fit:
            break
        newlines = match.group().count("\n")
        if newlines >= 2:
            level = _PARAGRAPH
        elif newlines == 1:
            level = _LINE
        elif _ends_sentence(text, start, stop):
            level = _SENTENCE
        else:
            level = _WORD
        best[level] = stop
    if best:
        return best[max(best)]
    for stop in range(fit, start + 1, -1):
        if text[stop - 1] in _SOFT_BREAK_AFTER and text[stop - 2] not in _SOFT_BREAK_AFTER:
            return stop
    for stop in range(fit, max(start + 1, fit - _GRAPHEME_BACKOFF) - 1, -1):
        if stop < len(text) and _is_grapheme_boundary(text[stop - 1], text[stop]):
            return stop
    return fit


def _ends_sentence(text: str, start: int, stop: int) -> bool:
    index = stop - 1
    while index > start and text[index] in _CLOSERS:
        index -= 1
    return text[index] in _SENTENCE_END


def _is_grapheme_boundary(before: str, after: str) -> bool:
    """A cheap approximation of Unicode's grapheme rules, enough not to break emoji and accents."""
    if after in _GLUE or before == "\u200d" or unicodedata.category(after) in ("Mn", "Mc", "Me"):
        return False
    if 0x1F3FB <= ord(after) <= 0x1F3FF or 0xE0020 <= ord(after) <= 0xE007F:
        return False  # skin tone modifiers, flag tag sequences
    regional = range(0x1F1E6, 0x1F200)
    return not (ord(before) in regional and ord(after) in regional)


def _emit(markup: Markup, ranges: list[tuple[int, int]]) -> list[str]:
    """The HTML of each visible range, with the tags open at a cut closed and reopened."""
    atom_of = [index for index, char in enumerate(markup.chars) if char]
    stack: list[Tag] = []
    parts = []
    cursor = 0
    for start, stop in ranges:
        first = atom_of[start]
        last = atom_of[stop - 1]
        while last + 1 < len(markup.tags) and (tag := markup.tags[last + 1]) is not None and tag.closing:
            last += 1
        for tag in markup.tags[cursor:first]:
            _apply(stack, tag)
        opening = "".join(tag.source for tag in stack)
        for tag in markup.tags[first : last + 1]:
            _apply(stack, tag)
        closing = "".join(f"</{tag.name}>" for tag in reversed(stack))
        parts.append(opening + "".join(markup.sources[first : last + 1]) + closing)
        cursor = last + 1
    return parts


def _apply(stack: list[Tag], tag: Tag | None) -> None:
    if tag is None:
        return
    if tag.closing:
        stack.pop()
    else:
        stack.append(tag)
