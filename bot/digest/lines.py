"""From raw text to typed lines: normalisation, Markdown line syntax, mended scraping damage, line shapes.

Scrapes put one paragraph per line (sometimes with blank lines between, sometimes not), so the line is the
unit the structure pass works with. Everything that can be decided about a line on its own is decided here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import Enum

from bot.digest.furniture import ends_the_issue, is_furniture, is_photo_credit, is_sponsor_label
from bot.digest.markers import (
    clean_inline,
    collapse_spaces,
    ends_sentence,
    first_sentence,
    has_sentence_break,
    split_leading_emoji,
    split_trailing_emoji,
    strip_read_marker,
)
from bot.digest.names import is_person_name

_SPACES_RE = re.compile(r"[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_INVISIBLE_RE = re.compile(r"[\u200b\u2060\ufeff\u00ad\u180e]")
_LOOSE_JOINER_RE = re.compile(  # a joiner next to a letter or a space glues nothing: only emoji keep theirs
    r"(?<=[\w\s])[\u200c\u200d]|[\u200c\u200d](?=[\w\s])|^[\u200c\u200d]|[\u200c\u200d]$", re.MULTILINE
)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_BREAKS_RE = re.compile(r"\r\n?|[\u2028\u2029\x85\x0b\x0c\x1c-\x1e]")
_BULLET_RE = re.compile(r"(?:[-*+•·▪●◦‣]|\d{1,2}[.)])[ \t]+(?=\S)")
_HEADING_RE = re.compile(r"(#{1,6})[ \t]+(?=\S)")
_BOLD_LEAD_RE = re.compile(r"(?:\*\*[^*]+\*\*|__[^_]+__)")
_WHOLE_BOLD_RE = re.compile(r"\*\*([^*]+)\*\*|__([^_]+)__")
_GLUED_LABEL_RE = re.compile(  # the last letter of one paragraph, then the label that opens the next
    r"[a-z)”’\"](?=(?:Opinions?|Analysis|News briefs?|Briefs|Feature stories|Features|Also|Plus|Meanwhile"
    r"|Elsewhere|Source|Today['’]s main story)\s?:\s"
    r"|(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),\s[A-Z][a-z]+\s\d)"
)
_TEXT_LINK_RE = re.compile(r"\s*(?:\[\s*(https?://[^\s\]]+)\s*\]|<(https?://[^\s>]+)>)")
"""A link as plain-text e-mail renders it: "the license [ https://… ]" or "the license <https://…>"."""
_ENTRY_HEADER_RE = re.compile(r"([A-Z][a-z]{1,12})\s+\d{4}-\d{2}-\d{2}\b\s*(.*?)\s*:?\s*")
"""A blog digest's entry line: "Link 2024-07-23 Introducing Llama 3.1:" (type, date, title)."""
_TABLE_DEBRIS_RE = re.compile(r"^\s*\|+\s*|\s*\|+\s*$")
_ATTRIBUTION_RE = re.compile(r"(?P<title>.{5,200}?)\s+[—–]\s+(?P<who>[^—–:()]{3,80}?)(?:\s*\([^()]{1,40}\))?\s*:")
_SOURCE_TAIL_RE = re.compile(r"\s*\(([^()\d][^()]{0,40})\)\s*$")
_PAGE_PREFIX_RE = re.compile(
    r"(?:skip\s+to\s+(?:main\s+)?content|share\s+to\s+or|(?:©|copyright)\s*(?:\(c\)\s*)?\d{0,4}[^.]{0,80}?\.)\s*",
    re.IGNORECASE,
)
_PAGE_PREFIX_LINES = 12
_WRAP_MIN, _WRAP_MAX = 55, 80
_MIN_WRAPPED_LINES = 6
_GREETING_RE = re.compile(r"(?:howdy|hello|hi|hey|dear|greetings|good\s+(?:morning|afternoon|evening))\b", re.I)
_ODD_CHARS_RE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd]")
_BINARY_SAMPLE = 8192
_MIN_CAPTION_WORDS = 12

_MAX_DECORATED_WORDS = 10
MAX_HEADLINE_CHARS = 200
MAX_HEADLINE_WORDS = 30
MAX_QUESTION_HEADLINE_WORDS = 14


