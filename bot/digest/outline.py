"""A digest as a readable, indented outline for the terminal (``briefing parse FILE``).

Meant for an editor checking what the parser made of an issue: every item on one line with its kind, author
and read time, and the start of its text underneath.
"""

from __future__ import annotations

import textwrap

from bot.digest.calendar import format_issue_date
from bot.digest.markers import format_read_marker
from bot.digest.model import Digest, Item
from bot.digest.parser import Parsed

PREVIEW_CHARS = 100
_INDENT = "  "
_BODY_INDENT = "      "


def format_outline(digest: Digest, *, width: int = 100) -> str:
    """Newsletter and date, headline, the wrapped teaser, then sections with their items."""
    lines = []
    date = format_issue_date(digest.date) if digest.date else None
    masthead = " — ".join(part for part in (digest.newsletter, date) if part)
    if masthead:
        lines.append(masthead)
    if digest.title:
        lines.append(digest.title)
    if digest.summary:
        lines.append("")
        for paragraph in digest.summary.split("\n\n"):
            lines.extend(textwrap.wrap(paragraph, width, initial_indent=_INDENT, subsequent_indent=_INDENT))
    for section in digest.sections:
        lines.append("")
        lines.append(section.title or "(no section title)")
        for item in section.items:
            lines.append(_INDENT + item_line(item))
            if item.body:
                lines.append(_BODY_INDENT + preview(item.body_text))
    if not digest.sections:
        lines.extend(["", "(no items)"])
    return "\n".join(lines)


def format_explanation(parsed: Parsed, *, rules: bool = True) -> str:
    """What was found, by which rule, and what was guessed; then the warnings (``briefing parse --explain``)."""
    lines = []
    if rules:
        lines.append("How each field was found:")
        for note in parsed.notes:
            mark = "guessed" if note.guessed else "found"
            lines.append(f"{_INDENT}{note.field:<10} {mark:<7} by {note.rule}: {preview(note.value, 70)}")
        lines.append(f"{_INDENT}{'items':<10} found   by the structure: {sum(1 for _ in parsed.digest.items())}")
    for warning in parsed.warnings:
        lines.append(f"warning: {warning}")
    return "\n".join(lines)


def item_line(item: Item) -> str:
    """``[story] 🪖 Title — Author (4-min read)``."""
    parts = [f"[{item.kind.value}]"]
    if item.emoji:
        parts.append(item.emoji)
    parts.append(item.title)
    if item.author:
        parts.append(f"— {item.author}")
    if marker := format_read_marker(item.read_minutes, item.words):
        parts.append(marker)
    return " ".join(parts)


def preview(text: str, limit: int = PREVIEW_CHARS) -> str:
    """The first ``limit`` characters on one line, cut at a word boundary."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0] or flat[:limit]
    return cut.rstrip(" ,;:—–-") + "…"
