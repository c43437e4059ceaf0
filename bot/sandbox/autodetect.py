"""Entities Telegram finds on its own in plain text: commands, mentions, hashtags, links.

Telegram adds these to every message, whoever sends it and whatever the parse mode, so
an injected ``/start`` carries a ``bot_command`` entity exactly as a real client's would.
This covers the common shapes, not every corner of tdlib's detectors (no bare domains,
cashtags or phone numbers).
"""

from __future__ import annotations

import re
from typing import Any

from bot.sandbox.utf16 import utf16_len

_DETECTOR = re.compile(
    r"(?P<url>\bhttps?://[^\s<>\"]+)"
    r"|(?P<email>(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})"
    r"|(?P<mention>(?<![\w@])@[A-Za-z0-9_]{5,32}(?![\w@]))"
    r"|(?P<hashtag>(?<![\w#])#\w*[^\W\d]\w*)"
    r"|(?P<bot_command>(?<![\w/])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/]))"
)
_URL_TAIL = ".,:;!?'\""
# Auto-detection never reaches inside these: code is literal, links already point somewhere.
_OPAQUE = frozenset({"code", "pre", "text_link", "text_mention", "custom_emoji"})


def detect_entities(text: str, existing: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Entities Telegram would detect in ``text``, skipping ranges ``existing`` makes opaque."""
    if not any(char in text for char in "/@#:"):
        return []
    ascii_only = text.isascii()
    opaque = [(e["offset"], e["offset"] + e["length"]) for e in existing if e["type"] in _OPAQUE]
    found: list[dict[str, Any]] = []
    for match in _DETECTOR.finditer(text):
        kind = match.lastgroup or ""
        start, end = match.span()
        if kind == "url":
            end = start + len(_trim_url(match.group()))
        offset = start if ascii_only else utf16_len(text[:start])
        length = end - start if ascii_only else utf16_len(text[start:end])
        if any(offset < stop and offset + length > begin for begin, stop in opaque):
            continue
        found.append({"type": kind, "offset": offset, "length": length})
    return found


def _trim_url(url: str) -> str:
    """Trailing punctuation ends the sentence, not the link (``see https://x.org.``)."""
    url = url.rstrip(_URL_TAIL)
    while url.endswith(")") and url.count("(") < url.count(")"):
        url = url[:-1].rstrip(_URL_TAIL)
    return url
