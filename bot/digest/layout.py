"""The structure pass: typed lines → teaser paragraphs and sections of draft items.

It reads the issue the way an editor skims it, one line at a time with a glance at the next one:

* a headline followed by running text starts a story (an opinion when it reads "Name Surname: headline" or
  stands in an "Opinions…" section); a headline followed by another headline or a list is a section title;
* a bullet is a brief: "Headline: text" when the text after the colon reads like prose, otherwise a bare title;
* running text belongs to the item above it; before the first item it is the teaser;
* a list of bare titles followed by running text is a section's contents: the texts that follow are the
  listed stories' bodies, in order, each new one starting at a standfirst that ends with "(N-min read)".

Markdown input (``##``/``###`` headings or ``- **Title**: text`` bullets) says what is a heading, so there
only explicit headings start items and sections.
"""

from __future__ import annotations

import re
from enum import Enum

from bot.digest.drafts import BRIEFS_SECTION_RE, OPINION_LABEL_RE, SECTION_NAME_RE, Draft, Layout, SectionDraft
from bot.digest.furniture import is_appeal
from bot.digest.lines import Line, Shape, shape_of
from bot.digest.markers import (
    clean_inline,
    ends_sentence,
    first_sentence,
    split_leading_emoji,
    split_run_in,
    split_run_in_sentence,
    split_trailing_emoji,
    strip_kicker,
    strip_numbering,
    strip_read_marker,
)
from bot.digest.model import ItemKind
from bot.digest.names import byline_author, is_person_name, leading_name, split_author

_BOLD_LEAD_RE = re.compile(r"\*\*([^*]+)\*\*|__([^_]+)__")
_MIN_INLINE_WORDS = 5
_LONG_INLINE_WORDS = 40
_TRUNCATED_INLINE_WORDS = 12
_MIN_PROSE_BULLET_WORDS = 8


_BOLD_LEAD_SENTENCE_RE = re.compile(r"\s*(?:\*\*|__)[^*_]{2,120}[.!?](?:\*\*|__)\s+\S")
"""A paragraph that opens with a bold sentence: "**Checkmate, Navalny.** Officials in…"."""


class _Role(Enum):
    SECTION = "section"
    ITEM = "item"


def is_markdown(lines: list[Line]) -> bool:
    """Whether the editor marked the structure: headings below the title, or ``- **Title**: text`` bullets."""
    return any(line.heading >= 2 or line.bold_lead for line in lines)


def lay_out(lines: list[Line], *, markdown: bool) -> Layout:
    """Group the lines that follow the header into the teaser and sections of draft items."""
    return _Walker(lines, markdown).walk()


