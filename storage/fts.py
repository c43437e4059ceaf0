"""Turning whatever a reader types into a safe FTS5 query.

FTS5 has its own query language: ``"``, ``*``, ``-``, ``:``, ``^``, parentheses and the words AND, OR,
NOT and NEAR all mean something, and a stray one is a syntax error. Readers' text is never passed
through: it is cut into words the way the ``unicode61`` tokenizer would cut it, and each word is sent as
a quoted string, so every query is "all of these words" and none can fail to parse.
"""

from __future__ import annotations

import re
import unicodedata

# Letters and digits, as unicode61 sees tokens; underscore, punctuation, symbols and emoji separate.
_WORD = re.compile(r"[^\W_]+")

MAX_TERMS = 16
"""More words than this only slow the query down; a search box rarely gets close."""


def fts_query(text: str, *, prefix_last: bool = True) -> str | None:
    """An FTS5 MATCH expression for ``text``, or None when it holds no searchable word.

    With ``prefix_last`` the last word also matches as a prefix ("rothr" finds "Rothrock"), which is
    what people expect from a search box.
    """
    words = _WORD.findall(unicodedata.normalize("NFC", text))[:MAX_TERMS]
    if not words:
        return None
    terms = ['"' + word.replace('"', '""') + '"' for word in words]
    if prefix_last:
        terms[-1] += "*"
    return " ".join(terms)
