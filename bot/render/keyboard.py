"""Inline keyboards, described without ``telegram`` so the renderer stays plain domain code.

Handlers turn a :class:`Keyboard` into ``InlineKeyboardMarkup`` with a few lines of code; tests and the
sandbox read buttons straight from these objects.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

CALLBACK_DATA_LIMIT = 64
"""Telegram's limit on ``callback_data``, in bytes of UTF-8."""
NUMBER_BUTTONS_PER_ROW = 5
"""Number buttons ("1", "2", …) per row: five still fit a phone's width with room to aim."""
BUTTON_TEXT_LIMIT = 48
"""Longer labels are shortened: clients cut them anyway, mid-word and without an ellipsis."""


@dataclass(frozen=True, slots=True)
class Button:
    """One button: it either sends ``data`` back to the bot or opens ``url``.

    ``text`` is plain text (Telegram does not parse markup in button labels), so it is never escaped.
    """

    text: str
    data: str | None = None
    url: str | None = None

    def __post_init__(self) -> None:
        if (self.data is None) == (self.url is None):
            raise ValueError("a button needs exactly one of data and url")
        if self.data is not None and len(self.data.encode()) > CALLBACK_DATA_LIMIT:
            raise ValueError(f"callback data over {CALLBACK_DATA_LIMIT} bytes: {self.data!r}")
        if not self.text.strip():
            raise ValueError("a button needs a label")


@dataclass(frozen=True, slots=True)
class Keyboard:
    """An inline keyboard: rows of buttons, top to bottom."""

    rows: tuple[tuple[Button, ...], ...]

    def buttons(self) -> Iterator[Button]:
        for row in self.rows:
            yield from row

    def find(self, text: str) -> Button | None:
        """The button labelled ``text``, as a reader would look for it."""
        return next((button for button in self.buttons() if button.text == text), None)


def label(text: str, limit: int = BUTTON_TEXT_LIMIT) -> str:
    """``text`` shortened to ``limit`` characters at a word boundary, with an ellipsis if cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.–—-") + "…"


def grid(buttons: Sequence[Button], width: int = NUMBER_BUTTONS_PER_ROW) -> tuple[tuple[Button, ...], ...]:
    """``buttons`` in rows of ``width``, for lists that are picked by number."""
    return tuple(tuple(buttons[start : start + width]) for start in range(0, len(buttons), width))


def keyboard_json(keyboard: Keyboard) -> dict[str, Any]:
    """The Bot API's inline_keyboard object, as JSON for senders that skip PTB's objects (the delivery engine)."""
    return {
        "inline_keyboard": [
            [{"text": b.text, "url": b.url} if b.url else {"text": b.text, "callback_data": b.data} for b in row]
            for row in keyboard.rows
        ]
    }
