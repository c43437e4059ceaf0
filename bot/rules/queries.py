"""Reading what a reader asks for: an author, a topic, or both ("what does trenin say about nato").

Readers ask for opinions the way people talk: by writer ("trenin"), by subject ("what do they say about
NATO"), or both ("trenin on nato", "lukianov kazakhstan"). :func:`read_query` splits their words into

* the **author** part: the consecutive words that best name an author of the archive, matched as
  :class:`bot.rules.authors.AuthorIndex` matches names (transliterations folded, typos forgiven);
* the **topic** part: every other word, minus conversational filler ("what", "does", "say", "about",
  "on"), plus any phrase in quotes, which is kept whole and matches exactly.

The same reading serves ``/opinion``, ``/opinions``, ``/story``, plain text and inline mode, so that a
query finds the same pieces wherever it is typed. :func:`split_terms` is also how storage cuts a search
into full-text terms (``storage.fts``), so a quoted phrase means the same in ``/search``.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from bot.rules.authors import AuthorIndex, AuthorMatch

FILLER = frozenset(
    """
    a about again also an and any anything are article articles as at by concerning did do does done else ever
    for from has have he her his how i in is it its latest me my new news of on opinion opinions or piece pieces
    please re recent regarding said say saying says she show so some stories story take takes tell than that the
    their them they think thinks this thought to view views was were what whats when where which who whom with
    write writes writing written wrote you
    """.split()
)
"""Words that carry the way a question is put, not what it is about. They are dropped outside quotes:
"what does lukyanov say about kazakhstan" is the author "lukyanov" and the topic "kazakhstan"."""

STOP_WORDS = frozenset(
    """
    a an and are as at be been being but by did do does for from had has have he her hers him his i if in into
    is it its me my of on onto or our s she so t than that the their them then there these they this those to
    was we were which with you your
    """.split()
)
"""Words in nearly every item, left out of a search (outside quotes): "the Kremlin" is "Kremlin". They
narrow nothing (bm25 gives a word in more than half of the items no weight at all) and each costs a scan
of its whole doclist. Kept short on purpose, not a text-mining list: "us", "who", "may", "will", "not",
"more" and "against" are words a news search may be about. "s" and "t" are what "it's" and "don't"
leave as the index cuts words."""

MAX_SEARCH_TERMS = 6
"""A search matches at most this many terms: each one costs about as much as the whole search of two
words (issue #15), and a pasted sentence is still found by its six longest words."""

MAX_NAME_WORDS = 3
"""An author is named in at most this many consecutive words ("Kassym-Jomart Tokayev" is three)."""
SUGGEST_CUTOFF = 0.6
"""A word this close to a name, though not close enough to be taken for it, is offered as "Did you mean…?"."""
SUGGEST_MIN_LENGTH = 4

# Straight, curly and guillemet quotes: phones turn "…" into “…” as the reader types.
_QUOTED = re.compile(r'"([^"]*)"|“([^”"]*)”|«([^»]*)»|„([^“”"]*)[“”]')
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_TOKEN = re.compile(r"[^\W_]+")
"""Letters and digits, as the full-text index's ``unicode61`` tokenizer sees them: underscore,
punctuation, symbols, emoji and apostrophes separate."""
_POSSESSIVE = re.compile(r"['’]s$", re.IGNORECASE)
_APOSTROPHE = re.compile(r"['’]")
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
"""An HTML-like tag (``<b>``, ``</i>``, ``<a href="…">``); "<3" and "1 < 2" are not tags."""


def strip_markup(text: str) -> str:
    """``text`` without tag-like fragments and with entities decoded: ``<b>trenin</b> &amp; nato`` is
    "trenin & nato". Readers paste formatted text, or type the tags themselves; the words are what they
    ask about, never "b". Tags become spaces (``<b>trenin</b><i>nato</i>`` is two words), and are taken
    out again once entities are decoded, so ``&lt;b&gt;`` is no word either."""
    return _TAG.sub(" ", html.unescape(_TAG.sub(" ", text)))


@dataclass(frozen=True, slots=True)
class Term:
    """A word, or a quoted phrase (``phrase``, perhaps of one word) that must appear exactly as typed."""

    text: str
    phrase: bool = False

    def searched(self) -> str:
        """The term as search syntax: a phrase goes back in straight quotes."""
        return f'"{self.text}"' if self.phrase else self.text


def split_terms(text: str) -> list[Term]:
    """The words and quoted phrases of ``text``, in order.

    Words are runs of letters and digits (an apostrophe inside a word stays: "Il'ya"; a possessive
    "'s" goes: "Trenin's" is "Trenin"). A quote left open is not a phrase: its words count as words.
    An empty phrase ("") is nothing.
    """
    terms: list[Term] = []
    position = 0
    for quoted in _QUOTED.finditer(text):
        terms += _words(text[position : quoted.start()])
        inside = " ".join(_WORD.findall(next(group for group in quoted.groups() if group is not None)))
        if inside:
            terms.append(Term(inside, phrase=True))
        position = quoted.end()
    terms += _words(text[position:])
    return terms


def _words(text: str) -> list[Term]:
    words = (_POSSESSIVE.sub("", word) for word in _WORD.findall(text))
    return [Term(word) for word in words if word]


@dataclass(frozen=True, slots=True)
class SearchTerms:
    """What a search of some text looks for (see :func:`search_terms`)."""

    terms: tuple[Term, ...] = ()
    """Words (each one index token) and phrases, in the order typed; empty when nothing is left to search."""
    last_typed: bool = False
    """The last term is the last word typed, perhaps still being typed (so it may match as a prefix)."""
    common: tuple[str, ...] = ()
    """The words (and phrases of nothing else) left out as :data:`STOP_WORDS`, as typed."""

    @property
    def only_common(self) -> bool:
        """Every word was too common to search for ("the", "to be or", ``"of the"``): nothing to look for."""
        return not self.terms and bool(self.common)


def search_terms(text: str) -> SearchTerms:
    """The terms a full-text search of ``text`` matches, all of them in every hit.

    Words are cut the way the index cuts them (``unicode61``: "Il'ya" is "il" and "ya") and count once
    whatever their case ("war WAR war" is "war"; a repeat moves to the end, so the word typed last stays
    last). :data:`STOP_WORDS` are left out. A quoted phrase is kept whole ("the fog of war"), unless it is
    made of nothing but such words ("of the"): it narrows nothing, and costs a check of the positions in
    every item holding its words (15 ms over 18,260 issues; 30 ms for eight such words, found nowhere).
    Of more than :data:`MAX_SEARCH_TERMS` terms, the phrases and then the longest words are kept (longer
    words are rarer ones), in the order typed. Text is taken in NFC, as the index stores it.
    """
    unique: dict[str, Term] = {}
    """Keyed by lower() (not casefold(): unicode61 keeps "ß", casefold() makes it "ss"); phrases apart."""
    common: list[str] = []
    last: str | None = None
    for term in split_terms(unicodedata.normalize("NFC", text)):
        tokens = _TOKEN.findall(term.text)
        if term.phrase and tokens:
            key = "\0" + " ".join(tokens).lower()
            unique.pop(key, None)
            unique[key] = Term(" ".join(tokens), phrase=True)
            last = key
            continue
        for token in tokens:
            last = token.lower()
            if last in STOP_WORDS:
                common.append(token)
                continue
            unique.pop(last, None)
            unique[last] = Term(token)
    for key in [key for key in unique if unique[key].phrase and set(key[1:].split()) <= STOP_WORDS]:
        common.append(unique.pop(key).text)
    keys = list(unique)
    if len(keys) > MAX_SEARCH_TERMS:
        longest = sorted(keys, key=lambda key: (not unique[key].phrase, -len(unique[key].text)))
        kept = set(longest[:MAX_SEARCH_TERMS])
        keys = [key for key in keys if key in kept]
    return SearchTerms(
        terms=tuple(unique[key] for key in keys),
        last_typed=bool(keys) and keys[-1] == last,
        common=tuple(common),
    )


@dataclass(frozen=True, slots=True)
class ReadQuery:
    """What a query asks for, as :func:`read_query` understood it."""

    text: str
    """The query as typed, markup taken out (:func:`strip_markup`) and whitespace folded."""
    authors: tuple[AuthorMatch, ...] = ()
    """The authors the author part may mean, best first; several when the name is ambiguous ("dmitry")."""
    author_words: tuple[str, ...] = ()
    """The words that named them, as typed."""
    topic: tuple[Term, ...] = ()
    """Everything else that is not filler: the words and phrases to search for."""
    suggestion: AuthorMatch | None = None
    """No author matched, but this one is close to a word of the query: "Did you mean …?"."""
    conversational: bool = False
    """Filler was dropped: the reader asked a question rather than typing search words."""

    @property
    def topic_query(self) -> str:
        """The topic as search syntax (phrases in quotes), for ``DigestRepository.search``."""
        return " ".join(term.searched() for term in self.topic)

    @property
    def topic_label(self) -> str:
        """The topic as shown to the reader: ``nato “fog of war”``; a phrase alone without its quotes, since
        replies quote the topic anyway."""
        if len(self.topic) == 1:
            return self.topic[0].text
        return " ".join(f"“{term.text}”" if term.phrase else term.text for term in self.topic)

    @property
    def words_query(self) -> str:
        """Every word but the filler, the author's name included, as search syntax: what a general search
        looks for when no piece by the author is on the topic."""
        return " ".join([*self.author_words, self.topic_query]).strip()


def read_query(text: str, index: AuthorIndex, *, limit: int = 5) -> ReadQuery:
    """Split ``text`` into an author part and a topic part (see the module docstring).

    The author part is the run of up to :data:`MAX_NAME_WORDS` consecutive non-filler words (outside
    quotes) that matches an author best: the best single word first, then widened by its neighbours
    for as long as that matches at least as well ("dmitri trenin" is one name, "trenin nato" is not).
    Only one author part is taken; the rest is the topic. Markup is not words: see :func:`strip_markup`.
    """
    folded = " ".join(strip_markup(text).split())
    terms = split_terms(folded)
    kept = [term for term in terms if term.phrase or _fold(term.text) not in FILLER]
    conversational = len(kept) < len(terms)
    words = [position for position, term in enumerate(kept) if not term.phrase]
    best: tuple[float, int, int, list[AuthorMatch]] | None = None
    for position in words:
        matches = index.match(kept[position].text, limit=limit)
        if matches and (best is None or matches[0].score > best[0]):
            best = (matches[0].score, position, position + 1, matches)
    if best is None:
        topic = tuple(kept)
        return ReadQuery(folded, topic=topic, suggestion=_suggestion(topic, index), conversational=conversational)
    score, start, end, matches = best
    widened = True
    while widened and end - start < MAX_NAME_WORDS:
        widened = False
        for left, right in ((start - 1, end), (start, end + 1)):
            if left < 0 or right > len(kept) or any(term.phrase for term in kept[left:right]):
                continue
            wider = index.match(" ".join(term.text for term in kept[left:right]), limit=limit)
            if wider and wider[0].score >= score:
                score, start, end, matches, widened = wider[0].score, left, right, wider, True
                break
    return ReadQuery(
        folded,
        authors=tuple(matches),
        author_words=tuple(term.text for term in kept[start:end]),
        topic=tuple(kept[:start] + kept[end:]),
        conversational=conversational,
    )


def _suggestion(topic: Sequence[Term], index: AuthorIndex) -> AuthorMatch | None:
    """The author closest to one of the topic's words, if any is at least :data:`SUGGEST_CUTOFF` alike."""
    best: AuthorMatch | None = None
    for term in topic:
        if term.phrase or len(term.text) < SUGGEST_MIN_LENGTH:
            continue
        for match in index.match(term.text, limit=1, cutoff=SUGGEST_CUTOFF):
            if best is None or match.score > best.score:
                best = match
    return best


def _fold(word: str) -> str:
    return _APOSTROPHE.sub("", word.casefold())
