"""bot.rules.queries: how a reader's words split into an author part and a topic part."""

from __future__ import annotations

import re

import pytest

from bot.rules.authors import AuthorEntry, AuthorIndex
from bot.rules.queries import FILLER, MAX_SEARCH_TERMS, STOP_WORDS, Term, read_query, search_terms, split_terms

INDEX = AuthorIndex(
    [
        AuthorEntry("Dmitry Trenin", 3),
        AuthorEntry("Lilia Shevtsova", 2),
        AuthorEntry("Fyodor Lukyanov", 2),
        AuthorEntry("Dmitry Muratov", 1),
        AuthorEntry("Kevin Rothrock", 4),
        AuthorEntry("Andrei Pertsev", 1),
    ]
)


@pytest.mark.parametrize(
    ("text", "author", "topic"),
    [
        # An author alone, spelled as readers spell them.
        ("trenin", "Dmitry Trenin", ""),
        ("TRENIN", "Dmitry Trenin", ""),
        ("trennin", "Dmitry Trenin", ""),
        ("Dmitri Trenin", "Dmitry Trenin", ""),
        ("Trenin D.", "Dmitry Trenin", ""),
        ("Trenin's", "Dmitry Trenin", ""),
        ("Lukianov", "Fyodor Lukyanov", ""),
        ("Fedor Lukjanov", "Fyodor Lukyanov", ""),
        ("Шевцова", "Lilia Shevtsova", ""),
        ("shevtsva", "Lilia Shevtsova", ""),
        ("rothrok", "Kevin Rothrock", ""),
        # An author and a topic, in any order, with or without the filler of a question.
        ("trenin nato", "Dmitry Trenin", "nato"),
        ("nato trenin", "Dmitry Trenin", "nato"),
        ("trenin on nato", "Dmitry Trenin", "nato"),
        ("Dmitri Trenin NATO", "Dmitry Trenin", "NATO"),
        ("what does lukyanov say about kazakhstan", "Fyodor Lukyanov", "kazakhstan"),
        ("What does Lukianov think about Kazakhstan?", "Fyodor Lukyanov", "Kazakhstan"),
        ("trenin's view on nato", "Dmitry Trenin", "nato"),
        ("shevtsova kazakhstan belarus", "Lilia Shevtsova", "kazakhstan belarus"),
        ('trenin "fog of war"', "Dmitry Trenin", '"fog of war"'),
        # A topic alone.
        ("nato", None, "nato"),
        ("what do they say about NATO", None, "NATO"),
        ("putin nato", None, "putin nato"),
        ("“putin must atone”", None, '"putin must atone"'),
        ('"trenin"', None, '"trenin"'),  # a quoted name is a word to find, not an author
        # Nothing but filler.
        ("what about", None, ""),
    ],
)
def test_words_split_into_author_and_topic(text: str, author: str | None, topic: str) -> None:
    query = read_query(text, INDEX)
    assert (query.authors[0].name if query.authors else None) == author
    assert query.topic_query == topic


def test_an_ambiguous_given_name_offers_every_author_it_may_mean() -> None:
    query = read_query("dmitry", INDEX)
    assert sorted(match.name for match in query.authors) == ["Dmitry Muratov", "Dmitry Trenin"]
    assert read_query("dmitry trenin", INDEX).authors[0].name == "Dmitry Trenin"
    assert len(read_query("dmitry trenin", INDEX).authors) == 1


def test_a_word_close_to_a_name_is_suggested_not_taken() -> None:
    query = read_query("trinen", INDEX)
    assert query.authors == ()
    assert query.topic_query == "trinen"
    assert query.suggestion is not None and query.suggestion.name == "Dmitry Trenin"
    assert read_query("nato", INDEX).suggestion is None
    assert read_query("war", INDEX).suggestion is None  # too short to suggest anyone


def test_what_the_words_ask_and_what_is_searched() -> None:
    query = read_query("  what does  Lukyanov say about   kazakhstan ", INDEX)
    assert query.text == "what does Lukyanov say about kazakhstan"
    assert query.author_words == ("Lukyanov",)
    assert query.conversational
    assert query.words_query == "Lukyanov kazakhstan"
    assert not read_query("trenin nato", INDEX).conversational
    mixed = read_query('nato "fog of war"', INDEX)
    assert mixed.topic_label == "nato “fog of war”"
    assert read_query('"fog of war"', INDEX).topic_label == "fog of war"


