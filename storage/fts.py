"""Turning whatever a reader types into a safe FTS5 query.

FTS5 has its own query language: ``"``, ``*``, ``-``, ``:``, ``^``, parentheses and the words AND, OR,
NOT and NEAR all mean something, and a stray one is a syntax error. Readers' text is never passed
through: :func:`bot.rules.queries.search_terms` cuts it into words the way the ``unicode61`` tokenizer
would cut it (repeats, very common words and words past the sixth longest left out), and each word is
sent as a quoted string, so every query is "all of these words" and none can fail to parse. A phrase the
reader put in quotes is sent as one quoted string, which FTS5 matches as that exact sequence of words.

Readers' words are for the title, author and body. The index's fourth column holds the item's kind
("opinion"), for storage's "only opinions" (see ``storage.digests``): a reader's word that could match it
("opinion", "sto" as a prefix of "story") gets the query limited to the first three columns. Only then:
the column filter costs about 40% more per query.
"""

from __future__ import annotations

import unicodedata

from bot.digest.model import ItemKind
from bot.rules.queries import search_terms

MIN_PREFIX = 3
"""A shorter last word matches only itself: "a*" would merge the doclists of every word starting with a
(1.3 s over 18,260 issues, issue #15), and nobody means all of them."""

READER_COLUMNS = "{title author body}"
"""The index's columns readers' words are looked for in."""

_KINDS = tuple(kind.value for kind in ItemKind)
"""What the index's kind column holds: one of these words per item."""


def fts_query(text: str, *, prefix_last: bool = True) -> str | None:
    """An FTS5 MATCH expression for ``text``, or None when it holds no word worth searching.

    With ``prefix_last`` the word typed last also matches as a prefix ("rothr" finds "Rothrock"), which
    is what people expect from a search box, when it has at least :data:`MIN_PREFIX` letters.
    """
    found = search_terms(text)
    if not found.terms:
        return None
    terms = [(term.text, term.phrase, False) for term in found.terms]
    last, phrase, _ = terms[-1]
    if prefix_last and found.last_typed and not phrase and len(last) >= MIN_PREFIX:
        terms[-1] = (last, phrase, True)
    expression = " ".join(_quoted(term) + ("*" if prefix else "") for term, _, prefix in terms)
    if any(_may_match_a_kind(term, prefix) for term, _, prefix in terms):
        return f"{READER_COLUMNS} : ({expression})"
    return expression


def _may_match_a_kind(term: str, prefix: bool) -> bool:
    """Whether the term, folded as ``unicode61 remove_diacritics 2`` folds it, may match a kind's word."""
    folded = "".join(c for c in unicodedata.normalize("NFKD", term) if not unicodedata.combining(c)).lower()
    return any(kind.startswith(folded) if prefix else kind == folded for kind in _KINDS)


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'
