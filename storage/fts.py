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

MIN_PREFIX = 3
"""A shorter last word matches only itself: "a*" would merge the doclists of every word starting with a
(1.3 s over 18,260 issues, issue #15), and nobody means all of them."""


def fts_query(text: str, *, prefix_last: bool = True) -> str | None:
    """An FTS5 MATCH expression for ``text``, or None when it holds no searchable word.

    Each word counts once ("war war war" is "war": a repeated term only makes FTS5 read its doclist
    again). With ``prefix_last`` the last word also matches as a prefix ("rothr" finds "Rothrock"),
    which is what people expect from a search box, when it has at least :data:`MIN_PREFIX` letters.
    """
    unique: dict[str, str] = {}
    for word in _WORD.findall(unicodedata.normalize("NFC", text)):
        # A repeat moves to the end, so the word typed last stays last (it is the one still being typed).
        # Keyed by lower(), not casefold(): unicode61 keeps "ß" as it is, casefold() makes it "ss".
        unique.pop(word.lower(), None)
        unique[word.lower()] = word
    words = list(unique.values())[:MAX_TERMS]
    if not words:
        return None
    terms = ['"' + word.replace('"', '""') + '"' for word in words]
    if prefix_last and len(words[-1]) >= MIN_PREFIX:
        terms[-1] += "*"
    return " ".join(terms)
