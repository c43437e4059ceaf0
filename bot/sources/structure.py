"""A newsletter's HTML read from its structure: headings, bold lead-ins, linked headlines, one story per cell.

E-mail newsletters are laid out in nested ``<table>``s with one story per cell or row, their headlines are
links or bold text rather than ``<h2>``s, and they carry chrome a web page does not: "View in browser", a
hidden preheader, "Forward to a friend", social icons, sponsor blocks ("Together with…", "Presented by…"),
referral and job boards, tracking pixels. A main-content extractor built for articles flattens or drops
exactly the parts that matter there, so this reader walks the tree itself (lxml: already installed with
trafilatura, fast, and libxml2's HTML parser is forgiving with the broken markup e-mail tools produce) and
writes the light Markdown the parser reads: ``## heading``, ``### [linked headline](url)``, ``**bold**``
lines, ``- list items``, paragraphs — one block per leaf cell or paragraph, chrome removed.

It also reads what the page says about itself: ``<title>``/``og:title``, ``og:site_name``, the
``article:published_time`` meta and ``<time datetime>`` dates, and the preheader.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.digest.furniture import is_chrome_text, is_sponsor_label

if TYPE_CHECKING:
    import lxml.html

_DROPPED = ("script", "style", "head", "noscript", "svg", "img", "form", "button", "iframe", "nav", "footer",
            "select", "textarea", "map", "video", "audio", "picture", "template", "object")  # fmt: skip
_BLOCKS = frozenset(
    "p div td th li h1 h2 h3 h4 h5 h6 blockquote section article table tr tbody ul ol dd dt header main center pre"
    .split()
)
_HEADINGS = {f"h{level}": level for level in range(1, 7)}
_HIDDEN_STYLE_RE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden|max-height\s*:\s*0(?:px)?\s*(?:;|$)|mso-hide\s*:\s*all", re.I
)
_PREHEADER_CLASS_RE = re.compile(r"preheader|preview-?text|mcnPreviewText|preview", re.IGNORECASE)
_CHROME_CLASS_RE = re.compile(
    r"footer|social|share|unsubscribe|referral|sponsor|advert|promo|view-?online|webversion", re.IGNORECASE
)
_SPACES_RE = re.compile(r"\s+")
_FILLER_RE = re.compile(r"[\u034f\u00ad\u200b-\u200f\u2060\ufeff\s]+")
_INVISIBLE_RE = re.compile(r"[\u034f\u00ad\u200b-\u200f\u2060\ufeff]")
_MAX_LINKED_HEADLINE_WORDS = 24
_MAX_BOLD_HEADLINE_WORDS = 20
_MAX_LEAD_IN_WORDS = 12
_WHOLE_LINK_RE = re.compile(r"\[(?:\*\*)?(?P<text>[^\[\]*]+?)(?:\*\*)?\]\((?P<url>[^\s()]+)\)")
_WHOLE_BOLD_RE = re.compile(r"\*\*([^*]+)\*\*")
_MAX_SPONSOR_SHARE = 0.5
_DOMAIN_RE = re.compile(r"(?:www\.)?[\w-]+(?:\.[\w-]+)*\.[a-z]{2,12}(?:/\S*)?", re.IGNORECASE)
_MAX_LABEL_WORDS = 4
_MAX_LABEL_LINE_WORDS = 14
_MAX_AD_SHARE = 0.25
_MAX_AD_ROWS = 6
_MAX_TAG_WORDS = 2
_QUOTED_RE = re.compile(r"[\"“«„‘'].{20,}[\"”»“’']")


@dataclass(frozen=True, slots=True)
class StructuredPage:
    text: str
    title: str | None = None
    site_name: str | None = None
    dates: tuple[tuple[dt.date, str], ...] = ()
    preheader: str | None = None
    link: str | None = None
    removed: tuple[str, ...] = field(default=())
    """The chrome that was dropped, for ``--explain``."""


def looks_like_email_html(html: str) -> bool:
    """Table layout, a preheader or e-mail chrome: markup made for mail clients rather than browsers."""
    head = html[:200_000].lower()
    tables = head.count("<table")
    signals = sum(
        marker in head
        for marker in ("unsubscribe", "view in browser", "view this email", "view online", "mso", "preheader",
                       "forward to a friend", "email preferences", "list-manage.com", "substack.com/redirect")
    )  # fmt: skip
    laid_out = tables >= 3 or (tables >= 1 and "<article" not in head and "<main" not in head)
    return (laid_out and signals >= 1) or signals >= 2


def read_structure(html: str, url: str | None = None) -> StructuredPage:
    """The issue text of ``html`` (a document or a fragment) as light Markdown, with what the page says."""
    import lxml.html  # loaded with the first e-mail page, not with the application
    from lxml import etree

    try:
        root = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return StructuredPage("")
    title, site_name, dates, link = _metadata(root, url)
    preheader = _take_preheader(root)
    for element in root.iter(*_DROPPED):
        _drop(element)
    for element in list(root.iter()):
        if isinstance(element.tag, str) and _hidden(element):
            _drop(element)
    removed = _drop_chrome(root)
    blocks = list(_blocks(root))
    return StructuredPage("\n\n".join(blocks), title, site_name, tuple(dates), preheader, link, tuple(removed))


_Metadata = tuple[str | None, str | None, list[tuple[dt.date, str]], str | None]


def _metadata(root: lxml.html.HtmlElement, url: str | None) -> _Metadata:
    def meta(*names: str) -> str | None:
        for name in names:
            for element in root.xpath(f'//meta[@property="{name}" or @name="{name}"]'):
                content = " ".join((element.get("content") or "").split())
                if content:
                    return content
        return None

    title_element = root.find(".//title")
    page_title = " ".join(title_element.text_content().split()) if title_element is not None else None
    title = meta("og:title", "twitter:title") or page_title or None
    dates: list[tuple[dt.date, str]] = []
    for element in root.iter("time"):
        if (value := _iso_date(element.get("datetime") or element.text_content())) is not None:
            dates.append((value, "<time> element"))
            break
    if (value := _iso_date(meta("article:published_time", "date", "dc.date", "pubdate", "publish-date"))) is not None:
        dates.append((value, "article:published_time"))
    canonical = root.xpath('//link[@rel="canonical"]/@href')
    link = str(canonical[0]) if canonical else (meta("og:url") or url)
    return title, meta("og:site_name"), dates, link


def _iso_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    match = re.search(r"(\d{4})-(\d{2})-(\d{2})", value)
    if match is None:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _hidden(element: lxml.html.HtmlElement) -> bool:
    if element.get("hidden") is not None or element.get("aria-hidden") == "true":
        return True
    return bool(_HIDDEN_STYLE_RE.search(element.get("style") or ""))


def _take_preheader(root: lxml.html.HtmlElement) -> str | None:
    """The hidden teaser line at the top of an e-mail, read before hidden elements are dropped."""
    body = root.find(".//body")
    scope = body if body is not None else root
    for element in scope.iter():
        if not isinstance(element.tag, str) or element.tag in _DROPPED:
            continue
        names = f"{element.get('class') or ''} {element.get('id') or ''}"
        if _hidden(element) or _PREHEADER_CLASS_RE.search(names):
            text = _FILLER_RE.sub(" ", element.text_content()).strip()
            if text and not is_chrome_text(text):
                _drop(element)
                return " ".join(text.split())
    return None


def _drop(element: lxml.html.HtmlElement) -> None:
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    previous = element.getprevious()
    parent.remove(element)
    if tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail


def _text(element: lxml.html.HtmlElement) -> str:
    return _SPACES_RE.sub(" ", _FILLER_RE.sub(" ", element.text_content())).strip()


def _drop_chrome(root: lxml.html.HtmlElement) -> list[str]:
    """Remove chrome blocks and sponsor blocks; return what was removed (its first words)."""
    removed: list[str] = []
    total = len(_text(root)) or 1
    for element in list(root.iter()):
        if not isinstance(element.tag, str) or element.getparent() is None:
            continue
        names = f"{element.get('class') or ''} {element.get('id') or ''}"
        text = _text(element)
        if not text:
            continue
        if _CHROME_CLASS_RE.search(names) and len(text) / total < _MAX_SPONSOR_SHARE:
            removed.append(text[:60])
            _drop(element)
            continue
        if element.tag in _BLOCKS and not _has_block_child(element) and is_chrome_text(text):
            removed.append(text[:60])
            _drop(element)
    for element in list(root.iter()):
        if not isinstance(element.tag, str) or element.getparent() is None or element.tag not in _BLOCKS:
            continue
        text = _text(element)
        if text and is_sponsor_label(text[:80]) and len(text) / total < _MAX_SPONSOR_SHARE:
            for block in _sponsored_blocks(_sponsor_container(element, total), total):
                removed.append(_text(block)[:60])
                _drop(block)
    return removed


def _sponsored_blocks(container: lxml.html.HtmlElement, total: int) -> list[lxml.html.HtmlElement]:
    """What a sponsor's label stands for, as an editor sees it.

    A block that starts with the label and carries the advertisement is the advertisement. A label alone
    ("Tuesday's issue is presented by Gitpod") heads the rows under it, down to the next divider; a label at
    the foot of a story ("Promoted by Gitpod") makes that story the advertisement.
    """
    label = _text(container)
    if len(label.split()) > _MAX_LABEL_LINE_WORDS:
        return [container]
    host = next((a for a in container.iterancestors("div", "td") if len(_text(a)) > len(label)), None)
    if host is not None and not _text(host).startswith(label) and len(_text(host)) / total < _MAX_AD_SHARE:
        return [host]
    row = next(container.iterancestors("tr"), None) if container.tag not in ("tr", "div") else container
    row = container if row is None else row
    blocks, size = [row], len(_text(row))
    for sibling in row.itersiblings():
        if not isinstance(sibling.tag, str) or _is_divider(sibling):
            break
        size += len(_text(sibling))
        if size / total >= _MAX_AD_SHARE or len(blocks) > _MAX_AD_ROWS:
            return [container]
        blocks.append(sibling)
    return blocks


def _is_divider(element: lxml.html.HtmlElement) -> bool:
    """A rule between blocks: ``<hr>``, a "divider" block or a text-less cell drawn as a top border."""
    if _text(element):
        return False
    if element.tag == "hr" or any(True for _ in element.iter("hr")):
        return True
    return any(
        "divider" in (node.get("class") or "").lower() or "border-top" in (node.get("style") or "")
        for node in element.iter()
        if isinstance(node.tag, str)
    )


def _sponsor_container(element: lxml.html.HtmlElement, total: int) -> lxml.html.HtmlElement:
    """The largest block that starts with the sponsor's label and is still a small part of the issue."""
    best = element
    parent = element.getparent()
    while parent is not None and parent.tag in _BLOCKS:
        text = _text(parent)
        if not is_sponsor_label(text[:80]) or len(text) / total >= _MAX_SPONSOR_SHARE:
            break
        best, parent = parent, parent.getparent()
    if best is element and element.tag in _HEADINGS:
        return element  # a heading alone: the layout drops the section under a sponsor heading
    return best


