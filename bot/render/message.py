"""A rendered message: what a handler, a scheduled push or a broadcast sends, part by part."""

from __future__ import annotations

from dataclasses import dataclass

from bot.render.html import MESSAGE_LIMIT
from bot.render.keyboard import Keyboard
from bot.render.split import split_html

_LINK = "<a href="
"""The renderer writes every link as ``<a href=…``; escaped text can never contain it (``<`` is
escaped), so its presence says reliably whether a message has a link worth previewing."""


@dataclass(frozen=True, slots=True)
class RenderedMessage:
    """One Telegram message: HTML for ``parse_mode="HTML"``, an optional inline keyboard, and whether
    to turn the link preview off (``LinkPreviewOptions(is_disabled=...)``)."""

    html: str
    keyboard: Keyboard | None = None
    disable_preview: bool = True


def messages(html: str, keyboard: Keyboard | None = None, *, limit: int = MESSAGE_LIMIT) -> list[RenderedMessage]:
    """Split ``html`` into numbered parts; the keyboard goes on the last part, under the end of the text.

    Previews stay off unless a part carries a link the renderer put there.
    """
    parts = split_html(html, limit)
    return [
        RenderedMessage(part, keyboard if number == len(parts) else None, disable_preview=_LINK not in part)
        for number, part in enumerate(parts, start=1)
    ]


def message(html: str, keyboard: Keyboard | None = None) -> RenderedMessage:
    """A message that the caller has already kept within the limit (a page edited in place)."""
    return RenderedMessage(html, keyboard, disable_preview=_LINK not in html)
