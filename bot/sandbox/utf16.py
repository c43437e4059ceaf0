"""UTF-16 arithmetic: Telegram measures text lengths and entity offsets in UTF-16 code units."""

from __future__ import annotations


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units (characters outside the BMP count twice)."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def utf16_index(text: str, units: int) -> int:
    """The Python index in ``text`` that sits ``units`` UTF-16 code units from its start."""
    if text.isascii():
        return min(units, len(text))
    count = 0
    for index, char in enumerate(text):
        if count >= units:
            return index
        count += 2 if ord(char) > 0xFFFF else 1
    return len(text)


def utf16_slice(text: str, offset: int, length: int) -> str:
    """The part of ``text`` an entity with this UTF-16 ``offset`` and ``length`` covers."""
    start = utf16_index(text, offset)
    return text[start : utf16_index(text, offset + length)]
