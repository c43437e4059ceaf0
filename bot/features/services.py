"""What a handler or a job may use: settings, the clock and the repositories, gathered in one object.

It is created once per running application (in ``post_init``) and reached through the typed context
(:class:`bot.telegram.context.BriefingContext`), never through a global.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from bot.delivery.pacing import ChatPacer
from bot.delivery.scheduler import Scheduler
from bot.features.authors import AuthorDirectory
from bot.rules.clock import Clock
from bot.rules.schedule import LatePolicy
from bot.rules.searches import SearchMemory
from storage import (
    AuditRepository,
    BroadcastRepository,
    ChannelPostRepository,
    Database,
    DeliveryRepository,
    DigestRepository,
    OpenRepository,
    Repositories,
    SubscriberRepository,
)

if TYPE_CHECKING:
    from bot.config import Settings  # a type only: pydantic loads with load_settings, not with the app

class Delivery(Protocol):
    """What use cases may ask of whoever sends (the running engine): look at the queue now; an issue changed."""

    def wake(self) -> None: ...

    def forget_digest(self, digest_id: int) -> None: ...


class NoDelivery:
    """No engine in this process (a one-shot CLI command): what is queued is sent by the next engine that runs."""

    def wake(self) -> None:
        pass

    def forget_digest(self, digest_id: int) -> None:
        pass


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
    opens: OpenRepository
    channels: ChannelPostRepository
    scheduler: Scheduler
    delivery: Delivery = field(default_factory=NoDelivery)
    """The running engine, told when something was queued or an issue changed; a no-op where none runs."""
    searches: SearchMemory = field(default_factory=SearchMemory)
    """Queries behind the search page buttons (``s:<page>:<id>``): in memory, bounded, forgotten after a day."""
    authors: AuthorDirectory = field(default_factory=AuthorDirectory)
    """The archive's authors, indexed for /opinion and inline mode; rebuilt when the archive changes."""
    reply_pacer: ChatPacer = field(default_factory=ChatPacer)
    """Paces command replies of several messages into one chat (Telegram: about one a second after a burst)."""

    async def newsletter_name(self) -> str | None:
        """NEWSLETTER_NAME, else the name the latest published issue prints (None before the first issue)."""
        if self.settings.newsletter_name:
            return self.settings.newsletter_name
        latest = await self.digests.latest_published()
        return latest.digest.newsletter if latest is not None else None

    @classmethod
    def over(
        cls,
        db: Database,
        settings: Settings,
        clock: Clock,
        *,
        delivery: Delivery | None = None,
        reply_pacer: ChatPacer | None = None,
    ) -> Services:
        repos = Repositories.over(db, timezone=settings.timezone)
        return cls(
            settings=settings,
            clock=clock,
            db=db,
            digests=repos.digests,
            subscribers=repos.subscribers,
            deliveries=repos.deliveries,
            broadcasts=repos.broadcasts,
            audit=repos.audit,
            opens=repos.opens,
            channels=repos.channels,
            scheduler=Scheduler(
                db,
                repos.digests,
                repos.subscribers,
                repos.deliveries,
                clock,
                late_policy=LatePolicy(settings.late_issue_policy),
            ),
            delivery=delivery or NoDelivery(),
            reply_pacer=reply_pacer or ChatPacer(),
        )

    def is_editor(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.settings.admin_ids
