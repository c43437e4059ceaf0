"""The users' side of the sandbox: people who write to the bot, press buttons and leave."""

from __future__ import annotations

import copy
import time
from typing import Any

from bot.sandbox.autodetect import detect_entities
from bot.sandbox.context import MethodContext
from bot.sandbox.errors import SandboxError
from bot.sandbox.keyboards import inline_buttons
from bot.sandbox.state import ChatState, PendingQuery, StoredMessage

_CHAT_INSTANCE_BASE = 7_000_000_000_000_000_000


class UserSimulator:
    """Creates users and chats and turns their actions into updates for the bot."""

    def __init__(self, context: MethodContext) -> None:
        self._context = context
        self._state = context.state

    def add_user(
        self, user_id: int, first_name: str = "Reader", username: str | None = None, language_code: str = "en"
    ) -> dict[str, Any]:
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        self._state.users[user_id] = user
        chat: dict[str, Any] = {key: user[key] for key in ("id", "first_name", "username") if key in user}
        existing = self._state.chats.get(user_id)
        if existing is None:
            self._state.chats[user_id] = ChatState(chat={**chat, "type": "private"}, user=user)
        else:
            existing.chat.update(chat)
            existing.user = user
        return dict(user)

    def send_message(self, user_id: int, text: str, reply_to_message_id: int | None) -> dict[str, Any]:
        chat = self._chat_for_user(user_id)
        message = self._new_message(chat, reply_to_message_id)
        message["text"] = text
        entities = detect_entities(text, [])
        if entities:
            message["entities"] = entities
        return self._deliver(chat, message)

    def edit_message(self, user_id: int, message_id: int, text: str) -> dict[str, Any]:
        """The user edits a text message they sent: the bot gets an ``edited_message`` update."""
        chat = self._chat_for_user(user_id)
        stored = chat.live_message(message_id)
        if stored is None or stored.from_bot:
            raise SandboxError(f"user {user_id} sent no message {message_id}")
        message = copy.deepcopy(stored.message)
        message["text"] = text
        message["edit_date"] = int(time.time())
        message.pop("entities", None)
        entities = detect_entities(text, [])
        if entities:
            message["entities"] = entities
        chat.messages[message_id] = StoredMessage(message, from_bot=False)
        self._context.updates.push("edited_message", copy.deepcopy(message))
        return copy.deepcopy(message)

    def press_inline_button(self, user_id: int, inline_message_id: str, callback_data: str) -> str:
        """Press a button on a message sent through inline mode: the query has no ``message``, only
        ``inline_message_id`` (the bot is not in that chat)."""
        if user_id not in self._state.users:
            self.add_user(user_id)
        query_id = self._state.new_query_id()
        self._state.queries[query_id] = PendingQuery(
            query_id, "callback", user_id, self._context.clock(), data=callback_data
        )
        self._context.updates.push(
            "callback_query",
            {
                "id": query_id,
                "from": dict(self._state.users[user_id]),
                "inline_message_id": inline_message_id,
                "chat_instance": str(_CHAT_INSTANCE_BASE + user_id + 1),
                "data": callback_data,
            },
        )
        return query_id

    def send_document(
        self, user_id: int, filename: str, data: bytes, mime_type: str, caption: str | None
    ) -> dict[str, Any]:
        chat = self._chat_for_user(user_id)
        stored = self._state.add_file("document", filename, mime_type, data)
        message = self._new_message(chat, None)
        message["document"] = {
            "file_name": filename,
            "mime_type": stored.mime_type,
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
        }
        if caption:
            message["caption"] = caption
            entities = detect_entities(caption, [])
            if entities:
                message["caption_entities"] = entities
        return self._deliver(chat, message)

    def press_button(
        self,
        user_id: int,
        message_id: int,
        callback_data: str | None,
        button_text: str | None,
        forge: bool,
        chat_id: int | None = None,
    ) -> str:
        chat = self._state.chats.get(user_id if chat_id is None else chat_id)
        if chat is None or user_id not in self._state.users:
            raise SandboxError(f"user {user_id} has no chat with the bot")
        if chat.shared and chat.members.get(user_id) in (None, "left", "kicked"):
            raise SandboxError(f"user {user_id} is not in chat {chat.id}")
        stored = chat.live_message(message_id)
        if stored is None or not stored.from_bot:
            raise SandboxError(f"there is no bot message {message_id} in chat {chat.id}")
        data = callback_data if forge else _button_data(stored, callback_data, button_text)
        if data is None:
            raise SandboxError("a forged button press needs callback_data")
        query_id = self._state.new_query_id()
        self._state.queries[query_id] = PendingQuery(
            query_id, "callback", user_id, self._context.clock(), chat.id, message_id, data=data
        )
        self._context.updates.push(
            "callback_query",
            {
                "id": query_id,
                "from": dict(self._state.users[user_id]),
                "message": copy.deepcopy(stored.message),
                "chat_instance": str(_CHAT_INSTANCE_BASE + chat.id),
                "data": data,
            },
        )
        return query_id

    def send_inline_query(self, user_id: int, query: str) -> str:
        if user_id not in self._state.users:
            self.add_user(user_id)
        query_id = self._state.new_query_id()
        self._state.queries[query_id] = PendingQuery(query_id, "inline", user_id, self._context.clock(), query=query)
        self._context.updates.push(
            "inline_query",
            {
                "id": query_id,
                "from": dict(self._state.users[user_id]),
                "query": query,
                "offset": "",
                "chat_type": "sender",
            },
        )
        return query_id

    def choose_inline_result(self, user_id: int, result_id: str) -> dict[str, Any] | None:
        """The user picks one of the results the bot offered for their latest inline query.

        Telegram sends ``chosen_inline_result`` only to bots with inline feedback on (@BotFather's
        /setinlinefeedback); the sandbox behaves as if it were on.
        """
        for answer in reversed(self._state.inline_answers):
            if answer.user_id != user_id:
                continue
            if not any(result.get("id") == result_id for result in answer.results):
                raise SandboxError(f"the bot offered user {user_id} no result {result_id!r}")
            return self._context.updates.push(
                "chosen_inline_result",
                {"result_id": result_id, "from": dict(self._state.users[user_id]), "query": answer.query},
            )
        raise SandboxError(f"the bot answered no inline query of user {user_id}")

    def set_blocked(self, user_id: int, blocked: bool) -> None:
        self._known_chat(user_id).blocked = blocked

    def deactivate(self, user_id: int) -> None:
        self._known_chat(user_id).deactivated = True

    def migrate(self, old_id: int, new_id: int) -> dict[str, Any]:
        old = self._state.chats.get(old_id)
        if old is None:
            old = self._state.chats[old_id] = ChatState(chat={"id": old_id, "type": "group", "title": "Sandbox group"})
        title = old.chat.get("title") or old.chat.get("first_name") or "Sandbox group"
        new = self._state.chats.setdefault(new_id, ChatState(chat={"id": new_id, "type": "supergroup", "title": title}))
        old.migrated_to = new_id
        return dict(new.chat)

    def _known_chat(self, user_id: int) -> ChatState:
        if user_id not in self._state.chats:
            if user_id < 0:
                raise SandboxError(f"unknown chat {user_id}")
            self.add_user(user_id)
        return self._state.chats[user_id]

    def _chat_for_user(self, user_id: int) -> ChatState:
        if user_id not in self._state.users:
            self.add_user(user_id)
        chat = self._state.chats[user_id]
        if chat.deactivated:
            raise SandboxError(f"user {user_id} is deactivated and cannot write")
        # Writing to a bot you blocked unblocks it, as in Telegram's "Restart bot".
        chat.blocked = False
        return chat

    def _new_message(self, chat: ChatState, reply_to_message_id: int | None) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": chat.next_message_id(),
            "from": dict(self._state.users[chat.id]),
            "chat": chat.chat,
            "date": int(time.time()),
        }
        if reply_to_message_id is not None:
            target = chat.live_message(reply_to_message_id)
            if target is None:
                raise SandboxError(f"there is no message {reply_to_message_id} in chat {chat.id} to reply to")
            message["reply_to_message"] = {
                key: value for key, value in target.message.items() if key != "reply_to_message"
            }
        return message

    def _deliver(self, chat: ChatState, message: dict[str, Any]) -> dict[str, Any]:
        chat.messages[message["message_id"]] = StoredMessage(message, from_bot=False)
        self._context.updates.push("message", copy.deepcopy(message))
        return copy.deepcopy(message)


def _button_data(stored: StoredMessage, callback_data: str | None, button_text: str | None) -> str:
    buttons = inline_buttons(stored.message.get("reply_markup"))
    if callback_data is not None:
        found = [button for button in buttons if button.get("callback_data") == callback_data]
        wanted = f"callback_data {callback_data!r}"
    elif button_text is not None:
        found = [button for button in buttons if button["text"] == button_text]
        wanted = f"text {button_text!r}"
    else:
        raise SandboxError("press_button needs callback_data or button_text")
    if not found:
        labels = [button["text"] for button in buttons] or "none"
        raise SandboxError(f"message {stored.message['message_id']} has no button with {wanted}; its buttons: {labels}")
    data: str | None = found[0].get("callback_data")
    if data is None:
        raise SandboxError(f"button {found[0]['text']!r} is not a callback button: {found[0]}")
    return data
