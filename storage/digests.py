"""Stored issues: saving what the parser produced, reading it back, listing and searching it."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.digest.model import Digest, Item, ItemKind, Section
from bot.rules.authors import author_key
from bot.rules.issues import publisher_today
from storage.db import Database
from storage.fts import fts_query
from storage.timestamps import from_epoch, from_epoch_or_none, from_iso_date, to_epoch, to_iso_date

SNIPPET_START = "\x02"
"""Marks the start of a matched word in :attr:`SearchHit.snippet`.

Control characters never occur in HTML-escaped text, so a renderer escapes the snippet first and then
turns the markers into ``<b>``/``</b>`` without any risk of the reader's text becoming markup.
"""
SNIPPET_END = "\x03"
SNIPPET_ELLIPSIS = "…"
SNIPPET_TOKENS = 16

# bm25 column weights for (title, author, body): a word in a title says more than one in a paragraph.
_BM25_WEIGHTS = (10.0, 5.0, 1.0)


class DigestStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


class SaveOutcome(StrEnum):
    CREATED = "created"
    UNCHANGED = "unchanged"
    REPLACED = "replaced"


@dataclass(frozen=True, slots=True)
class SaveResult:
    digest_id: int
    outcome: SaveOutcome
    replaced_id: int | None = None
    """For ``replaced``: the row whose earlier content was replaced (the same id: ids are stable)."""


@dataclass(frozen=True, slots=True)
class StoredDigest:
    id: int
    status: DigestStatus
    content_hash: str
    published_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    digest: Digest


@dataclass(frozen=True, slots=True)
class DigestSummary:
    """A row of the archive listing: enough to show and pick an issue without loading it."""

    id: int
    newsletter: str | None
    issue_date: dt.date | None
    title: str | None
    status: DigestStatus
    published_at: dt.datetime | None
    item_count: int


@dataclass(frozen=True, slots=True)
class AuthoredItem:
    """An item by one author, with the issue it appeared in ("when did she last write?")."""

    digest_id: int
    issue_date: dt.date | None
    position: int
    kind: ItemKind
    title: str
    author: str
    link: str | None
    read_minutes: int | None


@dataclass(frozen=True, slots=True)
class AuthorStat:
    name: str
    """The spelling used in the author's most recent item."""
    key: str
    count: int
    last_date: dt.date | None


@dataclass(frozen=True, slots=True)
class SearchHit:
    digest_id: int
    issue_date: dt.date | None
    position: int
    """The item's 0-based position in its issue."""
    kind: ItemKind
    title: str
    author: str | None
    snippet: str
    """Plain text with matches between :data:`SNIPPET_START` and :data:`SNIPPET_END`; not escaped."""
    score: float
    """bm25 score: lower is better (SQLite's convention)."""


@dataclass(frozen=True, slots=True)
class SearchPage:
    total: int
    hits: tuple[SearchHit, ...]
    limit: int
    offset: int

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.hits) < self.total