def _has_block_child(element: lxml.html.HtmlElement) -> bool:
    return any(
        isinstance(child.tag, str) and child.tag in _BLOCKS and _text(child) for child in element.iterdescendants()
    )


def _blocks(root: lxml.html.HtmlElement) -> list[str]:
    out: list[str] = []
    body = root.find(".//body")
    _walk(body if body is not None else root, out)
    for index in range(len(out) - 1):
        if out[index].startswith("# ") and out[index + 1].startswith("##"):
            out[index + 1] = out[index + 1].lstrip("#").strip()  # the subtitle under the title: a standfirst
    for index in range(len(out) - 1):
        if _is_label(out[index]) and out[index + 1].startswith("### "):
            out[index] = "## " + out[index][4:]  # "Articles" over the linked headlines of its cell: a section
    return [
        block
        for index, block in enumerate(out)
        if not (_is_label(block) and (index + 1 == len(out) or out[index + 1].startswith(("# ", "## "))))
    ]  # a label with nothing left under it (its text was chrome: "Contribute", "Sponsor us")


def _is_label(block: str) -> bool:
    """A short bold line that is not a link ("### Announcements"): an e-mail's category label."""
    if not block.startswith("### ") or "\n" in block or "](" in block:
        return False
    text = block[4:].strip()
    return 0 < len(text.split()) <= _MAX_LABEL_WORDS and text[-1:] not in ".:!?"


