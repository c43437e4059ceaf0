"""Publishing from the chat: an editor's text or file → a parsed issue → (after Publish) the latest issue.

The parsed issue waits in :class:`PendingIssues` (per chat, in memory) until the editor presses Publish or
Cancel: nothing touches the database before that, so a cancelled or failed upload leaves no trace but the
chat. Withdrawing and publishing are recorded in the audit log.

The parser and the readers of files, e-mails, pages and feeds are imported by the functions that use them:
the running bot loads them with the first upload (or the first feed poll), not at start-up (issue #15).
"""

from __future__ import annotations

import datetime as dt
import functools
import secrets
from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING

from bot.digest.model import Digest
from bot.features.services import Services
from bot.rules.issues import IssueDay, empty_issue_reason, is_far_past, issue_day
from bot.sources.file import DOCUMENT_SUFFIXES, SourceError, decode_text
from storage import DigestStatus, SaveOutcome, StoredDigest

if TYPE_CHECKING:
    from bot.digest.parser import Parsed
    from bot.sources.daily import Assembled, DailyDigests

UPLOAD_EXTENSIONS = DOCUMENT_SUFFIXES
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
"""Far above any issue (the longest sample is 9 KB); Telegram would let a bot download 20 MB."""
PENDING_PER_CHAT = 5
"""Uploads awaiting a decision per chat; older ones expire (their buttons say so)."""


class UploadError(Exception):
    """The upload is not an issue we can read; the message says why, for the editor."""


def check_upload(filename: str | None, size: int | None) -> str:
    """The file's name if it may be an issue, before downloading it; UploadError otherwise."""
    name = filename or "the file"
    if _suffix(filename) not in UPLOAD_EXTENSIONS:
        raise UploadError(f"I read issues from .txt, .md, .html and .eml files, and {name} is none of those.")
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise UploadError(f"{name} is {size // 1024} KB; an issue is never more than {MAX_UPLOAD_BYTES // 1024} KB.")
    if size == 0:
        raise UploadError(f"{name} is empty.")
    return name


def issue_from_upload(data: bytes, filename: str, *, today: dt.date | None = None) -> Parsed:
    """Decode and parse an uploaded file (text, Markdown, HTML or e-mail) the way ``briefing parse`` does.

    CPU-bound: call it in a thread. An undated issue is dated ``today`` (it is being published now).

    Raises:
        UploadError: binary or undecodable data, a page without text, or text that is not an issue.
    """
    from bot.digest.parser import ParseError
    from bot.sources.document import parse_document

    try:
        return _dated(parse_document(decode_text(data, filename), name=filename), today)
    except SourceError as exc:
        raise UploadError(_reason(str(exc), filename)) from None
    except ParseError as exc:
        raise UploadError(str(exc)) from None


def issue_from_text(text: str, *, source: str | None = None, today: dt.date | None = None) -> Parsed:
    """A pasted issue, read like a file of the same text (an e-mail's source pasted whole works too)."""
    from bot.digest.parser import ParseError
    from bot.sources.document import parse_document

    try:
        return _dated(parse_document(text, source=source), today)
    except SourceError as exc:
        raise UploadError(str(exc)) from None
    except ParseError as exc:
        raise UploadError(str(exc)) from None


def pasted_issue(text: str, *, today: dt.date) -> Parsed | None:
    """An editor's plain message read as an issue, or None when it is not one (it gets the reader's reply).

    Stricter than ``/publish``, where the editor said the text is an issue: a pasted issue prints its date
    (as every issue's masthead does) and has at least one item, so that two paragraphs typed to the bot are
    never taken for an issue.
    """
    try:
        parsed = issue_from_text(text, today=today)
    except UploadError:
        return None
    date = parsed.note("date")
    return parsed if date is not None and not date.guessed else None


