"""Groups, supergroups, forum topics and channels: the people in them and what they do there.

Telegram's rules as the sandbox keeps them: a forum's topics are named by the id of the message that
created them (``message_thread_id``); a channel is posted to by its admins only, and its posts are signed
by the channel (``sender_chat``), not by the bot; removing the bot sends it a ``my_chat_member`` update
and every later send answers 403; reaction counts on channel posts (``message_reaction_count``) reach a
bot only where it is an administrator and only when it asked for them in ``allowed_updates``.
"""

from __future__ import annotations

import copy
import time
from typing import Any

from bot.sandbox.autodetect import detect_entities
from bot.sandbox.context import MethodContext
from bot.sandbox.errors import SandboxError, bad_request, forbidden
from bot.sandbox.params import Params
from bot.sandbox.state import ChatState, StoredMessage

MEMBER_STATUSES = frozenset({"creator", "administrator", "member", "restricted", "left", "kicked"})
_ADMIN_RIGHTS = (
    "can_manage_chat", "can_delete_messages", "can_manage_video_chats", "can_restrict_members",
    "can_promote_members", "can_change_info", "can_invite_users", "can_post_stories", "can_edit_stories",
    "can_delete_stories", "can_post_messages", "can_edit_messages", "can_pin_messages",
)  # fmt: skip


def chat_member(user: dict[str, Any], status: str) -> dict[str, Any]:
    """A ChatMember object as Telegram returns it for ``status`` (administrators with all their rights)."""
    member: dict[str, Any] = {"user": dict(user), "status": status}
    if status == "administrator":
        member.update(can_be_edited=False, is_anonymous=False, **dict.fromkeys(_ADMIN_RIGHTS, True))
    elif status == "creator":
        member["is_anonymous"] = False
    elif status == "kicked":
        member["until_date"] = 0
    return member


