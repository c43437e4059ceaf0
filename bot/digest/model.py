"""Domain objects for one newsletter issue.

They are frozen so that a parsed digest can be shared by the renderer, storage and the delivery engine
without anyone changing it under the others' feet.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any


class ItemKind(StrEnum):
    STORY = "story"
    OPINION = "opinion"
    BRIEF = "brief"


@dataclass(frozen=True, slots=True)
class Item:
    """One piece of an issue: a story, an opinion by a named author, or a short news brief."""

    kind: ItemKind
    title: str
    author: str | None = None
    read_minutes: int | None = None
    words: int | None = None
    body: tuple[str, ...] = ()
    """Body paragraphs, in order, free of page furniture."""
    link: str | None = None
    emoji: str | None = None
    """The emoji the issue printed before the title ("🇩🇪"), kept for display only."""

    @property
    def body_text(self) -> str:
        return "\n\n".join(self.body)

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "title": self.title,
            "author": self.author,
            "read_minutes": self.read_minutes,
            "words": self.words,
            "body": self.body_text,
            "link": self.link,
            "emoji": self.emoji,
        }

    @classmethod
    def from_json_dict(cls, data: dict[str, Any]) -> Item:
        body = data.get("body") or ""
        return cls(
            kind=ItemKind(data["kind"]),
            title=data["title"],
            author=data.get("author"),
            read_minutes=data.get("read_minutes"),
            words=data.get("words"),
            body=tuple(p for p in body.split("\n\n") if p),
            link=data.get("link"),
            emoji=data.get("emoji"),
        )


@dataclass(frozen=True, slots=True)
class Section:
    """A titled (or untitled) run of items of an issue, in the order printed."""

    title: str | None
    items: tuple[Item, ...] = ()


@dataclass(frozen=True, slots=True)
class Digest:
    """One issue of a newsletter, as the parser recovered it."""

    newsletter: str | None
    date: dt.date | None
    title: str | None
    summary: str | None
    sections: tuple[Section, ...] = ()
    source: str | None = field(default=None, compare=False)
    """Where the issue came from (a path or URL); not part of its identity."""

    def named(self, name: str | None) -> Digest:
        """The issue under the briefing's own name (NEWSLETTER_NAME), when the publisher set one."""
        return replace(self, newsletter=name) if name and name != self.newsletter else self

    def items(self) -> Iterator[Item]:
        for section in self.sections:
            yield from section.items

    def items_of(self, kind: ItemKind) -> list[Item]:
        return [item for item in self.items() if item.kind is kind]

    def to_json_dict(self) -> dict[str, Any]:
        """The shape `briefing parse --json` prints (a public contract: extra keys only)."""
        return {
            "newsletter": self.newsletter,
            "date": self.date.isoformat() if self.date else None,
            "title": self.title,
            "summary": self.summary,
            "source": self.source,
            "sections": [{"title": s.title, "items": [i.to_json_dict() for i in s.items]} for s in self.sections],
        }

    @classmethod
    def from_json_dict(cls, data: dict[str, Any]) -> Digest:
        date = data.get("date")
        return cls(
            newsletter=data.get("newsletter"),
            date=dt.date.fromisoformat(date) if date else None,
            title=data.get("title"),
            summary=data.get("summary"),
            source=data.get("source"),
            sections=tuple(
                Section(s.get("title"), tuple(Item.from_json_dict(i) for i in s.get("items", [])))
                for s in data.get("sections", [])
            ),
        )

    def content_hash(self) -> str:
        """A stable fingerprint of the content, so that re-ingesting the same issue stores it once."""
        payload = self.to_json_dict()
        payload.pop("source", None)
        blob = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(blob).hexdigest()