class Shape(Enum):
    """What a line looks like on its own; the structure pass decides what it is from its neighbours."""

    TEXT = "text"
    HEADLINE = "headline"
    BLURB = "blurb"
    """Prose that ends with a read-time marker: a story's standfirst, printed apart from its headline."""


@dataclass(frozen=True, slots=True)
class Line:
    """One non-empty line of the issue, with its Markdown line syntax already read."""

    text: str
    """The words, with Markdown inline syntax removed."""
    raw: str = ""
    """The words as written after the bullet or heading mark, Markdown kept (a bullet's **bold lead** lives here)."""
    indent: int = 0
    blank_before: bool = True
    bullet: bool = False
    heading: int = 0
    """Markdown heading level, 0 when the line is not a Markdown heading."""
    bold: bool = False
    """The whole line was bold: how editors mark a heading without Markdown headings."""
    prose: bool = False
    """Known to be running text (a paragraph split from its glued neighbour), whatever its shape."""
    link: str | None = None
    author: str | None = None
    """The writer named in an attribution tail ("Headline — political analyst Tatiana Stanovaya (Telegram):")."""
    sponsor: bool = False
    """A sponsor's label or an advertisement's headline ("Together with Acme", "… (Sponsored)")."""

    @property
    def explicit_heading(self) -> bool:
        return self.heading > 0 or self.bold

    @property
    def bold_lead(self) -> bool:
        """A bullet that starts with a **bold title**, the Markdown way of writing "Headline: text"."""
        _, rest = split_leading_emoji(self.raw)
        return self.bullet and bool(_BOLD_LEAD_RE.match(rest))


