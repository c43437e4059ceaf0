"""A digest as canonical plain text, which :func:`bot.digest.parser.parse_text` reads back into the same digest.

The layout follows the newsletter — the masthead and headline on one line, the date line, the teaser — and
uses light Markdown wherever plain text would leave the structure to guesswork: ``##`` for section titles,
``###`` for story and opinion headlines, ``- **Title**: text`` for briefs, ``[title](link)`` for links. A
story's byline is a "By Name" line under its headline; an opinion's author leads its headline ("Name: title").

Round trips hold for digests whose opinions have authors, whose briefs have no author, and whose words are
ordinary prose (no Markdown characters of their own); see ``tests/digest/test_parser_properties.py`` for the domain.
"""

from __future__ import annotations

from bot.digest.calendar import format_issue_date
from bot.digest.markers import format_read_marker
from bot.digest.model import Digest, Item, ItemKind


def render_as_text(digest: Digest) -> str:
    """The digest as text: header, teaser paragraphs, then each section's title and items."""
    blocks = [_header(digest)]
    if digest.summary:
        blocks.extend(paragraph for paragraph in digest.summary.split("\n\n") if paragraph.strip())
    for section in digest.sections:
        if section.title:
            blocks.append(f"## {section.title}")
        for item in section.items:
            blocks.extend(_item_blocks(item))
    return "\n\n".join(block for block in blocks if block) + "\n"


def _header(digest: Digest) -> str:
    lines = []
    if digest.newsletter:
        lines.append(" ".join(part for part in (digest.newsletter, digest.title) if part))
    elif digest.title:
        lines.append(f"# {digest.title}")
    if digest.date:
        lines.append(format_issue_date(digest.date))
    return "\n".join(lines)


def _item_blocks(item: Item) -> list[str]:
    if item.kind is ItemKind.BRIEF:
        return [_brief(item)]
    title = _linked(item.title, item.link)
    if item.kind is ItemKind.OPINION and item.author:
        title = f"{item.author}: {title}"
    marker = format_read_marker(item.read_minutes, item.words)
    blocks = [" ".join(part for part in ("###", item.emoji, title, marker) if part)]
    if item.author and item.kind is ItemKind.STORY:
        blocks.append(f"By {item.author}")
    blocks.extend(item.body)
    return blocks


def _brief(item: Item) -> str:
    """``- 🇩🇪 **Headline**: first paragraph`` with any further paragraphs indented under the bullet."""
    lead = " ".join(part for part in ("-", item.emoji, f"**{_linked(item.title, item.link)}**") if part)
    marker = format_read_marker(item.read_minutes, item.words)
    first, *rest = item.body or ("",)
    line = f"{lead}: {first}" if first else lead
    if marker:
        line = f"{line} {marker}"
    return "\n\n".join([line, *(f"  {paragraph}" for paragraph in rest)])


def _linked(text: str, link: str | None) -> str:
    return f"[{text}]({link})" if link else text
