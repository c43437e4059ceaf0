"""Logging: text or JSON lines, and never a secret, in either format."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.logs import configure_logging

TOKEN = "123456789:" + "A" * 35
SECRET = "webhook_Secret-1"


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    out = io.StringIO()
    yield out
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.get_name() == "briefing"]:
        root.removeHandler(handler)


def test_json_lines_carry_the_event_fields_and_no_secret(stream: io.StringIO) -> None:
    configure_logging("INFO", secrets=[TOKEN, SECRET], stream=stream, fmt="json")
    log = logging.getLogger("bot.test")
    log.info("sent to %s with %s", f"https://api.telegram.org/bot{TOKEN}/sendMessage", SECRET, extra={"chats": 3})
    try:
        raise RuntimeError(f"boom {SECRET}\nsecond line")
    except RuntimeError:
        log.exception("failed")
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert {"time", "level", "logger", "message"} <= set(first)
    assert (first["level"], first["logger"], first["chats"]) == ("INFO", "bot.test", 3)
    assert first["message"] == "sent to https://api.telegram.org/bot<token>/sendMessage with <token>"
    assert second["level"] == "ERROR" and "RuntimeError: boom <token>" in second["exception"]
    assert TOKEN not in stream.getvalue() and SECRET not in stream.getvalue()


def test_text_stays_one_line_per_event(stream: io.StringIO) -> None:
    configure_logging("INFO", secrets=[SECRET], stream=stream)
    logging.getLogger("bot.test").warning("line one\nline two %s", SECRET)
    [line] = stream.getvalue().splitlines()
    assert line.endswith("WARNING bot.test: line one | line two <token>")
