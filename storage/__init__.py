"""Storage: the only package with SQL in it.

One :class:`Database` (one aiosqlite connection, the only writer) is opened at start-up and handed to
the repositories, which return frozen dataclasses and never commit on their own: a caller that needs
several writes to stand or fall together wraps them in ``db.atomic()``.
"""

from bot.rules.authors import author_key
from storage.audit import AuditEntry, AuditRepository
from storage.broadcasts import Broadcast, BroadcastRepository, BroadcastStatus, BroadcastTally
from storage.channels import ChannelPost, ChannelPostRepository
from storage.db import Changes, CheckResult, Database, DatabaseError
from storage.deliveries import Delivery, DeliveryRepository
from storage.digests import (
    SNIPPET_END,
    SNIPPET_START,
    AuthoredItem,
    AuthorStat,
    DigestRepository,
    DigestStatus,
    DigestSummary,
    SaveOutcome,
    SaveResult,
    SearchHit,
    SearchPage,
    StoredDigest,
)
from storage.leases import Lease, LeaseRepository, this_process
from storage.migrations import Migration, MigrationError, available_migrations, current_version, migrate
from storage.opens import OpenRepository
from storage.queue import Claimed, DeliveryStatus, RecipientQueue, Stuck
from storage.repositories import Repositories
from storage.subscribers import (
    EXPORT_COLUMNS,
    UNSET,
    DigestFormat,
    FollowedAuthor,
    PreferenceChanges,
    QuietReader,
    Subscriber,
    SubscriberRepository,
    SubscriberStatus,
)

__all__ = [
    "EXPORT_COLUMNS",
    "SNIPPET_END",
    "SNIPPET_START",
    "UNSET",
    "AuditEntry",
    "AuditRepository",
    "AuthorStat",
    "AuthoredItem",
    "Broadcast",
    "BroadcastRepository",
    "BroadcastStatus",
    "BroadcastTally",
    "Changes",
    "ChannelPost",
    "ChannelPostRepository",
    "CheckResult",
    "Claimed",
    "Database",
    "DatabaseError",
    "Delivery",
    "DeliveryRepository",
    "DeliveryStatus",
    "DigestFormat",
    "DigestRepository",
    "DigestStatus",
    "DigestSummary",
    "FollowedAuthor",
    "Lease",
    "LeaseRepository",
    "Migration",
    "MigrationError",
    "OpenRepository",
    "PreferenceChanges",
    "QuietReader",
    "RecipientQueue",
    "Repositories",
    "SaveOutcome",
    "SaveResult",
    "SearchHit",
    "SearchPage",
    "StoredDigest",
    "Stuck",
    "Subscriber",
    "SubscriberRepository",
    "SubscriberStatus",
    "author_key",
    "available_migrations",
    "current_version",
    "migrate",
    "this_process",
]
