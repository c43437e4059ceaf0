"""Telling a person's name from the other capitalised phrases a headline can start with.

Opinion pieces are printed as "Dmitry Trenin: Putin must atone…"; news headlines also start with capitalised
phrases ("Nagorno-Karabakh Republic: …", "Novaya Gazeta: …"). A name here is two to four capitalised words,
allowing initials, hyphens, apostrophes and lower-case particles ("Ursula von der Leyen"), none of which is a
word that names a place, an institution or a newsletter label.
"""

from __future__ import annotations

import re

_PARTICLES = frozenset("de da di del della der den van von le la al el bin ibn ten ter du dos das y zu".split())
_NOT_NAME_WORDS = frozenset(
    """
    the a an in on at of for to from with and or but how why what who when where which this that these those
    new breaking update updates live exclusive opinion opinions analysis interview explainer podcast video photo
    photos news brief briefs feature features story stories today day week weekend month year part chapter episode
    major recent main top lead north south east west central eastern western northern southern united states
    kingdom nations european union federation council ministry court duma kremlin russia russian russians ukraine
    ukrainian ukrainians moscow kyiv belarus belarusian kazakhstan china chinese america american europe state
    republic region city oblast krai army forces government president prime minister mayor governor general
    party foundation center centre institute university bank company group agency service committee office
    department police navy air force national federal supreme constitutional investigative security defense
    defence foreign justice finance health war peace crisis election elections sanctions meduza source read
    watch listen more also plus meanwhile elsewhere saint st mount lake river sea black red white gulf bay street
    square avenue novaya gazeta kommersant vedomosti izvestia mediazona agentstvo proekt dozhd rain echo
    january february march april may june july august september october november december monday tuesday
    wednesday thursday friday saturday sunday
    """.split()
)
_NAME_PART_SPLIT_RE = re.compile(r"[-‐’']")
_BYLINE_RE = re.compile(
    r"(?:by|story\s+by|text\s+by|words\s+by|written\s+by|reporting\s+by|par|por|von)\s+(.+)", re.IGNORECASE
)
_BYLINE_TAIL_RE = re.compile(r"\s+[•·|–—]\s+[\w .,/-]{1,40}$|,\s+(?:in|for|dans|pour|en|na|no|em|im)\s+.{1,60}$")
"""What a byline carries after its names: "By Charlotte Jee • 06.25.24", "Par Clara Mcgrath, dans C’est qui…"."""
_NAME_LIST_SPLIT_RE = re.compile(r"\s*(?:,|\band\b|&)\s*")


def _is_initial(word: str) -> bool:
    return len(word) == 2 and word[0].isalpha() and word[0].isupper() and word[1] == "."


def _is_name_word(word: str) -> bool:
    if _is_initial(word):
        return True
    parts = _NAME_PART_SPLIT_RE.split(word)
    for index, part in enumerate(parts):
        if not part or not part.isalpha() or not part[0].isupper():
            return False
        if len(part) == 1:
            if index == len(parts) - 1:  # "O’Brien" yes, "Putin-S" no
                return False
            continue
        if not any(ch.islower() for ch in part[1:]):  # "NATO", "CNN"
            return False
    return True


def is_person_name(text: str) -> bool:
    """``"Dmitry Trenin"`` yes; ``"Kazakhstan"``, ``"Novaya Gazeta"``, ``"Opinion and analysis"`` no."""
    words = text.split()
    if not 2 <= len(words) <= 6 or words[0] in _PARTICLES or words[-1] in _PARTICLES:
        return False
    core = [word for word in words if word not in _PARTICLES]
    if not 2 <= len(core) <= 4 or _is_initial(core[-1]):
        return False
    return all(_is_name_word(word) and word.strip(".").lower() not in _NOT_NAME_WORDS for word in core)


def split_author(title: str) -> tuple[str | None, str]:
    """``"Dmitry Trenin: Putin must atone"`` → ``("Dmitry Trenin", "Putin must atone")``."""
    index = title.find(": ")
    if 0 < index <= 80:
        name, rest = title[:index].strip(), title[index + 2 :].strip()
        if rest and is_person_name(name):
            return name, rest
    return None, title


def leading_name(title: str) -> str | None:
    """The author of an opinion printed as "Andrey Pertsev explains where the Kremlin went wrong"."""
    words = title.split()
    for size in (4, 3, 2):
        if len(words) > size and words[size][:1].islower():
            candidate = " ".join(words[:size])
            if is_person_name(candidate):
                return candidate
    return None


def byline_author(line: str) -> str | None:
    """``"By Kevin Rothrock"`` → ``"Kevin Rothrock"``; anything that is not a list of names → None."""
    match = _BYLINE_RE.fullmatch(_BYLINE_TAIL_RE.sub("", line.strip()).rstrip("."))
    if not match:
        return None
    names = match.group(1).strip()
    parts = [part for part in _NAME_LIST_SPLIT_RE.split(names) if part]
    if not parts or len(names.split()) > 12 or not all(is_person_name(part) for part in parts):
        return None
    return names
