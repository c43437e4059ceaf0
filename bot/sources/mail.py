"""An e-mail file (``.eml``) → the issue's text and what its headers say about it.

The standard library's :mod:`email` package with the modern policy does the hard parts: MIME multipart
trees, quoted-printable and base64 bodies, charsets and RFC 2047 encoded subjects. The HTML part is preferred
(its structure says what is a headline); the plain-text part is the fallback. The subject is a headline
candidate, the ``Date:`` header a date candidate (in the sender's own timezone) and the sender's display name
the newsletter's name when the issue prints none.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from email import message_from_bytes
from email.message import EmailMessage, MIMEPart
from email.policy import default
from email.utils import parseaddr, parsedate_to_datetime

from bot.sources.file import SourceError

_HEADER_RE = re.compile(r"(?:[A-Za-z][A-Za-z0-9-]{0,40}:[^\n]*\n(?:[ \t][^\n]*\n)*){2,}", re.ASCII)
_MIME_HEADERS = ("from:", "subject:", "date:", "mime-version:", "content-type:", "received:", "return-path:")
_SUBJECT_PREFIX_RE = re.compile(r"^(?:(?:re|fwd?|fw|aw|wg)\s*:\s*)+", re.IGNORECASE)
_LIST_TAG_RE = re.compile(r"^\[[^\]]{1,40}\]\s*")


@dataclass(frozen=True, slots=True)
class Mail:
    body: str
    """The HTML or plain-text body, decoded."""
    is_html: bool
    subject: str | None
    date: dt.date | None
    sender: str | None


def looks_like_email(text: str) -> bool:
    """Headers first (From/Subject/Date/MIME-Version…), then a blank line: an e-mail as saved by a mail client."""
    head = text[:8192].lstrip("\ufeff").replace("\r\n", "\n")
    block = head.split("\n\n", 1)[0] + "\n"
    if not _HEADER_RE.fullmatch(block):
        return False
    names = {line.split(":", 1)[0].lower() + ":" for line in block.splitlines() if line and not line[0].isspace()}
    return len(names & set(_MIME_HEADERS)) >= 2


def read_mail(raw: bytes | str, name: str = "the e-mail") -> Mail:
    """Decode an e-mail and pick its body.

    Raises:
        SourceError: the message has no text or HTML body.
    """
    if isinstance(raw, str):
        # As bytes: an 8bit body in its own charset ("Content-Transfer-Encoding: 8bit", UTF-8 text) is then
        # decoded by its declared charset; parsed as a str, its non-ASCII letters would come out mangled.
        raw = raw.encode("utf-8", errors="surrogateescape")
    parsed = message_from_bytes(raw, policy=default)
    if not isinstance(parsed, EmailMessage):  # the default policy always builds EmailMessage objects
        raise SourceError(f"{name}: not an e-mail message")
    message = parsed
    part = message.get_body(preferencelist=("html", "plain"))
    if part is None:
        raise SourceError(f"{name}: the e-mail has no text or HTML body")
    body = _content(part)
    if not body.strip():
        raise SourceError(f"{name}: the e-mail's body is empty")
    return Mail(body, part.get_content_subtype() == "html", _subject(message), _date(message), _sender(message))


def _content(part: MIMEPart) -> str:
    try:
        content = part.get_content()
    except (LookupError, ValueError):  # an unknown charset or broken encoding: decode what can be decoded
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else str(payload)
    return content if isinstance(content, str) else content.decode("utf-8", errors="replace")


def _subject(message: EmailMessage) -> str | None:
    subject = " ".join(str(message.get("Subject", "")).split())
    subject = _LIST_TAG_RE.sub("", _SUBJECT_PREFIX_RE.sub("", subject)).strip()
    return subject or None


def _date(message: EmailMessage) -> dt.date | None:
    value = message.get("Date")
    if not value:
        return None
    try:
        return parsedate_to_datetime(str(value)).date()
    except (TypeError, ValueError, IndexError):
        return None


def _sender(message: EmailMessage) -> str | None:
    display, _address = parseaddr(str(message.get("From", "")))
    return " ".join(display.split()) or None
