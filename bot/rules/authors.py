"""Finding an author the way readers type names: "trenin", "Dmitri Trenin", "Lukianov", "Шевцова".

Russian names reach English in several romanisations (Dmitry, Dmitri, Dmitrij; Lukyanov, Lukianov;
Fyodor, Fedor), bylines differ from issue to issue, and readers make typos. Matching happens in two
steps: :func:`normalize` folds spellings that are the same name into one string, then
:class:`AuthorIndex` compares that string with every known author using RapidFuzz's edit distances,
which absorb the typos that folding cannot.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch",
    "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    "і": "i", "ї": "i", "є": "ye", "ґ": "g", "ў": "u",
}  # fmt: skip
_LATIN_EXTRA = {"ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i"}
_APOSTROPHES = re.compile(r"['’‘ʼʹ`´]")
_NOT_LETTER = re.compile(r"[\W\d_]+")

# Spelling variants of the same sound, folded to one spelling. Applied in order, repeatedly, until
# nothing changes, so that normalize() is idempotent (a key normalizes to itself).
_FOLDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"x"), "ks"),  # Alexei / Aleksei
    (re.compile(r"w"), "v"),  # Wladimir / Vladimir
    (re.compile(r"ph"), "f"),  # Sophia / Sofia
    (re.compile(r"kh"), "h"),  # Khodorkovsky / Hodorkovsky
    (re.compile(r"tch"), "ch"),  # Tchaikovsky / Chaikovsky
    (re.compile(r"tz"), "ts"),  # Kuznetzov / Kuznetsov
    (re.compile(r"(?<=[a-z])[yj]o"), "e"),  # ё inside a word: Fyodor / Fedor, Semyon / Semen
    (re.compile(r"ye"), "e"),  # Yevgeny / Evgeny, Sergeyev / Sergeev
    (re.compile(r"[yj]"), "i"),  # Dmitry / Dmitri / Dmitrij, Lukyanov / Lukianov / Lukjanov
    (re.compile(r"ie"), "e"),  # Dmitriev / Dmitryev (after y→i)
    (re.compile(r"(.)\1+"), r"\1"),  # Kassym / Kasym, Dmitrii / Dmitri, -skii / -ski
)  # fmt: skip


def normalize(name: str) -> str:
    """Fold ``name`` so that spellings of the same name compare equal.

    Case, diacritics, apostrophes (the romanised soft sign: Il'ya), punctuation and spacing go;
    Cyrillic is romanised; then transliteration variants are folded (see ``_FOLDS``). The result is
    for comparison only, never for display: "Dmitry Trenin" becomes "dmitri trenin".
    """
    # Compatibility forms first (𝖠, ﬁ), so that casefolding sees plain letters; casefolding can
    # compose again, hence the second pass.
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", name).casefold())
    text = "".join(_CYRILLIC.get(char, char) for char in text)
    text = "".join(_LATIN_EXTRA.get(char, char) for char in text if not unicodedata.combining(char))
    text = _APOSTROPHES.sub("", text)
    words = _NOT_LETTER.sub(" ", text).split()
    return " ".join(_fold(word) for word in words)


def author_key(name: str | None) -> str | None:
    """The stable identity of an author: two bylines with the same key are the same person.

    It is :func:`normalize` under a name that says what it is for; None when nothing of the name is left.
    Keys change whenever the folding rules do, so anything stored should be recomputable from the
    printed names (storage keeps both).
    """
    if name is None:
        return None
    return normalize(name) or None


def _fold(word: str) -> str:
    previous = None
    while word != previous:
        previous = word
        for pattern, replacement in _FOLDS:
            word = pattern.sub(replacement, word)
    return word


class AuthorRow(Protocol):
    """What the index needs to know about an author (storage's ``AuthorStat`` fits as it is)."""

    @property
    def name(self) -> str: ...
    @property
    def count(self) -> int: ...
    @property
    def last_date(self) -> dt.date | None: ...


@dataclass(frozen=True, slots=True)
class AuthorEntry:
    """A plain :class:`AuthorRow`, for callers that hold ``(name, count, last_date)`` tuples."""

    name: str
    count: int = 0
    last_date: dt.date | None = None


@dataclass(frozen=True, slots=True)
class AuthorMatch:
    """An author found for what a reader typed, and how close the match is."""

    name: str
    """The spelling to show: the one used most recently."""
    score: float
    """Similarity in [0, 1]; 1.0 is an exact match after folding."""
    key: str
    spellings: tuple[str, ...]
    """Every byline folded into this author, so a lookup can ask storage for all of them."""
    count: int
    last_date: dt.date | None


@dataclass(frozen=True, slots=True)
class _Author:
    """One author of the archive as the index keeps them: key, words to match, spellings, counts."""

    key: str
    words: tuple[str, ...]
    name: str
    spellings: tuple[str, ...]
    count: int
    last_date: dt.date | None


class AuthorIndex:
    """Known authors, searchable by whatever a reader types.

    Build it from storage's author listing (a few hundred rows at most) whenever it is needed; it is
    immutable and cheap, so there is no cache to keep fresh.
    """

    CUTOFF = 0.75
    """Below this similarity a candidate is not offered. Tuned by tests in both directions: one typo in
    a six-letter surname (0.83) and a swapped pair of letters (0.89) pass; unrelated surnames that share
    an ending, such as "ivanov" for "lukianov", stay below it."""
    MARGIN = 0.08
    """Candidates this far behind the best one are dropped: "trenin" should not also offer "Tretin"
    when Trenin matches exactly, while "dmitry" offers every Dmitry."""
    PREFIX_MIN = 4
    """A query this long may match the beginning of a surname ("shevts")."""
    _PREFIX_SCORE = 0.85
    _GIVEN_NAME_WEIGHT = 0.95
    _INITIAL_MISMATCH_PENALTY = 0.15

    def __init__(self, rows: Iterable[AuthorRow]) -> None:
        grouped: dict[str, list[AuthorRow]] = {}
        for row in rows:
            key = author_key(row.name)
            if key:
                grouped.setdefault(key, []).append(row)
        self._authors = tuple(_merge(key, group) for key, group in grouped.items())
        # For a first pass in C over every author (see match()): the names whole, their words sorted, and
        # each word with the author it belongs to.
        self._keys = [author.key for author in self._authors]
        self._sorted_keys = [" ".join(sorted(author.words)) for author in self._authors]
        self._parts = sorted((part, number) for number, author in enumerate(self._authors) for part in author.words)
        self._part_names = [part for part, _ in self._parts]
        """Sorted, so that the words starting with a prefix are one range (found by bisection)."""

    def __len__(self) -> int:
        return len(self._authors)

    def match(self, query: str, limit: int = 5, *, cutoff: float | None = None) -> list[AuthorMatch]:
        """Authors that ``query`` may mean, best first; empty when nothing is close enough.

        One result means the reader was understood; several mean "did you mean…?". A lower ``cutoff``
        than :attr:`CUTOFF` finds names only close to the query, to suggest rather than to take.
        """
        cutoff = self.CUTOFF if cutoff is None else cutoff
        words = normalize(query).split()
        initials = [word for word in words if len(word) == 1]
        words = [word for word in words if len(word) > 1]
        if not words:
            return []
        scored = []
        for number in self._candidates(words, cutoff):
            author = self._authors[number]
            score = self._score(words, initials, author)
            if score >= cutoff:
                scored.append((score, author))
        if not scored:
            return []
        best = max(score for score, _ in scored)
        scored = [(score, author) for score, author in scored if score >= best - self.MARGIN]
        scored.sort(key=lambda pair: (-pair[0], -pair[1].count, pair[1].key))
        return [
            AuthorMatch(a.name, round(score, 4), a.key, a.spellings, a.count, a.last_date)
            for score, a in scored[:limit]
        ]

    def _candidates(self, words: list[str], cutoff: float) -> set[int]:
        """The authors that may reach ``cutoff``, found by RapidFuzz in C rather than scored one by one in
        Python (a query of several words is matched word by word against every author: see
        :mod:`bot.rules.queries`). Exact, not a heuristic: every score :meth:`_score` computes is one of
        these similarities, times a weight of at most 1, less any penalty; so an author none of whose
        similarities reaches the cutoff cannot score above it."""
        found: set[int] = set()
        # RapidFuzz turns the cutoff into an edit distance, and rounding can drop a similarity of exactly
        # the cutoff (0.6 for 6 edits in 15 letters): a hair lower (far less than one edit in a name) keeps
        # this pass a superset.
        cutoff -= 1e-6
        from rapidfuzz import process  # imported on first use, like osa_similarity()
        from rapidfuzz.distance import OSA

        for query, choices in ((" ".join(words), self._keys), (" ".join(sorted(words)), self._sorted_keys)):
            close = process.extract(query, choices, scorer=OSA.normalized_similarity, score_cutoff=cutoff, limit=None)
            found.update(number for *_, number in close)
        if len(words) == 1:
            word = words[0]
            for *_, position in process.extract(
                word, self._part_names, scorer=OSA.normalized_similarity, score_cutoff=cutoff, limit=None
            ):
                found.add(self._parts[position][1])
            if len(word) >= self.PREFIX_MIN and cutoff <= self._PREFIX_SCORE:
                position = bisect.bisect_right(self._part_names, word)
                while position < len(self._parts) and self._part_names[position].startswith(word):
                    found.add(self._parts[position][1])
                    position += 1
        return found

    def _score(self, words: list[str], initials: list[str], author: _Author) -> float:
        similar = osa_similarity()
        query = " ".join(words)
        # The whole name, in the order typed and in the order printed ("Trenin Dmitry").
        score = max(
            similar(query, author.key),
            similar(" ".join(sorted(words)), " ".join(sorted(author.words))),
        )
        if len(words) == 1:
            # One word: a surname (full weight) or a given name (slightly less, so surnames win ties).
            word = words[0]
            for position, part in enumerate(author.words):
                weight = 1.0 if position == len(author.words) - 1 else self._GIVEN_NAME_WEIGHT
                similarity = similar(word, part)
                if len(word) >= self.PREFIX_MIN and len(word) < len(part) and part.startswith(word):
                    similarity = max(similarity, self._PREFIX_SCORE)
                score = max(score, similarity * weight)
        if initials:
            # "Trenin D.": initials must belong to the author's other names.
            firsts = {part[0] for part in author.words}
            if not all(initial in firsts for initial in initials):
                score -= self._INITIAL_MISMATCH_PENALTY
        return score


def _merge(key: str, rows: list[AuthorRow]) -> _Author:
    """One author from every byline that folds to ``key``; the most recent spelling is shown."""
    latest = max(rows, key=lambda row: (row.last_date or dt.date.min, row.count))
    dates = [row.last_date for row in rows if row.last_date is not None]
    spellings = tuple(dict.fromkeys(row.name for row in rows))
    return _Author(
        key=key,
        words=tuple(key.split()),
        name=latest.name,
        spellings=spellings,
        count=sum(row.count for row in rows),
        last_date=max(dates) if dates else None,
    )


@functools.cache
def osa_similarity() -> Callable[[str, str], float]:
    """rapidfuzz's normalised optimal-string-alignment similarity, imported on first use: the library
    (40 modules) is needed to match an author's name, not to start the application."""
    from rapidfuzz.distance import OSA

    return OSA.normalized_similarity
