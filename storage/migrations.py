"""Numbered schema migrations: ``storage/migrations/NNNN_name.sql``, applied in order, each exactly once.

Each file runs in its own transaction together with the row that records it in ``schema_migrations``,
so a database is always exactly at some version: a migration that fails half-way leaves nothing behind,
and a crash between "applied" and "recorded" cannot happen. The files ship as package data and are read
with :mod:`importlib.resources`, so an installed wheel migrates the same way as a checkout.

Rules for writing one: never edit a migration that has shipped (add a new one); statements run inside a
transaction, so no ``VACUUM`` and no ``PRAGMA foreign_keys`` (a table rebuild that needs foreign keys off
would need a separate mechanism, which nothing needs yet).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING

from storage.timestamps import to_epoch

if TYPE_CHECKING:  # db.py imports this module to migrate on open
    from storage.db import Database

_FILENAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")

_BOOTSTRAP = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY CHECK (version > 0),
    name       TEXT    NOT NULL,
    applied_at INTEGER NOT NULL
)
"""


class MigrationError(RuntimeError):
    """The migration files or the database's recorded history are not something we can apply."""


@dataclass(frozen=True, slots=True)
class Migration:
    """One numbered file of ``storage/migrations``: its version, name and SQL."""

    version: int
    name: str
    sql: str

    def statements(self) -> list[str]:
        """The file split into statements.

        ``executescript`` would be simpler, but it COMMITs any open transaction first, which would break
        the "applied together with its record" guarantee. :func:`sqlite3.complete_statement` knows
        about string literals, comments and ``CREATE TRIGGER … BEGIN … END``, so splitting on the
        semicolons it accepts is exact.
        """
        statements: list[str] = []
        *pieces, tail = self.sql.split(";")
        pending = ""
        for piece in pieces:
            pending += piece + ";"
            if sqlite3.complete_statement(pending):
                if _has_code(pending):
                    statements.append(pending.strip())
                pending = ""
        if _has_code(pending + tail):
            raise MigrationError(f"migration {self.version:04d}_{self.name}: unterminated statement")
        return statements


def _has_code(sql: str) -> bool:
    lines = (line.split("--", 1)[0].strip() for line in sql.splitlines())
    return any(line and line != ";" for line in lines)


def available_migrations() -> tuple[Migration, ...]:
    """The migrations shipped with this code, in order; fails fast on gaps or duplicate numbers."""
    found: list[Migration] = []
    for entry in resources.files("storage").joinpath("migrations").iterdir():
        match = _FILENAME.match(entry.name)
        if match is None:
            continue
        found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise MigrationError(f"migrations must be numbered 1, 2, 3… without gaps; found {versions}")
    return tuple(found)


async def current_version(db: Database) -> int:
    """The highest applied version; 0 for a database that was never migrated."""
    exists = await db.fetchval("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'")
    if not exists:
        return 0
    return int(await db.fetchval("SELECT coalesce(max(version), 0) FROM schema_migrations"))


async def migrate(
    db: Database, migrations: Sequence[Migration] | None = None, *, target: int | None = None
) -> list[int]:
    """Apply the pending migrations (up to ``target``, default all); returns the versions applied.

    Running it again is a no-op. Each version is re-checked inside its own ``BEGIN IMMEDIATE``
    transaction, so two processes migrating the same file at once apply every migration once.
    A database that is *newer* than this code is refused rather than used with the wrong schema.
    """
    chosen = available_migrations() if migrations is None else tuple(migrations)
    known = {m.version for m in chosen}
    await db.execute(_BOOTSTRAP)
    latest = await current_version(db)
    if latest > max(known, default=0):
        raise MigrationError(f"database is at version {latest}, newer than this code knows ({max(known)})")

    applied: list[int] = []
    for migration in chosen:
        if target is not None and migration.version > target:
            break
        async with db.atomic():
            done = await db.fetchval("SELECT 1 FROM schema_migrations WHERE version = ?", (migration.version,))
            if done:
                continue
            for statement in migration.statements():
                await db.execute(statement)
            await db.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (migration.version, migration.name, to_epoch(db.clock.now())),
            )
        applied.append(migration.version)
    return applied
