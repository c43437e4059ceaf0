"""What the bot did: the ordered log of accepted actions that tests and the chat UI read back."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

# Methods whose success puts a new message into a chat.
NEW_MESSAGE_METHODS = frozenset({"sendMessage", "sendPhoto", "sendDocument"})


@dataclass(frozen=True, slots=True)
class MediaInfo:
    """The file attached to a sent photo or document."""

    kind: str  # "photo" or "document"
    file_id: str
    file_name: str | None
    mime_type: str | None
    size: int


@dataclass(frozen=True, slots=True)
class SentRecord:
    """One accepted bot action, in the order the server accepted it.

    Attributes:
        method: canonical Bot API method name, e.g. ``sendMessage``.
        chat_id / message_id: where it happened, when the method targets a message or chat.
        text: plain text after entity parsing (message text, caption, or callback answer).
        html: the raw text or caption exactly as the bot sent it.
        entities: Telegram's entities for ``text`` (UTF-16 offsets).
        edited: the action changed an existing message.
        message_thread_id / disable_notification: the topic and the silence the bot asked for.
        at: the server clock (monotonic unless a test injected a clock); ``wall``: ``time.time()``.
        fault: the injected fault kind when the action happened although the bot saw a failure.
        params: every parameter of the request (uploads as name and size).
    """

    method: str
    chat_id: int | None = None
    message_id: int | None = None
    text: str | None = None
    html: str | None = None
    parse_mode: str | None = None
    reply_markup: dict[str, Any] | None = None
    entities: tuple[dict[str, Any], ...] = ()
    edited: bool = False
    media: MediaInfo | None = None
    params: dict[str, Any] = field(default_factory=dict)
    message_thread_id: int | None = None
    """The forum topic the message went to."""
    disable_notification: bool = False
    """Sent silently: the readers' phones did not ring."""
    at: float = 0.0
    wall: float = 0.0
    fault: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class CallbackAnswer:
    """The bot's answerCallbackQuery for a pressed button."""

    query_id: str
    user_id: int
    chat_id: int | None
    message_id: int | None
    data: str | None
    text: str | None
    show_alert: bool
    url: str | None
    at: float

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class InlineAnswer:
    """The bot's answerInlineQuery for an inline query."""

    query_id: str
    user_id: int
    query: str
    results: list[dict[str, Any]]
    cache_time: int | None
    is_personal: bool
    next_offset: str | None
    at: float

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def matching(records: Iterable[SentRecord], chat_id: int | None = None, method: str | None = None) -> list[SentRecord]:
    """Records in ``chat_id`` (any chat if ``None``) made by ``method`` (any if ``None``)."""
    return [
        record
        for record in records
        if (chat_id is None or record.chat_id == chat_id) and (method is None or record.method == method)
    ]


@dataclass(slots=True)
class Delivered:
    """Counts of the messages one method created, kept for every chat even when records are dropped."""

    per_chat: dict[int, int] = field(default_factory=dict)
    first_at: float = 0.0
    last_at: float = 0.0

    def add(self, chat_id: int, at: float) -> None:
        if not self.per_chat:
            self.first_at = at
        self.last_at = at
        self.per_chat[chat_id] = self.per_chat.get(chat_id, 0) + 1

    def summary(self) -> dict[str, Any]:
        """How many messages, to how many chats, how many beyond one per chat, and the chat that got most."""
        count = sum(self.per_chat.values())
        top = max(self.per_chat.items(), key=lambda pair: pair[1], default=(None, 0))
        return {
            "count": count,
            "chats": len(self.per_chat),
            "repeated": count - len(self.per_chat),
            "chats_repeated": sum(1 for n in self.per_chat.values() if n > 1),
            "most_in_one_chat": {"chat_id": top[0], "messages": top[1]},
            "first_at": self.first_at,
            "last_at": self.last_at,
        }


class SentLog:
    """Append-only record list with waiters and subscribers, for one event loop.

    Args:
        limit: keep only the newest ``limit`` records (``None``: all). A million-message push would
            otherwise hold gigabytes of records; the per-chat counts of created messages
            (:meth:`delivered`) are kept regardless, so repeats are still found.
    """

    def __init__(self, limit: int | None = None) -> None:
        self._records: list[SentRecord] = []
        self._limit = limit
        self._delivered: dict[str, Delivered] = {}
        self._changed = asyncio.Event()
        self._waiting = 0
        """Callers in :meth:`wait_until`: without any, an append wakes nobody (and makes no new event)."""
        self._subscribers: list[asyncio.Queue[SentRecord]] = []

    def __len__(self) -> int:
        return len(self._records)

    def append(self, record: SentRecord) -> None:
        self._records.append(record)
        if record.method in NEW_MESSAGE_METHODS and record.chat_id is not None:
            self._delivered.setdefault(record.method, Delivered()).add(record.chat_id, record.at)
        if self._limit is not None and len(self._records) > self._limit + self._limit // 4 + 1:
            del self._records[: len(self._records) - self._limit]  # in steps, so appending stays cheap
        for queue in self._subscribers:
            queue.put_nowait(record)
        self._wake()

    def clear(self) -> None:
        self._records.clear()
        self._delivered.clear()
        self._wake()

    def delivered(self, method: str) -> dict[str, Any]:
        """:meth:`Delivered.summary` for ``method`` (sendMessage, sendPhoto, sendDocument)."""
        return self._delivered.get(method, Delivered()).summary()

    def records(self, chat_id: int | None = None, method: str | None = None) -> list[SentRecord]:
        if chat_id is None and method is None:
            return list(self._records)
        return matching(self._records, chat_id, method)

    def subscribe(self) -> asyncio.Queue[SentRecord]:
        """A queue that receives every record appended from now on."""
        queue: asyncio.Queue[SentRecord] = asyncio.Queue()
        self._subscribers.append(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[SentRecord]) -> None:
        if queue in self._subscribers:
            self._subscribers.remove(queue)

    async def wait_until(
        self, ready: Callable[[list[SentRecord]], bool], timeout: float, describe: Callable[[], str]
    ) -> None:
        """Block until ``ready(records)`` holds; woken by appends, never by polling."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not ready(self._records):
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(describe())
            changed = self._changed
            self._waiting += 1
            try:
                await asyncio.wait_for(changed.wait(), remaining)
            except TimeoutError:
                continue
            finally:
                self._waiting -= 1

    def _wake(self) -> None:
        # Replacing the event lets every current waiter re-check exactly once per change.
        if not self._waiting:
            return
        self._changed.set()
        self._changed = asyncio.Event()
