"""Turning whatever a reader types into a safe FTS5 query.

FTS5 has its own query language: ``"``, ``*``, ``-``, ``:``, ``^``, parentheses and the words AND, OR,
NOT and NEAR all mean something, and a stray one is a syntax error. Readers' text is never passed
through: it is cut into words the way the ``unicode61`` tokenizer would cut it, and each word is sent as
a quoted string, so every query is "all of these words" and none can fail to parse. A phrase the reader
put in quotes (see :func:`bot.rules.queries.split_terms`) is sent as one quoted string, which FTS5 matches
as that exact sequence of words.
"""

from __future__ import annotations

import re
import unicodedata

from bot.rules.queries import split_terms

# Letters and digits, as unicode61 sees tokens; underscore, punctuation, symbols and emoji separate.
_WORD = re.compile(r"[^\W_]+")

MAX_TERMS = 16
"""More words than this only slow the query down; a search box rarely gets close."""


def fts_query(text: str, *, prefix_last: bool = True) -> str | None:
    """An FTS5 MATCH expression for ``text``, or None when it holds no searchable word.

    With ``prefix_last`` the last word also matches as a prefix ("rothr" finds "Rothrock"), which is
    what people expect from a search box.
    """
    terms: list[str] = []
    last_is_word = False
    for term in split_terms(unicodedata.normalize("NFC", text)):
        tokens = _WORD.findall(term.text)[: MAX_TERMS - len(terms)]
        if term.phrase and tokens:
            terms.append(_quoted(" ".join(tokens)))
        else:
            terms += [_quoted(token) for token in tokens]
        last_is_word = not term.phrase
        if len(terms) >= MAX_TERMS:
            break
    if not terms:
        return None
    if prefix_last and last_is_word:
        terms[-1] += "*"
    return " ".join(terms)


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'
