"""The small marks an issue prints around its words: emoji, read times, kickers, run-in heads, Markdown.

Each helper takes a piece of text and returns it without the mark plus what the mark said, so that the
structure pass can reason about plain words.
"""

from __future__ import annotations

import re

_READ_MARKER_RE = re.compile(r"\(([^()]{1,60})\)\s*$")
_MINUTES_RE = re.compile(r"(\d{1,3})\s*[-‑–]?\s*min(?:ute)?s?\.?(?:\s+read)?", re.IGNORECASE)
_WORDS_RE = re.compile(r"(\d{1,3}(?:[, \u202f]\d{3})+|\d{1,7})\s+words?", re.IGNORECASE)
_MARKER_PART_SPLIT_RE = re.compile(r"\s*[;·|/]\s*|,\s+|\s+[–—-]\s+")  # "2,760 words" keeps its comma

_KICKER_RE = re.compile(
    r"(?:today['’]s\s+(?:main|top|lead)\s+story|(?:the\s+)?(?:main|top|lead)\s+story(?:\s+of\s+the\s+day)?"
    r"|story\s+of\s+the\s+day)\s*[:—–]\s*",
    re.IGNORECASE,
)
_NUMBERING_RE = re.compile(r"\d{1,2}[.)]\s+(?=\S)")
_RUN_IN_RE = re.compile(r"([^:]{2,120}?):\s+(?=\S)")
_SENTENCE_BREAK_RE = re.compile(r"(?<!\w)(\w+)[.!?][\"”’)]*\s+[\"“‘(]?[A-Z]")
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr st jr sr vs no gen col lt sgt rep sen gov inc ltd co corp dept est approx fig vol oct nov dec".split()
)
_CLOSERS = "\"'”’»)]*_ "

_LINK_RE = re.compile(r"\[([^\[\]\n]{1,500})\]\(([^\s()]{1,2000})\)")
_BOLD_RE = re.compile(r"\*\*([^*\n]+)\*\*|__([^_\n]+)__")
_ITALIC_RE = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])|(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])")
_SPACES_RE = re.compile(r"[ \t]{2,}")

TERMINAL_PUNCTUATION = ".!?…"
_MAX_LEAD_SENTENCE_WORDS = 8
_MIN_LEAD_BODY_WORDS = 6


def is_emoji_char(ch: str) -> bool:
    """Pictographs, flags, dingbats and the joiners that glue them into one emoji."""
    cp = ord(ch)
    return (
        0x1F000 <= cp <= 0x1FAFF
        or 0x2600 <= cp <= 0x27BF
        or 0x2B00 <= cp <= 0x2BFF
        or 0x2300 <= cp <= 0x23FF
        or 0xE0020 <= cp <= 0xE007F
        or cp in (0x200D, 0xFE0F, 0xFE0E, 0x20E3, 0x3030, 0x303D, 0x3297, 0x3299)
    )


def _emoji_run_length(text: str) -> int:
    """How many characters at the start of ``text`` belong to emoji (keycaps like 1️⃣ included)."""
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if is_emoji_char(ch):
            i += 1
        elif ch in "#*0123456789" and i + 1 < n and text[i + 1] in "\ufe0f\u20e3":
            i += 2
        else:
            break
    return i


def _is_real_emoji(run: str) -> bool:
    return any(ch not in "\u200d\ufe0f\ufe0e\u20e3" for ch in run)


def split_leading_emoji(text: str) -> tuple[str | None, str]:
    """``"🇩🇪 CNN reports"`` → ``("🇩🇪", "CNN reports")``; text without a leading emoji comes back as is."""
    length = _emoji_run_length(text)
    if not length or not _is_real_emoji(text[:length]):
        return None, text
    return text[:length], text[length:].strip()


def split_trailing_emoji(text: str) -> tuple[str | None, str]:
    """``"Story of the day 🗞"`` → ``("🗞", "Story of the day")``: the decoration some issues put after a title."""
    stripped = text.rstrip()
    i = len(stripped)
    while i > 0 and is_emoji_char(stripped[i - 1]):
        i -= 1
    run = stripped[i:]
    if i == 0 or not run or not _is_real_emoji(run):
        return None, text
    return run, stripped[:i].rstrip()


