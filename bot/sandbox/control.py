"""The control API over HTTP, so a benchmark can drive a server running in another process.

``POST {url}/control/{action}`` with a JSON object of the Python method's arguments (or
``GET`` with query parameters) answers ``{"ok": true, "result": ...}``; a misuse answers
400 ``{"ok": false, "description": ...}``. Binary data travels as ``data_base64``.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.sandbox.errors import SandboxError
from bot.sandbox.limits import FloodLimits

if TYPE_CHECKING:
    from bot.sandbox.server import BotApiServer

Action = Callable[[dict[str, Any]], Awaitable[Any]]


class ControlApi:
    """Maps ``/control/{action}`` onto the server's Python control methods."""

    def __init__(self, server: BotApiServer) -> None:
        self._server = server
        self._actions: dict[str, Action] = {
            "add_user": self._add_user,
            "add_users": self._add_users,
            "add_group": self._add_group,
            "add_channel": self._add_channel,
            "set_member": self._set_member,
            "create_topic": self._create_topic,
            "send_group_message": self._send_group_message,
            "remove_bot": self._remove_bot,
            "send_user_message": self._send_user_message,
            "send_user_document": self._send_user_document,
            "press_button": self._press_button,
            "press_inline_button": self._press_inline_button,
            "edit_user_message": self._edit_user_message,
            "send_inline_query": self._send_inline_query,
            "block_user": self._block_user,
            "unblock_user": self._unblock_user,
            "deactivate_user": self._deactivate_user,
            "migrate_chat": self._migrate_chat,
            "set_limits": self._set_limits,
            "inject_faults": self._inject_faults,
            "clear_faults": self._clear_faults,
            "reset": self._reset,
            "sent": self._sent,
            "delivered": self._delivered,
            "messages": self._messages,
            "callback_answers": self._callback_answers,
            "inline_answers": self._inline_answers,
            "commands": self._commands,
            "stats": self._stats,
            "updates": self._updates,
            "wait_for": self._wait_for,
            "webhook": self._webhook,
        }

    async def handle(self, request: web.Request) -> web.Response:
        action = self._actions.get(request.match_info["action"])
        if action is None:
            known = ", ".join(sorted(self._actions))
            return _reply(404, {"ok": False, "description": f"unknown control action; known: {known}"})
        try:
            result = await action(await _arguments(request))
        except TimeoutError as error:
            return _reply(408, {"ok": False, "description": str(error)})
        except (SandboxError, KeyError, TypeError, ValueError) as error:
            return _reply(400, {"ok": False, "description": f"{type(error).__name__}: {error}"})
        return _reply(200, {"ok": True, "result": result})

    async def _add_user(self, args: dict[str, Any]) -> Any:
        return self._server.add_user(
            _int(args["user_id"]),
            first_name=args.get("first_name", "Reader"),
            username=args.get("username"),
            language_code=args.get("language_code", "en"),
        )

    async def _add_users(self, args: dict[str, Any]) -> Any:
        """Many readers in one call (benchmarks register thousands)."""
        for user_id in args["user_ids"]:
            self._server.add_user(_int(user_id))
        return len(args["user_ids"])

    async def _add_group(self, args: dict[str, Any]) -> Any:
        return self._server.add_group(
            _int(args["chat_id"]),
            args.get("title", "Sandbox group"),
            supergroup=_flag(args.get("supergroup")),
            forum=_flag(args.get("forum")),
            username=args.get("username"),
        )

    async def _add_channel(self, args: dict[str, Any]) -> Any:
        bot_admin = args.get("bot_admin")
        return self._server.add_channel(
            _int(args["chat_id"]),
            args.get("title", "Sandbox channel"),
            username=args.get("username"),
            bot_admin=True if bot_admin is None else _flag(bot_admin),
        )

    async def _set_member(self, args: dict[str, Any]) -> Any:
        self._server.set_member(_int(args["chat_id"]), _int(args["user_id"]), args.get("status", "member"))
        return True

    async def _create_topic(self, args: dict[str, Any]) -> Any:
        return self._server.create_topic(_int(args["chat_id"]), _int(args["user_id"]), args["name"])

    async def _send_group_message(self, args: dict[str, Any]) -> Any:
        return self._server.send_group_message(
            _int(args["chat_id"]), _int(args["user_id"]), args["text"], thread_id=_optional_int(args.get("thread_id"))
        )

    async def _remove_bot(self, args: dict[str, Any]) -> Any:
        by_user = _optional_int(args.get("by_user"))
        self._server.remove_bot(_int(args["chat_id"]), by_user, status=args.get("status", "kicked"))
        return True

    async def _send_user_message(self, args: dict[str, Any]) -> Any:
        return self._server.send_user_message(
            _int(args["user_id"]), args["text"], reply_to_message_id=_optional_int(args.get("reply_to_message_id"))
        )

    async def _send_user_document(self, args: dict[str, Any]) -> Any:
        return self._server.send_user_document(
            _int(args["user_id"]),
            args["filename"],
            base64.b64decode(args["data_base64"]),
            args.get("mime_type", "application/octet-stream"),
            caption=args.get("caption"),
        )

    async def _press_button(self, args: dict[str, Any]) -> Any:
        return self._server.press_button(
            _int(args["user_id"]),
            _int(args["message_id"]),
            args.get("callback_data"),
            button_text=args.get("button_text"),
            forge=_flag(args.get("forge")),
        )

    async def _press_inline_button(self, args: dict[str, Any]) -> Any:
        return self._server.press_inline_button(
            _int(args["user_id"]), args.get("inline_message_id", "inline-1"), args["callback_data"]
        )

    async def _edit_user_message(self, args: dict[str, Any]) -> Any:
        return self._server.edit_user_message(_int(args["user_id"]), _int(args["message_id"]), args["text"])

    async def _send_inline_query(self, args: dict[str, Any]) -> Any:
        return self._server.send_inline_query(_int(args["user_id"]), args.get("query", ""))

    async def _block_user(self, args: dict[str, Any]) -> Any:
        self._server.block_user(_int(args["user_id"]))
        return True

    async def _unblock_user(self, args: dict[str, Any]) -> Any:
        self._server.unblock_user(_int(args["user_id"]))
        return True

    async def _deactivate_user(self, args: dict[str, Any]) -> Any:
        self._server.deactivate_user(_int(args["user_id"]))
        return True

    async def _migrate_chat(self, args: dict[str, Any]) -> Any:
        return self._server.migrate_chat(_int(args["old_id"]), _int(args["new_id"]))

    async def _set_limits(self, args: dict[str, Any]) -> Any:
        limits = args.get("limits")
        if isinstance(limits, str):
            limits = json.loads(limits)
        self._server.set_limits(None if limits is None else FloodLimits(**limits))
        return True

    async def _inject_faults(self, args: dict[str, Any]) -> Any:
        methods = args.get("methods")
        if isinstance(methods, str):
            methods = methods.split(",")
        self._server.inject_faults(
            args["kind"],
            _int(args["count"]),
            set(methods) if methods is not None else None,
            retry_after=_int(args.get("retry_after", 1)),
            delay=float(args.get("delay", 30.0)),
            delivered=_flag(args.get("delivered")),
            status=_int(args.get("status", 500)),
        )
        return True

    async def _clear_faults(self, args: dict[str, Any]) -> Any:
        self._server.clear_faults()
        return True

    async def _reset(self, args: dict[str, Any]) -> Any:
        self._server.reset()
        return True

    async def _sent(self, args: dict[str, Any]) -> Any:
        records = self._server.sent(_optional_int(args.get("chat_id")), args.get("method"))
        return [record.to_json() for record in records]

    async def _delivered(self, args: dict[str, Any]) -> Any:
        return self._server.delivered(args.get("method", "sendMessage"))

    async def _webhook(self, args: dict[str, Any]) -> Any:
        webhook = self._server.webhook
        posts = [{"update_id": post.update_id, "status": post.status} for post in webhook.posts]
        return {**webhook.info(), "secret_token": webhook.secret, "posts": posts}

    async def _messages(self, args: dict[str, Any]) -> Any:
        from_bot = args.get("from_bot")
        return self._server.messages(_int(args["chat_id"]), from_bot=None if from_bot is None else _flag(from_bot))

    async def _callback_answers(self, args: dict[str, Any]) -> Any:
        return [answer.to_json() for answer in self._server.callback_answers()]

    async def _inline_answers(self, args: dict[str, Any]) -> Any:
        return [answer.to_json() for answer in self._server.inline_answers()]

    async def _commands(self, args: dict[str, Any]) -> Any:
        scope = args.get("scope")
        if isinstance(scope, str):
            scope = json.loads(scope)
        return self._server.commands(scope, args.get("language_code", ""))

    async def _stats(self, args: dict[str, Any]) -> Any:
        return self._server.stats().to_json()

    async def _updates(self, args: dict[str, Any]) -> Any:
        return self._server.updates()

    async def _wait_for(self, args: dict[str, Any]) -> Any:
        records = await self._server.wait_for(
            chat_id=_optional_int(args.get("chat_id")),
            count=_int(args.get("count", 1)),
            method=args.get("method"),
            timeout=float(args.get("timeout", 5.0)),
        )
        return [record.to_json() for record in records]


async def _arguments(request: web.Request) -> dict[str, Any]:
    args: dict[str, Any] = dict(request.query)
    if request.can_read_body:
        body = await request.json()
        if not isinstance(body, dict):
            raise ValueError("the control API takes a JSON object")
        args.update(body)
    return args


def _int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(f"expected an integer, got {value!r}")
    return int(value)


def _optional_int(value: Any) -> int | None:
    return None if value is None or value == "" else _int(value)


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.lower() in ("1", "true", "yes")
    return bool(value)


def _reply(status: int, body: dict[str, Any]) -> web.Response:
    return web.Response(
        status=status,
        body=json.dumps(body, ensure_ascii=False, default=str).encode("utf-8"),
        content_type="application/json",
    )