class DigestRepository:
    """Issues and their items. Only published issues are visible to readers' queries."""

    def __init__(self, db: Database, *, timezone: dt.tzinfo = dt.UTC) -> None:
        self._db = db
        self._timezone = timezone
        """The publisher's timezone (DEFAULT_TIMEZONE): whose calendar says which issue is today's."""
        self._changes = 0
        """Writes through this repository; with ``PRAGMA data_version``, what :meth:`version` reports."""

    def today(self) -> dt.date:
        """The publisher's date now."""
        return publisher_today(self._db.clock.now(), self._timezone)

    async def version(self) -> tuple[int, int]:
        """A value that changes whenever the archive may have changed, so a cache knows when to rebuild.

        This repository counts its own writes (it is the only writer of issues in the process, and counts
        each one inside its transaction, once written), and ``PRAGMA data_version`` moves when another
        connection commits (``briefing ingest`` in another process). A cache that reads the version
        before the data can only be too cautious, never stale.
        """
        changes = self._changes
        return changes, int(await self._db.fetchval("PRAGMA data_version"))

    # --- writing ----------------------------------------------------------------------------------

    async def save(self, digest: Digest, *, publish: bool = True, key: str | None = None) -> SaveResult:
        """Store an issue; saving the same content again changes nothing.

        Identity is the content hash, so the ingest job can save whatever it fetched on every run.
        When the content differs from what is stored for the same newsletter and date, the source
        published a correction: the stored row is updated **in place, keeping its id**. That way the
        deliveries already queued for the issue send the corrected text, readers who already got it are
        not sent it twice (their delivery is ``sent``), and ``last_digest_id`` stays meaningful.

        ``publish`` promotes a draft to published; it never brings back an issue an editor withdrew
        (use :meth:`set_status`). Runs in one transaction (a savepoint inside the caller's).

        ``key`` (a feed entry's id or link) identifies an issue instead of its newsletter and date: a
        corrected entry replaces its own issue, and entries of the same date never overwrite each other.
        """
        async with self._db.atomic():
            result = await self._save(digest, publish=publish, key=key)
            # Counted inside the transaction, after the writes: see version().
            self._changes += 1
            return result

    async def _save(self, digest: Digest, *, publish: bool, key: str | None) -> SaveResult:
        content_hash = digest.content_hash()
        now = to_epoch(self._db.clock.now())
        same = await self._db.fetchone("SELECT id FROM digests WHERE content_hash = ?", (content_hash,))
        if same is not None:
            if publish:
                await self._publish_draft(same["id"], now, undated=digest.date is None)
            return SaveResult(same["id"], SaveOutcome.UNCHANGED)

        earlier = None
        if key is not None:
            earlier = await self._db.fetchone("SELECT id FROM digests WHERE entry_key = ?", (key,))
        elif digest.date is not None:
            # SELECT *: the entry_key column exists only from migration 9 (older schemas are seeded in tests).
            same_day = await self._db.fetchall(
                "SELECT * FROM digests WHERE newsletter IS ? AND issue_date = ?",
                (digest.newsletter, to_iso_date(digest.date)),
            )
            keyed = bool(same_day) and "entry_key" in set(same_day[0].keys())
            earlier = next((row for row in same_day if not keyed or row["entry_key"] is None), None)
        if earlier is not None:
            digest_id = int(earlier["id"])
            await self._db.execute(
                """
                UPDATE digests
                SET title = ?, summary = ?, source = ?, content_hash = ?, updated_at = ?
                WHERE id = ?
                """,
                (digest.title, digest.summary, digest.source, content_hash, now, digest_id),
            )
            if publish:
                await self._publish_draft(digest_id, now, undated=digest.date is None)
            await self._db.execute("DELETE FROM sections WHERE digest_id = ?", (digest_id,))
            await self._insert_parts(digest_id, digest)
            return SaveResult(digest_id, SaveOutcome.REPLACED, replaced_id=digest_id)

        status = DigestStatus.PUBLISHED if publish else DigestStatus.DRAFT
        columns = "newsletter, issue_date, title, summary, source, content_hash, status, published_at, created_at, " \
            "updated_at"
        values = [
            digest.newsletter, to_iso_date(digest.date), digest.title, digest.summary, digest.source,
            content_hash, status, now if publish else None, now, now,
        ]  # fmt: skip
        if key is not None:  # only keyed issues name the column (seeding an old schema writes none)
            columns += ", entry_key"
            values.append(key)
        marks = ", ".join("?" * len(values))
        changes = await self._db.execute(f"INSERT INTO digests ({columns}) VALUES ({marks})", tuple(values))
        assert changes.lastrowid is not None
        if publish and digest.date is None:
            # An undated issue is the issue of the day it is published.
            await self._db.execute(
                "UPDATE digests SET digest_day = ? WHERE id = ?", (self.today().isoformat(), changes.lastrowid)
            )
        await self._insert_parts(changes.lastrowid, digest)
        return SaveResult(changes.lastrowid, SaveOutcome.CREATED)

    async def _publish_draft(self, digest_id: int, now: int, *, undated: bool) -> None:
        changes = await self._db.execute(
            "UPDATE digests SET status = 'published', published_at = ?, updated_at = ? "
            "WHERE id = ? AND status = 'draft'",
            (now, now, digest_id),
        )
        if undated and changes.rowcount:
            # An undated issue is the issue of the day it is published.
            await self._db.execute(
                "UPDATE digests SET digest_day = coalesce(digest_day, ?) WHERE id = ?",
                (self.today().isoformat(), digest_id),
            )

    async def _insert_parts(self, digest_id: int, digest: Digest) -> None:
        position = 0
        for section_position, section in enumerate(digest.sections):
            changes = await self._db.execute(
                "INSERT INTO sections (digest_id, position, title) VALUES (?, ?, ?)",
                (digest_id, section_position, section.title),
            )
            rows = []
            for item in section.items:
                rows.append(
                    (
                        digest_id,
                        changes.lastrowid,
                        position,
                        item.kind.value,
                        item.title,
                        item.author,
                        author_key(item.author),
                        item.read_minutes,
                        item.words,
                        json.dumps(list(item.body), ensure_ascii=False),
                        item.link,
                        item.emoji,
                    )
                )
                position += 1
            await self._db.execute_many(
                """
                INSERT INTO items (digest_id, section_id, position, kind, title, author, author_key,
                                   read_minutes, words, body, link, emoji)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                rows,
            )

    async def set_status(self, digest_id: int, status: DigestStatus) -> bool:
        """Publish, withdraw or unpublish an issue; False when there is no such issue or no change.

        The first publication time is kept when an issue is withdrawn and published again.
        """
        now = to_epoch(self._db.clock.now())
        changes = await self._db.execute(
            """
            UPDATE digests
            SET status = :status,
                published_at = CASE WHEN :status = 'published' THEN coalesce(published_at, :now)
                                    ELSE published_at END,
                digest_day = CASE WHEN :status = 'published' AND issue_date IS NULL
                                  THEN coalesce(digest_day, :today) ELSE digest_day END,
                updated_at = :now
            WHERE id = :id AND status <> :status
            """,
            {"status": DigestStatus(status).value, "now": now, "id": digest_id, "today": self.today().isoformat()},
        )
        self._changes += 1
        return changes.rowcount > 0

    # --- reading one issue ------------------------------------------------------------------------

    async def get(self, digest_id: int) -> StoredDigest | None:
        """The issue, rebuilt from its rows so that ``stored.digest == saved_digest``."""
        async with self._db.snapshot():
            row = await self._db.fetchone("SELECT * FROM digests WHERE id = ?", (digest_id,))
            if row is None:
                return None
            sections = await self._db.fetchall(
                "SELECT id, title FROM sections WHERE digest_id = ? ORDER BY position", (digest_id,)
            )
            items = await self._db.fetchall(
                """
                SELECT section_id, kind, title, author, read_minutes, words, body, link, emoji
                FROM items WHERE digest_id = ? ORDER BY position
                """,
                (digest_id,),
            )
        return _stored_digest(row, sections, items)

    async def get_many(self, digest_ids: Collection[int]) -> dict[int, StoredDigest]:
        """Several issues at once (inline mode shows pieces from up to ten), by id; missing ids are left
        out. Three queries in one snapshot, however many issues: one :meth:`get` each cost 20 ms for twenty."""
        ids = json.dumps(sorted(set(digest_ids)))
        async with self._db.snapshot():
            rows = await self._db.fetchall("SELECT * FROM digests WHERE id IN (SELECT value FROM json_each(?))", (ids,))
            sections = await self._db.fetchall(
                "SELECT id, digest_id, title FROM sections WHERE digest_id IN (SELECT value FROM json_each(?)) "
                "ORDER BY digest_id, position",
                (ids,),
            )
            items = await self._db.fetchall(
                """
                SELECT digest_id, section_id, kind, title, author, read_minutes, words, body, link, emoji
                FROM items WHERE digest_id IN (SELECT value FROM json_each(?)) ORDER BY digest_id, position
                """,
                (ids,),
            )
        sections_of: dict[int, list[sqlite3.Row]] = {}
        for section in sections:
            sections_of.setdefault(section["digest_id"], []).append(section)
        items_of: dict[int, list[sqlite3.Row]] = {}
        for item in items:
            items_of.setdefault(item["digest_id"], []).append(item)
        return {
            row["id"]: _stored_digest(row, sections_of.get(row["id"], []), items_of.get(row["id"], []))
            for row in rows
        }

    async def announce_today(self, digest_id: int) -> bool:
        """Make a published issue today's digest whatever its date (an editor's decision); False if none."""
        changes = await self._db.execute(
            "UPDATE digests SET digest_day = ?, updated_at = ? WHERE id = ? AND status = 'published'",
            (self.today().isoformat(), to_epoch(self._db.clock.now()), digest_id),
        )
        self._changes += 1
        return changes.rowcount > 0

    async def latest_published_id(self) -> int | None:
        """The id of today's issue as readers see it: the latest published one dated no later than the
        publisher's today, without loading it. An undated issue counts as dated the day it was published;
        tomorrow's issue waits for tomorrow."""
        digest_id = await self._db.fetchval(
            f"""
            SELECT id FROM digests WHERE status = 'published' AND {_DAY} <= :today
            ORDER BY {_DAY} DESC, published_at DESC, id DESC LIMIT 1
            """,
            {"today": self.today().isoformat()},
        )
        return None if digest_id is None else int(digest_id)

    async def latest_published(self) -> StoredDigest | None:
        """:meth:`latest_published_id`'s issue: what /today shows."""
        digest_id = await self.latest_published_id()
        return None if digest_id is None else await self.get(digest_id)

    async def todays_issue(self) -> StoredDigest | None:
        """The issue readers are sent today: published and dated today (or undated and published today).

        None when the publisher has not published today's yet: a back-fill is never sent by itself.
        """
        digest_id = await self.todays_issue_id()
        return None if digest_id is None else await self.get(digest_id)

    async def todays_issue_id(self) -> int | None:
        """:meth:`todays_issue`'s id alone: what the minute tick needs, without loading the issue."""
        digest_id = await self._db.fetchval(
            f"""
            SELECT id FROM digests WHERE status = 'published' AND {_DAY} = :today
            ORDER BY published_at DESC, id DESC LIMIT 1
            """,
            {"today": self.today().isoformat()},
        )
        return None if digest_id is None else int(digest_id)

    async def newest_published(self) -> StoredDigest | None:
        """The published issue with the latest date, tomorrow's included (what an editor just published)."""
        digest_id = await self._db.fetchval(
            f"""
            SELECT id FROM digests WHERE status = 'published'
            ORDER BY {_DAY} DESC, published_at DESC, id DESC LIMIT 1
            """
        )
        return None if digest_id is None else await self.get(digest_id)

    async def of_date(self, day: dt.date) -> StoredDigest | None:
        """The issue dated ``day`` whatever its status (an editor's /withdraw or /republish DATE)."""
        digest_id = await self._db.fetchval(
            """
            SELECT id FROM digests WHERE issue_date = ?
            ORDER BY status = 'published' DESC, published_at DESC, id DESC LIMIT 1
            """,
            (day.isoformat(),),
        )
        return None if digest_id is None else await self.get(digest_id)

    async def by_date(self, day: dt.date) -> StoredDigest | None:
        """The published issue of that date (the most recently published one, should there be two)."""
        digest_id = await self._db.fetchval(
            """
            SELECT id FROM digests WHERE status = 'published' AND issue_date = ?
            ORDER BY published_at DESC, id DESC LIMIT 1
            """,
            (day.isoformat(),),
        )
        return None if digest_id is None else await self.get(digest_id)

    async def nearest_to(self, day: dt.date) -> StoredDigest | None:
        """The published issue closest to ``day``; on a tie, the earlier one (what readers had then)."""
        digest_id = await self._db.fetchval(
            """
            SELECT id FROM digests
            WHERE status = 'published' AND issue_date IS NOT NULL
            ORDER BY abs(julianday(issue_date) - julianday(?)), issue_date, id DESC
            LIMIT 1
            """,
            (day.isoformat(),),
        )
        return None if digest_id is None else await self.get(digest_id)

    # --- listings ---------------------------------------------------------------------------------

    async def recent(
        self, limit: int = 10, offset: int = 0, *, status: DigestStatus | None = DigestStatus.PUBLISHED
    ) -> list[DigestSummary]:
        """Newest issues first; ``status=None`` lists every status (the editors' view)."""
        rows = await self._db.fetchall(
            """
            SELECT d.id, d.newsletter, d.issue_date, d.title, d.status, d.published_at,
                   (SELECT count(*) FROM items WHERE items.digest_id = d.id) AS item_count
            FROM digests d
            WHERE :status IS NULL OR d.status = :status
            ORDER BY d.issue_date DESC, d.id DESC
            LIMIT :limit OFFSET :offset
            """,
            {"status": None if status is None else status.value, "limit": limit, "offset": offset},
        )
        return [
            DigestSummary(
                id=row["id"],
                newsletter=row["newsletter"],
                issue_date=from_iso_date(row["issue_date"]),
                title=row["title"],
                status=DigestStatus(row["status"]),
                published_at=from_epoch_or_none(row["published_at"]),
                item_count=row["item_count"],
            )
            for row in rows
        ]

    async def count(self, *, status: DigestStatus | None = DigestStatus.PUBLISHED) -> int:
        return int(
            await self._db.fetchval(
                "SELECT count(*) FROM digests WHERE :status IS NULL OR status = :status",
                {"status": None if status is None else status.value},
            )
        )

    async def count_not_from(self, sources: Sequence[str]) -> int:
        """Issues of any status whose source is none of ``sources`` (or unknown)."""
        return int(
            await self._db.fetchval(
                "SELECT count(*) FROM digests WHERE source IS NULL OR source NOT IN (SELECT value FROM json_each(?))",
                (json.dumps(list(sources)),),
            )
        )

    # --- authors ----------------------------------------------------------------------------------

    async def items_by_author(
        self, author: str, limit: int = 10, offset: int = 0, *, kinds: Collection[ItemKind] | None = None
    ) -> list[AuthoredItem]:
        """Published items by an author, newest first; ``author`` may be a printed name or a key.

        ``kinds`` keeps only items of those kinds (an author page lists stories and opinions).
        """
        key = author_key(author)
        if key is None:
            return []
        rows = await self._db.fetchall(
            """
            SELECT i.digest_id, d.issue_date, i.position, i.kind, i.title, i.author, i.link, i.read_minutes
            FROM items i JOIN digests d ON d.id = i.digest_id
            WHERE i.author_key = :key AND d.status = 'published'
              AND (:kinds IS NULL OR i.kind IN (SELECT value FROM json_each(:kinds)))
            ORDER BY d.issue_date DESC, i.digest_id DESC, i.position
            LIMIT :limit OFFSET :offset
            """,
            {"key": key, "kinds": _kinds_json(kinds), "limit": limit, "offset": offset},
        )
        return [
            AuthoredItem(
                digest_id=row["digest_id"],
                issue_date=from_iso_date(row["issue_date"]),
                position=row["position"],
                kind=ItemKind(row["kind"]),
                title=row["title"],
                author=row["author"],
                link=row["link"],
                read_minutes=row["read_minutes"],
            )
            for row in rows
        ]

    async def count_by_author(self, author: str, *, kinds: Collection[ItemKind] | None = None) -> int:
        """How many published items :meth:`items_by_author` has to page through."""
        key = author_key(author)
        if key is None:
            return 0
        return int(
            await self._db.fetchval(
                """
                SELECT count(*) FROM items i JOIN digests d ON d.id = i.digest_id
                WHERE i.author_key = :key AND d.status = 'published'
                  AND (:kinds IS NULL OR i.kind IN (SELECT value FROM json_each(:kinds)))
                """,
                {"key": key, "kinds": _kinds_json(kinds)},
            )
        )

    async def authors(self) -> list[AuthorStat]:
        """Everyone with a byline in a published issue, most prolific first."""
        # SQLite fills the bare column ``i.author`` from the row that produced max(issue_date):
        # the most recent spelling of the name.
        rows = await self._db.fetchall(
            """
            SELECT i.author_key AS key, i.author AS name, count(*) AS n, max(d.issue_date) AS last_date
            FROM items i JOIN digests d ON d.id = i.digest_id
            WHERE i.author_key IS NOT NULL AND d.status = 'published'
            GROUP BY i.author_key
            ORDER BY n DESC, key
            """
        )
        return [
            AuthorStat(name=row["name"], key=row["key"], count=row["n"], last_date=from_iso_date(row["last_date"]))
            for row in rows
        ]

    # --- search -----------------------------------------------------------------------------------

    async def search(
        self,
        query: str,
        limit: int = 10,
        offset: int = 0,
        *,
        kinds: Collection[ItemKind] | None = None,
        author_keys: Collection[str] | None = None,
    ) -> SearchPage:
        """Published items matching all words of ``query``, best first (bm25; titles weigh most).

        Any text is accepted: see :mod:`storage.fts`. Text without a searchable word (empty, only
        punctuation or emoji) gives an empty page rather than an error. ``kinds`` keeps only items of
        those kinds ("opinions about NATO"), ``author_keys`` only items by those authors (keys as
        :func:`bot.rules.authors.author_key` makes them).

        Only the newest :data:`SEARCH_CANDIDATES` matches are ranked, and ``total`` counts at most that
        many: a common word matches most of a decade of issues, and ranking every match cost 200 ms and
        more (issue #15), while a reader pages through the first few dozen. Within the candidates the
        order is exactly ``ORDER BY score, issue_date DESC, position``, but it is not asked of SQLite in
        one query: the ranking runs on the full-text index alone (bm25 of every candidate, top-k sort);
        only the candidates for the page (those scoring no worse than its last one, ties included) are
        joined and given snippets, and sorted here.

        It runs on the read-only connection (:meth:`Database.reading`), so it never waits for the
        writer, nor holds it up.
        """
        match = fts_query(query)
        if match is None or (kinds is not None and not kinds):
            return SearchPage(total=0, hits=(), limit=limit, offset=offset)
        weights = {"title": _BM25_WEIGHTS[0], "author": _BM25_WEIGHTS[1], "body": _BM25_WEIGHTS[2]}
        params: dict[str, object] = {"match": match, "scoped": match, "k": SEARCH_CANDIDATES, **weights}
        scope = _scope(kinds, author_keys, params)
        ranked_sql, at_most_sql = _SEARCH_RANKED.format(scope=scope), _SEARCH_AT_MOST.format(scope=scope)
        snippet = {"start": SNIPPET_START, "end": SNIPPET_END, "ellipsis": SNIPPET_ELLIPSIS, "tokens": SNIPPET_TOKENS}
        async with self._db.reading() as reads:
            wanted = offset + limit
            # The count comes with the ranking (a window over the candidates): one statement, not two.
            ranked = await reads.fetchall(ranked_sql, {**params, "n": max(wanted, 1) + _SEARCH_TIE_SLACK})
            total = int(ranked[0]["total"]) if ranked else 0
            if total <= offset or limit <= 0:
                return SearchPage(total=total, hits=(), limit=limit, offset=offset)
            threshold = ranked[min(wanted, len(ranked)) - 1]["score"]
            if len(ranked) == wanted + _SEARCH_TIE_SLACK and ranked[-1]["score"] <= threshold:
                # Ties run past the slack (copies of one text): fetch every candidate scoring that well.
                ranked = await reads.fetchall(at_most_sql, {**params, "threshold": threshold})
            scores = {row["id"]: row["score"] for row in ranked if row["score"] <= threshold}
            skip = offset
            if len(scores) > _SEARCH_SNIPPETS_AT_ONCE:
                # Many tied candidates: sort them on their dates first, then make snippets for the page only.
                keys = await reads.fetchall(_SEARCH_ORDER, {"ids": json.dumps(list(scores))})
                keys.sort(key=lambda row: _search_order(scores[row["id"]], row["issue_date"], row["position"]))
                scores = {row["id"]: scores[row["id"]] for row in keys[offset:wanted]}
                skip = 0
            if not scores:
                return SearchPage(total=total, hits=(), limit=limit, offset=offset)
            ids = {"ids": json.dumps(list(scores)), "lo": min(scores), "hi": max(scores)}
            rows = await reads.fetchall(_SEARCH_DETAILS, {"match": match, **snippet, **ids})
        rows.sort(key=lambda row: _search_order(scores[row["id"]], row["issue_date"], row["position"]))
        hits = tuple(
            SearchHit(
                digest_id=row["digest_id"],
                issue_date=from_iso_date(row["issue_date"]),
                position=row["position"],
                kind=ItemKind(row["kind"]),
                title=row["title"],
                author=row["author"],
                snippet=row["snippet"] or "",
                score=scores[row["id"]],
            )
            for row in rows[skip : skip + limit]
        )
        return SearchPage(total=total, hits=hits, limit=limit, offset=offset)


