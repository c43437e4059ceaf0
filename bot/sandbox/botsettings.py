"""Methods about the bot itself and its chats: identity, commands, webhook, menu button, getChat."""

from __future__ import annotations

import re
from typing import Any

from bot.sandbox.context import MethodContext
from bot.sandbox.errors import bad_request
from bot.sandbox.params import Params

_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_LANGUAGE = re.compile(r"^[a-z]{2}$")
_SCOPE_TYPES = frozenset(
    {
        "default", "all_private_chats", "all_group_chats", "all_chat_administrators", "chat",
        "chat_administrators", "chat_member",
    }
)  # fmt: skip
_MENU_BUTTON_TYPES = frozenset({"commands", "web_app", "default"})
_NO_GIFTS = {
    "unlimited_gifts": False,
    "limited_gifts": False,
    "unique_gifts": False,
    "premium_subscription": False,
    "gifts_from_channels": False,
}

_PROFILE_LIMITS = {"name": 64, "description": 512, "short_description": 120}
_PROFILE_METHODS = {"name": "Name", "description": "Description", "short_description": "ShortDescription"}

ScopeKey = tuple[str, int | None, int | None, str]


class BotSettings:
    """getMe, the command menus, webhook stubs, menu buttons, getChat, close and logOut."""

    def __init__(self, context: MethodContext) -> None:
        self._context = context
        self._state = context.state

    async def get_me(self, params: Params) -> dict[str, Any]:
        return {
            **self._context.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def set_my_commands(self, params: Params) -> bool:
        commands = params.json_value("commands", "can't parse commands JSON object")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad_request("too many commands specified")
        cleaned = [_command(entry) for entry in commands]
        key = self.scope_key(params)
        if cleaned:
            self._state.commands[key] = cleaned
        else:
            self._state.commands.pop(key, None)
        self._context.record("setMyCommands", params, chat_id=key[1])
        return True

    async def get_my_commands(self, params: Params) -> list[dict[str, str]]:
        return list(self._state.commands.get(self.scope_key(params), []))

    async def delete_my_commands(self, params: Params) -> bool:
        key = self.scope_key(params)
        self._state.commands.pop(key, None)
        self._context.record("deleteMyCommands", params, chat_id=key[1])
        return True

    def scope_key(self, params: Params) -> ScopeKey:
        scope = params.json_value("scope", "can't parse BotCommandScope JSON object")
        return command_scope_key(self._state.chats, scope, params.text("language_code") or "")

    async def set_my_name(self, params: Params) -> bool:
        return self._set_profile_text(params, "name")

    async def get_my_name(self, params: Params) -> dict[str, str]:
        return self._profile_text(params, "name")

    async def set_my_description(self, params: Params) -> bool:
        return self._set_profile_text(params, "description")

    async def get_my_description(self, params: Params) -> dict[str, str]:
        return self._profile_text(params, "description")

    async def set_my_short_description(self, params: Params) -> bool:
        return self._set_profile_text(params, "short_description")

    async def get_my_short_description(self, params: Params) -> dict[str, str]:
        return self._profile_text(params, "short_description")

    def _set_profile_text(self, params: Params, field: str) -> bool:
        language = _language(params)
        value = params.text(field) or ""
        if len(value) > _PROFILE_LIMITS[field]:
            raise bad_request(f"bot {field.replace('_', ' ')} is too long")
        if value:
            self._state.profile[(field, language)] = value
        else:
            self._state.profile.pop((field, language), None)
        self._context.record(f"setMy{_PROFILE_METHODS[field]}", params, text=value)
        return True

    def _profile_text(self, params: Params, field: str) -> dict[str, str]:
        language = _language(params)
        value = self._state.profile.get((field, language), self._state.profile.get((field, ""), ""))
        if field == "name" and not value:
            value = self._context.bot_user["first_name"]
        return {field: value}

    async def set_webhook(self, params: Params) -> bool:
        url = params.text("url") or ""
        webhook = self._context.webhook
        if params.flag("drop_pending_updates"):
            self._context.updates.drop_pending()
        if not url:
            webhook.delete()
            return True
        allowed = params.json_value("allowed_updates", "can't parse allowed updates JSON object")
        if allowed is not None and not isinstance(allowed, list):
            raise bad_request("can't parse allowed updates JSON object")
        webhook.set(url, params.text("secret_token"), params.integer("max_connections"))
        self._context.updates.set_allowed(allowed)
        self._context.record("setWebhook", params, text=url)
        return True

    async def delete_webhook(self, params: Params) -> bool:
        if params.flag("drop_pending_updates"):
            self._context.updates.drop_pending()
        self._context.webhook.delete()
        self._context.record("deleteWebhook", params)
        return True

    async def get_webhook_info(self, params: Params) -> dict[str, Any]:
        return self._context.webhook.info()

    async def close(self, params: Params) -> bool:
        return True

    async def log_out(self, params: Params) -> bool:
        return True

    async def get_chat(self, params: Params) -> dict[str, Any]:
        chat = self._state.chat(params.chat_id())
        info = {**chat.chat, "accent_color_id": 0, "max_reaction_count": 11, "accepted_gift_types": _NO_GIFTS}
        if chat.user is not None and chat.user.get("username"):
            info["active_usernames"] = [chat.user["username"]]
        return info

    async def set_chat_menu_button(self, params: Params) -> bool:
        chat_id = params.integer("chat_id")
        if chat_id is not None:
            self._state.chat(chat_id)
        button = params.json_value("menu_button", "can't parse menu button JSON object") or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in _MENU_BUTTON_TYPES:
            raise bad_request("can't parse menu button JSON object")
        self._state.menu_buttons[chat_id] = button
        self._context.record("setChatMenuButton", params, chat_id=chat_id)
        return True

    async def get_chat_menu_button(self, params: Params) -> dict[str, Any]:
        chat_id = params.integer("chat_id")
        return self._state.menu_buttons.get(chat_id) or self._state.menu_buttons.get(None) or {"type": "default"}


def command_scope_key(chats: dict[int, Any], scope: object, language_code: str) -> ScopeKey:
    """Commands are stored per scope and language, each separately, like Telegram does."""
    if language_code and not _LANGUAGE.match(language_code):
        raise bad_request("invalid language code specified")
    if scope is None:
        return ("default", None, None, language_code)
    if not isinstance(scope, dict) or scope.get("type") not in _SCOPE_TYPES:
        raise bad_request("can't parse BotCommandScope JSON object")
    kind = scope["type"]
    chat_id = user_id = None
    if kind in ("chat", "chat_administrators", "chat_member"):
        chat_id = _scope_int(scope.get("chat_id"), "chat_id is empty")
        if chat_id not in chats:
            raise bad_request("chat not found")
    if kind == "chat_member":
        user_id = _scope_int(scope.get("user_id"), "user not found")
    return (kind, chat_id, user_id, language_code)


def _language(params: Params) -> str:
    language = params.text("language_code") or ""
    if language and not _LANGUAGE.match(language):
        raise bad_request("invalid language code specified")
    return language


def _scope_int(value: object, missing: str) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise bad_request(missing) from None


def _command(entry: object) -> dict[str, str]:
    if not isinstance(entry, dict):
        raise bad_request("can't parse BotCommand JSON object")
    command = entry.get("command")
    description = entry.get("description")
    if not isinstance(command, str) or not _COMMAND.match(command):
        raise bad_request("BOT_COMMAND_INVALID")
    if not isinstance(description, str) or not description.strip() or len(description) > 256:
        raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    return {"command": command, "description": description}
