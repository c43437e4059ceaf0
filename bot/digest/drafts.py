"""Items and sections while the structure pass is still filling them, and the section names it knows.

The model's dataclasses are frozen; these are their mutable drafts, with the bookkeeping the structure pass
needs (where an item came from, which list of bare titles it belongs to) and the model does not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.digest.model import ItemKind

OPINION_SECTION_RE = re.compile(r"\b(?:opinions?|op-eds?|commentary|columns?|columnists?)\b", re.IGNORECASE)
BRIEFS_SECTION_RE = re.compile(
    r"\b(?:briefs?|in\s+brief|news\s+feed|headlines|recent\s+events|major\s+events|roundup|in\s+other\s+news"
    r"|what\s+else|quick\s+hits|bulletin)\b",
    re.IGNORECASE,
)
OPINION_LABEL_RE = re.compile(r"(?:\((?:opinion|analysis|op-ed|column|commentary)\)|(?:opinion|op-ed)\s*:)\s*", re.I)
"""A label that makes a headline an opinion piece: "(Opinion) Why the Kremlin fears Navalny"."""
SECTION_NAME_RE = re.compile(
    r"(?:feature\s+stories|features?|(?:news\s+)?briefs?|in\s+brief|opinions?(?:\s+(?:and|&)\s+analysis)?"
    r"(?:\s+on\s+.{1,80})?|analysis|op-eds?|commentary|major\s+(?:recent\s+)?events.{0,80}|.{0,60}\bnews\s+feed"
    r"|(?:latest|recent)\s+(?:news|developments|headlines).{0,40}|the\s+war\s+in\s+ukraine|in\s+other\s+news"
    r"|elsewhere|also\s+today|what\s+else|podcasts?|from\s+the\s+archive|top\s+stories|more\s+stories"
    r"|other\s+stories|more\s+news)[.:]?",
    re.IGNORECASE,
)


@dataclass(slots=True)
class Draft:
    """An item while the structure pass is still adding to it."""

    kind: ItemKind
    title: str
    author: str | None = None
    read_minutes: int | None = None
    words: int | None = None
    body: list[str] = field(default_factory=list)
    link: str | None = None
    emoji: str | None = None
    raw: str = ""
    """The line as printed, for matching a table of contents against the stories."""
    from_headline: bool = False
    title_only: bool = False
    """A bullet that printed only a title."""
    in_teaser: bool = False
    """A bare-title bullet among the teaser paragraphs: a table-of-contents candidate."""
    run: int | None = None
    """Which list of bare titles it belongs to, when the titles' bodies may follow the list."""
    filled_from_run: bool = False
    appeal: bool = False
    """A donation appeal was dropped from its body."""
    run_in: bool = False
    lead_sentence: bool = False
    """A run-in led by its first sentence ("Checkmate, Navalny. Officials…"), not by "Headline: text"."""
    sponsor: bool = False
    """An advertisement: dropped with its text."""

    @property
    def marked(self) -> bool:
        return self.read_minutes is not None or self.words is not None

    def add_marker(self, minutes: int | None, words: int | None) -> None:
        if self.read_minutes is None:
            self.read_minutes = minutes
        if self.words is None:
            self.words = words


@dataclass(slots=True)
class SectionDraft:
    title: str | None
    items: list[Draft] = field(default_factory=list)
    sponsor: bool = False
    """Opened by a sponsor's label ("Together with Acme"): everything in it is the advertisement."""
    level: int = 0
    """The heading level of its title (0 when not a Markdown heading)."""

    @property
    def opinion(self) -> bool:
        return bool(self.title and OPINION_SECTION_RE.search(self.title))

    @property
    def briefs(self) -> bool:
        return bool(self.title and BRIEFS_SECTION_RE.search(self.title))


@dataclass(slots=True)
class Layout:
    summary: list[str]
    sections: list[SectionDraft]
    markdown: bool
