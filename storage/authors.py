"""How an author's name becomes a lookup key.

Bylines are typed by hand: "Kevin Rothrock", "KEVIN ROTHROCK", "Kévin  Rothrock". Readers type names
too (``/follow rothrock``). Folding case, accents, punctuation and spacing gives one key for all of them,
stored next to the printed name so lookups are an index probe instead of a LIKE scan.
"""

from __future__ import annotations

import re
import unicodedata

_NOT_WORD = re.compile(r"[\W_]+")


def author_key(name: str | None) -> str | None:
    """The normalised key for ``name``, or None when nothing of it is left (no author)."""
    if name is None:
        return None
    decomposed = unicodedata.normalize("NFKD", name)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    key = _NOT_WORD.sub(" ", stripped.casefold()).strip()
    return key or None
