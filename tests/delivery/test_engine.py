"""The delivery engine against the local Bot API server: pacing, retries, blocked readers, exactly once."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.config import load_settings
from bot.delivery.engine import DeliveryEngine
from bot.delivery.sender import ApiSender
from bot.features.services import Services
from bot.rules.clock import ManualClock
from bot.rules.preferences import Format
from bot.sandbox.faults import FaultKind
from bot.sandbox.limits import FloodLimits
from bot.sandbox.server import BotApiServer
from bot.sources.ingest import ingest_text
from storage import Database, DeliveryStatus, Repositories, SubscriberStatus

FIXTURES = Path(__file__).parents[1] / "fixtures"
T0 = dt.datetime(2026, 3, 2, 6, 0, tzinfo=dt.UTC)


@dataclass
class Rig:
    server: BotApiServer
    services: Services
    digest_id: int

    def engine(self, *, read_timeout: float = 5.0, **kwargs: Any) -> DeliveryEngine:
        sender = ApiSender(f"{self.server.url}/bot{self.server.token}", read_timeout=read_timeout)

        async def no_wait(_: float) -> None:
            return None

        kwargs.setdefault("sleep", no_wait)
        return DeliveryEngine(Repositories.over(self.services.db), sender, **kwargs)

    async def readers(self, *chat_ids: int, fmt: Format = Format.HEADLINES) -> None:
        """Subscribed readers; one message per issue unless ``fmt`` is "full"."""
        for chat_id in chat_ids:
            self.server.add_user(chat_id)
            await self.services.subscribers.upsert_on_start(chat_id, user_id=chat_id)
            await self.services.subscribers.update_preferences(chat_id, format=fmt)

    def received(self, chat_id: int) -> list[str]:
        return [r.text or "" for r in self.server.sent(chat_id=chat_id, method="sendMessage")]


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    async with BotApiServer(limits=FloodLimits()) as server:
        db = await Database.open(tmp_path / "engine.db", clock=ManualClock(T0))
        try:
            settings = load_settings({}, telegram_bot_token=server.token, telegram_api_url=server.url)
            services = Services.over(db, settings, ManualClock(T0))
            text = (FIXTURES / "the-real-russia-today-2022-01-07.txt").read_text()
            report = await ingest_text(db, services.digests, text, source="sample")
            assert report.digest_id is not None
            yield Rig(server, services, report.digest_id)
        finally:
            await db.close()


async def run(engine: DeliveryEngine, digest_id: int | None = None) -> None:
    assert await engine.open()
    try:
        await engine.drain(digest_id=digest_id)
    finally:
        await engine.stop()


async def test_every_reader_gets_the_issue_once(rig: Rig) -> None:
    await rig.readers(*range(1, 41))
    await rig.services.deliveries.enqueue_active(rig.digest_id)
    engine = rig.engine(rate=30)
    await run(engine)
    for chat_id in range(1, 41):
        assert len(rig.received(chat_id)) == 1, chat_id
        assert "Kazakhstan" in rig.received(chat_id)[0]
    counts = await rig.services.deliveries.counts(rig.digest_id)
    assert counts[DeliveryStatus.SENT] == 40
    assert rig.server.stats().flood_rejections == 0
    # A second run finds nothing to do: exactly once.
    await rig.services.deliveries.enqueue_active(rig.digest_id)
    await run(rig.engine(rate=30))
    assert all(len(rig.received(c)) == 1 for c in range(1, 41))


async def test_multi_part_issue_is_paced_per_chat(rig: Rig) -> None:
    await rig.readers(1, fmt=Format.FULL)
    await rig.readers(2)
    await rig.services.deliveries.enqueue_active(rig.digest_id)
    engine = rig.engine(rate=30, chat_interval=0.3, chat_burst=1)
    rig.server.set_limits(FloodLimits(per_chat_per_second=1 / 0.25, per_chat_burst=1))
    await run(engine)
    parts = rig.server.sent(chat_id=1, method="sendMessage")
    assert len(parts) > 1
    gaps = [b.at - a.at for a, b in itertools.pairwise(parts)]
    assert min(gaps) >= 0.25
    assert rig.server.stats().flood_rejections == 0
    assert len(rig.received(2)) == 1


async def test_429_pauses_and_retries_without_losing_anyone(rig: Rig) -> None:
    await rig.readers(*range(1, 11))
    await rig.services.deliveries.enqueue_active(rig.digest_id)
    rig.server.inject_faults("429", 3, {"sendMessage"}, retry_after=1)
    engine = rig.engine(rate=100)
    await run(engine)
    assert engine.stats.retried_429 == 3
    assert all(len(rig.received(c)) == 1 for c in range(1, 11))


@pytest.mark.parametrize("retry_after", [1, 2])
async def test_a_429_holds_every_send_for_retry_after(rig: Rig, retry_after: int) -> None:
    await rig.readers(1, 2, 3)
    await rig.services.deliveries.enqueue_active(rig.digest_id)
    rig.server.inject_faults("429", 1, {"sendMessage"}, retry_after=retry_after)
    # Slots half a second apart: the 429 to the first send is back long before the others' slots come.
    engine = rig.engine(rate=2, concurrency=3)
    started = time.monotonic()
    await run(engine)
    sends = rig.server.sent(method="sendMessage")
    assert sorted(r.chat_id or 0 for r in sends) == [1, 2, 3] and engine.stats.retried_429 == 1
    # Nothing went out before retry_after had passed: not the refused send, and not the other chats'.
    assert min(r.at for r in sends) - started >= retry_after


async def test_a_chat_that_keeps_getting_429_is_put_back_in_the_queue(rig: Rig) -> None:
    await rig.readers(1)
    await rig.services.deliveries.enqueue_active(rig.digest_id)
    rig.server.inject_faults("429", 50, {"sendMessage"}, retry_after=1)
    engine = rig.engine(rate=100, flood_retries=2)
    # Unbounded, the engine would retry for 50 s; the bound stops after the third 429. A 429 passes, so the
    # reader is not failed: they wait in the queue to be tried again later (issue #14).
    await asyncio.wait_for(run(engine), timeout=20)
    delivery = await rig.services.deliveries.status(rig.digest_id, 1)
    assert delivery is not None and delivery.status == DeliveryStatus.PENDING and delivery.retryable
    assert "flood" in (delivery.error or "")
    assert engine.stats.retried_429 == 3
    rig.server.clear_faults()


# A dropped connection may have delivered: each such send is repeated at most once (tests/delivery/test_faults.py).
@pytest.mark.parametrize(("kind", "count"), [("5xx", 4), ("network", 1)])
async def test_server_and_network_errors_back_off_and_retry(rig: Rig, kind: FaultKind, count: int) -> None:
    await rig.readers(1, 2, 3)
    await rig.services.deliveries.enqueue_active(rig.digest_id)
    rig.server.inject_faults(kind, count, {"sendMessage"})
    engine = rig.engine(rate=100)
    await run(engine)
    assert engine.stats.retried_errors == count
    assert all(len(rig.received(c)) == 1 for c in (1, 2, 3))


async def test_timeouts_retry_and_a_lost_answer_may_repeat_only_that_send(rig: Rig) -> None:
    await rig.readers(1, 2)
    await rig.services.deliveries.enqueue_active(rig.digest_id)
    # The server delivers but answers too late: the engine cannot know, retries, and the reader gets it twice.
    rig.server.inject_faults("timeout", 1, {"sendMessage"}, delay=1.0, delivered=True)
    engine = rig.engine(rate=100, concurrency=1, read_timeout=0.3)
    await run(engine)
    assert engine.stats.retried_errors == 1
    received = sorted(len(rig.received(c)) for c in (1, 2))
    assert received == [1, 2]


async def test_persistent_failure_waits_in_the_queue_after_the_last_quick_try(rig: Rig) -> None:
    await rig.readers(1)
    await rig.services.deliveries.enqueue_active(rig.digest_id)
    rig.server.inject_faults("5xx", 50, {"sendMessage"})
    engine = rig.engine(rate=100)
    await run(engine)
    delivery = await rig.services.deliveries.status(rig.digest_id, 1)
    assert delivery is not None and delivery.status == DeliveryStatus.PENDING and delivery.retryable
    assert "6 tries" in (delivery.error or "")
    assert engine.stats.retrying == 1 and engine.stats.failed == 0
    rig.server.clear_faults()


@pytest.mark.parametrize("how", ["block", "deactivate", "unknown"])
async def test_gone_readers_are_marked_and_not_retried(rig: Rig, how: str) -> None:
    await rig.readers(1, 2)
    if how == "block":
        rig.server.block_user(2)
    elif how == "deactivate":
        rig.server.deactivate_user(2)
    else:
        await rig.services.subscribers.upsert_on_start(3, user_id=3)  # never talked to the bot: chat not found
    await rig.services.deliveries.enqueue_active(rig.digest_id)
    engine = rig.engine(rate=100)
    await run(engine)
    gone = 3 if how == "unknown" else 2
    subscriber = await rig.services.subscribers.get(gone)
    assert subscriber is not None and subscriber.status == SubscriberStatus.BLOCKED
    delivery = await rig.services.deliveries.status(rig.digest_id, gone)
    assert delivery is not None and delivery.status == DeliveryStatus.FAILED
    assert engine.stats.blocked == 1
    assert len(rig.received(1)) == 1
    # Refused once, and not retried.
    assert rig.server.stats().errors.get(403 if how != "unknown" else 400) == 1


async def test_migrated_group_gets_its_issue_at_the_new_id(rig: Rig) -> None:
    rig.server.add_group(-100, supergroup=False)
    await rig.services.subscribers.upsert_on_start(-100)
    await rig.services.subscribers.update_preferences(-100, format=Format.HEADLINES)
    rig.server.add_group(-1001000, supergroup=True)
    rig.server.migrate_chat(-100, -1001000)
    await rig.services.deliveries.enqueue_active(rig.digest_id)
    await run(rig.engine(rate=100))
    assert await rig.services.subscribers.get(-100) is None
    assert (await rig.services.subscribers.get(-1001000)) is not None
    assert len(rig.received(-1001000)) == 1
    delivery = await rig.services.deliveries.status(rig.digest_id, -1001000)
    assert delivery is not None and delivery.status == DeliveryStatus.SENT


async def test_broadcast_goes_ahead_of_a_push_in_progress(rig: Rig) -> None:
    await rig.readers(*range(1, 31))
    await rig.services.deliveries.enqueue_active(rig.digest_id)
    broadcast = await rig.services.broadcasts.create(9001, "<b>Breaking</b>: test")
    assert await rig.services.broadcasts.confirm(broadcast.id)
    assert await rig.services.broadcasts.start(broadcast.id)
    await run(rig.engine(rate=100, concurrency=4))
    order = [r.text or "" for r in rig.server.sent(method="sendMessage")]
    first_issue = next(i for i, text in enumerate(order) if "Kazakhstan" in text)
    last_breaking = max(i for i, text in enumerate(order) if text.startswith("Breaking"))
    assert last_breaking < first_issue
    done = await rig.services.broadcasts.get(broadcast.id)
    assert done is not None and done.status == "done" and done.sent == 30


async def test_stop_releases_claimed_readers_and_restart_finishes_the_job(rig: Rig) -> None:
    await rig.readers(*range(1, 21))
    await rig.services.deliveries.enqueue_active(rig.digest_id)
    rig.server.set_limits(FloodLimits(global_per_second=5))
    engine = rig.engine(rate=5, concurrency=2)
    await engine.start()  # takes the lease in the background
    await rig.server.wait_for(count=3, method="sendMessage", timeout=5)
    await engine.stop()
    counts = await rig.services.deliveries.counts(rig.digest_id)
    assert counts[DeliveryStatus.SENDING] == 0
    assert 3 <= counts[DeliveryStatus.SENT] < 20
    rig.server.set_limits(None)
    await run(rig.engine(rate=100))
    assert all(len(rig.received(c)) == 1 for c in range(1, 21))


async def test_one_engine_at_a_time_a_second_process_leaves_the_sending_to_the_holder(rig: Rig) -> None:
    from storage import LeaseRepository

    other = "elsewhere:4242"
    assert await LeaseRepository(rig.services.db).acquire("delivery-engine", other, dt.timedelta(seconds=30))
    engine = rig.engine(rate=100)
    assert not await engine.open()
    assert await engine.holder() == other
    await LeaseRepository(rig.services.db).release("delivery-engine", other)
    assert await engine.open()
    await engine.stop()


async def test_a_dead_holder_on_this_host_is_replaced_at_once(rig: Rig) -> None:
    import socket
    import subprocess
    import sys

    from storage import LeaseRepository

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_owner = f"{socket.gethostname()}:{gone.stdout.strip()}"
    assert await LeaseRepository(rig.services.db).acquire("delivery-engine", dead_owner, dt.timedelta(minutes=5))
    engine = rig.engine(rate=100)
    assert await engine.open()
    await engine.stop()


async def test_a_round_that_sent_something_is_one_info_line_and_one_warning_per_failure_kind(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    await rig.readers(*range(1, 7))
    rig.server.block_user(5)
    rig.server.block_user(6)
    await rig.services.deliveries.enqueue_active(rig.digest_id)
    with caplog.at_level(logging.INFO, logger="bot.delivery.engine"):
        await run(rig.engine(rate=100))
    mine = [r for r in caplog.records if r.name == "bot.delivery.engine"]
    [info] = [r for r in mine if r.levelno == logging.INFO]
    text = info.getMessage()
    assert f"issue {rig.digest_id}" in text and "4 readers" in text and "4 messages" in text
    assert "2 blocked" in text and "0 failed" in text and "msg/s" in text
    [warning] = [r for r in mine if r.levelno == logging.WARNING]
    assert warning.getMessage().startswith("2 × blocked")


async def test_a_broadcast_logs_when_it_starts_and_finishes(rig: Rig, caplog: pytest.LogCaptureFixture) -> None:
    from bot.features import broadcasting

    await rig.readers(1, 2, 3)
    draft = await broadcasting.draft(rig.services, 9001, "<b>Breaking</b>")
    with caplog.at_level(logging.INFO):
        await broadcasting.confirm(rig.services, draft.broadcast.id, 9001)
        await run(rig.engine(rate=100))
        await run(rig.engine(rate=100))  # the running engine's next round marks it done
    lines = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert f"broadcast #{draft.broadcast.id} started by editor 9001: 3 recipients" in lines
    assert f"broadcast #{draft.broadcast.id} finished: sent to 3 of 3 readers, 0 blocked, 0 failed" in lines
