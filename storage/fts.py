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

MIN_PREFIX = 3
"""A shorter last word matches only itself: "a*" would merge the doclists of every word starting with a
(1.3 s over 18,260 issues, issue #15), and nobody means all of them."""


def fts_query(text: str, *, prefix_last: bool = True) -> str | None:
    """An FTS5 MATCH expression for ``text``, or None when it holds no searchable word.

    Each word counts once ("war war war" is "war": a repeated term only makes FTS5 read its doclist
    again). With ``prefix_last`` the last word also matches as a prefix ("rothr" finds "Rothrock"),
    which is what people expect from a search box, when it has at least :data:`MIN_PREFIX` letters.
    """
    unique: dict[str, tuple[str, bool]] = {}
    """Each term once, keyed by lower() (not casefold(): unicode61 keeps "ß", casefold() makes it "ss"), as
    (the term, whether it is a word rather than a quoted phrase). A repeat moves to the end, so the word
    typed last stays last (it is the one still being typed)."""
    for term in split_terms(unicodedata.normalize("NFC", text)):
        tokens = _WORD.findall(term.text)
        if term.phrase and tokens:
            phrase = " ".join(tokens)
            unique.pop("\0" + phrase.lower(), None)
            unique["\0" + phrase.lower()] = (phrase, False)
            continue
        for word in tokens:
            unique.pop(word.lower(), None)
            unique[word.lower()] = (word, True)
    chosen = list(unique.values())[:MAX_TERMS]
    if not chosen:
        return None
    terms = [_quoted(term) for term, _ in chosen]
    last, last_is_word = chosen[-1]
    if prefix_last and last_is_word and len(last) >= MIN_PREFIX:
        terms[-1] += "*"
    return " ".join(terms)


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'
