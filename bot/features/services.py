"""What a handler or a job may use: settings, the clock and the repositories, gathered in one object.

It is created once per running application (in ``post_init``) and reached through the typed context
(:class:`bot.telegram.context.BriefingContext`), never through a global.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.delivery.pacing import ChatPacer
from bot.delivery.scheduler import Scheduler
from bot.features.reading import AuthorDirectory
from bot.rules.clock import Clock
from bot.rules.schedule import LatePolicy
from bot.rules.searches import SearchMemory
from storage import (
    AuditRepository,
    BroadcastRepository,
    Database,
    DeliveryRepository,
    DigestRepository,
    SubscriberRepository,
)

if TYPE_CHECKING:
    from bot.config import Settings  # a type only: pydantic loads with load_settings, not with the app
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
    searches: SearchMemory = field(default_factory=SearchMemory)
    """Queries behind the search page buttons (``s:<page>:<id>``): in memory, bounded, forgotten after a day."""
    authors: AuthorDirectory = field(default_factory=AuthorDirectory)
    """The archive's authors, indexed for /opinion and inline mode; rebuilt when the archive changes."""
    reply_pacer: ChatPacer = field(default_factory=ChatPacer)
    """Paces command replies of several messages into one chat (Telegram: about one a second after a burst)."""

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
