"""Reading an issue from a file (or stdin), refusing binary data with a message a person understands."""

from __future__ import annotations

import sys
from pathlib import Path

EMAIL_SUFFIXES = frozenset({".eml", ".msg", ".mbox"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown"})
DOCUMENT_SUFFIXES = EMAIL_SUFFIXES | HTML_SUFFIXES | TEXT_SUFFIXES
"""The files read as an issue document (:mod:`bot.sources.document`); here, so that checking an upload's
name does not load the parser and the readers of e-mail and HTML."""


class SourceError(Exception):
    """The source could not be read; the message names it and says why."""


def decode_text(data: bytes, name: str) -> str:
    """Decode bytes as UTF-8 (with or without BOM), falling back to cp1252 for old Windows exports."""
    if b"\x00" in data[:4096]:
        raise SourceError(f"{name}: this looks like binary data, not a text issue")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise SourceError(f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def read_file(path: str) -> str:
    """Read ``path`` as text; ``-`` reads standard input."""
    if path == "-":
        return decode_text(sys.stdin.buffer.read(), "stdin")
    file = Path(path)
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        raise SourceError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise SourceError(f"{path}: is a directory, not a file") from None
    except OSError as exc:
        raise SourceError(f"{path}: cannot read it ({exc.strerror})") from None
    return decode_text(data, path)
