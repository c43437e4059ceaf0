"""Logging: one line per event (text or JSON), no tracebacks below DEBUG, third-party warnings demoted to DEBUG,
and never a secret in either format."""

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
    configure_logging("WARNING", stream=io.StringIO())


def test_an_exception_is_one_line_without_a_traceback(stream: io.StringIO) -> None:
    configure_logging("INFO", stream=stream)
    try:
        raise ConnectionError("server went away")
    except ConnectionError:
        logging.getLogger("bot.test").exception("sending failed")
    [line] = stream.getvalue().splitlines()
    assert "sending failed: ConnectionError: server went away" in line
    assert "Traceback" not in line


def test_debug_keeps_the_traceback_folded_on_one_line(stream: io.StringIO) -> None:
    configure_logging("DEBUG", stream=stream)
    try:
        raise ConnectionError("server went away")
    except ConnectionError:
        logging.getLogger("bot.test").exception("sending failed")
    [line] = stream.getvalue().splitlines()
    assert "Traceback" in line


def test_third_party_warnings_go_to_debug(stream: io.StringIO) -> None:
    configure_logging("INFO", stream=stream)
    logging.getLogger("trafilatura.htmlprocessing").warning("empty link in %s", "page")
    logging.getLogger("bot.test").warning("ours stays a warning")
    assert stream.getvalue().splitlines() == [line for line in stream.getvalue().splitlines() if "ours" in line]
    assert "ours stays a warning" in stream.getvalue()

    verbose = io.StringIO()
    configure_logging("DEBUG", stream=verbose)
    logging.getLogger("trafilatura.htmlprocessing").warning("empty link in %s", "page")
    assert "DEBUG trafilatura.htmlprocessing: empty link in page" in verbose.getvalue()


def test_json_lines_carry_the_event_fields_and_no_secret(stream: io.StringIO) -> None:
    configure_logging("INFO", secrets=[TOKEN, SECRET], stream=stream, fmt="json")
    log = logging.getLogger("bot.test")
    log.info("sent to %s with %s", f"https://api.telegram.org/bot{TOKEN}/sendMessage", SECRET, extra={"chats": 3})
    try:
        raise RuntimeError(f"boom {SECRET}")
    except RuntimeError:
        log.exception("failed")
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert {"time", "level", "logger", "message"} <= set(first)
    assert (first["level"], first["logger"], first["chats"]) == ("INFO", "bot.test", 3)
    assert first["message"] == "sent to https://api.telegram.org/bot<token>/sendMessage with <token>"
    assert (second["level"], second["exception"]) == ("ERROR", "RuntimeError: boom <token>")
    assert TOKEN not in stream.getvalue() and SECRET not in stream.getvalue()


def test_text_redacts_the_webhook_secret(stream: io.StringIO) -> None:
    configure_logging("INFO", secrets=[SECRET], stream=stream)
    logging.getLogger("bot.test").warning("line one\nline two %s", SECRET)
    [line] = stream.getvalue().splitlines()
    assert line.endswith("WARNING bot.test: line one | line two <token>")
