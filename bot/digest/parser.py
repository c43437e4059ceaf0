"""Plain text (or light Markdown) of one newsletter issue → a :class:`~bot.digest.model.Digest`.

The pipeline, one module per step:

1. :mod:`bot.digest.lines` — normalise the text, join hard-wrapped e-mail lines, read Markdown line syntax,
   drop page and e-mail furniture (:mod:`bot.digest.furniture`), stop at the sign-off, mend paragraphs the
   scrape glued together;
2. :mod:`bot.digest.header` — masthead, issue date and headline, found without knowing the masthead;
3. :mod:`bot.digest.letter` — an editor's letter at the top, kept whole as the teaser;
4. :mod:`bot.digest.layout` — teaser paragraphs, sections and items;
5. :mod:`bot.digest.contents` — drop a table of contents the stories make redundant;
6. here — turn the drafts into frozen items; fill what the text does not print from the container's
   :class:`Hints` and the source's URL, or from the lead item, and say which rule produced each field.

The rules are an editor's — first written for *The Real Russia. Today.* and its later forms, then for other
publishers' newsletters — not for particular issues: see each module's docstring. Degrade, never refuse what
can be read: only empty, binary or item-less text is a :class:`ParseError`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace

from bot.digest.contents import drop_table_of_contents
from bot.digest.dates import date_in_url, find_dates
from bot.digest.drafts import Draft, Layout, SectionDraft
from bot.digest.header import read_header
from bot.digest.layout import is_markdown, lay_out
from bot.digest.letter import take_letter
from bot.digest.lines import looks_binary, read_lines
from bot.digest.markers import collapse_spaces
from bot.digest.model import Digest, Item, ItemKind, Section

_MIN_LOOSE_PARAGRAPHS = 2
_MIN_LOOSE_WORDS = 25
"""Text without any structure is one item only when there is some of it, or a masthead, date or headline."""
_MIN_HINT_TITLE_WORDS = 2
_ISSUE_NUMBER_RE = re.compile(r"(?:issue|edition|number|no\.?|n[º°])?\s*#?\s*\d{1,5}\.?", re.IGNORECASE)
"""A "headline" that is only the issue's number: "ISSUE #390", "No. 116", "#541"."""
_SITE_SUFFIX_RE = re.compile(r"\s+[|—–·]\s+[^|—–·]{1,30}$")
"""The site's name a page title ends with: "Kazakhstan’s ‘terrorists’ … — Meduza"."""


class ParseError(ValueError):
    """The text is not an issue the parser can read; the message says what is missing."""


@dataclass(frozen=True, slots=True)
class Hints:
    """What the container of an issue says about it, outside its text: an e-mail's headers, a page's metadata.

    The text's own masthead, date and headline win; these fill what the text does not print, each with the
    name of the rule that found it (for ``--explain``).
    """

    title: str | None = None
    title_rule: str = "title"
    dates: tuple[tuple[dt.date, str], ...] = ()
    """Candidate dates, best first: ``((date, "<time> element"), (date, "e-mail Date: header"))``."""
    newsletter: str | None = None
    newsletter_rule: str = "sender"
    summary: str | None = None
    """A preheader: the one-line teaser an e-mail shows before it is opened."""


@dataclass(frozen=True, slots=True)
class Note:
    """Which rule produced a field of the digest; ``guessed`` when it stands in for something not printed."""

    field: str
    rule: str
    value: str
    guessed: bool = False


@dataclass(frozen=True, slots=True)
class Parsed:
    """A parsed issue with what the parser found, what it guessed and what it could not read."""

    digest: Digest
    notes: tuple[Note, ...] = ()
    warnings: tuple[str, ...] = field(default=())

    def note(self, name: str) -> Note | None:
        return next((note for note in self.notes if note.field == name), None)


def parse_text(text: str, *, source: str | None = None, hints: Hints | None = None) -> Digest:
    """Parse one issue; see :func:`parse_issue`."""
    return parse_issue(text, source=source, hints=hints).digest


