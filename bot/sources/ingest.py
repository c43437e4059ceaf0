"""Ingesting issues: source text → parser → Digest → storage, one issue per transaction.

Used by ``briefing ingest``, the feed poller in the bot, an editor's ``/publish`` and the sandbox, so that
every way in stores an issue the same way and reports the same outcomes. What happens once an issue is out
(who gets it now) is :func:`bot.features.publishing.announce_published`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.digest.model import Digest
from bot.digest.parser import Hints, ParseError, dated_today, parse_issue
from bot.rules.issues import IssueDay, empty_issue_reason, issue_day
from bot.sources.file import SourceError
from bot.sources.http import Fetcher
from bot.sources.resolve import SourceText, load_texts
from storage import Database, DigestRepository, SaveOutcome

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class IngestReport:
    """What happened to one issue. ``outcome`` is None on a dry run; ``error`` is set when it failed."""

    source: str
    digest: Digest | None = None
    outcome: SaveOutcome | None = None
    digest_id: int | None = None
    error: str | None = None
    warnings: tuple[str, ...] = ()
    """The parser's, and storing's: e.g. a date after tomorrow keeps the issue a draft."""

    @property
    def ok(self) -> bool:
        return self.error is None

    def describe(self) -> str:
        if self.error is not None:
            return f"{self.source}: {self.error}"
        assert self.digest is not None
        d = self.digest
        count = sum(1 for _ in d.items())
        what = f"{d.date.isoformat() if d.date else 'undated'} “{d.title or 'untitled'}” ({count} items)"
        verb = {
            None: "would store",
            SaveOutcome.CREATED: "stored",
            SaveOutcome.UNCHANGED: "already stored, unchanged:",
            SaveOutcome.REPLACED: "replaced the earlier version of",
        }[self.outcome]
        notes = f" ({'; '.join(self.warnings)})" if self.warnings else ""
        return f"{self.source}: {verb} {what}{notes}"


def future_warning(digest: Digest) -> str:
    assert digest.date is not None
    return (
        f"dated {digest.date.isoformat()}, after tomorrow, so kept as a draft "
        f"(publish it on purpose with: briefing publish {digest.date.isoformat()})"
    )


async def store_digest(
    db: Database, digests: DigestRepository, digest: Digest, *, publish: bool = True, key: str | None = None
) -> IngestReport:
    """Store one issue; one dated after tomorrow is kept as a draft, with a warning, whatever ``publish`` says."""
    warnings: tuple[str, ...] = ()
    if publish and issue_day(digest.date, digests.today()) is IssueDay.FUTURE:
        publish, warnings = False, (future_warning(digest),)
    result = await digests.save(digest, publish=publish, key=key)  # one transaction, or a savepoint in the caller's
    source = digest.source or "issue"
    logger.info("ingested %s: %s as digest %s", source, result.outcome, result.digest_id)
    for warning in warnings:
        logger.warning("%s: %s", source, warning)
    return IngestReport(source, digest, result.outcome, result.digest_id, warnings=warnings)


async def ingest_text(
    db: Database,
    digests: DigestRepository,
    text: str,
    *,
    source: str,
    publish: bool = True,
    dry_run: bool = False,
    hints: Hints | None = None,
    today: dt.date | None = None,
    key: str | None = None,
) -> IngestReport:
    """Parse and store one issue; a parse failure, or an issue without a single item, is reported, never stored.

    An issue whose text, metadata and address give no date is dated ``today`` (when given: an ingest or a
    publish now), with a warning in the report. ``key`` (a feed entry's id or link) is the issue's identity
    instead of its date.
    """
    try:
        parsed = parse_issue(text, source=source, hints=hints)
    except ParseError as exc:
        return IngestReport(source, error=str(exc))
    if (reason := empty_issue_reason(parsed.digest)) is not None:
        return IngestReport(source, parsed.digest, error=f"not stored: {reason}")
    if today is not None:
        parsed = dated_today(parsed, today)
    if dry_run:
        return IngestReport(source, parsed.digest, warnings=parsed.warnings)
    report = await store_digest(db, digests, parsed.digest, publish=publish, key=key)
    return replace(report, warnings=parsed.warnings + report.warnings)


async def collect_texts(targets: Sequence[str], fetcher: Fetcher) -> list[SourceText | IngestReport]:
    """Read every target; an unreadable one becomes a failed report instead of stopping the batch."""
    out: list[SourceText | IngestReport] = []
    for target in targets:
        try:
            out.extend(await load_texts(target, fetcher))
        except SourceError as exc:
            out.append(IngestReport(target, error=str(exc).removeprefix(f"{target}: ")))
    return out
