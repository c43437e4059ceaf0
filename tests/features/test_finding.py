"""Finding pieces by author, by topic or both: /opinion, /opinions, /story, plain text and inline mode.

The table is of real queries, as readers type them, against the sample issues; each must find its piece.
"""

from __future__ import annotations

import datetime as dt

import pytest

from bot.digest.model import Digest, Item, ItemKind, Section
from bot.features.authors import AuthorDirectory
from bot.features.reading import FOUND_PAGE_SIZE, Reading, reads_in_place
from bot.render import replies
from bot.render.callbacks import AuthorFollow, AuthorPage, AuthorsPage, FindPage, OpenItem, author_token, decode, encode
from bot.render.keyboard import CALLBACK_DATA_LIMIT
from bot.render.message import RenderedMessage
from bot.rules.clock import ManualClock
from bot.rules.searches import SearchMemory
from storage import BroadcastRepository, Database, DigestRepository, SubscriberRepository
from tests.reading_fixtures import FIXTURES, JAN_7, load

NOW = dt.datetime(2024, 10, 12, 6, 0, tzinfo=dt.UTC)
CHAT = 42
TRENIN_NATO = "Putin must atone for his early weakness on NATO"
SHEVTSOVA = "Putin seeks U.S. protection for Russia’s campaign to dominate its neighbors"
LUKYANOV = "Russia has developed its own brand of interventionism"
KURSK = "Russia’s counterattack in the Kursk region"
OPENED_TRENIN = "Dmitri Trenin reiterated his belief"
OPENED_LUKYANOV = "Fyodor Lukyanov says the decision to send CSTO peacekeepers"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def digests(db: Database) -> DigestRepository:
    return DigestRepository(db)


@pytest.fixture
def subscribers(db: Database) -> SubscriberRepository:
    return SubscriberRepository(db)


@pytest.fixture
def reading(db: Database, digests: DigestRepository, subscribers: SubscriberRepository, clock: ManualClock) -> Reading:
    return Reading(
        digests=digests,
        subscribers=subscribers,
        broadcasts=BroadcastRepository(db),
        clock=clock,
        searches=SearchMemory(),
        authors=AuthorDirectory(),
    )


@pytest.fixture
async def archive(db: Database, digests: DigestRepository) -> dict[str, int]:
    """Every sample issue; the latest (October 11, 2024) has no opinions, so nobody's piece is "today's"."""
    names = sorted(path.name for path in FIXTURES.glob("*.txt"))
    return dict(zip(names, await load(db, digests, *names), strict=True))


def data(part: RenderedMessage) -> list[str]:
    return [b.data for b in part.keyboard.buttons() if b.data] if part.keyboard else []


def titles(part: RenderedMessage) -> list[str]:
    return [line for line in part.html.split("\n") if line[:1].isdigit()]


# --- the table: each query finds its piece ---------------------------------------------------------------

LISTED = "listed"
OPENED = "opened"