def parse_issue(text: str, *, source: str | None = None, hints: Hints | None = None) -> Parsed:
    """Parse one issue, saying which rule produced each field.

    Args:
        text: the issue as plain text or light Markdown (any line endings).
        source: where it came from (a path or URL), kept on the digest but not part of its identity; a date
            in a URL is the last resort for the issue date.
        hints: what an e-mail's headers or a page's metadata say (subject, dates, sender, preheader).

    Raises:
        ParseError: the text is empty, binary, or has no item at all (the message says what was found).
    """
    hints = hints or Hints()
    if not text:
        raise ParseError("the file is empty")
    if looks_binary(text):
        raise ParseError("this looks like binary data, not text")
    if not text.strip():
        raise ParseError("the file is empty (only whitespace)")
    header, lines = read_header(read_lines(text))
    letter, lines = take_letter(lines)
    notes = [Note(name, rule, str(getattr(header, name))) for name, rule in header.rules.items()]
    warnings = list(header.warnings)
    layout = lay_out(lines, markdown=is_markdown(lines))
    drop_table_of_contents(layout)
    sections = _sections(layout)
    summary_parts = [*header.notes, *letter, *layout.summary]
    if not summary_parts and hints.summary:
        summary_parts.append(hints.summary)
        notes.append(Note("summary", "preheader", hints.summary))
    if not sections and summary_parts and (header.found or hints.title or _enough_text(summary_parts)):
        # A flattened or structureless issue: its text is one piece rather than nothing.
        lead_title = header.title or hints.title or _first_words(summary_parts[0])
        sections = (Section(None, (Item(ItemKind.STORY, collapse_spaces(lead_title), body=tuple(summary_parts)),)),)
        summary_parts = []
        warnings.append("no item structure found: the whole text is one item")
    if not sections:
        found = ", ".join(f"{n.field} ({n.rule})" for n in notes) or "nothing an issue starts with"
        raise ParseError(f"no items found: an issue needs at least one story, opinion or brief; found {found}")
    date = header.date
    if date is None:
        date = _fallback_date(hints, source, notes)
    if date is None:
        warnings.append("no issue date found: it will be dated the day it is published")
    title = header.title
    newsletter = header.newsletter
    if title is not None and _ISSUE_NUMBER_RE.fullmatch(title.strip()) and hints.title:
        # "ISSUE #390" only numbers the issue; the subject or page title ("Kotlin Weekly #390") names it.
        notes = [note for note in notes if note.field != "title"]
        title = _hint_title(hints, newsletter)
        if title is None and not _ISSUE_NUMBER_RE.fullmatch(collapse_spaces(hints.title)):
            title = collapse_spaces(hints.title)  # "Kotlin Weekly #390": its name and number are all it says
        if title is not None:
            notes.append(Note("title", hints.title_rule, title))
    if title is not None and header.rules.get("title") == "# heading" and _names_the_newsletter(title, hints):
        # "# The Download" over an e-mail from "The Download from MIT Technology Review": the masthead.
        notes = [note for note in notes if note.field != "title"]
        if newsletter is None:
            newsletter = title
            notes.append(Note("newsletter", "masthead heading", title))
        title = None
    hinted = _hint_title(hints, newsletter)
    if title is None and hinted:
        title = hinted
        notes.append(Note("title", hints.title_rule, title))
    if title is None:
        title = _lead_title(sections)
        if title is not None:
            notes.append(Note("title", "lead item", title, guessed=True))
            warnings.append("no headline found: the lead item's title stands in for it")
    if newsletter is None and hints.newsletter:
        newsletter = hints.newsletter
        notes.append(Note("newsletter", hints.newsletter_rule, newsletter))
    summary = "\n\n".join(collapse_spaces(part) for part in summary_parts if part.strip()) or None
    digest = Digest(
        newsletter=newsletter,
        date=date,
        title=collapse_spaces(title) if title else None,
        summary=summary,
        sections=sections,
        source=source,
    )
    return Parsed(digest, tuple(notes), tuple(warnings))