def _walk(element: lxml.html.HtmlElement, out: list[str]) -> None:
    """Depth first: a block without block children is one line; mixed content is split at its blocks."""
    if not isinstance(element.tag, str):
        return
    if element.tag in _HEADINGS or (element.tag in _BLOCKS and not _has_block_child(element)):
        if (line := _line(element)) is not None:
            out.append(line)
        return
    inline: list[str] = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and (child.tag in _BLOCKS or child.tag == "br"):
            _flush_inline(inline, out)
            if child.tag != "br":
                _walk(child, out)
            inline = [child.tail or ""]
        else:
            inline.append(_inline_markdown(child))
            inline.append(child.tail or "")
    _flush_inline(inline, out)


def _flush_inline(parts: list[str], out: list[str]) -> None:
    text = _SPACES_RE.sub(" ", _FILLER_RE.sub(" ", "".join(parts))).strip()
    if text and not is_chrome_text(re.sub(r"[*\[\]]|\(http[^)]*\)", "", text)):
        out.append(text)


def _line(element: lxml.html.HtmlElement) -> str | None:
    text = _text(element)
    if not text or is_chrome_text(text):
        return None
    if element.tag in _HEADINGS:
        level = max(_HEADINGS[element.tag], 2) if element.tag != "h1" else 1
        return f"{'#' * level} {_linked_text(element)}"
    links = [a for a in element.iter("a") if _text(a)]
    words = len(text.split())
    if links and _are_tags(element, links, text):
        return None  # "Leadership Management" under a story: its tags
    if _DOMAIN_RE.fullmatch(text):
        return None  # "pointer.io" alone: the publisher's home link, not a headline
    if len(links) == 1 and _text(links[0]) == text and words <= _MAX_LINKED_HEADLINE_WORDS and text[-1] not in ".:":
        return f"### [{text}]({links[0].get('href') or ''})"
    bold = [b for b in element.iter("strong", "b") if _text(b)]
    if _QUOTED_RE.fullmatch(text):
        return text  # a quotation set in bold (the quote of the day) is text, not a headline
    if bold and _text(bold[0]) == text and words <= _MAX_BOLD_HEADLINE_WORDS:
        return f"### {_linked_text(element)}"
    if bold and (linked := _linked_lead_in(element, bold[0], text)) is not None:
        name, href = linked
        return f"### [{name}]({href})\n\n{text[len(name) :].strip(' .:—–-')}"
    if bold and (lead := _lead_in(element, bold[0], text)) is not None and _opens_its_cell(element, text):
        return f"### {lead}\n\n{text[len(lead) :].strip(' .:')}"
    raw = _inline_markdown(element, outer=True)
    if "\n" in raw.strip():  # lines broken with <br>: "<a><b>Title (4 minute read)</b></a><br>Text…"
        return "\n\n".join(_segment(_SPACES_RE.sub(" ", part).strip()) for part in raw.split("\n") if part.strip())
    markdown = _SPACES_RE.sub(" ", raw).strip()
    if element.tag == "li":
        return f"- {markdown}"
    return markdown


