"""The sandbox's world: users, chats, their messages, stored files and open queries."""

from __future__ import annotations

import itertools
import mimetypes
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from bot.sandbox.errors import ApiError, bad_request, forbidden
from bot.sandbox.records import CallbackAnswer, InlineAnswer

QUERY_LIFETIME = 15 * 60  # seconds a callback or inline query can still be answered


@dataclass(slots=True)
class StoredMessage:
    """The current state of one message, as Telegram would return it."""

    message: dict[str, Any]
    from_bot: bool
    html: str | None = None
    deleted: bool = False


@dataclass(slots=True)
class ChatState:
    """One chat and everything in it; message ids count up per chat like in private chats."""

    chat: dict[str, Any]
    user: dict[str, Any] | None = None
    blocked: bool = False
    deactivated: bool = False
    migrated_to: int | None = None
    last_message_id: int = 0
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    members: dict[int, str] = field(default_factory=dict)
    """Group, supergroup and channel members by user id: ``creator``, ``administrator``, ``member``, ``left``…"""
    bot_status: str = "member"
    """The bot's own status in a group or channel; ``kicked`` or ``left`` once removed."""
    topics: dict[int, str] = field(default_factory=dict)
    """A forum's topics: ``message_thread_id`` → name (the id of the topic's creation message)."""

    @property
    def id(self) -> int:
        chat_id: int = self.chat["id"]
        return chat_id

    @property
    def type(self) -> str:
        return str(self.chat.get("type", "private"))

    @property
    def shared(self) -> bool:
        """A group, supergroup or channel: many readers, 20 messages a minute."""
        return self.type != "private"

    @property
    def forum(self) -> bool:
        return bool(self.chat.get("is_forum"))

    def next_message_id(self) -> int:
        self.last_message_id += 1
        return self.last_message_id

    def live_message(self, message_id: int | None) -> StoredMessage | None:
        stored = self.messages.get(message_id) if message_id is not None else None
        return None if stored is None or stored.deleted else stored


@dataclass(frozen=True, slots=True)
class StoredFile:
    """A file either side uploaded; ``file_path`` is where /file/bot<token>/ serves it."""

    file_id: str
    file_unique_id: str
    file_path: str
    name: str | None
    mime_type: str | None
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)

    def describe(self) -> dict[str, Any]:
        """The Bot API File object."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
            "file_path": self.file_path,
        }


@dataclass(slots=True)
class PendingQuery:
    """A callback or inline query waiting for the bot's answer."""

    query_id: str
    kind: str  # "callback" or "inline"
    user_id: int
    created: float
    chat_id: int | None = None
    message_id: int | None = None
    data: str | None = None
    query: str | None = None
    answered: bool = False


class SandboxState:
    """Plain data plus the lookups every method needs; the id counters survive :meth:`clear`.

    Counters survive so a bot that keeps running across a test's ``reset()`` never sees
    an update or query id it already handled.
    """

    def __init__(self, *, message_limit: int | None = None) -> None:
        self._file_numbers = itertools.count(1)
        self._query_numbers = itertools.count(1)
        self._message_limit = message_limit
        self.clear()

    def keep_message(self, chat: ChatState, stored: StoredMessage) -> None:
        """Store a message; with a ``message_limit``, the oldest bot messages beyond it are forgotten.

        A benchmark's million messages would otherwise hold gigabytes; a forgotten message is gone as if
        deleted long ago (editing it answers "message to edit not found").
        """
        message_id = stored.message["message_id"]
        chat.messages[message_id] = stored
        if self._message_limit is None or not stored.from_bot:
            return
        self._kept.append((chat, message_id))
        while len(self._kept) > self._message_limit:
            old_chat, old_id = self._kept.popleft()
            old_chat.messages.pop(old_id, None)

    def clear(self) -> None:
        self.users: dict[int, dict[str, Any]] = {}
        self.chats: dict[int, ChatState] = {}
        self.files: dict[str, StoredFile] = {}
        self.files_by_path: dict[str, StoredFile] = {}
        self.queries: dict[str, PendingQuery] = {}
        self.commands: dict[tuple[str, int | None, int | None, str], list[dict[str, str]]] = {}
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}
        self.profile: dict[tuple[str, str], str] = {}  # (name | description | short_description, language)
        self.callback_answers: list[CallbackAnswer] = []
        self.inline_answers: list[InlineAnswer] = []
        self._kept: deque[tuple[ChatState, int]] = deque()

    def chat(self, chat_id: int) -> ChatState:
        """The chat, or Telegram's "chat not found"."""
        chat = self.chats.get(chat_id)
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def writable_chat(self, chat_id: int) -> ChatState:
        """The chat if the bot may post into it, else the error Telegram gives."""
        chat = self.chat(chat_id)
        if chat.migrated_to is not None:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        if chat.deactivated:
            raise forbidden("user is deactivated")
        if chat.blocked:
            raise forbidden("bot was blocked by the user")
        if chat.shared and chat.bot_status == "kicked":
            raise forbidden(f"bot was kicked from the {chat.type} chat")
        if chat.shared and chat.bot_status == "left":
            raise forbidden(f"bot is not a member of the {chat.type} chat")
        if chat.type == "channel" and chat.bot_status not in ("administrator", "creator"):
            raise bad_request("need administrator rights in the channel chat")
        return chat

    def by_username(self, username: str) -> ChatState:
        """The chat ``@username`` names (Telegram resolves only public chats this way), or "chat not found"."""
        wanted = username.removeprefix("@").lower()
        for chat in self.chats.values():
            if str(chat.chat.get("username", "")).lower() == wanted and chat.type != "private":
                return chat
        raise bad_request("chat not found")

    def add_file(self, kind: str, name: str | None, mime_type: str | None, data: bytes) -> StoredFile:
        number = next(self._file_numbers)
        if mime_type is None and name:
            mime_type = mimetypes.guess_type(name)[0]
        extension = (mimetypes.guess_extension(mime_type) if mime_type else None) or ".bin"
        if name and "." in name:
            extension = name[name.rindex(".") :]
        folder = "photos" if kind == "photo" else "documents"
        stored = StoredFile(
            file_id=f"sandbox-{kind}-{number}",
            file_unique_id=f"sandbox-u{number}",
            file_path=f"{folder}/file_{number}{extension}",
            name=name,
            mime_type=mime_type,
            data=data,
        )
        self.files[stored.file_id] = stored
        self.files_by_path[stored.file_path] = stored
        return stored

    def new_query_id(self) -> str:
        # Real ids are opaque 64-bit numbers sent as strings.
        return str(4_000_000_000_000_000 + next(self._query_numbers))
