"""What a handler or a job may use: settings, the clock and the repositories, gathered in one object.

It is created once per running application (in ``post_init``) and reached through the typed context
(:class:`bot.context.BriefingContext`), never through a global.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.clock import Clock
from bot.config import Settings
from bot.delivery.scheduler import Scheduler
from bot.schedule import LatePolicy
from storage import (
    AuditRepository,
    BroadcastRepository,
    Database,
    DeliveryRepository,
    DigestRepository,
    SubscriberRepository,
)

if TYPE_CHECKING:
    from bot.delivery.engine import DeliveryEngine


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
    scheduler: Scheduler
    engine: DeliveryEngine | None = None
    """Set by the application once running; None in one-shot CLI commands that do not send."""

    @classmethod
    def over(cls, db: Database, settings: Settings, clock: Clock) -> Services:
        digests, subscribers, deliveries = DigestRepository(db), SubscriberRepository(db), DeliveryRepository(db)
        return cls(
            settings=settings,
            clock=clock,
            db=db,
            digests=digests,
            subscribers=subscribers,
            deliveries=deliveries,
            broadcasts=BroadcastRepository(db),
            audit=AuditRepository(db),
            scheduler=Scheduler(
                db, digests, subscribers, deliveries, clock, late_policy=LatePolicy(settings.late_issue_policy)
            ),
        )

    def is_editor(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.settings.admin_ids
