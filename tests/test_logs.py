"""Logging: one line per event, no tracebacks below DEBUG, third-party warnings demoted to DEBUG."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from bot.logs import configure_logging


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
