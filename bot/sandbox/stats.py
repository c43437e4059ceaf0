"""Request counters: how much traffic the server saw and how it answered."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class ServerStats:
    """A snapshot of the counters.

    Attributes:
        requests: Bot API requests per canonical method name (unknown methods under their own).
        errors: error answers per HTTP status code, injected faults included.
        flood_rejections: 429s from flood control (injected 429s are counted in ``faults``).
        flood_rejections_by_chat: the same per chat id (``None`` for chat-less requests).
        faults: injected faults applied, per kind.
    """

    requests: dict[str, int] = field(default_factory=dict)
    errors: dict[int, int] = field(default_factory=dict)
    flood_rejections: int = 0
    flood_rejections_by_chat: dict[int | None, int] = field(default_factory=dict)
    faults: dict[str, int] = field(default_factory=dict)

    @property
    def total_requests(self) -> int:
        return sum(self.requests.values())

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["total_requests"] = self.total_requests
        data["errors"] = {str(code): count for code, count in self.errors.items()}
        data["flood_rejections_by_chat"] = {str(chat): count for chat, count in self.flood_rejections_by_chat.items()}
        return data


class RequestStats:
    """Mutable counters behind :class:`ServerStats`."""

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        self._requests: Counter[str] = Counter()
        self._errors: Counter[int] = Counter()
        self._flood: Counter[int | None] = Counter()
        self._faults: Counter[str] = Counter()

    def request(self, method: str) -> None:
        self._requests[method] += 1

    def error(self, code: int) -> None:
        self._errors[code] += 1

    def flood_rejected(self, chat_id: int | None) -> None:
        self._flood[chat_id] += 1

    def fault(self, kind: str) -> None:
        self._faults[kind] += 1

    def snapshot(self) -> ServerStats:
        return ServerStats(
            requests=dict(self._requests),
            errors=dict(self._errors),
            flood_rejections=sum(self._flood.values()),
            flood_rejections_by_chat=dict(self._flood),
            faults=dict(self._faults),
        )
