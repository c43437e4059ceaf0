"""What a handler or a job may use: settings, the clock and the repositories, gathered in one object.

It is created once per running application (in ``post_init``) and reached through the typed context
(:class:`bot.context.BriefingContext`), never through a global.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.config import Settings
from storage import (
    AuditRepository,
    BroadcastRepository,
    Database,
    DeliveryRepository,
    DigestRepository,
    SubscriberRepository,
)


@dataclass(slots=True)
class Services:
    settings: Settings
    clock: Clock
    db: Database
    digests: DigestRepository
    subscribers: SubscriberRepository
    deliveries: DeliveryRepository
    broadcasts: BroadcastRepository
    audit: AuditRepository

    @classmethod
    def over(cls, db: Database, settings: Settings, clock: Clock) -> Services:
        return cls(
            settings=settings,
            clock=clock,
            db=db,
            digests=DigestRepository(db),
            subscribers=SubscriberRepository(db),
            deliveries=DeliveryRepository(db),
            broadcasts=BroadcastRepository(db),
            audit=AuditRepository(db),
        )

    def is_editor(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.settings.admin_ids
