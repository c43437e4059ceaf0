"""Logging: one line per event, and never the bot token.

The token is part of every Bot API URL, and httpx logs request URLs at INFO level; PTB puts URLs into some
exception messages too. Redacting in the formatter covers messages, arguments and tracebacks alike.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
from collections.abc import Iterable
from typing import Any, Literal, TextIO

TOKEN_IN_TEXT = re.compile(r"\d{3,20}:[A-Za-z0-9_-]{30,64}")
REDACTED = "<token>"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


THIRD_PARTY = ("trafilatura", "htmldate", "justext", "courlan", "feedparser", "charset_normalizer")
"""Libraries whose warnings are about their input, not about the bot ("empty link"): shown at DEBUG only."""


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then blanks out the known secrets and anything shaped like a bot token.

    Below DEBUG an exception is shown as ``Type: message`` on the event's line, never as a traceback: the
    operator gets one useful line; ``LOG_LEVEL=DEBUG`` shows the traceback (still on one line).
    """

    def __init__(self, secrets: Iterable[str] = (), fmt: str = FORMAT, *, tracebacks: bool = True) -> None:
        super().__init__(fmt)
        self._secrets = tuple(s for s in secrets if s)
        self._tracebacks = tracebacks

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return TOKEN_IN_TEXT.sub(REDACTED, text)

    def format(self, record: logging.LogRecord) -> str:
        if not self._tracebacks and record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            line = f"{super().formatMessage(self._with_message(record))}: {type(exc).__name__}: {exc}"
            return self.redact(line).replace("\n", " | ")
        # One event, one line: a traceback is folded onto the same line.
        return self.redact(super().format(record)).replace("\n", " | ")

    def _with_message(self, record: logging.LogRecord) -> logging.LogRecord:
        record.message = record.getMessage()
        if self.usesTime():
            record.asctime = self.formatTime(record, self.datefmt)
        return record


class DemoteThirdParty(logging.Filter):
    """Warnings from :data:`THIRD_PARTY` libraries become DEBUG records, dropped unless DEBUG is on."""

    def __init__(self, level: int) -> None:
        super().__init__()
        self._level = level

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno <= logging.WARNING and record.name.split(".")[0] in THIRD_PARTY:
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            return self._level <= logging.DEBUG
        return True


_RECORD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}
"""Attributes every LogRecord has; anything else on a record was passed as ``extra=`` (the event's fields)."""


class JsonFormatter(RedactingFormatter):
    """One JSON object per line: time, level, logger, message, the event's ``extra`` fields, any traceback."""

    def format(self, record: logging.LogRecord) -> str:
        event: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _RECORD_FIELDS and not key.startswith("_"):
                event[key] = value if isinstance(value, str | int | float | bool | None) else str(value)
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            # A traceback only at DEBUG, as in text; otherwise the one line an operator needs.
            event["exception"] = (
                self.formatException(record.exc_info) if self._tracebacks else f"{type(exc).__name__}: {exc}"
            )
        # Redacted after encoding, so a secret is blanked wherever it appears; json.dumps keeps it one line.
        return self.redact(json.dumps(event, ensure_ascii=False, default=str))


def configure_logging(
    level: str = "INFO",
    *,
    secrets: Iterable[str] = (),
    stream: TextIO | None = None,
    fmt: Literal["text", "json"] = "text",
) -> None:
    """Install one redacting handler on the root logger (replacing any earlier one of ours)."""
    numeric = logging.getLevelName(level)
    handler = logging.StreamHandler(stream or sys.stderr)
    tracebacks = numeric <= logging.DEBUG
    formatter = JsonFormatter if fmt == "json" else RedactingFormatter
    handler.setFormatter(formatter(secrets, tracebacks=tracebacks))
    handler.addFilter(DemoteThirdParty(numeric))
    handler.set_name("briefing")
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "briefing"]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # Request-by-request chatter from the HTTP clients is noise at INFO; their warnings still show.
    for noisy in (
        "httpx",
        "httpcore",
        "apscheduler.executors.default",
        "aiohttp.access",
        "aiosqlite",
    ):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, numeric))
    for library in THIRD_PARTY:
        # Their warnings reach the handler, which shows them as DEBUG (or not at all).
        logging.getLogger(library).setLevel(logging.DEBUG if numeric <= logging.DEBUG else logging.WARNING)
