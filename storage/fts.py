"""Turning whatever a reader types into a safe FTS5 query.

FTS5 has its own query language: ``"``, ``*``, ``-``, ``:``, ``^``, parentheses and the words AND, OR,
NOT and NEAR all mean something, and a stray one is a syntax error. Readers' text is never passed
through: :func:`bot.rules.queries.search_terms` cuts it into words the way the ``unicode61`` tokenizer
would cut it (repeats, very common words and words past the sixth longest left out), and each word is
sent as a quoted string, so every query is "all of these words" and none can fail to parse. A phrase the
reader put in quotes is sent as one quoted string, which FTS5 matches as that exact sequence of words.
"""

from __future__ import annotations

from bot.rules.queries import search_terms

MIN_PREFIX = 3
"""A shorter last word matches only itself: "a*" would merge the doclists of every word starting with a
(1.3 s over 18,260 issues, issue #15), and nobody means all of them."""


def fts_query(text: str, *, prefix_last: bool = True) -> str | None:
    """An FTS5 MATCH expression for ``text``, or None when it holds no word worth searching.

    With ``prefix_last`` the word typed last also matches as a prefix ("rothr" finds "Rothrock"), which
    is what people expect from a search box, when it has at least :data:`MIN_PREFIX` letters.
    """
    found = search_terms(text)
    if not found.terms:
        return None
    terms = [_quoted(term.text) for term in found.terms]
    last = found.terms[-1]
    if prefix_last and found.last_typed and not last.phrase and len(last.text) >= MIN_PREFIX:
        terms[-1] += "*"
    return " ".join(terms)


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'
