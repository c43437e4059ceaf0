"""Moving a subscriber list in and out as CSV (``briefing subscribers import`` / ``export``).

A list from another tool is rarely clean, and one bad row must not cost the others: every row is checked
here on its own, with the same parsers the bot uses for what readers type, and a bad row is reported by
its line number and left out. Only rows that passed reach storage, whose ``import_rows`` is all or nothing.

The columns are storage's ``EXPORT_COLUMNS``; only ``chat_id`` is required, and headers are matched loosely
("Chat ID", "delivery time", "tz"). An empty cell means "not given": the configured default for timezone
and delivery time, storage's default for the rest. Timestamps without an offset are taken as UTC. The next
delivery is always recomputed from the imported time and timezone, never copied: an exported
``next_delivery_at`` is already in the past when the file is imported, and the reader would get an issue
at once.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import zoneinfo
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TextIO

from bot.digest.model import ItemKind
from bot.rules.chats import ChatKind
from bot.rules.preferences import PreferenceError, parse_format, parse_sections
from bot.rules.quiet import parse_quiet_hours
from bot.rules.schedule import next_delivery
from bot.rules.timezones import parse_delivery_time, parse_timezone
from storage import EXPORT_COLUMNS, SubscriberRepository, SubscriberStatus

MAX_CHAT_ID = 2**63 - 1

COLUMN_ALIASES = {
    "chat": "chat_id",
    "user": "user_id",
    "tz": "timezone",
    "time_zone": "timezone",
    "time": "delivery_time",
    "state": "status",
}
"""Other names tools give the columns, after :func:`_column` has normalised case and spacing."""

_IGNORED = frozenset({"next_delivery_at"})
"""Recomputed on import (see the module docstring), so a value in the file is not an error."""
_STATUS_WORDS = {
    **{status.value: status for status in SubscriberStatus},
    "subscribed": SubscriberStatus.ACTIVE,
    "unsubscribed": SubscriberStatus.LEFT,
}
_BOOLEANS = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}
_INTEGER = re.compile(r"[+-]?[0-9]{1,19}")
_DELIMITERS = ",;\t"


class CsvError(ValueError):
    """The file as a whole cannot be read (no header, no chat_id column): nothing is imported."""


@dataclass(frozen=True, slots=True)
class RowError:
    line: int
    """The line the row starts on, counting the header as line 1."""
    message: str


@dataclass(frozen=True, slots=True)
class CsvImport:
    """A file read and checked: the rows to store, in storage's shape, and the rows left out, with why."""

    rows: tuple[dict[str, Any], ...]
    errors: tuple[RowError, ...]
    ignored_columns: tuple[str, ...] = ()
    """Header names that are not subscriber columns (reported once, not per row)."""

    def describe(self, *, dry_run: bool = False) -> str:
        return _describe(len(self.rows), len(self.errors), self.ignored_columns, dry_run=dry_run)


def _describe(rows: int, errors: int, ignored_columns: tuple[str, ...], *, dry_run: bool) -> str:
    verb = "would import" if dry_run else "imported"
    noun = "subscriber" if rows == 1 else "subscribers"
    text = f"{verb} {rows} {noun}"
    if errors:
        text += f"; skipped {errors} bad {'row' if errors == 1 else 'rows'}"
    if ignored_columns:
        text += f"; ignored columns: {', '.join(ignored_columns)}"
    return text


@dataclass(frozen=True, slots=True)
class Defaults:
    """What an empty timezone or delivery time cell becomes: the configured defaults for new readers."""

    timezone: str = "UTC"
    delivery_time: dt.time = dt.time(8, 0)


