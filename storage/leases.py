"""Leases: which process may run the delivery engine.

Two engines on one database would each requeue the other's in-flight sends at start-up and send them
again. The lease names its holder (``host:pid``) and expires unless renewed, so a crashed holder's lease
lapses; on the same host a dead holder's lease is taken over at once.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from dataclasses import dataclass

from storage.db import Database
from storage.timestamps import from_epoch, to_epoch


@dataclass(frozen=True, slots=True)
class Lease:
    """Who holds a named lease (``bot``, the delivery engine) and until when."""

    name: str
    owner: str
    expires_at: dt.datetime


def this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _alive_here(owner: str) -> bool:
    """False when ``owner`` is a process on this host that no longer exists."""
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class LeaseRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def holder(self, name: str) -> Lease | None:
        """The current, unexpired lease held by a live process, if any."""
        row = await self._db.fetchone("SELECT * FROM leases WHERE name = ?", (name,))
        if row is None:
            return None
        lease = Lease(row["name"], row["owner"], from_epoch(row["expires_at"]))
        if lease.expires_at <= self._db.clock.now() or not _alive_here(lease.owner):
            return None
        return lease

    async def acquire(self, name: str, owner: str, ttl: dt.timedelta) -> bool:
        """Take or renew the lease; False while another live holder has it."""
        async with self._db.atomic():
            current = await self.holder(name)
            if current is not None and current.owner != owner:
                return False
            await self._db.execute(
                "INSERT INTO leases (name, owner, expires_at) VALUES (?, ?, ?) "
                "ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at",
                (name, owner, to_epoch(self._db.clock.now() + ttl)),
            )
            return True

    async def release(self, name: str, owner: str) -> None:
        await self._db.execute("DELETE FROM leases WHERE name = ? AND owner = ?", (name, owner))
