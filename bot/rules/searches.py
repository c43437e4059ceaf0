"""The search queries behind "next page" buttons.

A search page button carries ``s:<page>:<query_id>`` (see :class:`bot.render.callbacks.SearchPage`): the
query itself may not fit in 64 bytes, so the bot keeps it here under a short id. The memory is per running
application, bounded and short-lived on purpose: a results page is worth turning for a while after the
search, not forever, and after a restart or eviction the button gets a polite "search again" instead.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections import OrderedDict

DEFAULT_CAPACITY = 10_000
"""Queries remembered at most; the least recently used go first. A few MB at worst."""
DEFAULT_LIFETIME = dt.timedelta(hours=24)


def normalize_query(text: str) -> str:
    """The query as it is searched and shown: whitespace folded, nothing else changed."""
    return " ".join(text.split())


def query_id(query: str) -> str:
    """A short, stable id for ``query``: the same search twice shares one entry (and one id).

    Eleven URL-safe characters (64 bits of BLAKE2b): well within the callback data's token field, and
    far from colliding among the few thousand queries kept at a time.
    """
    digest = hashlib.blake2b(normalize_query(query).encode(), digest_size=8).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


class SearchMemory:
    """An LRU of recent queries with a lifetime, keyed by :func:`query_id`.

    Time is passed in (the application clock) rather than read here, so tests expire entries by moving
    a manual clock.
    """

    def __init__(self, capacity: int = DEFAULT_CAPACITY, lifetime: dt.timedelta = DEFAULT_LIFETIME) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self._capacity = capacity
        self._lifetime = lifetime
        self._queries: OrderedDict[str, tuple[str, dt.datetime]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._queries)

    def remember(self, query: str, now: dt.datetime) -> str:
        """Keep ``query`` (normalised) and return its id; remembering it again renews it."""
        text = normalize_query(query)
        key = query_id(text)
        self._queries.pop(key, None)
        self._queries[key] = (text, now)
        while len(self._queries) > self._capacity:
            self._queries.popitem(last=False)
        return key

    def recall(self, key: str, now: dt.datetime) -> str | None:
        """The query behind ``key``, or None when it was never seen, was evicted, or went unused for longer
        than the lifetime. Turning a page renews it, so a reader who keeps paging is never cut off."""
        entry = self._queries.get(key)
        if entry is None:
            return None
        text, since = entry
        if now - since > self._lifetime:
            del self._queries[key]
            return None
        self._queries.move_to_end(key)
        self._queries[key] = (text, now)
        return text