def looks_binary(text: str) -> bool:
    """NUL bytes, or many control/replacement characters: decoded bytes that were never text."""
    if "\x00" in text:
        return True
    sample = text[:_BINARY_SAMPLE]
    return len(_ODD_CHARS_RE.findall(sample)) > max(2, len(sample) // 20)


def normalize(text: str) -> str:
    """One line-break convention, plain spaces, no invisible characters (joiners inside emoji survive)."""
    text = _LINE_BREAKS_RE.sub("\n", text)
    text = _SPACES_RE.sub(" ", text)
    text = _INVISIBLE_RE.sub("", text)
    if "\u200c" in text or "\u200d" in text:
        text = _LOOSE_JOINER_RE.sub("", text)
    text = text.replace("\t", "    ")
    return _CONTROL_RE.sub("", text)


def read_lines(text: str) -> list[Line]:
    """Normalised text → typed lines, furniture dropped, glued paragraphs split, wrapped ones joined.

    Stops at the first sign-off or comment form: what follows belongs to the web page.
    """
    lines: list[Line] = []
    blank = True
    for number, raw_line in enumerate(_unwrap(normalize(text).split("\n"))):
        if number < _PAGE_PREFIX_LINES:
            raw_line = _without_page_prefix(raw_line)
        line = _read_line(raw_line, blank_before=blank)
        blank = line is None
        if line is None:
            continue
        if lines and ends_the_issue(line.text) and len(lines) >= 3:
            break
        for piece in _split_glued(line):
            if is_furniture(piece.text):
                if is_photo_credit(piece.text) and lines and _is_caption(lines):
                    lines.pop()
                continue
            _append_unwrapped(lines, piece)
    return lines


def _without_page_prefix(raw_line: str) -> str:
    """ "Skip to main content The Real Russia. Today. …", "© 2021 Meduza. The Real Russia…": the issue, unglued."""
    text = raw_line.strip()
    while (match := _PAGE_PREFIX_RE.match(text)) and match.end() and len(text[match.end() :].split()) >= 3:
        text = text[match.end() :].strip()
    return text if text != raw_line.strip() else raw_line


def _unwrap(raw: list[str]) -> list[str]:
    """Join lines an e-mail client hard-wrapped at ~80 columns back into paragraphs.

    A text is hard-wrapped when most of its lines fill 55–80 columns and none is much longer; then a line that
    fills the width continues on the next one unless that starts a list item, a heading or a new paragraph.
    """
    raw = [_TABLE_DEBRIS_RE.sub("", line).rstrip() if "|" in line else line for line in raw]
    filled = [line.rstrip() for line in raw if line.strip()]
    if len(filled) < _MIN_WRAPPED_LINES or max(len(line) for line in filled) > _WRAP_MAX + 20:
        return raw
    wide = sum(1 for line in filled if _WRAP_MIN <= len(line) <= _WRAP_MAX)
    if wide * 2 < len(filled):
        return raw
    out: list[str] = []
    for line in raw:
        previous = out[-1] if out else ""
        starts_block = not line.strip() or bool(_BULLET_RE.match(line.lstrip()) or _HEADING_RE.match(line.lstrip()))
        if previous.strip() and len(previous.rstrip()) >= _WRAP_MIN and not starts_block:
            out[-1] = f"{previous.rstrip()} {line.strip()}"
        else:
            out.append(line)
    return out


def _read_line(raw_line: str, *, blank_before: bool) -> Line | None:
    stripped = _TABLE_DEBRIS_RE.sub("", raw_line.rstrip()) if "|" in raw_line else raw_line.rstrip()
    body = stripped.lstrip()
    if not body:
        return None
    text_link = None
    if "http" in body and (found := _TEXT_LINK_RE.search(body)):
        text_link = found.group(1) or found.group(2)
        body = _TEXT_LINK_RE.sub("", body).strip()
    if entry := _ENTRY_HEADER_RE.fullmatch(body):
        if not entry.group(2):
            return None  # "Quote 2024-07-23": an entry marker with nothing to name
        return Line(entry.group(2), entry.group(2), 0, blank_before, bold=True, link=text_link)
    indent = len(stripped) - len(body)
    heading = 0
    bullet = False
    if match := _HEADING_RE.match(body):
        heading = len(match.group(1))
        body = _without_closing_hashes(body[match.end() :])
    elif match := _BULLET_RE.match(body):
        bullet = True
        body = body[match.end() :]
    bold = False
    if not bullet and (whole := _WHOLE_BOLD_RE.fullmatch(body)):
        bold = True
        body = whole.group(1) or whole.group(2)
    text, link = clean_inline(body)
    if not text:
        return None
    sponsor = is_sponsor_label(text) and (len(text.split()) <= 8 or text.rstrip().endswith(")"))
    if sponsor and not heading:
        bold = True  # the label opens the block it belongs to, like a heading
    if not bullet and not heading and (item := _source_item(text)):
        return Line(item, item, indent, blank_before, bullet=True, link=link or text_link)
    if not bullet and (attributed := attribution(text)):
        title, author = attributed
        return Line(title, title, indent, blank_before, heading=heading, bold=True, link=link or text_link,
                    author=author)  # fmt: skip
    return Line(text, body, indent, blank_before, bullet, heading, bold, link=link or text_link, sponsor=sponsor)


def attribution(text: str) -> tuple[str, str] | None:
    """ "The Kremlin has lost the youth — political analyst Tatiana Stanovaya (Telegram):" → headline, writer."""
    match = _ATTRIBUTION_RE.fullmatch(text.strip())
    if match is None:
        return None
    words = match["who"].split()
    for size in (4, 3, 2):
        if len(words) >= size and is_person_name(" ".join(words[-size:])):
            return match["title"].strip(), " ".join(words[-size:])
    return None


def _source_item(text: str) -> str | None:
    """ "🇺🇸 Como a questão do aborto mudou. (FiveThirtyEight)": a link round-up's entry, as a brief.

    An emoji, a sentence or two and the outlet in parentheses: the first sentence is the title, what follows
    is the text, the outlet ends it.
    """
    emoji, rest = split_leading_emoji(text)
    source = _SOURCE_TAIL_RE.search(rest) if emoji else None
    if source is None or len(source.group(1).split()) > 5 or (not rest[:1].isupper() and rest[:1] not in "“\"‘'"):
        return None
    words = rest[: source.start()].strip()
    head = first_sentence(words)
    body = words[len(head) :].lstrip(" .").strip()
    outlet = f"({source.group(1)})"
    return f"{emoji} {head}: {body} {outlet}" if body else f"{emoji} {head}: {outlet}"


def _without_closing_hashes(text: str) -> str:
    """``"Title ##"`` → ``"Title"`` (Markdown's optional closing sequence), but ``"C#"`` stays."""
    if not text.endswith("#"):
        return text
    trimmed = text.rstrip("#")
    return trimmed.rstrip() if trimmed[-1:].isspace() else text


def _split_glued(line: Line) -> list[Line]:
    """ "…rumors spread about NazarbayevOpinions: Dmitry Trenin…" → two paragraphs, as the issue printed them."""
    if line.bullet or line.explicit_heading:
        return [line]
    cuts = [match.end() for match in _GLUED_LABEL_RE.finditer(line.text) if match.end() >= 20]
    if not cuts:
        return [line]
    pieces = [line.text[start:end].strip() for start, end in zip([0, *cuts], [*cuts, len(line.text)], strict=True)]
    return [
        replace(line, text=piece, raw=piece, blank_before=line.blank_before if index == 0 else True, prose=True)
        for index, piece in enumerate(pieces)
        if piece
    ]


def _append_unwrapped(lines: list[Line], line: Line) -> None:
    """Join a hard-wrapped paragraph back: a line that starts in lower case continues the one above."""
    previous = lines[-1] if lines else None
    first = line.text[0]
    if (
        previous is not None
        and not line.blank_before
        and not line.bullet
        and not line.explicit_heading
        and first.isalpha()
        and first.islower()
        and not previous.explicit_heading
        and (not previous.bullet or line.indent > 0)
        and len(previous.text) >= 30
        and not ends_sentence(previous.text)
    ):
        joined = collapse_spaces(f"{previous.text} {line.text}")
        lines[-1] = replace(previous, text=joined, raw=collapse_spaces(f"{previous.raw} {line.raw}"))
        return
    lines.append(line)


def _is_caption(lines: list[Line]) -> bool:
    """The line above a photo credit is its caption when it is a long undecorated line inside running text.

    A headline can stand above a picture too; headlines are shorter and usually carry an emoji, so a short or
    decorated line stays.
    """
    caption = lines[-1]
    before = lines[-2] if len(lines) > 1 else None
    plain = not (caption.bullet or caption.explicit_heading or ends_sentence(caption.text))
    leading, rest = split_leading_emoji(caption.text)
    trailing, _ = split_trailing_emoji(rest)
    long_enough = len(caption.text.split()) >= _MIN_CAPTION_WORDS
    undecorated = leading is None and trailing is None
    return plain and undecorated and long_enough and before is not None and ends_sentence(before.text)


def shape_of(line: Line, *, last: bool = False) -> Shape:
    """Headline, standfirst (blurb) or running text, judged from the line alone.

    A headline is short, has no full stop at the end and no second sentence; a read-time marker makes a line
    with a leading emoji a headline even when it breaks those rules ("🪖 In Buryatia… A new report… (17-min
    read)"), and makes an undecorated prose line a standfirst. The last line of a file that looks like a
    headline is the truncated start of a paragraph, unless something marks it as a headline.
    """
    if line.explicit_heading:
        return Shape.HEADLINE
    if line.prose or line.bullet:
        return Shape.TEXT
    emoji, words = split_leading_emoji(line.text)
    trailing, words = split_trailing_emoji(words)
    words, minutes, count = strip_read_marker(words)
    if minutes is not None or count is not None:
        if emoji is None and ends_sentence(words):
            return Shape.BLURB
        return Shape.HEADLINE
    if trailing is not None and len(words.split()) <= _MAX_DECORATED_WORDS:
        return Shape.HEADLINE  # "Troll factories? So 2016. 👾": a decorated line is a headline, however punctuated
    if not looks_like_headline(words):
        return Shape.TEXT
    if last and emoji is None and trailing is None:
        return Shape.TEXT
    return Shape.HEADLINE


def looks_like_headline(text: str) -> bool:
    """Short, capitalised, no closing full stop, one sentence, and not a greeting ("Howdy, readers!")."""
    if not text or len(text) > MAX_HEADLINE_CHARS:
        return False
    words = text.split()
    if len(words) > MAX_HEADLINE_WORDS:
        return False
    first = text[0]
    if (first.isalpha() and first.islower()) or _GREETING_RE.match(text):
        return False
    core = text.rstrip("\"'”’»)]*_ ")
    if not core or core[-1] in ".,;:…—–-":
        return False
    if core[-1] in "?!" and len(words) > MAX_QUESTION_HEADLINE_WORDS:
        return False
    return not has_sentence_break(text)
