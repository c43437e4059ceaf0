"""The table of contents some issues print at the top, as a bullet list of the day's stories.

Its entries are worded differently from the stories' own headlines ("Lawmakers plan a bold and worrying
expansion of Russia’s laws on foreign agents…" for "Story of the day: new amendments to Russia’s laws on
foreign agents…"), so they are matched by shared words against each story's headline and first paragraph.
One confident match proves the list is a table of contents; entries between matches are paired with the
stories between them in order (the list follows the issue's order). Paired entries and entries that preview
a whole section ("Opinion and analysis: …", "News briefs: …") are dropped: the issue itself carries them.
Entries left over name stories the scrape did not reach; they stay, as briefs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise

from bot.digest.drafts import Draft, Layout
from bot.digest.model import ItemKind

_WORD_RE = re.compile(r"[^\W_]+(?:[-’'][^\W_]+)*")
_SECTION_PREVIEW_RE = re.compile(
    r"(?:opinions?|opinion\s+(?:and|&)\s+analysis|analysis|news\s+briefs?|briefs|in\s+brief|feature\s+stories"
    r"|features|podcasts?)\s*:",
    re.IGNORECASE,
)
_STOPWORDS = frozenset(
    """
    a an and are as at be been but by can could did do does for from had has have he her his how i if in into is
    it its just more most new no not now of off on one only or our out over says said she so some than that the
    their them then there these they this those to under up us was we were what when where which while who why
    will with would you your after again against all also about before being between both each few here once
    other own same such too very via back get gets got make makes take takes check day week year years today
    russia russian russians meduza putin ukraine ukrainian moscow kremlin
    """.split()
)
_MIN_SHARED = 3
_MIN_SHARE_OF_ENTRY = 0.5


def drop_table_of_contents(layout: Layout) -> None:
    """Remove the entries of a top-of-issue table of contents that the issue's own stories make redundant."""
    if layout.markdown or not layout.sections:
        return
    first = layout.sections[0]
    candidates = [draft for draft in first.items if draft.in_teaser and draft.title_only]
    if not candidates:
        return
    previews = [draft for draft in candidates if _SECTION_PREVIEW_RE.match(draft.raw)]
    entries = [draft for draft in candidates if draft not in previews]
    stories = [
        draft
        for section in layout.sections
        for draft in section.items
        if not draft.in_teaser and draft.kind is not ItemKind.BRIEF
    ]
    paired = _pair(entries, stories)
    if paired is None:
        return
    redundant = {id(draft) for draft in [*previews, *paired]}
    first.items = [draft for draft in first.items if id(draft) not in redundant]


def _pair(entries: Sequence[Draft], stories: Sequence[Draft]) -> list[Draft] | None:
    """The entries that stand for a story; None when no entry clearly matches one (so it is no contents)."""
    entry_words = [_weighted_words(entry.raw) for entry in entries]
    story_words = [_weighted_words(f"{story.title} {story.body[0] if story.body else ''}") for story in stories]
    anchors: list[tuple[int, int]] = []
    for i, words in enumerate(entry_words):
        start = anchors[-1][1] + 1 if anchors else 0
        best, best_score = None, 0.0
        for j in range(start, len(stories)):
            score = _match_score(words, story_words[j])
            if score > best_score:
                best, best_score = j, score
        if best is not None:
            anchors.append((i, best))
    if not anchors:
        return None
    paired = {i for i, _ in anchors}
    bounds = [(-1, -1), *anchors, (len(entries), len(stories))]
    for (i0, j0), (i1, j1) in pairwise(bounds):
        gap = min(i1 - i0 - 1, j1 - j0 - 1)
        paired.update(range(i0 + 1, i0 + 1 + max(gap, 0)))
    return [entries[i] for i in sorted(paired)]


def _match_score(entry: dict[str, int], story: dict[str, int]) -> float:
    """Shared words, proper names counting double; 0 unless the match is confident."""
    shared = [word for word in entry if word in story]
    weight = sum(max(entry[word], story[word]) for word in shared)
    total = sum(entry.values()) or 1
    if weight >= _MIN_SHARED + 1 or (weight >= _MIN_SHARED and weight / total >= _MIN_SHARE_OF_ENTRY):
        return weight + weight / total
    return 0.0


def _weighted_words(text: str) -> dict[str, int]:
    """Content words → 2 for a capitalised word inside a sentence (a name), 1 otherwise."""
    words: dict[str, int] = {}
    for index, match in enumerate(_WORD_RE.finditer(text)):
        word = match.group(0)
        stem = _stem(word.lower())
        if len(stem) < 3 or stem in _STOPWORDS:
            continue
        weight = 2 if index > 0 and word[0].isupper() else 1
        words[stem] = max(words.get(stem, 0), weight)
    return words


def _stem(word: str) -> str:
    for suffix in ("’s", "'s"):
        if word.endswith(suffix):
            word = word[: -len(suffix)]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word
