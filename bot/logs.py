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


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then blanks out the known secrets and anything shaped like a bot token."""

    def __init__(self, secrets: Iterable[str] = (), fmt: str = FORMAT) -> None:
        super().__init__(fmt)
        self._secrets = tuple(s for s in secrets if s)

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return TOKEN_IN_TEXT.sub(REDACTED, text)

    def format(self, record: logging.LogRecord) -> str:
        # One event, one line: a traceback is folded onto the same line.
        return self.redact(super().format(record)).replace("\n", " | ")


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
        if record.exc_info:
            event["exception"] = self.formatException(record.exc_info)
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
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter(secrets) if fmt == "json" else RedactingFormatter(secrets))
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
        "trafilatura",
        "htmldate",
    ):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