def _segment(markdown: str) -> str:
    """One <br>-separated line of a cell: a whole link or bold line is a headline, anything else text.

    A bare domain ("blog.jetbrains.com" under a link) credits the source: text of the item, not a headline.
    """
    if (match := _WHOLE_LINK_RE.fullmatch(markdown) or _WHOLE_BOLD_RE.fullmatch(markdown)) and _DOMAIN_RE.fullmatch(
        (match.groupdict().get("text") or match[1]).strip()
    ):
        return (match.groupdict().get("text") or match[1]).strip()
    if match := _WHOLE_LINK_RE.fullmatch(markdown):
        words = match["text"].split()
        if len(words) <= _MAX_LINKED_HEADLINE_WORDS and match["text"].rstrip()[-1:] not in ".:":
            return f"### [{match['text']}]({match['url']})"
    if (match := _WHOLE_BOLD_RE.fullmatch(markdown)) and len(match[1].split()) <= _MAX_BOLD_HEADLINE_WORDS:
        return f"### {match[1]}"
    return markdown


def _lead_in(element: lxml.html.HtmlElement, bold: lxml.html.HtmlElement, text: str) -> str | None:
    """ "<p><strong>A rescue at sea.</strong> Coast guards…</p>": the bold words leading the paragraph."""
    lead = _text(bold)
    if not text.startswith(lead) or lead == text or len(lead.split()) > _MAX_LEAD_IN_WORDS:
        return None
    if lead[-1:] not in ".!?" or (element.text or "").strip():
        return None  # "Why it matters:" introduces a paragraph of its story; "A rescue at sea." heads an item
    return lead.rstrip(" .:")