def dated_today(parsed: Parsed, today: dt.date) -> Parsed:
    """An undated issue published now is today's: the date is set, and said to be a guess."""
    if parsed.digest.date is not None:
        return parsed
    digest = replace(parsed.digest, date=today)
    warnings = tuple(w for w in parsed.warnings if not w.startswith("no issue date found"))
    warning = f"no issue date found: dated today, {today.isoformat()}"
    note = Note("date", "today (no date printed)", today.isoformat(), guessed=True)
    return Parsed(digest, (*parsed.notes, note), (*warnings, warning))


def _fallback_date(hints: Hints, source: str | None, notes: list[Note]) -> dt.date | None:
    """Page or e-mail metadata first, then a date in the address; each is a guess about the issue's own date."""
    for date, rule in hints.dates:
        notes.append(Note("date", rule, date.isoformat(), guessed=True))
        return date
    if (from_url := date_in_url(source)) is not None:
        notes.append(Note("date", "date in the URL", from_url.isoformat(), guessed=True))
        return from_url
    return None


def _names_the_newsletter(heading: str, hints: Hints) -> bool:
    """The heading is the sender's or the site's name (or how that name starts): a masthead, not a headline."""
    name = (hints.newsletter or "").casefold()
    text = collapse_spaces(heading).strip(" |—–-:·").casefold()
    if not name or not text:
        return False
    return name == text or (name.startswith(text) and name[len(text) : len(text) + 1] in (" ", ",", ":", "|"))


def _hint_title(hints: Hints, newsletter: str | None) -> str | None:
    """A page title or subject without the site name, masthead and date it often repeats; None if that is all."""
    title = hints.title
    if not title:
        return None
    for name in (hints.newsletter, newsletter):
        if name and title.endswith(name):
            title = title[: -len(name)].rstrip(" |—–-:·")
        if name and title.startswith(name):
            title = title[len(name) :].lstrip(" |—–-:·")
    if hints.title_rule != "e-mail Subject":
        title = _SITE_SUFFIX_RE.sub("", title)  # a page title's "… — Site"; a subject's "— Monzo, Uber" is its own
    for found in find_dates(title):
        title = title.replace(found.text, " ")
    title = collapse_spaces(title).strip(" |—–-:·,")
    if _ISSUE_NUMBER_RE.fullmatch(title):
        return None  # "Issue #480": the subject only numbers the issue
    return title if len(title.split()) >= _MIN_HINT_TITLE_WORDS else None


def _lead_title(sections: tuple[Section, ...]) -> str | None:
    """The lead item: the first with text of its own (a list of bare headlines above it is a contents list)."""
    items = [item for section in sections for item in section.items]
    lead = next((item for item in items if item.body), items[0] if items else None)
    return lead.title if lead else None


def _enough_text(paragraphs: list[str]) -> bool:
    words = sum(len(paragraph.split()) for paragraph in paragraphs)
    return len(paragraphs) >= _MIN_LOOSE_PARAGRAPHS and words >= _MIN_LOOSE_WORDS


def _first_words(text: str, limit: int = 12) -> str:
    words = text.split()
    return " ".join(words[:limit]) + ("…" if len(words) > limit else "")


def _sections(layout: Layout) -> tuple[Section, ...]:
    filled_runs = {draft.run for section in layout.sections for draft in section.items if draft.filled_from_run}
    sections = []
    for section in layout.sections:
        if section.sponsor:
            continue
        items = tuple(
            _item(draft, section, filled_runs, markdown=layout.markdown) for draft in section.items if _keep(draft)
        )
        if items:
            sections.append(Section(section.title, items))
    return tuple(sections)


def _keep(draft: Draft) -> bool:
    """Drop empty titles, and blocks that were only a donation appeal under a headline."""
    if not draft.title.strip() or draft.sponsor:
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
