import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.rules.authors import AuthorEntry, AuthorIndex, author_key, normalize

AUTHORS = [
    AuthorEntry("Dmitry Trenin", 12, dt.date(2022, 1, 7)),
    AuthorEntry("Dmitri Trenin", 1, dt.date(2021, 5, 1)),
    AuthorEntry("Lilia Shevtsova", 5, dt.date(2022, 1, 7)),
    AuthorEntry("Fyodor Lukyanov", 8, dt.date(2022, 1, 7)),
    AuthorEntry("Kevin Rothrock", 30, dt.date(2024, 7, 11)),
    AuthorEntry("Andrei Kolesnikov", 6),
    AuthorEntry("Tatiana Stanovaya", 9),
    AuthorEntry("Dmitry Kuzmin", 2),
    AuthorEntry("Alexei Navalny", 1),
    AuthorEntry("Kirill Rogov", 2),
    AuthorEntry("Ivan Krastev", 1),
    AuthorEntry("Ilya Yashin", 1),
    AuthorEntry("Ekaterina Schulmann", 3),
    AuthorEntry("Maxim Trudolyubov", 2),
]


@pytest.fixture
def index() -> AuthorIndex:
    return AuthorIndex(AUTHORS)


@pytest.mark.parametrize(
    ("variants", "key"),
    [
        (["Dmitry", "Dmitri", "Dmitrij", "Dmitriy", "Dmitrii", "DMITRY", "Дмитрий"], "dmitri"),
        (["Lukyanov", "Lukianov", "Lukjanov", "Лукьянов"], "lukianov"),
        (["Fyodor", "Fedor", "Фёдор", "Федор"], "fedor"),
        (["Yevgeny", "Evgeny", "Evgenii", "Yevgeniy", "Евгений"], "evgeni"),
        (["Yulia", "Julia", "Iulia", "Yuliya", "Юлия"], "iulia"),
        (
            ["Khodorkovsky", "Hodorkovsky", "Khodorkovskiy", "Khodorkovskii", "Khodorkovski", "Ходорковский"],
            "hodorkovski",
        ),
        (["Alexei", "Aleksei", "Alexey", "Алексей"], "aleksei"),
        (["Kuznetsov", "Kuznetzov", "Кузнецов"], "kuznetsov"),
        (["Il'ya", "Ilʼya", "Ilya", "Илья", "Ilia"], "ilia"),
        (["Sergeyev", "Sergeev", "Сергеев"], "sergev"),
        (["Kassym-Jomart", "Kasym Jomart"], "kasim iomart"),
        (["Zhirinovsky", "Жириновский"], "zhirinovski"),
        (["Schulmann", "Schulman"], "schulman"),
        (["Kévin  Rothrock", "kevin rothrock", "KEVIN ROTHROCK"], "kevin rothrock"),
    ],
)
def test_normalize_folds_spellings_of_one_name(variants: list[str], key: str) -> None:
    assert {normalize(variant) for variant in variants} == {key}


def test_author_key_is_the_normalized_name() -> None:
    assert author_key("Dmitry Trenin") == author_key("Dmitri  TRENIN") == "dmitri trenin"
    assert author_key("—") is None
    assert author_key(None) is None


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_normalize_is_idempotent(name: str) -> None:
    """Keys may be normalized again (a stored key passed as a name) without changing."""
    once = normalize(name)
    assert normalize(once) == once


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("trenin", "Dmitry Trenin"),
        ("TRENIN", "Dmitry Trenin"),
        ("Dmitri Trenin", "Dmitry Trenin"),
        ("dmitry trenin", "Dmitry Trenin"),
        ("Trenin Dmitry", "Dmitry Trenin"),
        ("Trenin D.", "Dmitry Trenin"),
        ("D. Trenin", "Dmitry Trenin"),
        ("Дмитрий Тренин", "Dmitry Trenin"),
        ("trenim", "Dmitry Trenin"),  # one wrong letter
        ("trenn", "Dmitry Trenin"),  # one missing letter
        ("Lukianov", "Fyodor Lukyanov"),
        ("Fedor Lukjanov", "Fyodor Lukyanov"),
        ("Lukyanof", "Fyodor Lukyanov"),
        ("Shevtsova", "Lilia Shevtsova"),
        ("lilia shevtsova", "Lilia Shevtsova"),
        ("Shevstova", "Lilia Shevtsova"),  # swapped letters
        ("shevts", "Lilia Shevtsova"),  # the beginning of a surname
        ("Yashin", "Ilya Yashin"),
        ("Shulman", "Ekaterina Schulmann"),
        ("Trudoliubov", "Maxim Trudolyubov"),
        ("rothrok", "Kevin Rothrock"),
    ],
)
def test_match_finds_the_author(index: AuthorIndex, query: str, expected: str) -> None:
    matches = index.match(query)
    assert [match.name for match in matches] == [expected]