_DAY = "coalesce(digest_day, issue_date)"
"""The day an issue is the daily digest: its date, or for undated and announced issues the day given them."""

_UNPUBLISHED = ", ".join(f"'{status.value}'" for status in DigestStatus if status is not DigestStatus.PUBLISHED)
_HIDDEN_ITEMS = f"SELECT i.id FROM digests d JOIN items i ON i.digest_id = d.id WHERE d.status IN ({_UNPUBLISHED})"
"""Items readers may not find: drafts and withdrawn issues are few, so excluding them is a small set. The
statuses are named (not ``status <> 'published'``) so that SQLite reads them from the status index rather
than scanning every issue: 0.7 ms of each search over 18,260 issues, 0.01 ms with the index."""

SEARCH_CANDIDATES = 1000
"""Matches ranked at most, the newest (highest item ids: items are stored as their issues arrive)."""

_CANDIDATES = f"""
WITH candidates AS (
  SELECT rowid AS id, bm25(items_fts, :title, :author, :body, 0) AS score
  FROM items_fts
  WHERE items_fts MATCH :scoped AND rowid NOT IN ({_HIDDEN_ITEMS}){{scope}}
  ORDER BY rowid DESC
  LIMIT :k
)"""

_SEARCH_RANKED = _CANDIDATES + " SELECT id, score, count(*) OVER () AS total FROM candidates ORDER BY score LIMIT :n"