def _dated(parsed: Parsed, today: dt.date | None) -> Parsed:
    """Date an undated issue ``today``; refuse one without a single item (never offered to publish)."""
    if (reason := empty_issue_reason(parsed.digest)) is not None:
        raise UploadError(reason)
    from bot.digest.parser import dated_today

    return dated_today(parsed, today) if today is not None else parsed


@dataclass(frozen=True, slots=True)
class Preview:
    """What publishing this issue would do, for the outline the editor sees before pressing a button."""

    day: IssueDay
    far_past: bool


def preview(services: Services, digest: Digest) -> Preview:
    today = services.digests.today()
    return Preview(issue_day(digest.date, today), is_far_past(digest.date, today))


def guessed_fields(parsed: Parsed) -> dict[str, str]:
    """Field → the rule that stood in for it, for the fields the issue did not print (the editor's preview)."""
    return {note.field: note.rule for note in parsed.notes if note.guessed}


class PendingIssues:
    """Parsed uploads waiting for Publish or Cancel, by the token their buttons carry."""

    def __init__(self) -> None:
        self._issues: dict[str, Digest] = {}

    def add(self, digest: Digest) -> str:
        token = secrets.token_urlsafe(9)
        self._issues[token] = digest
        while len(self._issues) > PENDING_PER_CHAT:
            del self._issues[next(iter(self._issues))]
        return token

    def pop(self, token: str) -> Digest | None:
        return self._issues.pop(token, None)


@dataclass(frozen=True, slots=True)
class Published:
    digest_id: int
    outcome: SaveOutcome
    republished: bool
    """It had been withdrawn: an editor publishing it explicitly brings it back."""
    day: IssueDay = IssueDay.TODAY
    draft: bool = False
    """Dated after tomorrow: stored as a draft, not published."""
    announced: bool = False
    """The editor sent it as today's issue on purpose, whatever its date."""
    queued: int = 0
    """Readers whose time today had passed, sent it now."""


async def daily_digests(services: Services) -> DailyDigests:
    """The daily digest of the newsroom feeds (FEED_MODE=daily), named like the briefing."""
    from bot.sources.daily import DailyDigests, DailyFeed

    settings = services.settings
    config = DailyFeed(settings.digest_cutoff, settings.timezone, await services.newsletter_name())
    return DailyDigests(services.db, services.digests, config)


async def assemble_daily(services: Services) -> list[Assembled]:
    """The daily-digest job (FEED_MODE=daily, at DIGEST_CUTOFF): every day whose cutoff has passed becomes
    one published digest of its feed entries, announced like any issue (late readers get it now)."""
    daily = await daily_digests(services)
    return await daily.assemble_due(functools.partial(announce_published, services))


async def announce_published(services: Services, digest_id: int, *, force: bool = False) -> int:
    """A new issue is out: readers whose time today has passed get it now (per LATE_ISSUE_POLICY).

    Every way of publishing (feed poller, an editor's /publish, a re-published draft) ends here, so the
    late-issue rule and waking the engine live in one place. Only today's digest (dated today, or undated
    and published today) goes to readers; an archive back-fill or tomorrow's issue goes to nobody now.
    ``force`` makes this one published issue today's digest whatever its date (``ingest --announce``, the
    editor's "publish and send it now" button). Returns how many deliveries were queued.
    """
    queued = await _queue_published(services, digest_id, force=force)
    _tell_delivery(services, digest_id, queued)
    return queued


async def _queue_published(
    services: Services, digest_id: int, digest: Digest | None = None, *, force: bool = False
) -> int:
    if force:
        if not await services.digests.announce_today(digest_id):
            return 0  # not published
    elif await services.digests.todays_issue_id() != digest_id:
        return 0  # an archive issue, tomorrow's, a draft, or replaced by a newer issue of today
    return await services.scheduler.on_published(digest_id, digest=digest)


def _tell_delivery(services: Services, digest_id: int, queued: int) -> None:
    """After the commit: the engine renders the issue afresh, and looks at the queue now if it grew."""
    services.delivery.forget_digest(digest_id)
    if queued:
        services.delivery.wake()


