"""The sample issues in tests/fixtures, loaded the way the bot stores them (parser, then ingest)."""

from __future__ import annotations

from pathlib import Path

from bot.sources.ingest import ingest_text
from storage import Database, DigestRepository

FIXTURES = Path(__file__).parent / "fixtures"
JAN_7 = "the-real-russia-today-2022-01-07.txt"
"""The issue with opinions (Trenin, Shevtsova, Lukyanov) and one story; three parts in the full format."""
OCT_11 = "real-russia-today-2024-10-11.txt"
"""One story, no opinions; the latest of the samples."""
JUL_11_2022 = "real-russia-today-2022-07-11.txt"
"""Fifteen briefs and two stories."""
NOV_17 = "real-russia-today-2020-11-17.txt"


async def load(db: Database, digests: DigestRepository, *names: str) -> list[int]:
    """Store and publish the named fixtures, in order; returns their digest ids."""
    ids = []
    for name in names:
        report = await ingest_text(db, digests, (FIXTURES / name).read_text(encoding="utf-8"), source=name)
        assert report.ok and report.digest_id is not None, report.describe()
        ids.append(report.digest_id)
    return ids


async def load_today(db: Database, digests: DigestRepository, *names: str) -> list[int]:
    """:func:`load`, then make the last one today's issue (what /today shows), as an editor sending it on
    purpose would: the samples are dated years ago, and an older issue is never shown as today's."""
    ids = await load(db, digests, *names)
    assert await digests.announce_today(ids[-1])
    return ids
