"""Group commit: concurrent records share one write, each caller waits for it, failures reach every caller."""

from __future__ import annotations

import asyncio

import pytest

from bot.delivery.groupcommit import GroupCommit


async def test_concurrent_records_share_a_write_and_wait_for_it() -> None:
    writes: list[list[int]] = []

    async def write(rows: list[int]) -> None:
        await asyncio.sleep(0.01)
        writes.append(rows)

    commit: GroupCommit[int] = GroupCommit(write)
    await asyncio.gather(*(commit.record(n) for n in range(50)))
    assert sorted(n for batch in writes for n in batch) == list(range(50))
    assert len(writes) < 5


async def test_a_failed_write_fails_every_record_in_it() -> None:
    async def write(rows: list[int]) -> None:
        raise RuntimeError("disk full")

    commit: GroupCommit[int] = GroupCommit(write)
    results = await asyncio.gather(*(commit.record(n) for n in range(3)), return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results)
    with pytest.raises(RuntimeError):
        await commit.record(4)


async def test_records_within_the_window_share_one_write() -> None:
    writes: list[list[int]] = []

    async def write(rows: list[int]) -> None:
        writes.append(rows)

    commit: GroupCommit[int] = GroupCommit(write, window=0.05, flush_at=100)

    async def paced(n: int) -> None:
        await asyncio.sleep(n * 0.002)  # records arriving one by one, as paced sends finish
        await commit.record(n)

    await asyncio.gather(*(paced(n) for n in range(10)))
    assert writes == [list(range(10))]


async def test_a_full_batch_is_written_without_waiting_out_the_window() -> None:
    writes: list[list[int]] = []

    async def write(rows: list[int]) -> None:
        writes.append(rows)

    commit: GroupCommit[int] = GroupCommit(write, window=30.0, flush_at=5)
    # A window of 30 s would fail the test's timeout: five waiting records end it.
    await asyncio.wait_for(asyncio.gather(*(commit.record(n) for n in range(5))), timeout=5)
    assert sorted(n for batch in writes for n in batch) == list(range(5))