class SubscriberCsv:
    """A subscriber CSV checked as it is read: iterate it for the good rows, in storage's shape.

    Nothing is held but the current row, the rows left out (with why) and the chat ids seen so far (to
    report a reader listed twice), so a million-row file is imported in constant memory apart from those
    ids: ``briefing subscribers import`` hands the iterator straight to storage's one ``executemany``.
    The header is read and checked on construction. After a full iteration, :attr:`count`,
    :attr:`errors` and :meth:`describe` tell what happened; a second iteration yields nothing.

    Args:
        lines: The file, opened with ``newline=""`` (quoted fields may span lines).
        now: The current instant: next deliveries are computed from it.
        defaults: For empty timezone and delivery time cells.

    Raises:
        CsvError: the file has no header or no ``chat_id`` column, or a column twice.
    """

    def __init__(self, lines: Iterable[str], *, now: dt.datetime, defaults: Defaults | None = None) -> None:
        self._now = now
        self._defaults = defaults or Defaults()
        lines = iter(lines)
        first = next(lines, None)
        if first is None or not first.strip():
            raise CsvError(
                "the file is empty; the first line must name the columns, like chat_id,timezone,delivery_time"
            )
        delimiter = max(_DELIMITERS, key=first.count)
        self._reader = csv.reader(_chain(first, lines), delimiter=delimiter)
        self._header = header = [_column(name) for name in next(self._reader)]
        if "chat_id" not in header:
            raise CsvError(f"no chat_id column in the header (found: {', '.join(header) or 'nothing'})")
        if duplicates := sorted({name for name in header if name and header.count(name) > 1}):
            raise CsvError(f"column {duplicates[0]} appears twice in the header")
        self._known = set(EXPORT_COLUMNS)
        self.ignored_columns = tuple(name for name in header if name not in self._known and name not in _IGNORED)
        self.errors: list[RowError] = []
        self.count = 0
        """Good rows yielded so far."""

    def __iter__(self) -> Iterator[dict[str, Any]]:
        reader, header, known = self._reader, self._header, self._known
        # Only the ids, not the line each was on: for a million rows that is 64 MB instead of 115 MB.
        seen: set[int] = set()
        line = reader.line_num
        for record in reader:
            start, line = line + 1, reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if len(record) > len(header):
                self.errors.append(RowError(start, f"{len(record)} fields, but the header names {len(header)} columns"))
                continue
            cells = {name: cell.strip() for name, cell in zip(header, record, strict=False) if name in known}
            try:
                row = _check_row(cells, self._now, self._defaults)
            except _RowProblems as problems:
                self.errors.append(RowError(start, "; ".join(problems.args)))
                continue
            chat_id = row["chat_id"]
            if chat_id in seen:
                self.errors.append(RowError(start, f"chat_id {chat_id} is on an earlier line already"))
                continue
            seen.add(chat_id)
            self.count += 1
            yield row

    def describe(self, *, dry_run: bool = False) -> str:
        return _describe(self.count, len(self.errors), self.ignored_columns, dry_run=dry_run)


def read_subscribers(lines: Iterable[str], *, now: dt.datetime, defaults: Defaults | None = None) -> CsvImport:
    """Read and check a whole subscriber CSV into memory (:class:`SubscriberCsv` streams instead).

    Raises:
        CsvError: as :class:`SubscriberCsv`.
    """
    checked = SubscriberCsv(lines, now=now, defaults=defaults)
    rows = tuple(checked)
    return CsvImport(rows, tuple(checked.errors), checked.ignored_columns)


async def import_subscribers(subscribers: SubscriberRepository, checked: CsvImport | SubscriberCsv) -> int:
    """Store the rows that passed (new readers are added, known ones updated); returns how many.

    A :class:`SubscriberCsv` is read while it is stored, all in one transaction: a file that turns out
    unreadable half-way (not UTF-8) stores nothing.
    """
    rows = checked.rows if isinstance(checked, CsvImport) else checked
    return await subscribers.import_rows(rows)


async def write_subscribers(subscribers: SubscriberRepository, out: TextIO) -> int:
    """Every subscriber as CSV with a header of ``EXPORT_COLUMNS``; returns how many rows were written."""
    writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    count = 0
    async for row in subscribers.export_rows():
        writer.writerow(row)
        count += 1
    return count


# --- one row ----------------------------------------------------------------------------------------


class _RowProblems(Exception):
    """Everything wrong with one row, one message per column."""


