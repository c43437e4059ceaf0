"""The bot's side of user interaction: fetching updates and answering callback and inline queries."""

from __future__ import annotations

from typing import Any

from bot.sandbox.context import MethodContext
from bot.sandbox.errors import ApiError, bad_request
from bot.sandbox.keyboards import parse_reply_markup
from bot.sandbox.messagetext import format_text
from bot.sandbox.params import Params
from bot.sandbox.records import CallbackAnswer, InlineAnswer
from bot.sandbox.state import QUERY_LIFETIME, PendingQuery

QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
_RESULT_TYPES = frozenset(
    {
        "article", "photo", "gif", "mpeg4_gif", "video", "audio", "voice", "document", "location",
        "venue", "contact", "game", "sticker",
    }
)  # fmt: skip
_WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
)
_RESULTS_LIMIT = 50
_RESULT_ID_LIMIT = 64  # bytes
_CALLBACK_TEXT_LIMIT = 200


class QueryAnswers:
    """getUpdates, answerCallbackQuery and answerInlineQuery."""

    def __init__(self, context: MethodContext) -> None:
        self._context = context
        self._state = context.state

    async def get_updates(self, params: Params) -> list[dict[str, Any]]:
        if self._context.webhook.url:
            raise ApiError(409, _WEBHOOK_ACTIVE)
        allowed = params.json_value("allowed_updates", "can't parse allowed updates JSON object")
        if allowed is not None and not isinstance(allowed, list):
            raise bad_request("can't parse allowed updates JSON object")
        self._context.updates.set_allowed(allowed)
        limit = min(100, max(1, params.integer("limit") or 100))
        timeout = max(0.0, params.number("timeout") or 0.0)
        return await self._context.updates.poll(params.integer("offset"), limit, timeout)

    async def answer_callback_query(self, params: Params) -> bool:
        query = self._open_query(params.text("callback_query_id"), "callback")
        text = params.text("text")
        if text is not None and len(text) > _CALLBACK_TEXT_LIMIT:
            raise bad_request("MESSAGE_TOO_LONG")
        query.answered = True
        answer = CallbackAnswer(
            query_id=query.query_id,
            user_id=query.user_id,
            chat_id=query.chat_id,
            message_id=query.message_id,
            data=query.data,
            text=text,
            show_alert=params.flag("show_alert"),
            url=params.text("url"),
            at=self._context.clock(),
        )
        self._state.callback_answers.append(answer)
        self._context.record(
            "answerCallbackQuery", params, chat_id=query.chat_id, message_id=query.message_id, text=text
        )
        return True

    async def answer_inline_query(self, params: Params) -> bool:
        query = self._open_query(params.text("inline_query_id"), "inline")
        results = params.json_value("results", "can't parse inline query results JSON object")
        if not isinstance(results, list):
            raise bad_request("can't parse inline query results JSON object")
        if len(results) > _RESULTS_LIMIT:
            raise bad_request("RESULTS_TOO_MUCH")
        seen: set[str] = set()
        for result in results:
            _check_result(result, seen)
        query.answered = True
        answer = InlineAnswer(
            query_id=query.query_id,
            user_id=query.user_id,
            query=query.query or "",
            results=results,
            cache_time=params.integer("cache_time"),
            is_personal=params.flag("is_personal"),
            next_offset=params.text("next_offset"),
            at=self._context.clock(),
        )
        self._state.inline_answers.append(answer)
        self._context.record("answerInlineQuery", params, chat_id=query.user_id)
        return True

    def _open_query(self, query_id: str | None, kind: str) -> PendingQuery:
        query = self._state.queries.get(query_id or "")
        if (
            query is None
            or query.kind != kind
            or query.answered
            or self._context.clock() - query.created > QUERY_LIFETIME
        ):
            raise bad_request(QUERY_TOO_OLD)
        return query


def _check_result(result: object, seen: set[str]) -> None:
    """One InlineQueryResult, checked as strictly as a message the bot sends directly."""
    if not isinstance(result, dict):
        raise bad_request("can't parse inline query results JSON object")
    result_id = result.get("id")
    if not isinstance(result_id, str) or not result_id or len(result_id.encode("utf-8")) > _RESULT_ID_LIMIT:
        raise bad_request("RESULT_ID_INVALID")
    if result_id in seen:
        raise bad_request("RESULT_ID_DUPLICATE")
    seen.add(result_id)
    if result.get("type") not in _RESULT_TYPES:
        raise bad_request("RESULT_TYPE_INVALID")
    parse_reply_markup(result.get("reply_markup"))
    content = result.get("input_message_content")
    if result["type"] == "article":
        if not isinstance(result.get("title"), str) or not result["title"].strip():
            raise bad_request("RESULT_TITLE_EMPTY")
        if not isinstance(content, dict):
            raise bad_request("can't parse inline query results JSON object")
    if isinstance(content, dict) and "message_text" in content:
        format_text(content.get("message_text"), content.get("parse_mode"), content.get("entities"))
    elif content is not None and not isinstance(content, dict):
        raise bad_request("can't parse input message content JSON object")
