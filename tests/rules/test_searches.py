"""SearchMemory: the queries behind search page buttons, bounded and short-lived."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.render.callbacks import SearchPage, decode, encode
from bot.rules.searches import SearchMemory, normalize_query, query_id

T0 = dt.datetime(2024, 10, 11, 6, 0, tzinfo=dt.UTC)


def test_a_query_is_kept_under_a_short_stable_id() -> None:
    memory = SearchMemory()
    key = memory.remember("  Putin   NATO ", T0)
    assert key == query_id("Putin NATO") == memory.remember("Putin NATO", T0)
    assert memory.recall(key, T0) == "Putin NATO"
    assert len(memory) == 1


@pytest.mark.parametrize("query", ["x", "Putin NATO", "ы" * 500, "\"'*()-:^ AND OR NOT"])
def test_ids_fit_the_search_page_button(query: str) -> None:
    key = query_id(query)
    data = encode(SearchPage(99_999, key))
    assert decode(data) == SearchPage(99_999, key)
    assert len(data.encode()) <= 64


def test_queries_expire_after_the_lifetime_without_use() -> None:
    memory = SearchMemory(lifetime=dt.timedelta(hours=1))
    key = memory.remember("kursk", T0)
    assert memory.recall(key, T0 + dt.timedelta(minutes=50)) == "kursk"
    # Turning a page renewed it.
    assert memory.recall(key, T0 + dt.timedelta(minutes=100)) == "kursk"
    assert memory.recall(key, T0 + dt.timedelta(minutes=161)) is None
    assert len(memory) == 0


def test_the_least_recently_used_query_goes_first() -> None:
    memory = SearchMemory(capacity=2)
    first = memory.remember("one", T0)
    second = memory.remember("two", T0)
    memory.recall(first, T0)
    third = memory.remember("three", T0)
    assert memory.recall(second, T0) is None
    assert memory.recall(first, T0) == "one"
    assert memory.recall(third, T0) == "three"


def test_unknown_ids_and_bad_capacity() -> None:
    assert SearchMemory().recall("nope", T0) is None
    with pytest.raises(ValueError):
        SearchMemory(capacity=0)
    assert normalize_query(" a \n b ") == "a b"
