"""Group commit: many senders' "sent" records written in one transaction, each sender still waiting for it.

A send's record is committed before its worker goes further than one more send (the engine waits for
the future :meth:`GroupCommit.submit` returns), so a crash repeats only what was in flight or being
recorded; the records of all the sends that finished meanwhile share one transaction instead of one each,
which at hundreds of messages a second is most of the database work.

With a ``window``, a write waits that long for more records before it starts (or until ``flush_at`` are
waiting). Paced sends finish one by one, a millisecond apart at 1,000/s: without the wait nearly every
record was a transaction of its own (three round trips to aiosqlite's thread and a WAL append each), and
that was most of what pacing cost over the unthrottled run (issue #15). A worker sends its next message
while its last record waits, so a window shorter than the time between one worker's sends costs nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

Row = TypeVar("Row")


class GroupCommit(Generic[Row]):
    """Batches rows into writes of ``write``.

    Args:
        write: writes one batch of rows in one transaction.
        window: seconds a write waits for more rows before it starts; 0 writes what is there at once.
        flush_at: a write starts without waiting out the window once this many rows are waiting.
    """

    def __init__(
        self, write: Callable[[list[Row]], Awaitable[object]], *, window: float = 0.0, flush_at: int = 64
    ) -> None:
        self._write = write
        self._window = window
        self._flush_at = flush_at
        self._pending: list[tuple[Row, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None
        self._full: asyncio.Future[None] | None = None
        """Done once ``flush_at`` rows wait: ends the writer's window early."""

    async def record(self, row: Row) -> None:
        """Queue ``row`` and return once it is committed (raises what the write raised)."""
        await self.submit(row)

    def submit(self, row: Row) -> asyncio.Future[None]:
        """Queue ``row``; the future is done once it is committed (or holds what the write raised)."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((row, done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_all(), name="group-commit")
        elif self._full is not None and len(self._pending) >= self._flush_at and not self._full.done():
            self._full.set_result(None)
        return done

    async def _gather(self) -> None:
        """Wait for the rows of the next batch: the window, or until enough are waiting."""
        if self._window <= 0 or len(self._pending) >= self._flush_at:
            await asyncio.sleep(0)  # let the senders finishing now join this batch
            return
        loop = asyncio.get_running_loop()
        self._full = full = loop.create_future()
        timer = loop.call_later(self._window, _done, full)
        try:
            await full
        finally:
            timer.cancel()
            self._full = None

    async def _write_all(self) -> None:
        while self._pending:
            await self._gather()
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


def _done(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