class GroupSimulator:
    """The user side of shared chats: creating them, their members, messages, topics and reactions."""

    def __init__(self, context: MethodContext) -> None:
        self._context = context
        self._state = context.state

    def add_group(
        self, chat_id: int, title: str, *, supergroup: bool = False, forum: bool = False, username: str | None = None
    ) -> dict[str, Any]:
        if chat_id >= 0:
            raise SandboxError(f"group ids are negative in Telegram, not {chat_id}")
        if forum and not supergroup:
            raise SandboxError("only a supergroup can be a forum")
        chat: dict[str, Any] = {"id": chat_id, "type": "supergroup" if supergroup else "group", "title": title}
        if forum:
            chat["is_forum"] = True
        if username:
            chat["username"] = username.removeprefix("@")
        self._state.chats.setdefault(chat_id, ChatState(chat=chat))
        return dict(self._state.chats[chat_id].chat)

    def add_channel(
        self, chat_id: int, title: str, *, username: str | None = None, bot_admin: bool = True
    ) -> dict[str, Any]:
        if chat_id >= 0:
            raise SandboxError(f"channel ids are negative in Telegram, not {chat_id}")
        chat: dict[str, Any] = {"id": chat_id, "type": "channel", "title": title}
        if username:
            chat["username"] = username.removeprefix("@")
        state = self._state.chats.setdefault(chat_id, ChatState(chat=chat))
        state.bot_status = "administrator" if bot_admin else "member"
        return dict(state.chat)

    def set_member(self, chat_id: int, user_id: int, status: str = "member") -> None:
        """Put a user in a group with ``status`` (``creator``, ``administrator``, ``member``, ``left``…)."""
        if status not in MEMBER_STATUSES:
            raise SandboxError(f"unknown member status {status!r}; known: {sorted(MEMBER_STATUSES)}")
        chat = self._shared(chat_id)
        self._user(user_id)
        chat.members[user_id] = status

    def set_bot_status(self, chat_id: int, status: str) -> None:
        """Make the bot an ``administrator`` or a plain ``member`` of a shared chat."""
        if status not in ("administrator", "member"):
            raise SandboxError("the bot can be made an administrator or a member; use remove_bot to remove it")
        self._shared(chat_id).bot_status = status

    def create_topic(self, chat_id: int, user_id: int, name: str) -> int:
        """A member opens a forum topic; returns its ``message_thread_id`` (the service message's id)."""
        chat = self._shared(chat_id)
        if not chat.forum:
            raise SandboxError(f"chat {chat_id} is not a forum")
        message = self._message(chat, user_id)
        thread_id = int(message["message_id"])
        message.update(message_thread_id=thread_id, is_topic_message=True)
        message["forum_topic_created"] = {"name": name, "icon_color": 7322096}
        chat.topics[thread_id] = name
        self._deliver(chat, message)
        return thread_id

    def send_message(self, chat_id: int, user_id: int, text: str, *, thread_id: int | None = None) -> dict[str, Any]:
        """A member writes in a group, or in one of a forum's topics."""
        chat = self._shared(chat_id)
        if chat.type == "channel":
            raise SandboxError("readers cannot write in a channel")
        if chat.members.get(user_id) in ("left", "kicked"):
            raise SandboxError(f"user {user_id} is not in chat {chat_id}")
        if thread_id is not None and thread_id not in chat.topics:
            raise SandboxError(f"chat {chat_id} has no topic {thread_id}")
        chat.members.setdefault(user_id, "member")
        message = self._message(chat, user_id)
        if thread_id is not None:
            message.update(message_thread_id=thread_id, is_topic_message=True)
        message["text"] = text
        entities = detect_entities(text, [])
        if entities:
            message["entities"] = entities
        return self._deliver(chat, message)

    def remove_bot(self, chat_id: int, by_user: int | None = None, *, status: str = "kicked") -> dict[str, Any] | None:
        """An admin removes the bot (``kicked``) or it is made to leave (``left``); the bot hears of it."""
        if status not in ("kicked", "left"):
            raise SandboxError("the bot is removed as 'kicked' or 'left'")
        chat = self._shared(chat_id)
        old = chat.bot_status
        chat.bot_status = status
        actor = self._user(by_user) if by_user is not None else dict(self._context.bot_user)
        return self._context.updates.push(
            "my_chat_member",
            {
                "chat": copy.deepcopy(chat.chat),
                "from": actor,
                "date": int(time.time()),
                "old_chat_member": chat_member(self._context.bot_user, old),
                "new_chat_member": chat_member(self._context.bot_user, status),
            },
        )

    def react(self, chat_id: int, message_id: int, counts: dict[str, int]) -> dict[str, Any] | None:
        """Readers' anonymous reactions on a channel post change; ``counts`` is emoji → total now."""
        chat = self._shared(chat_id)
        stored = chat.live_message(message_id)
        if stored is None:
            raise SandboxError(f"there is no message {message_id} in chat {chat_id}")
        if chat.bot_status not in ("administrator", "creator"):
            return None  # Telegram tells only administrators
        reactions = [
            {"type": {"type": "emoji", "emoji": emoji}, "total_count": total}
            for emoji, total in counts.items()
            if total > 0
        ]
        return self._context.updates.push(
            "message_reaction_count",
            {
                "chat": copy.deepcopy(chat.chat),
                "message_id": message_id,
                "date": int(time.time()),
                "reactions": reactions,
            },
        )

    def _shared(self, chat_id: int) -> ChatState:
        chat = self._state.chats.get(chat_id)
        if chat is None or not chat.shared:
            raise SandboxError(f"unknown group or channel {chat_id}")
        return chat

    def _user(self, user_id: int) -> dict[str, Any]:
        user = self._state.users.get(user_id)
        if user is None:
            raise SandboxError(f"unknown user {user_id}; add_user first")
        return dict(user)

    def _message(self, chat: ChatState, user_id: int) -> dict[str, Any]:
        return {
            "message_id": chat.next_message_id(),
            "from": self._user(user_id),
            "chat": chat.chat,
            "date": int(time.time()),
        }

    def _deliver(self, chat: ChatState, message: dict[str, Any]) -> dict[str, Any]:
        chat.messages[message["message_id"]] = StoredMessage(message, from_bot=False)
        self._context.updates.push("message", copy.deepcopy(message))
        return copy.deepcopy(message)


class ChatMembers:
    """getChatMember: who is what in a chat, as the bot may ask."""

    def __init__(self, context: MethodContext) -> None:
        self._context = context
        self._state = context.state

    async def get_chat_member(self, params: Params) -> dict[str, Any]:
        chat = self._state.chat(params.chat_id())
        user_id = params.integer("user_id")
        if user_id is None:
            raise bad_request("user_id is empty")
        if user_id == self._context.bot_user["id"]:
            return chat_member(self._context.bot_user, chat.bot_status if chat.shared else "member")
        user = self._state.users.get(user_id)
        if user is None:
            raise bad_request("user not found")
        if not chat.shared:
            if chat.id != user_id:
                raise bad_request("user not found")
            return chat_member(user, "member")
        if chat.bot_status in ("kicked", "left"):
            raise forbidden(f"bot was kicked from the {chat.type} chat")
        return chat_member(user, chat.members.get(user_id, "left"))

