"""All repositories over one database, built together: what the delivery engine and the use cases read and write.

Repositories are thin and stateless over the one :class:`~storage.db.Database`, so two bundles over the same
database (the engine's and the use cases') see the same rows and share its single writer.
"""

from __future__ import annotations

from dataclasses import dataclass

from storage.audit import AuditRepository
from storage.broadcasts import BroadcastRepository
from storage.db import Database
from storage.deliveries import DeliveryRepository
from storage.digests import DigestRepository
from storage.subscribers import SubscriberRepository


@dataclass(frozen=True, slots=True)
class Repositories:
    db: Database
    digests: DigestRepository
    subscribers: SubscriberRepository
    deliveries: DeliveryRepository
    broadcasts: BroadcastRepository
    audit: AuditRepository

    @classmethod
    def over(cls, db: Database) -> Repositories:
        return cls(
            db=db,
            digests=DigestRepository(db),
            subscribers=SubscriberRepository(db),
            deliveries=DeliveryRepository(db),
            broadcasts=BroadcastRepository(db),
            audit=AuditRepository(db),
        )
