"""Group commit: many senders' "sent" records written in one transaction, each sender still waiting for it.

A send's record is committed before its worker goes further than one more send (the engine waits for
the future :meth:`GroupCommit.submit` returns), so a crash repeats only what was in flight or being
recorded; the records of all the sends that finished meanwhile share one transaction instead of one each,
which at hundreds of messages a second is most of the database work.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

Row = TypeVar("Row")


class GroupCommit(Generic[Row]):
    def __init__(self, write: Callable[[list[Row]], Awaitable[object]]) -> None:
        self._write = write
        self._pending: list[tuple[Row, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def record(self, row: Row) -> None:
        """Queue ``row`` and return once it is committed (raises what the write raised)."""
        await self.submit(row)

    def submit(self, row: Row) -> asyncio.Future[None]:
        """Queue ``row``; the future is done once it is committed (or holds what the write raised)."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((row, done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_all(), name="group-commit")
        return done

    async def _write_all(self) -> None:
        while self._pending:
            await asyncio.sleep(0)  # let the senders finishing now join this batch
            batch, self._pending = self._pending, []
            try:
                await self._write([row for row, _ in batch])
            except Exception as exc:
                for _, done in batch:
                    if not done.done():
                        done.set_exception(exc)
            else:
                for _, done in batch:
                    if not done.done():
                        done.set_result(None)
