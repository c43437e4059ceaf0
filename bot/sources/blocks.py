"""A plain fallback for HTML → text: the article's blocks, one per paragraph, with headings and bullets marked.

Trafilatura gives up on some inputs (very short pages, odd markup); an issue page that it cannot read should
still give the parser something. This walks the markup with the standard library, keeps what sits inside
``<article>`` (else ``<main>``, else ``<body>``), skips tags and class names that are page furniture, and
writes the same light Markdown the main extractor writes (``## heading``, ``- item``), minus inline markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

SKIPPED_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "nav",
        "footer",
        "aside",
        "form",
        "button",
        "iframe",
        "select",
        "textarea",
        "figure",
        "dialog",
        "title",
    }
)
VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
)
BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "main",
        "header",
        "blockquote",
        "ul",
        "ol",
        "li",
        "dl",
        "dt",
        "dd",
        "pre",
        "table",
        "tr",
        "td",
        "th",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "body",
        "br",
        "hr",
    }
)
HEADINGS = {f"h{level}": level for level in range(1, 7)}
FURNITURE = re.compile(
    r"share|social|cookie|consent|comment|donat|related|subscribe|promo|advert|banner|breadcrumb|skip|sidebar"
    r"|popup|modal|newsletter-form|paywall",
    re.IGNORECASE,
)
SCOPES = ("article", "main")


@dataclass(frozen=True, slots=True)
class Block:
    text: str
    scopes: frozenset[str]
    """Which of ``article``/``main`` the block sits in, to keep only the innermost content container."""


class BlockCollector(HTMLParser):
    """Collects text blocks; call :meth:`text` after :meth:`feed` and :meth:`close`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self._skipping: list[str] = []
        self._open: dict[str, int] = {name: 0 for name in (*SCOPES, "li", *HEADINGS)}
        self._inline: list[str] = []
        self._lists: list[int] = []
        """For each open list, how many list items were open when it started: ``<li>`` may go unclosed."""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skipping:
            if tag == self._skipping[-1] and tag not in VOID_TAGS:
                self._skipping.append(tag)
            return
        if tag in VOID_TAGS:
            if tag in BLOCK_TAGS:
                self._flush()
            return
        if self._is_furniture(tag, dict(attrs)):
            self._skipping.append(tag)
            return
        if tag in BLOCK_TAGS:
            self._flush()
        if tag in ("ul", "ol"):
            self._lists.append(self._open["li"])
        if tag == "li" and self._lists and self._open["li"] > self._lists[-1]:
            return  # a new item implicitly closes the previous one
        if tag in self._open:
            self._open[tag] += 1

    def handle_endtag(self, tag: str) -> None:
        if self._skipping:
            if tag == self._skipping[-1]:
                self._skipping.pop()
            return
        if tag in BLOCK_TAGS:
            self._flush()
        if tag in ("ul", "ol") and self._lists:
            self._open["li"] = self._lists.pop()
        elif self._open.get(tag):
            self._open[tag] -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self._inline.append(data)

    def close(self) -> None:
        super().close()
        self._flush()

    def text(self) -> str:
        """The blocks of the innermost content container that has any, joined by blank lines."""
        for scope in SCOPES:
            scoped = [block.text for block in self.blocks if scope in block.scopes]
            if scoped:
                return "\n\n".join(scoped)
        return "\n\n".join(block.text for block in self.blocks)

    def _is_furniture(self, tag: str, attrs: dict[str, str | None]) -> bool:
        if tag in SKIPPED_TAGS or attrs.get("hidden") is not None or attrs.get("aria-hidden") == "true":
            return True
        # A site header is furniture; an article's own header holds the headline and the date.
        if tag == "header" and not any(self._open[scope] for scope in SCOPES):
            return True
        names = f"{attrs.get('class') or ''} {attrs.get('id') or ''} {attrs.get('role') or ''}"
        return bool(FURNITURE.search(names))

    def _flush(self) -> None:
        text = " ".join("".join(self._inline).split())
        self._inline.clear()
        if not text:
            return
        level = next((HEADINGS[name] for name in HEADINGS if self._open[name]), None)
        if level is not None:
            text = f"{'#' * level} {text}"
        elif self._open["li"]:
            text = f"- {text}"
        self.blocks.append(Block(text, frozenset(scope for scope in SCOPES if self._open[scope])))


def block_text(html: str) -> str:
    """The readable text of ``html`` as blank-line separated blocks (empty if there is none)."""
    collector = BlockCollector()
    collector.feed(html)
    collector.close()
    return collector.text()
