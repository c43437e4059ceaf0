"""Any issue document → the text the parser reads and the hints its container gives: one way in for all.

``briefing parse``, ``briefing ingest``, the feed poller and an editor's ``/publish`` (a file or pasted text)
all come through :func:`read_document`, so a ``.txt``, ``.md``, ``.html`` or ``.eml`` issue is read the same
way whatever door it came in by:

* plain text and Markdown are the parser's own input;
* an e-mail (:mod:`bot.sources.mail`) gives its HTML part (else its text part) plus the subject, the
  ``Date:`` header and the sender as hints;
* HTML made for mail clients (tables, preheaders, e-mail chrome) is read from its structure
  (:mod:`bot.sources.structure`); a web page goes through the article extractor (:mod:`bot.sources.html`)
  and falls back to the structure reader when the extractor finds nothing. Either way the page's
  ``<time>``/``article:published_time`` dates, its title and a date in its URL become hints.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import PurePath

from bot.digest.dates import date_in_url
from bot.digest.parser import Hints, Parsed, parse_issue
from bot.sources.file import EMAIL_SUFFIXES, HTML_SUFFIXES, TEXT_SUFFIXES, SourceError
from bot.sources.html import extract_issue_text, looks_like_html
from bot.sources.mail import looks_like_email, read_mail
from bot.sources.structure import looks_like_email_html, read_structure


@dataclass(frozen=True, slots=True)
class Document:
    """An issue's text for the parser, the hints around it, and what kind of document it was."""

    text: str
    hints: Hints
    kind: str
    """``text``, ``html`` (a web page), ``email-html`` (HTML read from its structure) or ``email``."""
    link: str | None = None


def read_document(text: str, *, name: str | None = None, url: str | None = None) -> Document:
    """Read one issue document; ``name`` (a file name) and ``url`` help decide what it is.

    Raises:
        SourceError: an e-mail without a body, or HTML without any text.
    """
    suffix = PurePath(name).suffix.lower() if name else ""
    label = name or url or "the issue"
    if suffix in EMAIL_SUFFIXES or (suffix not in TEXT_SUFFIXES and looks_like_email(text)):
        return _email(text, label, url)
    if suffix in HTML_SUFFIXES or (suffix not in TEXT_SUFFIXES and looks_like_html(text)):
        return read_html(text, url=url, label=label)
    return Document(text, _url_hints(Hints(), url), "text", url)


def read_html(html: str, *, url: str | None = None, label: str = "the page", email: bool = False) -> Document:
    """HTML → issue text: e-mail markup from its structure, a web page through the article extractor."""
    structured = read_structure(html, url)
    dates = structured.dates
    hints = Hints(
        title=structured.title,
        title_rule="page title",
        dates=dates,
        newsletter=structured.site_name,
        newsletter_rule="og:site_name",
        summary=structured.preheader,
    )
    if email or looks_like_email_html(html):
        if not structured.text.strip():
            raise SourceError(f"{label}: found no text in the HTML")
        return Document(structured.text, _url_hints(hints, url), "email-html", structured.link)
    try:
        page = extract_issue_text(html, url, date_line=False)
    except SourceError:
        if not structured.text.strip():
            raise SourceError(f"{label}: found no article text in the HTML") from None
        return Document(structured.text, _url_hints(hints, url), "email-html", structured.link)
    if page.date is not None and all(date != page.date for date, _ in dates):
        hints = replace(hints, dates=(*dates, (page.date, "page metadata date")))
    return Document(page.text, _url_hints(hints, url or page.link), "html", page.link)


def _email(raw: str, label: str, url: str | None) -> Document:
    mail = read_mail(raw, label)
    if mail.is_html:
        inner = read_html(mail.body, url=url, label=label, email=True)
        base = inner.hints
        text, link, kind = inner.text, inner.link, "email"
    else:
        base, text, link, kind = Hints(), mail.body, url, "email"
    dates = base.dates + (((mail.date, "e-mail Date: header"),) if mail.date else ())
    hints = Hints(
        title=mail.subject or base.title,
        title_rule="e-mail Subject" if mail.subject else base.title_rule,
        dates=dates,
        newsletter=base.newsletter or mail.sender,
        newsletter_rule=base.newsletter_rule if base.newsletter else "e-mail sender",
        summary=base.summary,
    )
    return Document(text, _url_hints(hints, url), kind, link)


def _url_hints(hints: Hints, url: str | None) -> Hints:
    from_url = date_in_url(url)
    if from_url is None:
        return hints
    return Hints(
        hints.title, hints.title_rule, (*hints.dates, (from_url, "date in the URL")), hints.newsletter,
        hints.newsletter_rule, hints.summary,
    )  # fmt: skip


def parse_document(text: str, *, name: str | None = None, url: str | None = None, source: str | None = None) -> Parsed:
    """Read and parse one issue document (see :func:`read_document`).

    Raises:
        SourceError: the document cannot be read.
        bot.digest.parser.ParseError: it has no items.
    """
    document = read_document(text, name=name, url=url)
    return parse_issue(document.text, source=source or url or name, hints=document.hints)