@pytest.mark.parametrize(
    ("command", "query", "how", "expected"),
    [
        # A topic alone: the archive's opinions on it, listed.
        ("/opinion", "nato", LISTED, TRENIN_NATO),
        ("/opinion", "NATO", LISTED, TRENIN_NATO),
        ("/opinion", "what do they say about NATO", LISTED, TRENIN_NATO),
        ("/opinion", "interventionism", LISTED, LUKYANOV),
        ("/opinion", "“early weakness”", LISTED, TRENIN_NATO),
        ("/opinions", "kazakhstan", LISTED, LUKYANOV),
        ("/opinions", "Kazakhstan belarus", LISTED, SHEVTSOVA),
        ("/story", "kursk", LISTED, KURSK),
        # An author and a topic: their one piece on it opens at once.
        ("/opinion", "trenin nato", OPENED, OPENED_TRENIN),
        ("/opinion", "trennin nato", OPENED, OPENED_TRENIN),
        ("/opinion", "Dmitri Trenin on NATO", OPENED, OPENED_TRENIN),
        ("/opinion", "nato trenin", OPENED, OPENED_TRENIN),
        ("/opinion", "Lukianov kazakhstan", OPENED, OPENED_LUKYANOV),
        ("/opinion", "Fedor Lukjanov CSTO", OPENED, OPENED_LUKYANOV),
        ("/opinions", "lukyanov kazakhstan", OPENED, OPENED_LUKYANOV),
        ("text", "what does lukyanov say about kazakhstan", OPENED, OPENED_LUKYANOV),
        ("text", "What does Lukianov think of Kazakhstan?", OPENED, OPENED_LUKYANOV),
        ("text", "trenin nato", OPENED, OPENED_TRENIN),
        ("text", "Trenin's view on NATO", OPENED, OPENED_TRENIN),
        ("text", "shevtsova kazakhstan", OPENED, "Lilia Shevtsova offers her own reading"),
        # An author alone, not in today's issue: their page, with the piece on it.
        ("/opinion", "trenin", LISTED, TRENIN_NATO),
        ("/opinion", "trennin", LISTED, TRENIN_NATO),
        ("/opinion", "Dmitri Trenin", LISTED, TRENIN_NATO),
        ("/opinion", "Lukianov", LISTED, LUKYANOV),
        ("/opinion", "Шевцова", LISTED, SHEVTSOVA),
    ],
)
async def test_each_query_finds_its_piece(
    reading: Reading, archive: dict[str, int], command: str, query: str, how: str, expected: str
) -> None:
    if command == "/opinion":
        parts = await reading.opinion(CHAT, query)
    elif command == "/opinions":
        parts = await reading.items(ItemKind.OPINION, query)
    elif command == "/story":
        parts = await reading.story(CHAT, query)
    else:
        parts = await reading.text(CHAT, query)
    [part] = parts[:1]
    if how == OPENED:
        assert expected in part.html
        assert not titles(part)
    else:
        assert any(expected in line for line in titles(part)), part.html
        assert all(len(button.encode()) <= CALLBACK_DATA_LIMIT for button in data(part))
        assert any(isinstance(decode(button), OpenItem) for button in data(part))


async def test_a_topic_list_shows_author_title_and_date_with_a_button_each(reading: Reading, archive) -> None:
    jan7 = archive[JAN_7]
    [listing] = await reading.items(ItemKind.OPINION, "kazakhstan")
    assert listing.html.startswith("<b>Opinions on “kazakhstan”</b>")
    assert titles(listing) == [
        f"1. 💬 <b>{LUKYANOV}</b> — <i>Fyodor Lukyanov</i> · Jan 7, 2022",
        f"2. 💬 <b>{SHEVTSOVA}</b> — <i>Lilia Shevtsova</i> · Jan 7, 2022",
    ]
    assert data(listing) == [encode(OpenItem(jan7, 3)), encode(OpenItem(jan7, 2))]


async def test_a_topic_with_one_match_is_still_a_list(reading: Reading, archive) -> None:
    [listing] = await reading.opinion(CHAT, "nato")
    assert listing.html.startswith("<b>Opinions on “nato”</b>")
    assert titles(listing) == [f"1. 💬 <b>{TRENIN_NATO}</b> — <i>Dmitry Trenin</i> · Jan 7, 2022"]


async def test_a_misspelt_name_is_suggested(reading: Reading, archive) -> None:
    [reply] = await reading.opinion(CHAT, "trinen")
    assert "Did you mean Dmitry Trenin?" in reply.html
    assert data(reply) == [encode(AuthorPage(author_token("dmitri trenin"), 1))]


async def test_an_author_with_nothing_on_the_topic_shows_what_they_wrote(reading: Reading, archive) -> None:
    [reply] = await reading.opinion(CHAT, "lukyanov nato")
    assert reply.html.startswith("Nothing by Fyodor Lukyanov on “nato”. Their latest pieces:")
    assert encode(OpenItem(archive[JAN_7], 3)) in data(reply)


async def test_plain_text_without_an_author_is_a_search_without_the_filler(reading: Reading, archive) -> None:
    [results] = await reading.text(CHAT, "Putin NATO")
    assert results.html.startswith("<b>Search: “Putin NATO”</b>")
    [results] = await reading.text(CHAT, "what do they say about the counterattack")
    assert results.html.startswith("<b>Search: “counterattack”</b>")
    assert KURSK in results.html


