"""The text of a message or caption as Telegram stores it: parse mode, entities, trimming, limits."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from bot.sandbox.autodetect import detect_entities
from bot.sandbox.errors import ApiError, bad_request
from bot.sandbox.htmlcheck import EntityParseError, parse_html
from bot.sandbox.utf16 import utf16_len, utf16_slice

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
# Telegram trims these from both ends of every text it stores.
_TRIMMED = " \t\n\r\v\f"
# Formatting that Telegram drops when it covers only whitespace.
_BLANK_DROPPED = frozenset({"bold", "italic", "underline", "strikethrough", "spoiler"})
# tdlib's entity order: offset, then longer first, then this priority.
_PRIORITY = {
    "blockquote": 0, "expandable_blockquote": 0, "pre": 11, "code": 20, "text_link": 49,
    "text_mention": 49, "bold": 90, "italic": 91, "underline": 92, "strikethrough": 93,
    "spoiler": 94, "custom_emoji": 99,
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class FormattedText:
    """Plain text plus Bot API MessageEntity dicts (UTF-16 offsets)."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)


def format_text(
    raw: str | None,
    parse_mode: str | None,
    entities: object = None,
    *,
    caption: bool = False,
) -> FormattedText:
    """Validate and convert a message text or caption the way Telegram does before storing it.

    HTML texts are converted once per distinct text (a push sends one text to thousands of chats, and
    parsing it was most of the server's time per message): the answer, or the refusal, is a function of
    the text alone, so a repeat gets exactly what the first got. The entity dicts are shared between the
    messages (in a fresh list each): the sandbox replaces entities, it never changes one in place.

    Raises:
        ApiError: with Telegram's wording for empty, too long or unparsable text.
    """
    if raw and (parse_mode or "").lower() == "html":
        outcome = _format_html(raw, caption)
        if isinstance(outcome, ApiError):
            raise ApiError(outcome.code, outcome.description, outcome.parameters)
        return FormattedText(outcome.text, list(outcome.entities))
    return _format(raw, parse_mode, entities, caption=caption)


@functools.lru_cache(maxsize=512)
def _format_html(raw: str, caption: bool) -> FormattedText | ApiError:
    try:
        return _format(raw, "html", None, caption=caption)
    except ApiError as error:
        return error


def _format(raw: str | None, parse_mode: str | None, entities: object, *, caption: bool) -> FormattedText:
    if not raw:
        if caption:
            return FormattedText("")
        raise bad_request("message text is empty")
    mode = (parse_mode or "").lower()
    if mode == "html":
        try:
            text, found = parse_html(raw)
        except EntityParseError as error:
            raise bad_request(f"can't parse entities: {error.reason}") from None
    elif mode in ("markdown", "markdownv2"):
        raise bad_request("unsupported parse_mode: the sandbox implements HTML only")
    elif mode:
        raise bad_request("unsupported parse_mode")
    else:
        text, found = raw, _explicit_entities(entities)
    text, found = _trim(text, found)
    if not text:
        if caption:
            return FormattedText("")
        raise bad_request("message text is empty")
    if utf16_len(text) > (CAPTION_LIMIT if caption else MESSAGE_LIMIT):
        raise bad_request("message caption is too long" if caption else "message is too long")
    found = [e for e in found if e["type"] not in _BLANK_DROPPED or _covers_text(text, e)]
    found.extend(detect_entities(text, found))
    found.sort(key=lambda e: (e["offset"], -e["length"], _PRIORITY.get(e["type"], 50)))
    return FormattedText(text, found)


def _explicit_entities(entities: object) -> list[dict[str, Any]]:
    if entities is None:
        return []
    if not isinstance(entities, list) or not all(
        isinstance(e, dict)
        and isinstance(e.get("type"), str)
        and isinstance(e.get("offset"), int)
        and isinstance(e.get("length"), int)
        for e in entities
    ):
        raise bad_request("can't parse entities JSON object")
    return [dict(e) for e in entities if e["length"] > 0 and e["offset"] >= 0]


def _trim(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    stripped = text.strip(_TRIMMED)
    if stripped == text:
        return text, entities
    lead = len(text) - len(text.lstrip(_TRIMMED))  # ASCII whitespace: one UTF-16 unit each
    size = utf16_len(stripped)
    kept = []
    for entity in entities:
        start = max(0, entity["offset"] - lead)
        end = min(size, entity["offset"] + entity["length"] - lead)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return stripped, kept


def _covers_text(text: str, entity: dict[str, Any]) -> bool:
    return not utf16_slice(text, entity["offset"], entity["length"]).isspace()
