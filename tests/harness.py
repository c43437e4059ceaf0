"""End-to-end harness: the real bot (real PTB client, real HTTP) against the local Bot API server.

A test gets a :class:`Harness` from the ``harness`` fixture (see ``conftest.py``), plays a reader by
injecting messages and button presses into the server, and reads back what the bot sent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from bot.config import Settings
from bot.features.services import Services
from bot.rules.clock import ManualClock
from bot.sandbox.records import SentRecord
from bot.sandbox.server import BotApiServer
from bot.telegram.context import BriefingApplication

READER = 1001
OTHER_READER = 1002
EDITOR = 9001
T = TypeVar("T")

START = dt.datetime(2026, 3, 2, 6, 0, tzinfo=dt.UTC)
"""A Monday morning: the injected clock starts here unless a test moves it."""


@dataclass
class Harness:
    server: BotApiServer
    app: BriefingApplication
    settings: Settings
    clock: ManualClock
    db_path: Path

    @property
    def services(self) -> Services:
        services = self.app.bot_data.services
        assert services is not None
        return services

    def _count(self, chat_id: int) -> int:
        return len([r for r in self.server.sent(chat_id=chat_id) if r.method in MESSAGE_METHODS])

    async def say(self, user_id: int, text: str, *, replies: int = 1, timeout: float = 5.0) -> list[SentRecord]:
        """Send ``text`` as ``user_id`` and return the ``replies`` new messages the bot sent to that chat."""
        before = self._count(user_id)
        self.server.send_user_message(user_id, text)
        return await self.wait_messages(user_id, before, replies, timeout=timeout)

    async def wait_messages(self, chat_id: int, before: int, count: int, *, timeout: float = 5.0) -> list[SentRecord]:
        def enough(records: list[SentRecord]) -> bool:
            return len([r for r in records if r.chat_id == chat_id and r.method in MESSAGE_METHODS]) >= before + count

        await self.server.wait_for(enough, timeout=timeout)
        sent = [r for r in self.server.sent(chat_id=chat_id) if r.method in MESSAGE_METHODS]
        return sent[before:]

    async def press(
        self,
        user_id: int,
        message_id: int | None,
        data: str | None = None,
        *,
        text: str | None = None,
        forge: bool = False,
        edits: int = 0,
        replies: int = 0,
        answer: bool = True,
        timeout: float = 5.0,
    ) -> list[SentRecord]:
        """Press a button; wait for the callback answer, ``edits`` edits and ``replies`` new messages."""
        before_msgs = self._count(user_id)
        before_edits = len(self.server.sent(chat_id=user_id, method="editMessageText"))
        before_answers = len(self.server.callback_answers())
        assert message_id is not None, "pressing a button on a record without a message"
        query_id = self.server.press_button(user_id, message_id, data, button_text=text, forge=forge)

        def done(records: list[SentRecord]) -> bool:
            msgs = [r for r in records if r.chat_id == user_id and r.method in MESSAGE_METHODS]
            eds = [r for r in records if r.chat_id == user_id and r.method == "editMessageText"]
            answered = len(self.server.callback_answers()) > before_answers or not answer
            return len(msgs) >= before_msgs + replies and len(eds) >= before_edits + edits and answered

        await self.server.wait_for(done, timeout=timeout)
        del query_id
        out = [r for r in self.server.sent(chat_id=user_id) if r.method in MESSAGE_METHODS][before_msgs:]
        out += self.server.sent(chat_id=user_id, method="editMessageText")[before_edits:]
        return out

    def last_answer_text(self) -> str | None:
        answers = self.server.callback_answers()
        return answers[-1].text if answers else None


MESSAGE_METHODS = frozenset({"sendMessage", "sendPhoto", "sendDocument"})


def buttons(record: SentRecord) -> list[tuple[str, str | None]]:
    """(text, callback_data) of every inline button on a sent message, row by row."""
    markup = record.reply_markup or {}
    return [(b["text"], b.get("callback_data")) for row in markup.get("inline_keyboard", []) for b in row]


def text_of(record: SentRecord) -> str:
    """The plain text of a message the bot sent (or edited, or a callback answer): every such record has
    one, and a test that reads it fails here, with the method named, when one does not."""
    assert record.text is not None, f"{record.method} to chat {record.chat_id} has no text"
    return record.text


def html_of(record: SentRecord) -> str:
    """The HTML exactly as the bot sent it; see :func:`text_of`."""
    assert record.html is not None, f"{record.method} to chat {record.chat_id} has no text"
    return record.html


def present(value: T | None) -> T:
    """``value``, which the test expects to be there (a stored record, a match): a None fails here."""
    assert value is not None, "expected a value, got None"
    return value
