"""Search speed safeguards: one term per word, no short prefixes, a bounded candidate set, and searches on
a read-only connection that neither waits for the writer nor holds it up."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest

from bot.rules.clock import ManualClock
from storage import Database, DigestRepository
from storage import digests as digests_module
from storage.fts import fts_query
from tests.storage_fixtures import make_digest


def test_a_repeated_word_is_one_term_and_the_word_typed_last_stays_last() -> None:
    assert fts_query("war war WAR war") == '"war"*'
    assert fts_query("putin nato putin") == '"nato" "putin"*'


def test_the_last_word_matches_as_a_prefix_only_from_three_letters() -> None:
    assert fts_query("Kremlin k") == '"Kremlin" "k"'
    assert fts_query("Kremlin ro") == '"Kremlin" "ro"'
    assert fts_query("Kremlin rot") == '"Kremlin" "rot"*'


def test_case_variants_are_one_term_but_sharp_s_is_not_folded_to_ss() -> None:
    assert fts_query("Straße strasse STRASSE") == '"Straße" "STRASSE"*'


def test_common_words_are_left_out_but_not_from_a_phrase() -> None:
    assert fts_query("the Kremlin and the war") == '"Kremlin" "war"*'
    assert fts_query('"the war" of the') == '"the war"'
    assert fts_query("the of and to in a is that for on with as was at by") is None


def test_the_prefix_is_for_the_word_typed_last_only() -> None:
    assert fts_query("Kremlin the") == '"Kremlin"'  # "the" was the word being typed, not "Kremlin"
    assert fts_query("war Kremlin war") == '"Kremlin" "war"*'


def test_a_long_query_keeps_its_six_longest_words_in_the_order_typed() -> None:
    text = "war Kursk Kremlin sanctions mobilization ruble Duma election"  # Duma and war left out
    assert fts_query(text) == '"Kursk" "Kremlin" "sanctions" "mobilization" "ruble" "election"*'
    # A phrase is always kept; of the words of five letters, the first typed stays.
    phrased = '"fog of war" ' + text
    assert fts_query(phrased) == '"fog of war" "Kursk" "Kremlin" "sanctions" "mobilization" "election"*'
    assert fts_query(text + " Duma") == '"Kursk" "Kremlin" "sanctions" "mobilization" "ruble" "election"'


def test_a_word_that_may_match_a_kind_is_looked_for_in_title_author_and_body_only() -> None:
    assert fts_query("opinion war") == '{title author body} : ("opinion" "war"*)'
    assert fts_query("war Opínión") == '{title author body} : ("war" "Opínión"*)'
    assert fts_query("Kremlin sto") == '{title author body} : ("Kremlin" "sto"*)'  # a prefix of "story"
    assert fts_query("sto Kremlin") == '"sto" "Kremlin"*'  # the word "sto" only
    assert fts_query('"brief"') == '{title author body} : ("brief")'
    assert fts_query('"brief history"') == '"brief history"'  # two words cannot match the one of a kind


async def test_searches_read_on_their_own_connection_while_the_writer_is_busy(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "bot.db", clock=ManualClock(dt.datetime(2024, 10, 11, 6, tzinfo=dt.UTC)))
    try:
        repo = DigestRepository(db)
        await repo.save(make_digest())
        inside = asyncio.Event()
        release = asyncio.Event()

        async def long_write() -> None:
            async with db.atomic():
                await db.execute("UPDATE digests SET title = 'being corrected'")
                inside.set()
                await release.wait()

        writer = asyncio.create_task(long_write())
        await inside.wait()
        # The writer holds its lock and an open transaction: a search through it would wait for ever.
        search = asyncio.create_task(repo.search("Kursk"))
        done, _ = await asyncio.wait({search}, timeout=10)
        release.set()
        await writer
        assert search in done
        page = search.result()
        assert page.total == 1
        assert page.hits[0].title == "Russia's counterattack in the Kursk region"
    finally:
        await db.close()


async def test_in_memory_databases_search_through_the_writer(db: Database) -> None:
    repo = DigestRepository(db)
    await repo.save(make_digest())
    async with db.atomic():  # and inside a transaction, the caller's own rows are seen
        await repo.save(make_digest(dt.date(2024, 10, 12), title="Second issue", extra=" Kursk again."))
        page = await repo.search("Kursk")
    assert page.total == 2


async def test_only_the_newest_candidates_are_ranked_and_counted(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(digests_module, "SEARCH_CANDIDATES", 3)
    repo = DigestRepository(db)
    days = [dt.date(2024, 10, 1) + dt.timedelta(days=n) for n in range(5)]
    for day in days:
        await repo.save(make_digest(day, extra=f" Day {day.day}."))
    page = await repo.search("Olgovka", limit=10)
    assert page.total == 3
    assert sorted(str(hit.issue_date) for hit in page.hits) == [str(day) for day in days[2:]]
    assert not page.has_more


async def test_the_index_answers_prefixes_of_three_to_twelve_letters_from_prefix_indexes(db: Database) -> None:
    # Migrations 0015 and 0016: without prefix indexes a query like "the*" or "protest*" merges the doclists of
    # every word starting so, over the whole archive, on every search.
    sql = await db.fetchval("SELECT sql FROM sqlite_master WHERE name = 'items_fts'")
    assert "prefix = '3 4 5 6 7 8 9 10 11 12'" in sql
    repo = DigestRepository(db)
    await repo.save(make_digest())
    assert (await repo.search("Kremlin co")).total == 0  # two letters: the word "co" only
    assert (await repo.search("Kremlin cou")).total == 1  # "cou*" finds "courts"
    assert (await repo.search("Kursk coun")).total == 1  # "coun*" finds "counterattack"
    assert (await repo.search("Kursk counterat")).total == 1  # nine letters, from its own index
    assert (await repo.search("Kursk counterattac")).total == 1  # twelve, the longest indexed
    assert (await repo.search("Kursk counterattack")).total == 1  # thirteen: without an index, the same hits
    assert (await repo.search("Kursk counterattacks")).total == 0