def _linked_lead_in(element: lxml.html.HtmlElement, bold: lxml.html.HtmlElement, text: str) -> tuple[str, str] | None:
    """ "<p><a><b>Marimo</b></a><b>: </b>Reactive notebook for Python.</p>": a linked name and what it is."""
    lead = _text(bold)
    link = next((a for a in element.iter("a") if _text(a) == lead and a.get("href")), None)
    if link is None or not text.startswith(lead) or len(lead.split()) > _MAX_LEAD_IN_WORDS:
        return None
    rest = text[len(lead) :]
    if not rest.startswith((":", " —", " –", " - ")) or len(rest.strip(" :—–-").split()) < 2:
        return None
    return lead, str(link.get("href"))


def _are_tags(element: lxml.html.HtmlElement, links: list[lxml.html.HtmlElement], text: str) -> bool:
    """A line of one- or two-word links closing a story's cell, after its text: the story's tags."""
    if sum(len(_text(a)) for a in links) < len(text.replace(" ", "")) or any(
        len(_text(a).split()) > _MAX_TAG_WORDS for a in links
    ):
        return False
    if any(isinstance(node.tag, str) and _text(node) for node in element.itersiblings()):
        return False  # not the last line of its cell
    return any(isinstance(node.tag, str) and len(_text(node).split()) > _MAX_LEAD_IN_WORDS for node in
               element.itersiblings(preceding=True))  # fmt: skip


def _opens_its_cell(element: lxml.html.HtmlElement, text: str) -> bool:
    """The paragraph starts its table cell: one story per cell, as e-mail layouts print them."""
    cell = next((ancestor for ancestor in element.iterancestors("td", "th")), None)
    return cell is not None and _text(cell).startswith(text[:40])


def _linked_text(element: lxml.html.HtmlElement) -> str:
    text = _text(element)
    links = [a for a in element.iter("a") if _text(a)]
    if len(links) == 1 and _text(links[0]) == text and links[0].get("href"):
        return f"[{text}]({links[0].get('href')})"
    return text


def _inline_markdown(element: lxml.html.HtmlElement, *, outer: bool = False) -> str:
    """Inline markup as Markdown: ``**bold**`` lead-ins and ``[links](url)``; other tags give their text."""
    if not isinstance(element.tag, str):
        return ""
    if element.tag == "br":
        return "\n"
    inner = [element.text or ""]
    for child in element:
        inner.append(_inline_markdown(child))
        inner.append(child.tail or "")
    text = _INVISIBLE_RE.sub("", "".join(inner))  # keeps the line breaks <br> made
    if outer:
        return text
    stripped = text.strip()
    if not stripped:
        return text
    if element.tag in ("strong", "b") and "**" not in stripped:
        return text.replace(stripped, f"**{stripped}**")
    if element.tag == "a" and element.get("href", "").startswith("http") and "](" not in stripped:
        return text.replace(stripped, f"[{stripped}]({element.get('href')})")
    return text
