"""Plain text (or light Markdown) of one newsletter issue → a :class:`~bot.digest.model.Digest`.

The pipeline, one module per step:

1. :mod:`bot.digest.lines` — normalise the text, read Markdown line syntax, drop page furniture
   (:mod:`bot.digest.furniture`), stop at the sign-off, mend paragraphs the scrape glued together;
2. :mod:`bot.digest.header` — masthead, issue date and headline;
3. :mod:`bot.digest.layout` — teaser paragraphs, sections and items;
4. :mod:`bot.digest.contents` — drop a table of contents the stories make redundant;
5. here — turn the drafts into frozen items and fall back to the lead item's title for the headline.

The rules are an editor's, written for *The Real Russia. Today.* and its later form *This was Russia today*,
not for particular issues: see each module's docstring.
"""

from __future__ import annotations

from bot.digest.contents import drop_table_of_contents
from bot.digest.drafts import Draft, Layout, SectionDraft
from bot.digest.header import read_header
from bot.digest.layout import is_markdown, lay_out
from bot.digest.lines import looks_binary, read_lines
from bot.digest.markers import collapse_spaces
from bot.digest.model import Digest, Item, ItemKind, Section


class ParseError(ValueError):
    """The text is not an issue the parser can read; the message says what is missing."""


def parse_text(text: str, *, source: str | None = None) -> Digest:
    """Parse one issue.

    Args:
        text: the issue as plain text or light Markdown (any line endings).
        source: where it came from (a path or URL), kept on the digest but not part of its identity.

    Raises:
        ParseError: the text is empty, binary, or has neither a masthead, a date line nor a headline.
    """
    if not text:
        raise ParseError("the file is empty")
    if looks_binary(text):
        raise ParseError("this looks like binary data, not text")
    if not text.strip():
        raise ParseError("the file is empty (only whitespace)")
    header, lines = read_header(read_lines(text))
    if not header.found:
        raise ParseError(
            "no issue date or headline found: expected a masthead such as “The Real Russia. Today.”, "
            "a date line such as “Friday, January 7, 2022”, or a “# Headline”"
        )
    layout = lay_out(lines, markdown=is_markdown(lines))
    drop_table_of_contents(layout)
    sections = _sections(layout)
    title = header.title
    if title is None:
        title = next((item.title for section in sections for item in section.items), None)
    summary = "\n\n".join(layout.summary) or None
    return Digest(
        newsletter=header.newsletter,
        date=header.date,
        title=collapse_spaces(title) if title else None,
        summary=summary,
        sections=sections,
        source=source,
    )


def _sections(layout: Layout) -> tuple[Section, ...]:
    filled_runs = {draft.run for section in layout.sections for draft in section.items if draft.filled_from_run}
    sections = []
    for section in layout.sections:
        items = tuple(
            _item(draft, section, filled_runs, markdown=layout.markdown) for draft in section.items if _keep(draft)
        )
        if items:
            sections.append(Section(section.title, items))
    return tuple(sections)


def _keep(draft: Draft) -> bool:
    """Drop empty titles, and blocks that were only a donation appeal under a headline."""
    if not draft.title.strip():
        return False
    return not (draft.appeal and not draft.body and not draft.marked)


def _item(draft: Draft, section: SectionDraft, filled_runs: set[int | None], *, markdown: bool) -> Item:
    return Item(
        kind=_kind(draft, filled_runs, markdown=markdown),
        title=collapse_spaces(draft.title),
        author=draft.author,
        read_minutes=draft.read_minutes,
        words=draft.words,
        body=tuple(paragraph for paragraph in (collapse_spaces(p) for p in draft.body) if paragraph),
        link=draft.link,
        emoji=draft.emoji,
    )


def _kind(draft: Draft, filled_runs: set[int | None], *, markdown: bool) -> ItemKind:
    """Settle kinds the structure pass could not know when it met the item.

    Bare titles whose bodies followed their list are stories, even the ones the scrape cut off; a
    decorated headline that got no text at all is a brief, like the bullet it stands in for.
    """
    if draft.kind is ItemKind.BRIEF and draft.run is not None and draft.run in filled_runs:
        return ItemKind.STORY
    if (
        not markdown
        and draft.kind is ItemKind.STORY
        and draft.from_headline
        and draft.emoji is not None
        and not draft.body
        and not draft.marked
    ):
        return ItemKind.BRIEF
    return draft.kind