_SEARCH_AT_MOST = _CANDIDATES + " SELECT id, score FROM candidates WHERE score <= :threshold"

def _scope(kinds: Collection[ItemKind] | None, author_keys: Collection[str] | None, params: dict[str, object]) -> str:
    """The ``{scope}`` of the search queries: a filter on the matches' ids, and its parameters (added to
    ``params``); or, for kinds alone, a narrower ``:scoped`` match.

    Kinds alone ("opinions on NATO") are matched in the index's ``kind`` column (migration 0016): FTS5
    intersects the doclists, where a list of every opinion's id cost 12 ms to build at 18,260 issues (the
    whole search: 18 ms, now 5). The column weighs 0 in bm25, so scores are those of the unscoped search. An
    author's items are few: their ids are listed, kinds with them. The unary ``+`` keeps the id list from
    FTS5, as in ``_SEARCH_DETAILS``; the ids come from the ``items_kind`` index alone."""
    if author_keys is None:
        if kinds is not None:
            wanted = " OR ".join(f'"{ItemKind(kind).value}"' for kind in kinds)
            params["scoped"] = f"({params['match']}) AND {{kind}} : ({wanted})"
        return ""
    conditions = []
    if kinds is not None:
        conditions.append("kind IN (SELECT value FROM json_each(:kinds))")
        params["kinds"] = _kinds_json(kinds)
    conditions.append("author_key IN (SELECT value FROM json_each(:author_keys))")
    params["author_keys"] = json.dumps(list(author_keys))
    return f" AND +rowid IN (SELECT id FROM items WHERE {' AND '.join(conditions)})"


