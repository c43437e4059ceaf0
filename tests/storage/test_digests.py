"""DigestRepository: exact round trips, idempotent saves, corrections, listings, authors and search."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.digest.model import Digest, Item, ItemKind, Section
from bot.rules.clock import ManualClock
from storage import (
    SNIPPET_END,
    SNIPPET_START,
    Database,
    DeliveryRepository,
    DigestRepository,
    DigestStatus,
    SaveOutcome,
    SubscriberRepository,
)
from tests.storage_fixtures import T0, make_digest

DAY = dt.date(2024, 10, 11)


@pytest.fixture
def repo(db: Database) -> DigestRepository:
    return DigestRepository(db)


def issue(day: dt.date, *items: Item, title: str = "An issue") -> Digest:
    return Digest(newsletter="Daily", date=day, title=title, summary=None, sections=(Section("News", items),))


def story(title: str, *body: str, author: str | None = None) -> Item:
    return Item(kind=ItemKind.STORY, title=title, author=author, body=body)


# --- saving and reading back ------------------------------------------------------------------------


async def test_round_trip_is_exact(repo: DigestRepository) -> None:
    digest = make_digest()
    result = await repo.save(digest)
    assert result.outcome is SaveOutcome.CREATED
    stored = await repo.get(result.digest_id)
    assert stored is not None
    assert stored.digest == digest
    assert stored.digest.source == digest.source
    assert stored.status is DigestStatus.PUBLISHED
    assert stored.published_at == stored.created_at == T0
    assert stored.content_hash == digest.content_hash()
    assert await repo.get(result.digest_id + 1) is None


texts = st.text(max_size=30)
items = st.builds(
    Item,
    kind=st.sampled_from(ItemKind),
    title=texts,
    author=st.none() | texts,
    read_minutes=st.none() | st.integers(0, 10_000),
    words=st.none() | st.integers(0, 10**9),
    body=st.lists(texts, max_size=4).map(tuple),  # paragraphs may be empty or contain "\n\n"
    link=st.none() | texts,
    emoji=st.none() | texts,
)
digests = st.builds(
    Digest,
    newsletter=st.none() | texts,
    date=st.none() | st.dates(),
    title=st.none() | texts,
    summary=st.none() | texts,
    sections=st.lists(st.builds(Section, st.none() | texts, st.lists(items, max_size=4).map(tuple)), max_size=3).map(
        tuple
    ),
    source=st.none() | texts,
)


@settings(max_examples=40, deadline=None)
@given(digest=digests)
async def test_any_digest_round_trips(digest: Digest) -> None:
    # A fresh database per example: two examples may share a content hash (the hash sees paragraphs
    # joined, so ("",) and () are the same content) and the second would rightly be "unchanged".
    async with await Database.open(":memory:") as database:
        repo = DigestRepository(database)
        result = await repo.save(digest)
        stored = await repo.get(result.digest_id)
        assert stored is not None
        assert stored.digest == digest
        assert stored.digest.source == digest.source


async def test_saving_the_same_content_again_changes_nothing(repo: DigestRepository, db: Database) -> None:
    first = await repo.save(make_digest())
    again = await repo.save(dataclasses.replace(make_digest(), source="elsewhere.txt"))
    assert again.digest_id == first.digest_id
    assert again.outcome is SaveOutcome.UNCHANGED
    assert await db.fetchval("SELECT count(*) FROM digests") == 1
    assert await db.fetchval("SELECT count(*) FROM items") == 4
    assert await db.fetchval("SELECT count(*) FROM items_fts") == 4


async def test_corrected_reingest_replaces_in_place(repo: DigestRepository, db: Database, clock: ManualClock) -> None:
    original = await repo.save(make_digest())
    subscribers = SubscriberRepository(db)
    await subscribers.upsert_on_start(1)
    await subscribers.upsert_on_start(2)
    deliveries = DeliveryRepository(db)
    await deliveries.enqueue(original.digest_id, [1, 2])
    await deliveries.claim(original.digest_id, 1)
    await deliveries.mark_sent(original.digest_id, 1, [10])

    clock.advance(dt.timedelta(hours=1))
    corrected = make_digest(extra=" (Corrected: the summit was in Ashgabat.)")
    result = await repo.save(corrected)
    assert result.outcome is SaveOutcome.REPLACED
    assert result.digest_id == result.replaced_id == original.digest_id

    stored = await repo.get(result.digest_id)
    assert stored is not None
    assert stored.digest == corrected
    assert stored.published_at == T0  # first publication time is kept
    assert stored.updated_at == T0 + dt.timedelta(hours=1)
    assert await db.fetchval("SELECT count(*) FROM digests") == 1
    assert await db.fetchval("SELECT count(*) FROM items") == 4
    # Reader 1 already had it and is not sent it again; reader 2 gets the corrected text.
    assert await deliveries.has_received(1, result.digest_id)
    assert await deliveries.claim(result.digest_id) == [2]
    # Re-saving the earlier text now counts as a correction again, not as "unchanged".
    assert (await repo.save(make_digest())).outcome is SaveOutcome.REPLACED


async def test_corrections_replace_only_the_same_newsletter_and_date(repo: DigestRepository) -> None:
    a = await repo.save(make_digest(DAY))
    b = await repo.save(make_digest(DAY + dt.timedelta(days=1)))
    c = await repo.save(make_digest(DAY, newsletter="Another letter"))
    d = await repo.save(make_digest(DAY, newsletter=None))
    undated = [await repo.save(dataclasses.replace(make_digest(extra=str(i)), date=None)) for i in range(2)]
    assert len({a.digest_id, b.digest_id, c.digest_id, d.digest_id, *(u.digest_id for u in undated)}) == 6
    assert (await repo.save(make_digest(DAY, newsletter=None, extra="!"))).digest_id == d.digest_id


async def test_drafts_publishing_and_withdrawal(repo: DigestRepository, clock: ManualClock) -> None:
    draft = await repo.save(make_digest(), publish=False)
    stored = await repo.get(draft.digest_id)
    assert stored is not None
    assert (stored.status, stored.published_at) == (DigestStatus.DRAFT, None)
    assert await repo.latest_published() is None
    assert (await repo.search("Kursk")).total == 0

    clock.advance(dt.timedelta(minutes=5))
    assert (await repo.save(make_digest())).outcome is SaveOutcome.UNCHANGED
    stored = await repo.get(draft.digest_id)
    assert stored is not None
    assert (stored.status, stored.published_at) == (DigestStatus.PUBLISHED, T0 + dt.timedelta(minutes=5))

    assert await repo.set_status(draft.digest_id, DigestStatus.WITHDRAWN)
    assert not await repo.set_status(draft.digest_id, DigestStatus.WITHDRAWN)
    await repo.save(make_digest())  # the ingest job does not bring it back
    await repo.save(make_digest(extra=" corrected"))
    stored = await repo.get(draft.digest_id)
    assert stored is not None
    assert stored.status is DigestStatus.WITHDRAWN
    assert await repo.by_date(DAY) is None
    assert await repo.set_status(draft.digest_id, DigestStatus.PUBLISHED)
    assert (await repo.by_date(DAY)) is not None
    assert not await repo.set_status(999, DigestStatus.PUBLISHED)


async def test_deleting_a_digest_cascades_to_parts_and_index(repo: DigestRepository, db: Database) -> None:
    result = await repo.save(make_digest())
    await db.execute("DELETE FROM digests WHERE id = ?", (result.digest_id,))
    for table in ("sections", "items", "items_fts"):
        assert await db.fetchval(f"SELECT count(*) FROM {table}") == 0


# --- finding issues ---------------------------------------------------------------------------------


async def test_latest_by_date_nearest_recent(repo: DigestRepository, clock: ManualClock) -> None:
    ids = {}
    for offset in (0, 2, 7):
        day = DAY + dt.timedelta(days=offset)
        ids[day] = (await repo.save(make_digest(day))).digest_id
    await repo.save(make_digest(DAY + dt.timedelta(days=9)), publish=False)

    clock.set(dt.datetime.combine(DAY + dt.timedelta(days=2), dt.time(12), tzinfo=dt.UTC))
    latest = await repo.latest_published()  # the latest dated no later than today: not next week's
    assert latest is not None and latest.digest.date == DAY + dt.timedelta(days=2)
    clock.set(dt.datetime.combine(DAY + dt.timedelta(days=8), dt.time(12), tzinfo=dt.UTC))
    latest = await repo.latest_published()
    assert latest is not None
    assert latest.digest.date == DAY + dt.timedelta(days=7)
    found = await repo.by_date(DAY + dt.timedelta(days=2))
    assert found is not None
    assert found.id == ids[DAY + dt.timedelta(days=2)]
    assert await repo.by_date(DAY + dt.timedelta(days=1)) is None

    async def nearest(offset: int) -> dt.date | None:
        stored = await repo.nearest_to(DAY + dt.timedelta(days=offset))
        return None if stored is None else stored.digest.date

    assert await nearest(1) == DAY  # a tie goes to the earlier issue
    assert await nearest(5) == DAY + dt.timedelta(days=7)
    assert await nearest(-30) == DAY
    assert await nearest(100) == DAY + dt.timedelta(days=7)  # drafts are not candidates

    page = await repo.recent(limit=2)
    assert [s.issue_date for s in page] == [DAY + dt.timedelta(days=7), DAY + dt.timedelta(days=2)]
    assert page[0].item_count == 4
    assert [s.issue_date for s in await repo.recent(limit=2, offset=2)] == [DAY]
    assert len(await repo.recent(status=None)) == 4
    assert await repo.count() == 3
    assert await repo.count(status=DigestStatus.DRAFT) == 1


async def test_nothing_published_yet(repo: DigestRepository) -> None:
    assert await repo.latest_published() is None
    assert await repo.nearest_to(DAY) is None
    assert await repo.recent() == []
    assert await repo.authors() == []


# --- authors ----------------------------------------------------------------------------------------


async def test_authors_and_their_items(repo: DigestRepository) -> None:
    await repo.save(issue(DAY, story("One", author="Kevin Rothrock"), story("Two", author="Anna Kuzmina")))
    later = DAY + dt.timedelta(days=3)
    await repo.save(issue(later, story("Three", author="KÉVIN  rothrock"), story("Four")))
    await repo.save(issue(later + dt.timedelta(days=1), story("Draft", author="Kevin Rothrock")), publish=False)

    authors = await repo.authors()
    assert [(a.key, a.count, a.last_date) for a in authors] == [
        ("kevin rothrock", 2, later),
        ("ana kuzmina", 1, DAY),
    ]
    assert authors[0].name == "KÉVIN  rothrock"  # the most recent spelling

    written = await repo.items_by_author("kevin rothrock")
    assert [(i.title, i.issue_date, i.position) for i in written] == [("Three", later, 0), ("One", DAY, 0)]
    assert [i.title for i in await repo.items_by_author("Kevin Rothrock", limit=1)] == ["Three"]
    assert await repo.items_by_author("nobody") == []
    assert await repo.items_by_author("  ") == []


# --- search -----------------------------------------------------------------------------------------


async def test_search_ranks_titles_first_and_marks_snippets(repo: DigestRepository) -> None:
    await repo.save(
        issue(
            DAY,
            story("Weather report", "Rain in Kursk, sun in Moscow.", "Nothing else of note."),
            story("Kursk offensive", "Troops advanced.", author="Meduza"),
            story("Unrelated", "Nothing here."),
        )
    )
    page = await repo.search("kursk")
    assert page.total == 2
    assert [h.title for h in page.hits] == ["Kursk offensive", "Weather report"]
    assert page.hits[0].score <= page.hits[1].score
    body_hit = page.hits[1]
    assert f"{SNIPPET_START}Kursk{SNIPPET_END}" in body_hit.snippet
    assert (body_hit.digest_id, body_hit.issue_date, body_hit.position, body_hit.kind) == (
        1,
        DAY,
        0,
        ItemKind.STORY,
    )


async def test_search_folds_case_and_accents_and_matches_prefixes(repo: DigestRepository) -> None:
    await repo.save(issue(DAY, story("Café owners fined", "Zürich café."), story("Rothrock writes", author="X")))
    assert (await repo.search("CAFE")).total == 1
    assert (await repo.search("zurich cafe")).total == 1
    assert (await repo.search("roth")).total == 1  # the last word is a prefix
    assert (await repo.search("cafe zurichx")).total == 0  # all words must match


async def test_search_pages_and_skips_unpublished(repo: DigestRepository) -> None:
    for offset in range(5):
        await repo.save(issue(DAY + dt.timedelta(days=offset), story(f"Sanctions {offset}", "sanctions")))
    await repo.save(issue(DAY - dt.timedelta(days=1), story("Sanctions draft")), publish=False)
    first = await repo.search("sanctions", limit=2)
    assert (first.total, len(first.hits), first.has_more) == (5, 2, True)
    last = await repo.search("sanctions", limit=2, offset=4)
    assert (len(last.hits), last.has_more) == (1, False)
    seen = {h.digest_id for offset in (0, 2, 4) for h in (await repo.search("sanctions", 2, offset)).hits}
    assert len(seen) == 5


NASTY = [
    "",
    "   ",
    '"',
    '""',
    '"unbalanced',
    "AND",
    "OR NOT",
    "NEAR(a b)",
    "*",
    "kursk*",
    "-x",
    "^start",
    "title:kursk",
    "(kursk",
    "a AND",
    "🚨",
    "🇩🇪 kursk",
    "'; DROP TABLE items; --",
    "\x00\x02\x03",
    "k" * 5000,
    " ".join(["word"] * 200),
]


@pytest.mark.parametrize("query", NASTY)
async def test_nasty_queries_never_raise(repo: DigestRepository, query: str) -> None:
    await repo.save(make_digest())
    page = await repo.search(query)
    assert page.total >= 0
    assert await repo.count() == 1


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.text(max_size=60))
async def test_any_text_is_a_valid_query(repo: DigestRepository, query: str) -> None:
    page = await repo.search(query, limit=3)
    assert page.total >= len(page.hits)


async def test_emoji_and_operator_words_find_what_they_can(repo: DigestRepository) -> None:
    await repo.save(make_digest())
    assert (await repo.search("🚨")).total == 0  # no searchable word: an empty page
    assert (await repo.search("🇩🇪 kursk")).total == 1
    assert (await repo.search('"kursk')).total == 1
    assert (await repo.search("-kursk")).total == 1  # not a NOT: punctuation is dropped


def opinion(title: str, author: str, *body: str) -> Item:
    return Item(kind=ItemKind.OPINION, title=title, author=author, body=body)


async def test_a_quoted_phrase_matches_only_those_words_in_that_order(repo: DigestRepository) -> None:
    await repo.save(issue(DAY, story("Fog of war", "The fog of war."), story("War in the fog", "Fog, then war.")))
    assert (await repo.search("fog war")).total == 2
    assert [h.title for h in (await repo.search('"fog of war"')).hits] == ["Fog of war"]
    assert [h.title for h in (await repo.search("“of war”")).hits] == ["Fog of war"]  # curly quotes too
    assert (await repo.search('"war of fog"')).total == 0
    assert (await repo.search('"war of fo"')).total == 0  # a phrase is exact: no prefix at its end


async def test_search_limited_to_kinds_and_authors(repo: DigestRepository) -> None:
    await repo.save(
        issue(
            DAY,
            story("NATO summit", "NATO leaders met."),
            opinion("NATO must change", "Dmitry Trenin", "On NATO."),
            opinion("NATO is fine", "Lilia Shevtsova", "On NATO too."),
            opinion("Kazakhstan", "Dmitry Trenin", "Unrest."),
        )
    )
    assert (await repo.search("nato")).total == 3
    opinions = await repo.search("nato", kinds=[ItemKind.OPINION])
    assert sorted(h.title for h in opinions.hits) == ["NATO is fine", "NATO must change"]
    assert opinions.total == 2
    trenin = await repo.search("nato", kinds=[ItemKind.OPINION], author_keys=["dmitri trenin"])
    assert [(h.title, h.author) for h in trenin.hits] == [("NATO must change", "Dmitry Trenin")]
    assert (await repo.search("nato", author_keys=["nobody"])).total == 0
    assert (await repo.search("nato", kinds=[])).total == 0


async def test_kinds_are_matched_in_the_index_without_changing_scores(repo: DigestRepository) -> None:
    await repo.save(
        issue(
            DAY,
            story("NATO summit", "NATO leaders met. NATO again."),
            opinion("NATO must change", "Dmitry Trenin", "On NATO."),
            opinion("NATO is fine", "Lilia Shevtsova", "On NATO too, and on the summit."),
        )
    )
    everything = {hit.title: hit.score for hit in (await repo.search("nato")).hits}
    opinions = await repo.search("nato", kinds=[ItemKind.OPINION])
    assert {hit.title: hit.score for hit in opinions.hits} == {
        title: score for title, score in everything.items() if title != "NATO summit"
    }
    pieces = await repo.search("nato", kinds=[ItemKind.OPINION, ItemKind.STORY])
    assert {hit.title: hit.score for hit in pieces.hits} == everything
    assert (await repo.search("nato", kinds=[ItemKind.BRIEF])).total == 0


async def test_a_word_that_names_a_kind_matches_only_the_text(repo: DigestRepository) -> None:
    await repo.save(issue(DAY, opinion("NATO must change", "Dmitry Trenin", "On NATO."), story("Kursk", "Fighting.")))
    assert (await repo.search("opinion")).total == 0  # the kind column is not searched for readers' words
    assert (await repo.search("story")).total == 0
    assert (await repo.search("opinion", kinds=[ItemKind.OPINION])).total == 0


async def test_an_authors_items_page_by_page_and_by_kind(repo: DigestRepository) -> None:
    for offset in range(3):
        day = DAY + dt.timedelta(days=offset)
        pieces = (opinion(f"Op {offset}", "Dmitry Trenin"), story(f"S {offset}", author="Dmitri Trenin"))
        await repo.save(issue(day, *pieces))
    newest = await repo.items_by_author("dmitri trenin", limit=2, kinds=[ItemKind.OPINION])
    assert [item.title for item in newest] == ["Op 2", "Op 1"]
    older = await repo.items_by_author("Dmitry Trenin", limit=2, offset=2, kinds=[ItemKind.OPINION])
    assert [item.title for item in older] == ["Op 0"]
    assert await repo.count_by_author("Dmitry Trenin") == 6
    assert await repo.count_by_author("Dmitry Trenin", kinds=[ItemKind.OPINION]) == 3
    assert await repo.count_by_author("  ") == 0


async def test_get_many_rebuilds_each_issue_as_get_does(repo: DigestRepository) -> None:
    first = (await repo.save(issue(DAY, story("One", "Body."), opinion("Two", "Dmitry Trenin", "Text.")))).digest_id
    second = (await repo.save(issue(DAY + dt.timedelta(days=1), story("Three")))).digest_id
    found = await repo.get_many([second, first, first, 999])
    assert sorted(found) == [first, second]
    for digest_id, stored in found.items():
        assert stored == await repo.get(digest_id)
    assert await repo.get_many([]) == {}