class _Walker:
    """Walks the lines once, keeping the item being filled and the list of bare titles being read."""

    def __init__(self, lines: list[Line], markdown: bool) -> None:
        self.lines = lines
        self.markdown = markdown
        self.summary: list[str] = []
        self.sections = [SectionDraft(None)]
        self.current: Draft | None = None
        self.in_teaser = True
        self.run: list[Draft] = []
        self.runs = 0
        self.cursor = -1
        self.index = 0

    @property
    def section(self) -> SectionDraft:
        return self.sections[-1]

    def walk(self) -> Layout:
        for index, line in enumerate(self.lines):
            self.index = index
            if self._take_byline(line):
                continue
            if line.bullet:
                self._bullet(line, last=index == len(self.lines) - 1)
                continue
            shape = self._shape(index)
            if shape is Shape.HEADLINE:
                if self._role(index, line) is _Role.SECTION:
                    self._open_section(line)
                else:
                    self._open_item(line)
                continue
            self._text(line, shape)
        return Layout(self.summary, self.sections, self.markdown)

    # --- what a line is ---------------------------------------------------------------------------------

    def _take_byline(self, line: Line) -> bool:
        """A byline ("By Kevin Rothrock") right under a headline is the story's author, not a line of its own.

        Above the first item it signs the whole issue ("By Charlotte Jee • 06.25.24" under the masthead): not
        an item either.
        """
        current = self.current
        if line.bullet or (current is not None and (not current.from_headline or current.body or current.author)):
            return False
        author = byline_author(line.text)
        if author is None:
            return False
        if current is None:
            return not any(section.items for section in self.sections)
        current.author = author
        return True

    def _shape(self, index: int) -> Shape:
        line = self.lines[index]
        if self.markdown:
            return Shape.HEADLINE if line.explicit_heading else Shape.TEXT
        return shape_of(line, last=index == len(self.lines) - 1)

    def _role(self, index: int, line: Line) -> _Role:
        """Section title or item headline, from the line itself and the one after it."""
        if line.heading >= 3:
            return _Role.ITEM
        emoji, text = split_leading_emoji(line.text)
        trailing, bare = split_trailing_emoji(text)
        _, minutes, words = strip_read_marker(bare)
        if minutes is not None or words is not None:
            return _Role.ITEM
        decorated = emoji is not None or trailing is not None
        following = self.lines[index + 1] if index + 1 < len(self.lines) else None
        if following is not None and byline_author(following.text):
            return _Role.ITEM
        followed_by_text = (
            following is not None and not following.bullet and self._shape(index + 1) is not Shape.HEADLINE
        )
        if not decorated and SECTION_NAME_RE.fullmatch(text):
            briefs = BRIEFS_SECTION_RE.search(text) is not None
            lead_sentence = briefs or self._lead_sentences_at(index + 1)
            starts_brief = following is not None and bool(self._run_in_parts(following, lead_sentence=lead_sentence))
            return _Role.ITEM if followed_by_text and not starts_brief else _Role.SECTION
        if following is None or followed_by_text:
            return _Role.ITEM
        if following.bullet or not decorated:
            return _Role.SECTION
        return _Role.ITEM  # emoji-decorated headlines in a row are items, never section titles

    def _run_in_parts(self, line: Line, *, lead_sentence: bool = False) -> tuple[str | None, str, str] | None:
        """``"🇩🇪 Headline: text…"`` → emoji, headline, text, when the text reads as a brief's body.

        Among briefs, a short lead sentence also heads one ("Checkmate, Navalny. Officials in…").
        """
        emoji, text = split_leading_emoji(line.text)
        parts = split_run_in(text)
        if parts is None or not _is_inline_body(parts[1], last=line is self.lines[-1]):
            parts = split_run_in_sentence(text) if lead_sentence and not line.explicit_heading else None
            if parts is None:
                return None
        return emoji, parts[0], parts[1]

    # --- sections and headlines -------------------------------------------------------------------------

    def _open_section(self, line: Line) -> None:
        self._close_run()
        self.current = None
        self.in_teaser = False
        _, title = split_leading_emoji(line.text)
        self.sections.append(SectionDraft(title.rstrip(" :") or line.text, sponsor=line.sponsor, level=line.heading))

    def _open_item(self, line: Line) -> None:
        self._close_run()
        section = self.section
        if section.sponsor and (
            (line.heading and section.level and line.heading <= section.level) or (not section.level and section.items)
        ):
            self.sections.append(SectionDraft(None))  # the advertisement ends: a heading of its rank, or its one item
        self.in_teaser = False
        emoji, text = split_leading_emoji(line.text)
        trailing, text = split_trailing_emoji(text)
        text, minutes, words = strip_read_marker(text)
        late, text = split_trailing_emoji(text)
        text = strip_numbering(text)  # "### 1. Le nouveau pape…": the running number, in a heading too
        labelled = OPINION_LABEL_RE.match(text)
        if labelled and labelled.end() < len(text):
            text = text[labelled.end() :]
        author, title = split_author(strip_kicker(text))
        author = author or line.author
        kind = ItemKind.OPINION if author or labelled or self.section.opinion else ItemKind.STORY
        if kind is ItemKind.OPINION and author is None:
            author = leading_name(title)
        draft = Draft(
            kind, title, author, minutes, words, link=line.link, emoji=emoji or trailing or late, raw=line.text,
            from_headline=True, sponsor=line.sponsor,
        )  # fmt: skip
        self._add(draft)

    def _add(self, draft: Draft) -> None:
        self.section.items.append(draft)
        self.current = draft

    # --- bullets ----------------------------------------------------------------------------------------

    def _bullet(self, line: Line, *, last: bool) -> None:
        draft, prose = self._read_bullet(line, last=last)
        current = self.current
        if (
            prose
            and current is not None
            and current.from_headline
            and current.body
            and not self.in_teaser
            and draft.emoji is None
            and not draft.marked
        ):
            current.body.append(f"• {line.text}")  # a list inside a story's text
            return
        if not draft.title:
            return
        if self.in_teaser and draft.title_only:
            draft.in_teaser = True
        else:
            self.in_teaser = False
        if draft.title_only and not draft.in_teaser and not self.markdown:
            if not self.run or self.cursor >= 0:
                self._close_run()
                self.runs += 1
            draft.run = self.runs
            self.run.append(draft)
        else:
            self._close_run()
        self._add(draft)

    def _read_bullet(self, line: Line, *, last: bool) -> tuple[Draft, bool]:
        """A bullet as a draft item, and whether it is a sentence of prose rather than a title."""
        emoji, rest = split_leading_emoji(line.raw)
        if lead := _BOLD_LEAD_RE.match(rest):
            return self._bold_lead_bullet(line, emoji, rest, lead), False
        emoji, text = split_leading_emoji(line.text)
        trailing, text = split_trailing_emoji(text)
        text, minutes, words = strip_read_marker(text)
        kind = ItemKind.OPINION if self.section.opinion else ItemKind.BRIEF
        base = Draft(kind, text, read_minutes=minutes, words=words, link=line.link, emoji=emoji or trailing,
                     raw=line.text)  # fmt: skip
        parts = split_run_in(text)
        if parts is not None and _is_inline_body(parts[1], last=last):
            base.title, base.body = parts[0], [parts[1]]
            if base.kind is ItemKind.OPINION and is_person_name(parts[0]):
                base.author, base.title = parts[0], first_sentence(parts[1])
            return base, False
        author, title = split_author(text)
        if author is not None:
            base.kind, base.author, base.title = ItemKind.OPINION, author, title
        elif base.kind is ItemKind.OPINION:
            base.author = leading_name(title)
        base.title_only = True
        prose = parts is None and ends_sentence(text) and len(text.split()) >= _MIN_PROSE_BULLET_WORDS
        return base, prose

    def _bold_lead_bullet(self, line: Line, emoji: str | None, rest: str, lead: re.Match[str]) -> Draft:
        """``- 🇩🇪 **Headline**: text`` — the Markdown way of printing a brief."""
        title, link = clean_inline(lead.group(1) or lead.group(2))
        inner_emoji, title = split_leading_emoji(title)  # "- **🇩🇪 Headline:** text", as page extractors write it
        emoji = emoji or inner_emoji
        body_md = rest[lead.end() :].lstrip()
        if body_md.startswith(":"):
            body_md = body_md[1:]
        body, body_link = clean_inline(body_md)
        body, minutes, words = strip_read_marker(body)
        kind = ItemKind.OPINION if self.section.opinion else ItemKind.BRIEF
        return Draft(
            kind, title.rstrip(" :"), read_minutes=minutes, words=words, body=[body] if body else [],
            link=link or body_link, emoji=emoji, raw=line.text, title_only=not body,
        )  # fmt: skip

    # --- running text -----------------------------------------------------------------------------------

    def _text(self, line: Line, shape: Shape) -> None:
        text, minutes, words = line.text, None, None
        if shape is Shape.BLURB:
            text, minutes, words = strip_read_marker(split_trailing_emoji(text)[1])
        current = self.current
        if is_appeal(text) and not (current is not None and current.marked and not self.in_teaser):
            if current is not None and not self.in_teaser:
                current.appeal = True
            return
        if current is not None and not current.from_headline and current.body and line.indent > 0:
            current.body.append(text)  # a paragraph indented under its bullet continues it
        elif self.in_teaser:
            self._teaser_text(line, text, shape)
        elif self.run and not self.markdown:
            self._fill_run(text, minutes, words, standfirst=shape is Shape.BLURB)
        elif parts := self._brief_parts(line):
            self._run_in_brief(parts, line)
        elif shape is Shape.BLURB and not (current is not None and current.from_headline and not current.marked):
            self._open_item(line)
        elif current is not None:
            current.body.append(text)
            current.add_marker(minutes, words)

    def _teaser_text(self, line: Line, text: str, shape: Shape) -> None:
        if shape is Shape.BLURB:
            self._open_item(line)
        elif not self.markdown and (parts := self._run_in_parts(line)) and parts[0] is not None:
            self._run_in_brief(parts, line)
        elif _BOLD_LEAD_SENTENCE_RE.match(line.raw) and (parts := self._run_in_parts(line, lead_sentence=True)):
            self._run_in_brief(parts, line)  # "**Checkmate, Navalny.** Officials…": marked as an item's lead
        else:
            self.summary.append(text)

    def _brief_parts(self, line: Line) -> tuple[str | None, str, str] | None:
        """A "Headline: text" paragraph that starts a brief: outside a story, led by an emoji or among briefs."""
        parts = self._run_in_parts(line, lead_sentence=self._expects_lead_sentence(line))
        if parts is None:
            return None
        current = self.current
        if current is not None and current.from_headline:
            return None  # a story's paragraphs often open with a lead-in ("The gist: …"); they stay its text
        if parts[0] is not None and not self.markdown:
            return parts
        return parts if self.section.briefs or current is None or current.run_in else None

    def _expects_lead_sentence(self, line: Line) -> bool:
        """Where an editor reads "Checkmate, Navalny. Officials in…" as an item led by its first sentence.

        Among briefs; when the lead is set in bold or led by an emoji; and outside a story, when it is a run of
        such paragraphs (the one before was an item of that shape, or the next paragraph has it too). A
        story's own paragraphs and the greeting at the top ("Howdy, folks. …") stay text.
        """
        if self.section.briefs or _BOLD_LEAD_SENTENCE_RE.match(line.raw):
            return True
        current = self.current
        if current is not None and not current.run_in:
            return False
        if split_leading_emoji(line.text)[0] is not None:
            return True
        if current is not None and current.run_in and current.lead_sentence:
            return True
        return self._lead_sentences_at(self.index)

    def _lead_sentences_at(self, index: int) -> bool:
        """This paragraph and the next both open with a short sentence, then text: a run of such items."""
        pair = self.lines[index : index + 2]
        return len(pair) == 2 and all(
            not line.bullet and not line.explicit_heading
            and split_run_in_sentence(split_leading_emoji(line.text)[1]) is not None
            for line in pair
        )  # fmt: skip

    def _run_in_brief(self, parts: tuple[str | None, str, str], line: Line) -> None:
        emoji, head, body = parts
        body, minutes, words = strip_read_marker(body)
        kind = ItemKind.OPINION if self.section.opinion else ItemKind.BRIEF
        draft = Draft(kind, head, read_minutes=minutes, words=words, body=[body], link=line.link, emoji=emoji,
                      raw=line.text, run_in=True, lead_sentence=split_run_in(line.text) is None)  # fmt: skip
        if kind is ItemKind.OPINION and is_person_name(head):
            draft.author, draft.title = head, first_sentence(body)  # "Dmitry Trenin: Putin must atone. …"
        self._close_run()
        self.in_teaser = False
        self._add(draft)

    def _fill_run(self, text: str, minutes: int | None, words: int | None, *, standfirst: bool) -> None:
        """Give text that follows a list of bare titles to the listed items, in order."""
        if standfirst or self.cursor < 0:
            later = (k for k in range(self.cursor + 1, len(self.run)) if not self.run[k].body)
            self.cursor = next(later, max(self.cursor, 0))
        entry = self.run[self.cursor]
        entry.body.append(text)
        entry.filled_from_run = True
        entry.add_marker(minutes, words)
        self.current = entry

    def _close_run(self) -> None:
        self.run = []
        self.cursor = -1


def _is_inline_body(text: str, *, last: bool) -> bool:
    """Whether the words after "Headline:" are a brief's text rather than the rest of a long title."""
    count = len(text.split())
    if ends_sentence(text) and count >= _MIN_INLINE_WORDS:
        return True
    return count >= _LONG_INLINE_WORDS or (last and count >= _TRUNCATED_INLINE_WORDS)