_SEARCH_ORDER = """
SELECT i.id, d.issue_date, i.position
FROM items i JOIN digests d ON d.id = i.digest_id
WHERE i.id IN (SELECT value FROM json_each(:ids))
"""

_SEARCH_DETAILS = """
SELECT i.id, i.digest_id, d.issue_date, i.position, i.kind, i.title, i.author,
       snippet(items_fts, -1, :start, :end, :ellipsis, :tokens) AS snippet
FROM items_fts JOIN items i ON i.id = items_fts.rowid JOIN digests d ON d.id = i.digest_id
WHERE items_fts MATCH :match AND items_fts.rowid BETWEEN :lo AND :hi
  AND +items_fts.rowid IN (SELECT value FROM json_each(:ids))
"""
"""The candidates' rows and snippets; their scores come from the ranking, not from ``bm25()`` again: bm25
counts every row holding each term (a scan of each term's whole doclist) once per statement, and that
was most of this query's time for two common words over 18,260 issues (5 ms of 8). The unary ``+``
keeps the id list away from FTS5: given it as a rowid constraint, FTS5 runs the whole MATCH once per id
(4 ms for five ids); filtered after one MATCH, 1 ms. The range (the page's lowest and highest id) FTS5
does use, so a word in most items is not read to the end: 7 ms to 2 ms for "the" over 18,260 issues."""