def test_an_empty_index_finds_no_author() -> None:
    query = read_query("trenin nato", AuthorIndex(()))
    assert query.authors == () and query.topic_query == "trenin nato" and query.suggestion is None


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("trenin nato", [Term("trenin"), Term("nato")]),
        ('"fog of war" nato', [Term("fog of war", phrase=True), Term("nato")]),
        ("“fog of war”", [Term("fog of war", phrase=True)]),
        ("«туман войны»", [Term("туман войны", phrase=True)]),
        ('"nato"', [Term("nato", phrase=True)]),  # exactly that word: no prefix, never a name
        ('"unbalanced quote', [Term("unbalanced"), Term("quote")]),
        ('""', []),
        ("NATO's Il'ya", [Term("NATO"), Term("Il'ya")]),
        ("🚨 AND (kursk)", [Term("AND"), Term("kursk")]),
    ],
)
def test_split_terms(text: str, terms: list[Term]) -> None:
    assert split_terms(text) == terms


def test_filler_is_lowercase_words() -> None:
    assert all(word == word.casefold() and word.isalpha() for word in FILLER)
    assert {"what", "does", "say", "about", "on"} <= FILLER


def test_search_terms_leave_out_repeats_and_common_words_outside_quotes() -> None:
    found = search_terms("The war, the WAR and the Kremlin's war")
    assert found.terms == (Term("Kremlin"), Term("war"))
    assert found.last_typed
    assert found.common == ("The", "the", "and", "the")
    assert not found.only_common
    quoted = search_terms('"the fog of war" or not')
    assert quoted.terms == (Term("the fog of war", phrase=True), Term("not"))


def test_search_terms_of_only_common_words_are_nothing_to_look_for() -> None:
    assert search_terms("the").only_common
    assert search_terms("it's the a an of").terms == ()
    assert not search_terms("🚨").only_common  # no words at all is another reply
    assert search_terms('"the"').only_common  # in quotes too


def test_a_phrase_of_only_common_words_is_left_out_too() -> None:
    assert search_terms('"of the" Kremlin').terms == (Term("Kremlin"),)
    assert search_terms('"of the" Kremlin').common == ("of the",)
    assert search_terms('"of the" "in the way"').terms == (Term("in the way", phrase=True),)
    assert search_terms('"of the" "in the"').only_common
    assert search_terms('"to be or not to be"').terms == (Term("to be or not to be", phrase=True),)


def test_search_terms_cut_words_as_the_index_does() -> None:
    assert search_terms("Il'ya NATO's").terms == (Term("Il"), Term("ya"), Term("NATO"))


def test_search_terms_keep_at_most_the_longest_words() -> None:
    words = ["w" * length for length in (3, 9, 4, 8, 5, 7, 6, 2)]
    found = search_terms(" ".join(words))
    assert len(found.terms) == MAX_SEARCH_TERMS == 6
    assert [len(term.text) for term in found.terms] == [9, 4, 8, 5, 7, 6]
    assert not found.last_typed  # the two-letter word typed last was left out


def test_stop_words_are_lowercase_words_a_news_search_never_needs() -> None:
    assert all(word == word.lower() and word.isalpha() for word in STOP_WORDS)
    assert not {"us", "who", "may", "will", "not", "against", "putin", "nato"} & STOP_WORDS


@pytest.mark.parametrize(
    ("text", "author", "topic"),
    [
        ("<b>trennin</b>", "Dmitry Trenin", ""),
        ("<b>trenin</b> <i>nato</i>", "Dmitry Trenin", "nato"),
        ("<b>trenin</b><i>nato</i>", "Dmitry Trenin", "nato"),
        ('<a href="https://t.me/x">lukyanov</a> on kazakhstan', "Fyodor Lukyanov", "kazakhstan"),
        ("&lt;b&gt;trenin&lt;/b&gt;", "Dmitry Trenin", ""),
        ("trenin &amp; nato", "Dmitry Trenin", "nato"),
        ("trenin &quot;fog of war&quot;", "Dmitry Trenin", '"fog of war"'),
        ("<B>NATO</B>", None, "NATO"),
        # Not markup: a comparison and a heart stay words (and symbols, which are no words).
        ("nato < 3 > 2", None, "nato 3 2"),
        ("nato <3", None, "nato 3"),
    ],
)
def test_tags_and_entities_are_not_words(text: str, author: str | None, topic: str) -> None:
    query = read_query(text, INDEX)
    assert (query.authors[0].name if query.authors else None) == author
    assert query.topic_query == topic
    assert not re.search(r"</?[a-z]|&[a-z]+;", query.text, re.IGNORECASE), query.text
