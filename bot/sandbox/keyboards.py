"""Reply markup validation: the keyboard rules Telegram enforces before it accepts a message."""

from __future__ import annotations

import re
from typing import Any

from bot.sandbox.errors import bad_request

MARKUP_ERROR = "can't parse reply keyboard markup JSON object"
CALLBACK_DATA_LIMIT = 64  # bytes of UTF-8
_INLINE_ACTIONS = (
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
)  # fmt: skip
_INLINE_ACTION_SET = frozenset(_INLINE_ACTIONS)
_BUTTON_URL = re.compile(r"^(?:(?:https?|tg)://\S+|[\w-]+(?:\.[\w-]+)+(?:/\S*)?)$", re.IGNORECASE)


def parse_reply_markup(value: object) -> dict[str, Any] | None:
    """Validate any of the four markup kinds; inline keyboards come back normalized.

    Raises:
        ApiError: with Telegram's wording for the first problem found.
    """
    if value is None:
        return None
    if not isinstance(value, dict):
        raise bad_request(MARKUP_ERROR)
    if "inline_keyboard" in value:
        return {"inline_keyboard": [_inline_row(row) for row in _rows(value["inline_keyboard"])]}
    if "keyboard" in value:
        for row in _rows(value["keyboard"]):
            if not all(_is_reply_button(button) for button in row):
                raise bad_request(MARKUP_ERROR)
        return dict(value)
    if value.get("remove_keyboard") is True or value.get("force_reply") is True:
        return dict(value)
    raise bad_request(MARKUP_ERROR)


def message_markup(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    """The part of the markup a Message object carries: Telegram only echoes inline keyboards."""
    if markup is not None and "inline_keyboard" in markup:
        return markup
    return None


def inline_buttons(markup: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Every inline button, row by row, left to right (the order a user would number them)."""
    if not markup or "inline_keyboard" not in markup:
        return []
    return [button for row in markup["inline_keyboard"] for button in row]


def _rows(rows: object) -> list[list[Any]]:
    if not isinstance(rows, list):
        raise bad_request(MARKUP_ERROR)
    for row in rows:
        if not isinstance(row, list):
            raise bad_request(MARKUP_ERROR)
    return rows


def _is_reply_button(button: object) -> bool:
    return isinstance(button, str) or (isinstance(button, dict) and isinstance(button.get("text"), str))


def _inline_row(row: list[Any]) -> list[dict[str, Any]]:
    return [_inline_button(button) for button in row]


def _inline_button(button: object) -> dict[str, Any]:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request(MARKUP_ERROR)
    text = button["text"]
    # The button's own keys (two, as a rule), not the ten actions: a push validates every button of
    # every message it sends.
    actions = [key for key, value in button.items() if value is not None and key in _INLINE_ACTION_SET]
    if not text.strip() or not actions:
        raise bad_request("text buttons are unallowed in the inline keyboard")
    if len(actions) > 1:
        raise bad_request(MARKUP_ERROR)
    action = actions[0]
    value = button[action]
    if action == "callback_data" and (
        not isinstance(value, str) or not value or len(value.encode("utf-8")) > CALLBACK_DATA_LIMIT
    ):
        raise bad_request("BUTTON_DATA_INVALID")
    if action == "url" and (not isinstance(value, str) or not _BUTTON_URL.match(value)):
        raise bad_request("BUTTON_URL_INVALID")
    return {"text": text, action: value}
