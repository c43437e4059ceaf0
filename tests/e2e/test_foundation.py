"""The running bot over real HTTP: welcome, help, command menu, unknown commands, errors."""

from __future__ import annotations

import logging

import pytest

from bot.render import replies
from bot.render.commands import READER_COMMANDS
from tests.harness import EDITOR, READER, Harness, html_of, text_of


async def test_start_welcomes_and_subscribes(harness: Harness) -> None:
    harness.server.add_user(READER, first_name="Anna <3")
    [reply] = await harness.say(READER, "/start")
    assert "Hello, Anna &lt;3!" in html_of(reply)
    assert reply.parse_mode == "HTML"
    assert "08:00" in text_of(reply)
    subscriber = await harness.services.subscribers.get(READER)
    assert subscriber is not None and subscriber.status == "active"

    [again] = await harness.say(READER, "/start")
    assert "Welcome back" in text_of(again)


async def test_help_lists_reader_commands(harness: Harness) -> None:
    [reply] = await harness.say(READER, "/help")
    for command in READER_COMMANDS:
        assert f"/{command.name}" in text_of(reply)


async def test_command_menu_is_published(harness: Harness) -> None:
    names = [c["command"] for c in harness.server.commands()]
    assert names == [c.name for c in READER_COMMANDS]


async def test_command_addressed_to_the_bot_by_name(harness: Harness) -> None:
    [reply] = await harness.say(READER, f"/help@{harness.server.bot_user['username']}")
    assert "/start" in text_of(reply)


async def test_unknown_command_gets_the_command_list(harness: Harness) -> None:
    [reply] = await harness.say(READER, "/frobnicate now")
    assert "I don't know /frobnicate" in text_of(reply)
    assert "/help" in text_of(reply)


async def test_a_failing_handler_apologises_without_a_traceback(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(harness.services.subscribers, "upsert_on_start", broken)
    with caplog.at_level(logging.ERROR):
        [reply] = await harness.say(READER, "/start")
    assert reply.text == replies.APOLOGY
    assert "database on fire" not in reply.text
    failures = [r for r in caplog.records if r.name == "handlers.common"]
    assert failures and "update" in failures[0].getMessage()
    update_id = harness.server.updates()[-1]["update_id"]
    assert str(update_id) in failures[0].getMessage()


async def test_editor_sees_editor_help(harness: Harness) -> None:
    [reply] = await harness.say(EDITOR, "/help")
    assert "/start" in text_of(reply)