async def publish(services: Services, digest: Digest, editor_id: int, *, announce: bool = False) -> Published:
    """Store the issue as published, queue it for readers whose time has passed, and record who did it.

    Only today's issue (or an undated one) goes to readers by itself; an archive issue is stored and
    searchable only, unless ``announce`` sends it as today's on purpose. A date after tomorrow keeps the
    issue a draft (see :func:`store_digest`). One transaction, and the issue is never loaded back.
    """
    from bot.sources.ingest import store_digest

    day = issue_day(digest.date, services.digests.today())
    draft = day is IssueDay.FUTURE
    republished, queued = False, 0
    async with services.db.atomic():
        report = await store_digest(services.db, services.digests, digest, publish=True)
        assert report.digest_id is not None and report.outcome is not None
        if not draft:
            # Storing never revives a withdrawn issue on its own (the feed poller must not); an editor's Publish does.
            republished = await services.digests.set_status(report.digest_id, DigestStatus.PUBLISHED)
            # Like every way of publishing: readers whose time today has passed get it now (LATE_ISSUE_POLICY).
            queued = await _queue_published(services, report.digest_id, digest, force=announce)
        await services.audit.record(
            editor_id,
            "issue.draft" if draft else "issue.publish",
            target=report.digest_id,
            details={
                "date": digest.date.isoformat() if digest.date else None,
                "title": digest.title,
                "source": digest.source,
                "outcome": str(report.outcome),
                "announced": announce,
            },
        )
    _tell_delivery(services, report.digest_id, queued)
    return Published(report.digest_id, report.outcome, republished, day, draft, announce and not draft, queued)


async def to_withdraw(services: Services, day: dt.date | None) -> StoredDigest | None:
    """The issue ``/withdraw`` would take down: that date's published issue, or the newest published one."""
    if day is None:
        return await services.digests.newest_published()
    return await services.digests.by_date(day)


async def withdraw(services: Services, digest_id: int, editor_id: int | None) -> StoredDigest | None:
    """Take exactly this issue out of reading and pushing; None when it is not (or no longer) published."""
    stored = await services.digests.get(digest_id)
    if stored is None or not await services.digests.set_status(digest_id, DigestStatus.WITHDRAWN):
        return None
    # The engine caches issues it sends; drop it so queued deliveries see the withdrawal and skip.
    services.delivery.forget_digest(digest_id)
    await services.audit.record(editor_id, "issue.withdraw", target=digest_id, details=_details(stored.digest))
    return stored


async def to_republish(services: Services, day: dt.date) -> StoredDigest | None:
    """The withdrawn (or draft) issue of that date, which ``/republish`` would bring back."""
    stored = await services.digests.of_date(day)
    return None if stored is None or stored.status is DigestStatus.PUBLISHED else stored


async def republish(services: Services, digest_id: int, editor_id: int | None) -> tuple[StoredDigest, int] | None:
    """Publish a withdrawn or draft issue again (undo); readers get it only if it is today's issue.

    Returns the issue and how many readers were queued now, or None when it was already published.
    """
    stored = await services.digests.get(digest_id)
    if stored is None or not await services.digests.set_status(digest_id, DigestStatus.PUBLISHED):
        return None
    services.delivery.forget_digest(digest_id)
    queued = await announce_published(services, digest_id)
    await services.audit.record(editor_id, "issue.republish", target=digest_id, details=_details(stored.digest))
    return stored, queued


def _details(digest: Digest) -> dict[str, str | None]:
    return {"date": digest.date.isoformat() if digest.date else None, "title": digest.title}


def _suffix(filename: str | None) -> str:
    return PurePath(filename).suffix.lower() if filename else ""


def _reason(message: str, name: str) -> str:
    """SourceError messages start with the file's name; the reply names the file itself."""
    return message.removeprefix(f"{name}: ")