@pytest.mark.parametrize(
    "query",
    ["putin", "ivanov", "pizza", "kremlin", "news", "war", "moscow", "sanctions", "ro", "x", "", "   ", "!!!", "12345"],
)
def test_match_refuses_nonsense(index: AuthorIndex, query: str) -> None:
    assert index.match(query) == []


def test_an_ambiguous_query_offers_every_candidate_most_prolific_first(index: AuthorIndex) -> None:
    matches = index.match("dmitry")
    assert [match.name for match in matches] == ["Dmitry Trenin", "Dmitry Kuzmin"]
    assert matches[0].score == matches[1].score


def test_an_initial_picks_among_namesakes(index: AuthorIndex) -> None:
    assert [match.name for match in index.match("Dmitry T")] == ["Dmitry Trenin"]
    assert [match.name for match in index.match("Dmitry K.")] == ["Dmitry Kuzmin"]


def test_an_exact_match_hides_weaker_ones() -> None:
    index = AuthorIndex([AuthorEntry("Dmitry Trenin", 3), AuthorEntry("Pavel Tretin", 1)])
    assert [match.name for match in index.match("trenin")] == ["Dmitry Trenin"]
    assert {match.name for match in index.match("trevin")} == {"Dmitry Trenin", "Pavel Tretin"}


def test_a_feminine_surname_is_one_letter_away() -> None:
    index = AuthorIndex([AuthorEntry("Anna Ivanova", 1), AuthorEntry("Fyodor Lukyanov", 1)])
    assert [match.name for match in index.match("ivanov")] == ["Anna Ivanova"]


def test_spellings_of_one_author_are_merged(index: AuthorIndex) -> None:
    (match,) = index.match("trenin")
    assert match.name == "Dmitry Trenin"  # the most recent spelling
    assert set(match.spellings) == {"Dmitry Trenin", "Dmitri Trenin"}
    assert match.count == 13
    assert match.last_date == dt.date(2022, 1, 7)
    assert match.key == "dmitri trenin"
    assert len(index) == len(AUTHORS) - 1


def test_storage_author_rows_are_accepted_as_they_are() -> None:
    from storage.digests import AuthorStat

    index = AuthorIndex([AuthorStat(name="Fyodor Lukyanov", key="fyodor lukyanov", count=4, last_date=None)])
    assert [match.name for match in index.match("Lukianov")] == ["Fyodor Lukyanov"]


def test_an_empty_index_matches_nothing() -> None:
    assert AuthorIndex([]).match("trenin") == []


def test_a_surname_outranks_the_same_word_as_a_given_name() -> None:
    # Thomas Graham has written far more, so only the given-name weight can put Daniel Thomas first.
    index = AuthorIndex([AuthorEntry("Thomas Graham", count=50), AuthorEntry("Daniel Thomas", count=2)])
    surname, given = index.match("thomas")
    assert (surname.name, given.name) == ("Daniel Thomas", "Thomas Graham")
    assert surname.score == 1.0 and 0.9 < given.score < 1.0


class _EveryAuthor(AuthorIndex):
    """The index without its first pass: every author is scored, as before the pass existed."""

    def _candidates(self, words: list[str], cutoff: float) -> set[int]:
        return set(range(len(self)))


_NAME_WORDS = [word for entry in AUTHORS for word in entry.name.split()]


@settings(max_examples=300, deadline=None)
@given(
    words=st.lists(
        st.one_of(
            st.sampled_from(_NAME_WORDS),
            st.sampled_from(_NAME_WORDS).map(lambda word: word[:-1]),  # a letter short
            st.sampled_from(_NAME_WORDS).map(lambda word: word[:4]),  # a prefix
            st.sampled_from(_NAME_WORDS).map(lambda word: word[1:] + word[0]),  # garbled
            st.text(alphabet="abdeiklnorstvy", min_size=1, max_size=9),
        ),
        min_size=1,
        max_size=3,
    ),
    cutoff=st.sampled_from([None, 0.6]),
)
def test_the_first_pass_drops_no_author_that_scoring_all_would_find(words: list[str], cutoff: float | None) -> None:
    query = " ".join(words)
    assert AuthorIndex(AUTHORS).match(query, cutoff=cutoff) == _EveryAuthor(AUTHORS).match(query, cutoff=cutoff)
