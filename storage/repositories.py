"""All repositories over one database, built together: what the delivery engine and the use cases read and write.

Repositories are thin and stateless over the one :class:`~storage.db.Database`, so two bundles over the same
database (the engine's and the use cases') see the same rows and share its single writer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from storage.audit import AuditRepository
from storage.broadcasts import BroadcastRepository
from storage.channels import ChannelPostRepository
from storage.db import Database
from storage.deliveries import DeliveryRepository
from storage.digests import DigestRepository
from storage.opens import OpenRepository
from storage.subscribers import SubscriberRepository


@dataclass(frozen=True, slots=True)
class Repositories:
    db: Database
    digests: DigestRepository
    subscribers: SubscriberRepository
    deliveries: DeliveryRepository
    broadcasts: BroadcastRepository
    audit: AuditRepository
    opens: OpenRepository
    channels: ChannelPostRepository

    @classmethod
    def over(cls, db: Database, *, timezone: dt.tzinfo = dt.UTC) -> Repositories:
        """``timezone`` is the publisher's (DEFAULT_TIMEZONE): it decides which issue is today's."""
        return cls(
            db=db,
            digests=DigestRepository(db, timezone=timezone),
            subscribers=SubscriberRepository(db),
            deliveries=DeliveryRepository(db),
            broadcasts=BroadcastRepository(db),
            audit=AuditRepository(db),
            opens=OpenRepository(db),
            channels=ChannelPostRepository(db),
        )
