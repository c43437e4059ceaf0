"""How bot messages look in a terminal: entities as ANSI styles, keyboards as numbered buttons."""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from typing import Any

from bot.sandbox.records import MediaInfo, SentRecord
from bot.sandbox.utf16 import utf16_index

QUOTE_PREFIX = "  │ "
_RESET = "\x1b[0m"
_STYLES = {
    "bold": "1",
    "italic": "3",
    "underline": "4",
    "strikethrough": "9",
    "spoiler": "7",
    "code": "36",
    "pre": "36",
    "text_link": "4;34",
    "url": "4;34",
    "email": "4;34",
    "mention": "34",
    "hashtag": "34",
    "bot_command": "34",
}
_QUOTES = frozenset({"blockquote", "expandable_blockquote"})
_MESSAGE_METHODS = frozenset(
    {"sendMessage", "sendPhoto", "sendDocument", "editMessageText", "editMessageCaption", "editMessageReplyMarkup"}
)


def render_text(text: str, entities: Sequence[dict[str, Any]], *, color: bool) -> str:
    """Plain ``text`` with its entities shown: styles (when ``color``), link targets, quotes."""
    spans = [(utf16_index(text, e["offset"]), utf16_index(text, e["offset"] + e["length"]), e) for e in entities]
    cuts = sorted({0, len(text), *(start for start, _, _ in spans), *(end for _, end, _ in spans)})
    pieces: list[str] = []
    at_line_start = True
    for begin, end in itertools.pairwise(cuts):
        if any(start == begin and e["type"] in _QUOTES for start, _, e in spans):
            if not at_line_start:
                pieces.append("\n")
            pieces.append(QUOTE_PREFIX)
        active = [e for start, stop, e in spans if start <= begin and end <= stop]
        piece = text[begin:end]
        if any(e["type"] in _QUOTES for e in active):
            piece = piece.replace("\n", "\n" + QUOTE_PREFIX)
        codes = [_STYLES[e["type"]] for e in active if e["type"] in _STYLES]
        pieces.append(f"\x1b[{';'.join(codes)}m{piece}{_RESET}" if color and codes else piece)
        for _, stop, e in spans:
            if stop == end and e["type"] == "text_link":
                pieces.append(f" ({e['url']})")
        at_line_start = piece.endswith("\n")
        if any(stop == end and e["type"] in _QUOTES for _, stop, e in spans) and end < len(text):
            if not text[end:].startswith("\n"):
                pieces.append("\n")
            at_line_start = True
    return "".join(pieces)


def render_buttons(markup: dict[str, Any] | None) -> list[str]:
    """Inline keyboard rows as ``[1] Label  [2] Label`` (numbered across rows); reply keyboards too."""
    if not markup:
        return []
    if "inline_keyboard" in markup:
        lines = []
        number = 0
        for row in markup["inline_keyboard"]:
            labels = []
            for button in row:
                number += 1
                labels.append(f"[{number}] {button['text']}")
            lines.append("  ".join(labels))
        return lines
    if "keyboard" in markup:
        return [
            "keyboard: " + "  ".join(f"[{b if isinstance(b, str) else b['text']}]" for b in row)
            for row in markup["keyboard"]
        ]
    return []


def describe_media(media: MediaInfo) -> str:
    """``[photo: chart.png, 12 KB]``: what a terminal can show instead of the file."""
    if media.size >= 1024 * 1024:
        size = f"{media.size / 1024 / 1024:.1f} MB"
    else:
        size = f"{max(1, round(media.size / 1024))} KB"
    # A photo's upload name is whatever the client made up ("application.octet-stream"): not worth showing.
    label = f"{media.kind}: {media.file_name}" if media.file_name and media.kind != "photo" else media.kind
    return f"[{label}, {size}]"


def render_record(record: SentRecord, *, color: bool) -> list[str]:
    """The lines a chat transcript shows for one bot action; empty for invisible ones."""
    if record.method in _MESSAGE_METHODS:
        return _render_message(record, color=color)
    if record.method == "answerCallbackQuery" and record.text:
        alert = record.params.get("show_alert") in (True, "true", "True", "1")
        return [f"  {'[alert]' if alert else '»'} {record.text}"]
    if record.method == "deleteMessage":
        return [f"  (bot deleted message {record.message_id})"]
    if record.method == "answerInlineQuery":
        return _render_inline_results(record.params.get("results"))
    return []


def _render_inline_results(results: object) -> list[str]:
    """What the inline popup above the keyboard would list."""
    if isinstance(results, str):
        results = json.loads(results)
    if not isinstance(results, list) or not results:
        return ["inline: (no results)"]
    lines = ["inline results (in Telegram you would tap one to share it):"]
    for number, result in enumerate(results, start=1):
        title = result.get("title", "?") if isinstance(result, dict) else "?"
        description = result.get("description") if isinstance(result, dict) else None
        lines.append(f"  {number}. {title}" + (f" — {description}" if description else ""))
    return lines


def _render_message(record: SentRecord, *, color: bool) -> list[str]:
    label = "bot (edited):" if record.edited else "bot:"
    if color:
        label = f"\x1b[1;32m{label}{_RESET}"
    indent = " " * len("bot: ")
    body: list[str] = []
    if record.media is not None:
        body.append(describe_media(record.media))
    if record.text:
        body.extend(render_text(record.text, record.entities, color=color).split("\n"))
    body.extend(render_buttons(record.reply_markup))
    if not body:
        body = [""]
    return [f"{label} {body[0]}", *(f"{indent}{line}" for line in body[1:])]