async def test_only_filler_asks_for_an_author_or_a_topic(reading: Reading, archive) -> None:
    [reply] = await reading.opinion(CHAT, "what about")
    assert "Tell me an author or a topic" in reply.html


async def test_inline_uses_the_same_reading(reading: Reading, archive) -> None:
    jan7 = archive[JAN_7]
    [first, *_] = await reading.inline("trenin nato", "bot")
    assert first.id == f"{jan7}-1"
    [first, *_] = await reading.inline("what does lukyanov say about kazakhstan", "bot")
    assert first.id == f"{jan7}-3"


# --- paging ----------------------------------------------------------------------------------------------


def nato_opinions(count: int) -> list[Digest]:
    def piece(day: int) -> Item:
        return Item(ItemKind.OPINION, f"NATO, day {day}", author="Kevin Rothrock", body=("NATO.",))

    first = dt.date(2023, 1, 1)
    return [
        Digest("Daily", first + dt.timedelta(days=day), f"Issue {day}", None, (Section("Opinions", (piece(day),)),))
        for day in range(count)
    ]


async def test_topic_pages_turn_with_the_remembered_query(reading: Reading, archive, digests) -> None:
    for digest in nato_opinions(FOUND_PAGE_SIZE + 2):
        await digests.save(digest)
    [first] = await reading.opinion(CHAT, "what do they say about nato")
    assert "page 1 of 2" in first.html and len(titles(first)) == FOUND_PAGE_SIZE
    forward = [decode(button) for button in data(first) if isinstance(decode(button), FindPage)]
    assert [action.page for action in forward if isinstance(action, FindPage)] == [2]
    [action] = forward
    assert isinstance(action, FindPage) and action.scope == "o"
    assert reads_in_place(action, [("▶", encode(action))])
    second = (await reading.press(CHAT, action)).messages[0]
    assert "page 2 of 2" in second.html and len(titles(second)) == 3
    assert TRENIN_NATO in second.html  # the 2022 piece ranks with the rest: same words, older


async def test_an_authors_pieces_on_a_topic_are_listed_when_several(reading: Reading, archive, digests) -> None:
    for digest in nato_opinions(2):
        await digests.save(digest)
    [listing] = await reading.opinion(CHAT, "rothrock nato")
    assert listing.html.startswith("<b>Kevin Rothrock on “nato”</b>")
    assert len(titles(listing)) == 2 and "<i>Kevin Rothrock</i>" not in listing.html


# --- /authors and author pages ---------------------------------------------------------------------------


async def test_authors_open_an_author_page_with_follow(reading: Reading, archive, subscribers) -> None:
    [listing] = await reading.authors()
    token = author_token("dmitri trenin")
    assert encode(AuthorPage(token, 1)) in data(listing)
    action = AuthorPage(token, 1)
    assert not reads_in_place(action, [("1", encode(OpenItem(1, 0)))])  # from the listing: a new message
    page = (await reading.press(CHAT, action)).messages[0]
    assert page.html.startswith("<b>Dmitry Trenin — 1 piece, latest Jan 7, 2022</b>")
    expected = [encode(OpenItem(archive[JAN_7], 1)), encode(AuthorFollow(token, 1, True)), encode(AuthorsPage(1))]
    assert data(page) == expected
    assert page.keyboard is not None
    assert [b.text for b in page.keyboard.buttons()][1] == "⭐ Follow Dmitry Trenin"
    await subscribers.upsert_on_start(
        chat_id=CHAT, user_id=CHAT, first_name="A", username=None, language="en", timezone="UTC",
        delivery_time=dt.time(8, 0),
    )  # fmt: skip
    await subscribers.follow(CHAT, "Dmitry Trenin")
    followed = await reading.author_page(CHAT, token, 1)
    assert followed is not None
    assert encode(AuthorFollow(token, 1, False)) in data(followed)
    assert followed.keyboard is not None
    assert "Unfollow Dmitry Trenin" in [b.text for b in followed.keyboard.buttons()]
    assert await reading.author_page(CHAT, "nobody00", 1) is None
    gone = await reading.press(CHAT, AuthorPage("nobody00", 1))
    assert gone.notice and not gone.messages


