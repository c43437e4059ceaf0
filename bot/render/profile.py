"""What the settings renderer is handed: a reader's profile and the outcome of each change they made.

The subscription use case (:mod:`bot.features.subscription`) builds these; :mod:`bot.render.settings` turns
them into messages. They are defined here, below both, so the renderer needs nothing from the use case.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.rules.authors import AuthorMatch
from bot.rules.preferences import Preferences
from storage import AuthorStat, FollowedAuthor, Subscriber, SubscriberStatus
from storage.timestamps import to_epoch


@dataclass(frozen=True, slots=True)
class ReaderProfile:
    """Everything stored about one reader, read in one go: what /settings and /mydata show."""

    subscriber: Subscriber
    preferences: Preferences
    followed: tuple[FollowedAuthor, ...]
    deliveries_received: int
    now: dt.datetime

    @property
    def receiving(self) -> bool:
        """Whether the daily digest is coming (active, or paused and coming back)."""
        return self.subscriber.status in (SubscriberStatus.ACTIVE, SubscriberStatus.PAUSED)

    @property
    def paused_indefinitely(self) -> bool:
        return self.subscriber.status is SubscriberStatus.PAUSED and self.subscriber.paused_until is None

    def forget_token(self) -> str:
        """Names this subscription in a /forget confirmation button (see ``ForgetDecision``)."""
        return str(to_epoch(self.subscriber.created_at))


@dataclass(frozen=True, slots=True)
class Change:
    """A preference change made from the /settings panel, described for the confirmation line."""

    profile: ReaderProfile
    setting: str
    """The panel's name of the setting: "format", "stories", "alerts", "push", "time"…"""
    changed: bool
    """False when the value was already so (a double tap)."""


@dataclass(frozen=True, slots=True)
class FollowOutcome:
    """What /follow did. Exactly one of the fields says so."""

    followed: str | None = None
    """The author now followed (the archive's spelling)."""
    already: str | None = None
    """The author was followed already."""
    candidates: tuple[AuthorMatch, ...] = ()
    """Several authors fit the query equally well: the reader picks one."""
    suggestions: tuple[AuthorStat, ...] = ()
    """Nobody in the archive fits: the closest authors, possibly none."""


@dataclass(frozen=True, slots=True)
class UnfollowOutcome:
    """What an unfollow did: the author dropped, or why none was."""

    unfollowed: str | None = None
    candidates: tuple[FollowedAuthor, ...] = ()
    """Several followed authors fit the query."""
    not_followed: bool = False
    """The query matches nobody the reader follows."""