_SEARCH_TIE_SLACK = 16
"""Candidates ranked beyond the page, so that items tied with its last one are still compared."""
_SEARCH_SNIPPETS_AT_ONCE = 64
"""Up to this many candidates get their snippets in one go; more are sorted first (see :meth:`search`)."""


def _kinds_json(kinds: Collection[ItemKind] | None) -> str | None:
    return None if kinds is None else json.dumps([ItemKind(kind).value for kind in kinds])


def _search_order(score: float, issue_date: str | None, position: int) -> tuple[float, bool, int, int]:
    """``ORDER BY score, issue_date DESC, position`` in Python (SQLite sorts NULL dates last, descending)."""
    date = from_iso_date(issue_date)
    return (score, date is None, -date.toordinal() if date else 0, position)


def _stored_digest(row: sqlite3.Row, sections: list[sqlite3.Row], items: list[sqlite3.Row]) -> StoredDigest:
    by_section: dict[int, list[Item]] = {section["id"]: [] for section in sections}
    for item in items:
        by_section[item["section_id"]].append(
            Item(
                kind=ItemKind(item["kind"]),
                title=item["title"],
                author=item["author"],
                read_minutes=item["read_minutes"],
                words=item["words"],
                body=tuple(json.loads(item["body"])),
                link=item["link"],
                emoji=item["emoji"],
            )
        )
    digest = Digest(
        newsletter=row["newsletter"],
        date=from_iso_date(row["issue_date"]),
        title=row["title"],
        summary=row["summary"],
        sections=tuple(Section(section["title"], tuple(by_section[section["id"]])) for section in sections),
        source=row["source"],
    )
    return StoredDigest(
        id=row["id"],
        status=DigestStatus(row["status"]),
        content_hash=row["content_hash"],
        published_at=from_epoch_or_none(row["published_at"]),
        created_at=from_epoch(row["created_at"]),
        updated_at=from_epoch(row["updated_at"]),
        digest=digest,
    )