async def test_an_authors_pages_turn_in_place(reading: Reading, archive, digests) -> None:
    for digest in nato_opinions(7):
        await digests.save(digest)
    token = author_token("kevin rothrock")
    first = await reading.author_page(CHAT, token, 1)
    assert first is not None and "7 pieces" in first.html and "page 1 of 2" in first.html
    turn = AuthorPage(token, 2)
    assert encode(turn) in data(first)
    assert first.keyboard is not None
    assert reads_in_place(turn, [(b.text, b.data) for b in first.keyboard.buttons()])
    second = await reading.author_page(CHAT, token, 2)
    assert second is not None and len(titles(second)) == 2


async def test_the_authors_listing_pages(reading: Reading, digests) -> None:
    names = ("Adler", "Baker", "Cohen", "Dorn", "Eckert", "Frost", "Gold", "Hart", "Igel", "Lang", "Moss", "Nagel")
    pieces = tuple(Item(ItemKind.OPINION, f"Piece by {name}", author=f"Anna {name}") for name in names)
    await digests.save(Digest("Daily", dt.date(2024, 1, 1), "Many", None, (Section("Opinions", pieces),)))
    [first] = await reading.authors()
    assert "page 1 of 2" in first.html and len(titles(first)) == 10
    second = (await reading.press(CHAT, AuthorsPage(2))).messages[0]
    assert len(titles(second)) == 2


async def test_a_found_page_after_its_query_expired_asks_to_search_again(reading: Reading, archive, clock) -> None:
    await reading.opinion(CHAT, "kazakhstan")
    [listing] = await reading.items(ItemKind.OPINION, "kazakhstan")
    query_id = SearchMemory().remember("kazakhstan", NOW)  # ids are the query's hash: the same one
    assert (await reading.press(CHAT, FindPage("o", 1, query_id))).messages
    clock.advance(dt.timedelta(days=2))
    expired = await reading.press(CHAT, FindPage("o", 1, query_id))
    assert expired.notice and not expired.messages
    assert titles(listing)


@pytest.mark.parametrize(
    "query",
    ['"', '""', '"unbalanced', "AND", "NEAR(a b)", "*", "-x", "title:nato", "(nato", "🚨", "'; DROP TABLE items; --",
     "\x00\x02\x03", "k" * 5000, " ".join(["word"] * 200), '"“»«', "what", "on about"],
)  # fmt: skip
async def test_no_query_breaks_finding(reading: Reading, archive, query: str) -> None:
    for parts in (
        await reading.opinion(CHAT, query),
        await reading.items(ItemKind.OPINION, query),
        await reading.story(CHAT, query),
        await reading.text(CHAT, query),
    ):
        assert parts and all(part.html for part in parts)
    await reading.inline(query, "bot")


async def test_nothing_found_says_so_in_words_that_fit_the_query(reading: Reading, archive) -> None:
    [one_word] = await reading.opinion(CHAT, "zzyzx")
    assert one_word.html.startswith("I don't know an author called “zzyzx”, and no opinions in the archive are on it.")
    [words] = await reading.opinion(CHAT, "putin zzyzx")
    assert words.html.startswith("No opinions on “putin zzyzx” in the archive. Try other words")
    [stories] = await reading.story(CHAT, "zzyzx")
    assert stories.html.startswith("No stories on “zzyzx” in the archive.")


async def test_a_deep_link_with_words_finds_as_the_command_does(reading: Reading, archive) -> None:
    [piece] = await reading.deep_link(CHAT, "opinion-trenin_nato")
    assert OPENED_TRENIN in piece.html
    [listing] = await reading.deep_link(CHAT, "opinion-kazakhstan")
    assert titles(listing)[0].startswith(f"1. 💬 <b>{LUKYANOV}</b>")
    [stories] = await reading.deep_link(CHAT, "story-kursk")
    assert KURSK in stories.html
    for payload in ("opinion-2022-01-07", "opinion-", "opinion-tren-in", "opinions-nato"):
        [bad] = await reading.deep_link(CHAT, payload)
        assert bad.html == replies.BAD_DEEP_LINK