def strip_read_marker(text: str) -> tuple[str, int | None, int | None]:
    """``"Day six (4-min read)"`` → ``("Day six", 4, None)``; ``"(2,760 words)"`` fills the word count instead."""
    match = _READ_MARKER_RE.search(text)
    if not match:
        return text, None, None
    minutes = words = None
    for part in _MARKER_PART_SPLIT_RE.split(match.group(1).strip()):
        if minutes is None and (found := _MINUTES_RE.fullmatch(part)):
            minutes = int(found.group(1))
        elif words is None and (found := _WORDS_RE.fullmatch(part)):
            words = int(re.sub(r"\D", "", found.group(1)))
        else:
            return text, None, None
    return text[: match.start()].rstrip(), minutes, words


def format_read_marker(minutes: int | None, words: int | None) -> str:
    """The marker as this project writes it back: ``(4-min read)``, ``(2,760 words)`` or both."""
    parts = []
    if minutes is not None:
        parts.append(f"{minutes}-min read")
    if words is not None:
        parts.append(f"{words:,} words")
    return f"({', '.join(parts)})" if parts else ""


def strip_kicker(title: str) -> str:
    """Drop a "Story of the day:" label: it says where the story sits, it is not part of its headline."""
    match = _KICKER_RE.match(title)
    if not match or match.end() >= len(title):
        return title
    rest = title[match.end() :]
    if rest[0].islower() and (len(rest) == 1 or not rest[1].isupper()):
        rest = rest[0].upper() + rest[1:]
    return rest


def strip_numbering(title: str) -> str:
    """``"2. More developments"`` → ``"More developments"``: the running number of a numbered issue."""
    match = _NUMBERING_RE.match(title)
    return title[match.end() :] if match else title


def ends_sentence(text: str) -> bool:
    """Whether ``text`` ends like prose (a full stop, possibly inside closing quotes), not like a headline."""
    core = text.rstrip(_CLOSERS)
    return bool(core) and core[-1] in TERMINAL_PUNCTUATION


def has_sentence_break(text: str) -> bool:
    """A full stop followed by a new capitalised sentence, ignoring initials ("U.S.") and "Mr."-style abbreviations."""
    for match in _SENTENCE_BREAK_RE.finditer(text):
        word = match.group(1)
        if word[-1].isupper() or word.lower() in _ABBREVIATIONS:
            continue
        return True
    return False


def first_sentence(text: str) -> str:
    """The first sentence of ``text`` without its full stop: a headline for an opinion printed as a paragraph."""
    for match in _SENTENCE_BREAK_RE.finditer(text):
        word = match.group(1)
        if word[-1].isupper() or word.lower() in _ABBREVIATIONS:
            continue
        end = match.start(1) + len(word) + 1
        return text[:end].rstrip(".")
    return text.rstrip(".")


def split_run_in_sentence(text: str) -> tuple[str, str] | None:
    """``"Checkmate, Navalny. Officials in St. Petersburg…"`` → lead sentence and text: a brief's bold lead-in.

    Only the shape says so (a short capitalised first sentence, then at least a sentence of text), so the
    structure pass asks for it only where briefs are expected.
    """
    head = first_sentence(text)
    rest = text[len(head) :].lstrip(" .").strip()
    words = head.split()
    if not rest or not 1 <= len(words) <= _MAX_LEAD_SENTENCE_WORDS or not head[:1].isupper() or head == text:
        return None
    if len(rest.split()) < _MIN_LEAD_BODY_WORDS or text[len(head) : len(head) + 1] != ".":
        return None
    return head, rest


def split_run_in(text: str) -> tuple[str, str] | None:
    """``"Gig-economy recruitment: Officials in Tatarstan…"`` → head and text, when the head reads like a headline."""
    match = _RUN_IN_RE.match(text)
    if not match:
        return None
    head, rest = match.group(1).strip(), text[match.end() :].strip()
    if not head or not rest or len(head.split()) > 15 or has_sentence_break(head) or head[-1] in ".!?;,":
        return None
    first = head[0]
    if first.isalpha() and not first.isupper():
        return None
    return head, rest


def clean_inline(text: str) -> tuple[str, str | None]:
    """Markdown links, bold and italics → plain words; returns the text and the first link's address."""
    links: list[str] = []

    def keep_label(match: re.Match[str]) -> str:
        links.append(match.group(2))
        return match.group(1)

    if "](" in text:
        text = _LINK_RE.sub(keep_label, text)
    if "*" in text or "_" in text:
        text = _BOLD_RE.sub(lambda m: m.group(1) or m.group(2), text)
        text = _ITALIC_RE.sub(lambda m: m.group(1) or m.group(2), text)
    return collapse_spaces(text), (links[0] if links else None)


def collapse_spaces(text: str) -> str:
    return _SPACES_RE.sub(" ", text).strip()