def _check_row(cells: dict[str, str], now: dt.datetime, defaults: Defaults) -> dict[str, Any]:
    problems: list[str] = []

    def check(name: str, read: Any) -> Any:
        value = cells.get(name, "")
        if not value:
            return None
        try:
            return read(value)
        except (PreferenceError, ValueError) as error:
            problems.append(f"{name}: {error}")
            return None

    if not cells.get("chat_id"):
        problems.append("chat_id: missing")
    chat_id = check("chat_id", _chat_id)
    user_id = check("user_id", _user_id)
    status = check("status", _status) or SubscriberStatus.ACTIVE
    timezone = check("timezone", lambda value: _timezone(value, now)) or defaults.timezone
    delivery_time = check("delivery_time", parse_delivery_time) or defaults.delivery_time
    fmt = check("format", parse_format)
    sections = check("sections", parse_sections)
    alerts = check("breaking_alerts", _boolean)
    push = check("push_followed_on_publish", _boolean)
    paused_until = check("paused_until", _instant)
    created_at = check("created_at", _instant)
    status_changed_at = check("status_changed_at", _instant)
    kind = check("chat_kind", ChatKind)
    thread_id = check("thread_id", _user_id)
    quiet = check("quiet_hours", parse_quiet_hours)
    hold = check("quiet_hold", _boolean)
    if paused_until is not None and status is not SubscriberStatus.PAUSED:
        problems.append(f"paused_until: only a paused reader has one, and the status is {status.value}")
    if problems:
        raise _RowProblems(*problems)

    row: dict[str, Any] = {
        "chat_id": chat_id,
        "user_id": user_id,
        "first_name": cells.get("first_name") or None,
        "username": (cells.get("username") or "").lstrip("@") or None,
        "language": cells.get("language") or None,
        "status": status.value,
        "timezone": timezone,
        "delivery_time": f"{delivery_time:%H:%M}",
        "paused_until": paused_until,
        "next_delivery_at": next_delivery(now, delivery_time, zoneinfo.ZoneInfo(timezone), paused_until=paused_until),
        "created_at": created_at,
        "status_changed_at": status_changed_at,
    }
    if fmt is not None:
        row["format"] = fmt.value
    if sections is not None:
        row["sections"] = ",".join(kind.value for kind in ItemKind if kind in sections)
    if alerts is not None:
        row["breaking_alerts"] = str(int(alerts))
    if push is not None:
        row["push_followed_on_publish"] = str(int(push))
    if kind is not None:
        row["chat_kind"] = kind.value
    if thread_id is not None:
        row["thread_id"] = thread_id
    if quiet is not None:
        row["quiet_hours"] = f"{quiet.start:%H:%M}-{quiet.end:%H:%M}"
    if hold is not None:
        row["quiet_hold"] = str(int(hold))
    return row


def _chat_id(value: str) -> int:
    number = _integer(value)
    if number == 0:
        raise ValueError("0 is not a Telegram chat id")
    return number


def _user_id(value: str) -> int:
    number = _integer(value)
    if number <= 0:
        raise ValueError(f"{value!r} is not a Telegram user id (a positive number)")
    return number


def _integer(value: str) -> int:
    if _INTEGER.fullmatch(value) is None or abs(int(value)) > MAX_CHAT_ID:
        raise ValueError(f"{value!r} is not a whole number, like 123456789")
    return int(value)


def _status(value: str) -> SubscriberStatus:
    status = _STATUS_WORDS.get(value.casefold())
    if status is None:
        raise ValueError(f"{value!r} is not one of active, paused, blocked, left")
    return status


def _timezone(value: str, now: dt.datetime) -> str:
    # A bare time makes sense in a chat ("14:35" = "it's 14:35 here"), not in a file read later.
    if value[:1].isdigit():
        raise ValueError(f"{value!r} is not a timezone; write a name like Europe/Berlin or an offset like UTC+3")
    return parse_timezone(value, now=now).tz_name


def _boolean(value: str) -> bool:
    if value.casefold() not in _BOOLEANS:
        raise ValueError(f"{value!r} is not 1 or 0 (true/false, yes/no)")
    return _BOOLEANS[value.casefold()]


def _instant(value: str) -> dt.datetime:
    try:
        instant = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a date and time like 2026-03-02T06:00:00+00:00") from None
    return instant if instant.tzinfo is not None else instant.replace(tzinfo=dt.UTC)


def _column(name: str) -> str:
    """A header cell as a column name: "Chat ID" and "chat-id" are ``chat_id``; "tz" is ``timezone``."""
    key = "_".join(name.strip().casefold().replace("-", " ").split())
    return COLUMN_ALIASES.get(key, key)


def _chain(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest
