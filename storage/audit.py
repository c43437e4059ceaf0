"""The audit trail: who did what to whom, including what they were refused.

Refusals are recorded too (``allowed=False``) because a reader probing editor commands is exactly what
an editor wants to see later.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from storage.db import Database
from storage.timestamps import from_epoch, to_epoch


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One recorded action: who did what to which target, with its details."""

    id: int
    at: dt.datetime
    actor_id: int | None
    action: str
    target: str | None
    details: dict[str, Any] | None
    allowed: bool


class AuditRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def record(
        self,
        actor_id: int | None,
        action: str,
        target: str | int | None = None,
        details: Mapping[str, Any] | None = None,
        allowed: bool = True,
    ) -> int:
        """Append an entry; returns its id. ``details`` must be JSON-serialisable."""
        changes = await self._db.execute(
            "INSERT INTO audit_log (at, actor_id, action, target, details, allowed) VALUES (?, ?, ?, ?, ?, ?)",
            (
                to_epoch(self._db.clock.now()),
                actor_id,
                action,
                None if target is None else str(target),
                None if details is None else json.dumps(dict(details), ensure_ascii=False, sort_keys=True),
                int(allowed),
            ),
        )
        assert changes.lastrowid is not None
        return changes.lastrowid

    async def recent(
        self, limit: int = 50, *, actor_id: int | None = None, action: str | None = None
    ) -> list[AuditEntry]:
        """Newest first, optionally for one actor or one action."""
        rows = await self._db.fetchall(
            """
            SELECT * FROM audit_log
            WHERE (:actor IS NULL OR actor_id = :actor) AND (:action IS NULL OR action = :action)
            ORDER BY id DESC LIMIT :limit
            """,
            {"actor": actor_id, "action": action, "limit": limit},
        )
        return [_entry(row) for row in rows]


def _entry(row: sqlite3.Row) -> AuditEntry:
    return AuditEntry(
        id=row["id"],
        at=from_epoch(row["at"]),
        actor_id=row["actor_id"],
        action=row["action"],
        target=row["target"],
        details=None if row["details"] is None else json.loads(row["details"]),
        allowed=bool(row["allowed"]),
    )
