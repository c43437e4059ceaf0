"""The bot's HTTP server over real HTTP: webhook mode against the local Bot API server, health, readiness,
metrics; and back to polling."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
import socket
import sqlite3
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from telegram import Bot
from telegram.error import Conflict

from bot.app import ALLOWED_UPDATES, build_application, running
from bot.config import load_settings
from bot.digest.parser import parse_text
from bot.rules.clock import ManualClock
from bot.sandbox.server import BotApiServer
from bot.sources.ingest import store_digest
from tests.harness import READER, START

SECRET = "s3cret_Value-42"
FIXTURES = Path(__file__).parents[1] / "fixtures"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Bot_:
    server: BotApiServer
    app: Any
    base: str
    url: str
    clock: ManualClock
    db_path: Path


@pytest.fixture
async def server() -> AsyncIterator[BotApiServer]:
    async with BotApiServer(limits=None) as api:
        yield api


def webhook_settings(server: BotApiServer, db_path: Path, port: int, **extra: Any):
    return load_settings(
        {},
        telegram_bot_token=server.token,
        telegram_api_url=server.url,
        briefing_db=db_path,
        http_port=port,
        webhook_url=f"http://127.0.0.1:{port}/telegram/hook",
        webhook_secret=SECRET,
        **extra,
    )


@pytest.fixture
async def webhook_bot(server: BotApiServer, tmp_path: Path) -> AsyncIterator[Bot_]:
    port = free_port()
    settings = webhook_settings(server, tmp_path / "bot.db", port)
    clock = ManualClock(START)
    app = build_application(settings, clock=clock)
    async with running(app):
        yield Bot_(server, app, f"http://127.0.0.1:{port}", settings.webhook_url or "", clock, tmp_path / "bot.db")


async def get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text()


async def post(url: str, body: Any, headers: dict[str, str] | None = None) -> int:
    async with aiohttp.ClientSession() as session, session.post(url, json=body, headers=headers or {}) as response:
        return response.status


def start_update(update_id: int, user_id: int) -> dict[str, Any]:
    user = {"id": user_id, "is_bot": False, "first_name": "Forged"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": int(START.timestamp()),
            "chat": {"id": user_id, "type": "private", "first_name": "Forged"},
            "from": user,
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


async def eventually(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait for something no sandbox record announces (a retried POST, the engine's counters)."""
    for _ in range(int(timeout / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")


def sample(metrics: str, name: str) -> float:
    """The value of one sample line (``name`` with its labels, exactly) in Prometheus text."""
    for line in metrics.splitlines():
        if line.startswith(name + " "):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} not in /metrics:\n{metrics}")


async def test_webhook_mode_sets_the_webhook_and_answers_updates_posted_to_it(webhook_bot: Bot_) -> None:
    server = webhook_bot.server
    assert server.webhook.url == webhook_bot.url
    assert server.webhook.secret == SECRET
    [record] = server.sent(method="setWebhook")
    assert record.params["secret_token"] == SECRET
    assert sorted(json.loads(record.params["allowed_updates"])) == sorted(ALLOWED_UPDATES)

    server.add_user(READER)
    server.send_user_message(READER, "/start")
    await server.wait_for(chat_id=READER)
    assert [post.status for post in server.webhook.posts] == [200]
    assert server.pending_updates() == []


async def test_an_update_without_the_right_secret_is_refused_and_not_processed(webhook_bot: Bot_) -> None:
    server, url = webhook_bot.server, webhook_bot.url
    server.add_user(2002)
    server.add_user(2003)
    assert await post(url, start_update(900, 2002)) == 403
    assert await post(url, start_update(901, 2002), {"X-Telegram-Bot-Api-Secret-Token": "wrong"}) == 403
    assert await post(url, start_update(902, 2003), {"X-Telegram-Bot-Api-Secret-Token": SECRET}) == 200
    await server.wait_for(chat_id=2003)
    assert server.sent(chat_id=2002) == []
    right = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    assert await post(f"{webhook_bot.base}/elsewhere", start_update(903, 2002), right) == 404
    assert await post(url, {"no": "update"}, right) == 400
    _, metrics = await get(f"{webhook_bot.base}/metrics")
    assert sample(metrics, 'briefing_updates_total{kind="message"}') == 1


async def test_get_updates_is_refused_while_the_webhook_is_set(webhook_bot: Bot_) -> None:
    async with Bot(webhook_bot.server.token, base_url=f"{webhook_bot.server.url}/bot") as other:
        with pytest.raises(Conflict, match="webhook is active"):
            await other.get_updates()
        info = await other.get_webhook_info()
    assert info.url == webhook_bot.url
    assert info.pending_update_count == 0


async def test_a_failing_webhook_is_retried_and_reported(server: BotApiServer, tmp_path: Path) -> None:
    port = free_port()  # nobody listens there
    async with Bot(server.token, base_url=f"{server.url}/bot") as bot:
        assert await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token=SECRET)
        server.add_user(READER)
        server.send_user_message(READER, "/start")
        await eventually(lambda: len(server.webhook.posts) >= 2)
        info = await bot.get_webhook_info()
        assert info.pending_update_count == 1
        assert info.last_error_message and "Connection" in info.last_error_message
        with pytest.raises(Exception, match="unallowed characters"):
            await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="no spaces")


async def test_health_readiness_and_metrics(webhook_bot: Bot_) -> None:
    base, app = webhook_bot.base, webhook_bot.app
    assert (await get(f"{base}/healthz"))[0] == 200

    # Just started: the first tick is due at the top of the next minute, so that is not a problem yet.
    status, body = await get(f"{base}/readyz")
    assert (status, body) == (200, '{"status": "ready"}')

    metrics = app.bot_data.metrics
    metrics.started_at -= 181  # no tick for over three minutes since the start
    status, body = await get(f"{base}/readyz")
    assert status == 503
    assert '"tick"' in body and "has not run since the bot started" in body
    assert "database" not in body and "bot_api" not in body

    [tick] = app.job_queue.get_jobs_by_name("delivery-tick")
    await tick.run(app)
    status, body = await get(f"{base}/readyz")
    assert (status, body) == (200, '{"status": "ready"}')

    status, metrics = await get(f"{base}/metrics")
    assert status == 200
    for name in (
        "briefing_updates_total",
        "briefing_handler_seconds_bucket",
        'briefing_messages_sent_total{result="ok"}',
        'briefing_messages_sent_total{result="429"}',
        'briefing_messages_sent_total{result="blocked"}',
        'briefing_messages_sent_total{result="error"}',
        "briefing_send_retries_total",
        "briefing_delivery_queue_depth",
        "briefing_push_lag_seconds_bucket",
        "briefing_active_subscribers",
        "briefing_last_tick_timestamp_seconds",
        "briefing_build_info",
    ):
        assert name in metrics, name
    assert sample(metrics, "briefing_last_tick_timestamp_seconds") > 0


async def test_a_delivery_shows_in_the_metrics(webhook_bot: Bot_) -> None:
    server, app, base = webhook_bot.server, webhook_bot.app, webhook_bot.base
    services = app.bot_data.services
    server.add_user(READER)
    server.send_user_message(READER, "/start")
    await server.wait_for(chat_id=READER)
    await services.subscribers.update_preferences(READER, format="headlines")
    name = "the-real-russia-today-2022-01-07.txt"
    digest = parse_text((FIXTURES / name).read_text(), source=name)
    # Dated the day it is delivered: only today's issue goes out.
    subscriber = await services.subscribers.get(READER)
    day = subscriber.next_delivery_at.astimezone(services.settings.timezone).date()
    report = await store_digest(services.db, services.digests, dataclasses.replace(digest, date=day))
    assert report.digest_id is not None
    _, metrics = await get(f"{base}/metrics")
    assert sample(metrics, "briefing_active_subscribers") == 1

    subscriber = await services.subscribers.get(READER)
    due = subscriber.next_delivery_at
    webhook_bot.clock.set(due + dt.timedelta(seconds=30))
    assert (await services.scheduler.tick()).queued == 1
    services.delivery.wake()
    await server.wait_for(lambda records: any("Kazakhstan" in (r.text or "") for r in records), chat_id=READER)
    await eventually(lambda: app.bot_data.engine.stats.sent == 1)

    _, metrics = await get(f"{base}/metrics")
    assert sample(metrics, 'briefing_messages_sent_total{result="ok"}') >= 1
    assert sample(metrics, "briefing_push_lag_seconds_count") == 1
    # Due at the reader's time, sent (by the manual clock) 30 s later.
    assert sample(metrics, 'briefing_push_lag_seconds_bucket{le="15.0"}') == 0
    assert sample(metrics, 'briefing_push_lag_seconds_bucket{le="30.0"}') == 1
    assert str(READER) not in "".join(line for line in metrics.splitlines() if not line.startswith("#"))


async def test_readiness_names_a_database_that_takes_no_write(webhook_bot: Bot_) -> None:
    [tick] = webhook_bot.app.job_queue.get_jobs_by_name("delivery-tick")
    await tick.run(webhook_bot.app)
    other = sqlite3.connect(webhook_bot.db_path, timeout=0)
    try:
        other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        status, body = await get(f"{webhook_bot.base}/readyz")
    finally:
        other.rollback()
        other.close()
    assert status == 503
    assert '"database"' in body and "not writable" in body
    assert '"tick"' not in body


async def test_back_to_polling_deletes_the_webhook(webhook_bot: Bot_, tmp_path: Path) -> None:
    server = webhook_bot.server
    # A second bot on the same token in polling mode (the first keeps its webhook until then).
    settings = load_settings(
        {}, telegram_bot_token=server.token, telegram_api_url=server.url, briefing_db=tmp_path / "polling.db"
    )
    polling = build_application(settings, clock=ManualClock(START))
    async with running(polling, poll_timeout=1):
        assert server.webhook.url == ""
        assert server.sent(method="deleteWebhook")
        server.add_user(READER)
        server.send_user_message(READER, "/start")
        await server.wait_for(chat_id=READER)


def test_webhook_secret_is_required_and_checked() -> None:
    from bot.config import ConfigError

    with pytest.raises(ConfigError, match=r"^WEBHOOK_SECRET is required"):
        load_settings({"WEBHOOK_URL": "https://bot.example.org/hook"})
    with pytest.raises(ConfigError, match=r"^WEBHOOK_SECRET is invalid: expected 1 to 256") as error:
        load_settings({"WEBHOOK_URL": "https://bot.example.org/hook", "WEBHOOK_SECRET": "has space"})
    assert "has space" not in str(error.value)
    with pytest.raises(ConfigError, match=r"^WEBHOOK_URL is invalid"):
        load_settings({"WEBHOOK_URL": "http://bot.example.org/hook", "WEBHOOK_SECRET": "x"})
    settings = load_settings({"WEBHOOK_URL": "https://bot.example.org/tg/hook", "WEBHOOK_SECRET": "a" * 256})
    assert (settings.webhook_path, settings.listen_port) == ("/tg/hook", 8080)
    assert "a" * 256 not in repr(settings)
