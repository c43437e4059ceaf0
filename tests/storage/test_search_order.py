"""DigestRepository.search ranks on the full-text index first: it must page exactly like the plain query.

Also :meth:`DigestRepository.version`, which tells caches of the archive when to rebuild.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest

from bot.digest.model import Digest, Item, ItemKind, Section
from storage import Database, DigestRepository, DigestStatus
from storage.digests import _BM25_WEIGHTS, SNIPPET_ELLIPSIS, SNIPPET_END, SNIPPET_START, SNIPPET_TOKENS
from storage.fts import fts_query
from tests.storage_fixtures import make_clock


@pytest.fixture
async def db() -> AsyncIterator[Database]:
    database = await Database.open(":memory:", clock=make_clock())
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
def repo(db: Database) -> DigestRepository:
    return DigestRepository(db)


PLAIN = """
SELECT i.digest_id, d.issue_date, i.position, i.kind, i.title, i.author,
       snippet(items_fts, -1, :start, :end, :ellipsis, :tokens) AS snippet,
       bm25(items_fts, :title, :author, :body) AS score
FROM items_fts JOIN items i ON i.id = items_fts.rowid JOIN digests d ON d.id = i.digest_id
WHERE items_fts MATCH :match AND d.status = 'published'
ORDER BY score, d.issue_date DESC, i.position
LIMIT :limit OFFSET :offset
"""


async def plain(db: Database, query: str, limit: int, offset: int) -> list[tuple[int, int, str]]:
    """The reference: one query joining every match, ordered by SQLite."""
    match = fts_query(query)
    rows = await db.fetchall(
        PLAIN,
        {
            "match": match,
            "title": _BM25_WEIGHTS[0],
            "author": _BM25_WEIGHTS[1],
            "body": _BM25_WEIGHTS[2],
            "start": SNIPPET_START,
            "end": SNIPPET_END,
            "ellipsis": SNIPPET_ELLIPSIS,
            "tokens": SNIPPET_TOKENS,
            "limit": limit,
            "offset": offset,
        },
    )
    return [(row["digest_id"], row["position"], row["snippet"]) for row in rows]


async def archive(repo: DigestRepository, *, tied: int) -> None:
    """Forty issues; in the first ``tied`` of them every item reads the same, so their bm25 scores tie."""
    for day in range(40):
        items = []
        for position in range(3):
            repeats = 1 if day < tied else 1 + (day * 7 + position * 3) % 5
            filler = 1 if day < tied else day % 4 + 1
            body = " ".join(["kursk offensive"] * repeats + ["filler words here"] * filler)
            items.append(Item(ItemKind.STORY, f"Report {day}-{position}", body=(body,)))
        date = None if day == 39 else dt.date(2024, 1, 1) + dt.timedelta(days=(day * 17) % 40)
        await repo.save(Digest(f"Daily {day}", date, f"Issue {day}", None, (Section(None, tuple(items)),)))


@pytest.mark.parametrize("tied", [0, 8, 20, 40])
async def test_every_page_matches_the_plain_query(db: Database, repo: DigestRepository, tied: int) -> None:
    """No ties; ties past the slack; more ties than get snippets at once; every score the same."""
    await archive(repo, tied=tied)
    await repo.set_status(3, DigestStatus.WITHDRAWN)
    await repo.save(
        Digest("Draft", dt.date(2024, 3, 1), "Draft", None, (Section(None, (Item(ItemKind.STORY, "Kursk"),)),)),
        publish=False,
    )
    for limit in (1, 5, 7):
        for offset in range(0, 125, limit):
            page = await repo.search("kursk offensive", limit=limit, offset=offset)
            assert page.total == 117  # 39 published issues × 3 items
            assert [(h.digest_id, h.position, h.snippet) for h in page.hits] == await plain(
                db, "kursk offensive", limit, offset
            ), (limit, offset)


async def test_version_moves_with_every_write(db: Database, repo: DigestRepository) -> None:
    first = await repo.version()
    assert await repo.version() == first  # reading changes nothing
    result = await repo.save(Digest("Daily", dt.date(2024, 1, 1), "One", None, ()))
    second = await repo.version()
    assert second != first
    await repo.set_status(result.digest_id, DigestStatus.WITHDRAWN)
    assert await repo.version() != second


async def test_version_sees_commits_from_another_connection(tmp_path) -> None:
    path = tmp_path / "archive.db"
    async with await Database.open(path) as bot_db, await Database.open(path) as cli_db:
        bot_side = DigestRepository(bot_db)
        before = await bot_side.version()
        await DigestRepository(cli_db).save(Digest("Daily", dt.date(2024, 1, 1), "From the CLI", None, ()))
        assert await bot_side.version() != before
