"""Long input is never echoed whole (issue #14): every reply to a 4,000-character command is a valid message.

Telegram refuses a message over 4,096 characters; a reply that quoted the reader's whole input was refused,
and the reader got "something went wrong" instead. Quoted input is shortened in one place (render.html).
"""

from __future__ import annotations

import pytest

from bot.render import replies
from bot.render.html import MESSAGE_LIMIT, visible_len
from tests.harness import READER, Harness
from tests.reading_fixtures import JAN_7, load

LONG = "x" * 4000
"""A command and 4,000 characters: the message is at Telegram's limit, a reply that quotes it is over."""

COMMANDS = ["/digest", "/story", "/opinion", "/time", "/timezone", "/pause", "/follow", "/archive", "/search"]


@pytest.mark.limits(None)
@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("tail", [LONG, "  ".join(["Trenin"] * 570), "🙂" * 2040], ids=["letters", "words", "emoji"])
async def test_a_reply_to_a_4000_character_command_is_valid(harness: Harness, command: str, tail: str) -> None:
    await load(harness.services.db, harness.services.digests, JAN_7)
    await harness.say(READER, "/start")
    text = f"{command} {tail}"[:4096]
    refused = harness.server.stats().errors.get(400, 0)  # the editor menu, refused until the editor writes
    [reply] = await harness.say(READER, text)
    assert reply.text is not None
    assert reply.text != replies.APOLOGY
    assert visible_len(reply.html or "") <= MESSAGE_LIMIT
    # The input is not echoed: at most a short quote of it (the reply itself may be long, e.g. the piece that
    # "/opinion Trenin Trenin …" finds).
    assert " ".join(tail.split())[:150] not in " ".join(reply.text.split()), reply.text[:200]
    assert harness.server.stats().errors.get(400, 0) == refused
