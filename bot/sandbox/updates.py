"""The update queue behind getUpdates: ids, confirmation by offset, and long polling."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from bot.sandbox.errors import ApiError

# What Telegram sends when allowed_updates is empty or was never set.
_OPT_IN_ONLY = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_CONFLICT = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"


class UpdateQueue:
    """Pending updates for one bot, with Telegram's getUpdates semantics."""

    def __init__(self) -> None:
        self._next_id = 1
        self._pending: list[dict[str, Any]] = []
        self._history: list[dict[str, Any]] = []
        self._allowed: frozenset[str] | None = None
        self._changed = asyncio.Event()
        self._poll_generation = 0
        self._closed = False

    def accepts(self, kind: str) -> bool:
        if self._allowed is None:
            return kind not in _OPT_IN_ONLY
        return kind in self._allowed

    def push(self, kind: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        """Queue an update; ``None`` if the bot's allowed_updates filter drops it."""
        if not self.accepts(kind):
            return None
        update = {"update_id": self._next_id, kind: payload}
        self._next_id += 1
        self._pending.append(update)
        self._history.append(update)
        self._wake()
        return update

    def pending(self) -> list[dict[str, Any]]:
        return list(self._pending)

    def history(self) -> list[dict[str, Any]]:
        """Every update ever queued, confirmed or not."""
        return list(self._history)

    def drop_pending(self) -> None:
        self._pending.clear()

    def clear(self) -> None:
        """Forget everything except the id counter, so a polling bot's offset stays valid."""
        self._pending.clear()
        self._history.clear()
        self._allowed = None
        self._wake()

    def close(self) -> None:
        """End all long polls now (the server is stopping)."""
        self._closed = True
        self._wake()

    def reopen(self) -> None:
        self._closed = False

    def set_allowed(self, allowed: Iterable[str] | None) -> None:
        """Remember allowed_updates like Telegram: ``None`` keeps, empty resets to the default."""
        if allowed is None:
            return
        chosen = frozenset(allowed)
        self._allowed = chosen or None

    def confirm(self, offset: int | None) -> None:
        if not offset:
            return
        if offset < 0:
            self._pending = self._pending[offset:]
        else:
            self._pending = [update for update in self._pending if update["update_id"] >= offset]

    async def poll(self, offset: int | None, limit: int, timeout: float) -> list[dict[str, Any]]:
        """Confirm up to ``offset``, then return up to ``limit`` updates, waiting ``timeout`` for one.

        A newer poll ends an older waiting one with 409 Conflict, as Telegram does.
        """
        self._poll_generation += 1
        generation = self._poll_generation
        self._wake()
        self.confirm(offset)
        if self._pending or timeout <= 0 or self._closed:
            return self._pending[:limit]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self._pending:
            remaining = deadline - loop.time()
            if remaining <= 0 or self._closed:
                return []
            changed = self._changed
            try:
                await asyncio.wait_for(changed.wait(), remaining)
            except TimeoutError:
                return []
            if generation != self._poll_generation:
                raise ApiError(409, _CONFLICT)
        return self._pending[:limit]

    async def changed(self) -> None:
        """Wait until something is queued or confirmed (the webhook poster's idle wait)."""
        await self._changed.wait()

    def _wake(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()
