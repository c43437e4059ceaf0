"""bot.features.reading: what each reader command, button, deep link and inline query answers, without Telegram."""

from __future__ import annotations

import datetime as dt
from typing import Unpack

import pytest

from bot.digest.model import Digest, Item, ItemKind, Section
from bot.features.reading import (
    ARCHIVE_PAGE_SIZE,
    INLINE_LIMIT,
    SEARCH_PAGE_SIZE,
    AuthorDirectory,
    ButtonAnswer,
    Reading,
    deep_link_payload,
    reads_in_place,
)
from bot.render import replies
from bot.render import texts as render_texts
from bot.render.callbacks import (
    ArchivePage,
    AuthorFollow,
    AuthorPage,
    AuthorsPage,
    Noop,
    OpenItem,
    OpenOverview,
    SearchPage,
    author_token,
    decode,
    encode,
)
from bot.render.html import MESSAGE_LIMIT, visible_len
from bot.render.message import RenderedMessage
from bot.rules.clock import ManualClock
from bot.rules.searches import SearchMemory
from storage import (
    BroadcastRepository,
    Database,
    DigestFormat,
    DigestRepository,
    DigestStatus,
    PreferenceChanges,
    SubscriberRepository,
)
from tests.reading_fixtures import JAN_7, JUL_11_2022, NOV_17, OCT_11, load, load_today

NOW = dt.datetime(2024, 10, 12, 6, 0, tzinfo=dt.UTC)
"""Saturday morning, the day after the latest sample (Friday, October 11, 2024)."""
CHAT = 42


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
def searches() -> SearchMemory:
    return SearchMemory()


@pytest.fixture
def reading(
    db: Database,
    digests: DigestRepository,
    subscribers: SubscriberRepository,
    clock: ManualClock,
    searches: SearchMemory,
) -> Reading:
    return Reading(
        digests=digests,
        subscribers=subscribers,
        broadcasts=BroadcastRepository(db),
        clock=clock,
        searches=searches,
        authors=AuthorDirectory(),
    )


async def subscribe(subscribers: SubscriberRepository, **preferences: Unpack[PreferenceChanges]) -> None:
    await subscribers.upsert_on_start(
        chat_id=CHAT,
        user_id=CHAT,
        first_name="Anna",
        username=None,
        language="en",
        timezone="UTC",
        delivery_time=dt.time(8, 0),
    )
    if preferences:
        await subscribers.update_preferences(CHAT, **preferences)


def html(parts: list[RenderedMessage]) -> str:
    return "\n".join(part.html for part in parts)


def button_data(part: RenderedMessage) -> list[str]:
    return [b.data for b in part.keyboard.buttons() if b.data] if part.keyboard else []


# --- nothing published yet ----------------------------------------------------------------------------


async def test_every_command_says_when_no_issue_is_published(reading: Reading) -> None:
    for parts in (
        await reading.today(CHAT),
        await reading.digest_on(CHAT, "yesterday"),
        await reading.items(ItemKind.STORY),
        await reading.story(CHAT, "1"),
        await reading.opinion(CHAT, "trenin"),
        await reading.opinion(CHAT, "2"),
    ):
        assert html(parts) == replies.NO_ISSUE_YET
    assert "empty" in html([await reading.archive_page(1)])
    assert "No authors" in html(await reading.authors())
    assert await reading.inline("trenin", "bot") == []
    assert await reading.inline("", "bot") == []


# --- /today and /digest --------------------------------------------------------------------------------


async def test_today_is_todays_issue_in_the_full_format_by_default(reading: Reading, db, digests) -> None:
    await load_today(db, digests, JAN_7, OCT_11)
    parts = await reading.today(CHAT)
    assert len(parts) == 1
    assert "Putin goes to Turkmenistan" in parts[0].html
    assert "Russia’s counterattack in the Kursk region" in parts[0].html
    assert parts[0].keyboard is None  # the full format has everything; no buttons


async def test_today_before_todays_issue_offers_the_latest_by_its_date(reading: Reading, db, digests) -> None:
    [oct11] = await load(db, digests, OCT_11)  # it is October 12: yesterday's issue is not today's
    [reply] = await reading.today(CHAT)
    assert reply.html == (
        "There is no issue for today (Saturday, October 12, 2024) yet. "
        "The latest one is from <b>Friday, October 11, 2024</b>."
    )
    assert button_data(reply) == [encode(OpenOverview(oct11)), encode(ArchivePage(1))]


async def test_today_after_its_only_issue_was_withdrawn_says_so(reading: Reading, db, digests, clock) -> None:
    clock.set(dt.datetime(2024, 10, 11, 9, 0, tzinfo=dt.UTC))
    [oct11] = await load(db, digests, OCT_11)
    assert len(await reading.today(CHAT)) == 1 and "Putin goes to Turkmenistan" in html(await reading.today(CHAT))
    await digests.set_status(oct11, DigestStatus.WITHDRAWN)
    [reply] = await reading.today(CHAT)
    assert reply.html == "Today's issue (Friday, October 11, 2024) was withdrawn. There is no other issue yet."
    assert reply.keyboard is None


async def test_issues_go_out_under_newsletter_name_when_the_publisher_set_one(
    db: Database, digests: DigestRepository, subscribers: SubscriberRepository, clock: ManualClock
) -> None:
    """NEWSLETTER_NAME names the briefing in every issue shown, whatever masthead the issue printed."""
    await load_today(db, digests, OCT_11)
    named = Reading(
        digests=digests, subscribers=subscribers, broadcasts=BroadcastRepository(db), clock=clock,
        searches=SearchMemory(), authors=AuthorDirectory(), newsletter="The Morning Wire",
    )  # fmt: skip
    shown = html(await named.today(CHAT))
    assert "The Morning Wire" in shown and "This was Russia today" not in shown
    plain = Reading(
        digests=digests, subscribers=subscribers, broadcasts=BroadcastRepository(db), clock=clock,
        searches=SearchMemory(), authors=AuthorDirectory(),
    )  # fmt: skip
    unnamed = html(await plain.today(CHAT))
    assert "The Morning Wire" not in unnamed and "This was Russia today" in unnamed


async def test_today_respects_format_sections_and_followed_authors(reading: Reading, db, digests, subscribers) -> None:
    [jan7] = await load_today(db, digests, JAN_7)
    await subscribe(subscribers, format=DigestFormat.HEADLINES, sections=[ItemKind.OPINION])
    await subscribers.follow(CHAT, "Dmitri Trenin")
    [overview] = await reading.today(CHAT)
    assert "⭐ New from Dmitry Trenin" in overview.html
    assert "Day six of Kazakhstan’s unrest" not in overview.html  # a story: not in the chosen sections
    assert button_data(overview) == [encode(OpenItem(jan7, index)) for index in (1, 2, 3)]


async def test_full_format_of_a_long_issue_comes_in_several_parts(reading: Reading, db, digests) -> None:
    await load_today(db, digests, JAN_7)
    parts = await reading.today(CHAT)
    assert len(parts) == 3
    assert all(visible_len(part.html) <= MESSAGE_LIMIT for part in parts)
    assert all(part.disable_preview for part in parts)


@pytest.mark.parametrize(
    ("phrase", "title"),
    [
        ("2022-01-07", "Kazakhstan’s ‘terrorists’"),
        ("7.1.2022", "Kazakhstan’s ‘terrorists’"),
        ("yesterday", "Putin goes to Turkmenistan"),
        ("friday", "Putin goes to Turkmenistan"),
        ("January 7 2022", "Kazakhstan’s ‘terrorists’"),
    ],
)
async def test_digest_finds_the_issue_of_a_day(reading: Reading, db, digests, phrase: str, title: str) -> None:
    await load(db, digests, JAN_7, NOV_17, OCT_11)
    parts = await reading.digest_on(CHAT, phrase)
    assert title in parts[0].html
    assert "There is no issue" not in parts[0].html


async def test_digest_without_an_issue_that_day_sends_the_nearest_with_a_note(reading: Reading, db, digests) -> None:
    await load(db, digests, JAN_7, OCT_11)
    note, *issue = await reading.digest_on(CHAT, "2099-01-01")
    assert note.html == replies.nearest_issue("Thursday, January 1, 2099", "Friday, October 11, 2024")
    assert "Putin goes to Turkmenistan" in html(issue)
    note, *issue = await reading.digest_on(CHAT, "2022-01-09")
    assert "Friday, January 7, 2022" in note.html
    assert "Kazakhstan" in html(issue)


@pytest.mark.parametrize("phrase", ["nonsense", "2022-02-30", "1/7/2022", "<b>"])
async def test_digest_that_is_not_a_date_says_what_works(reading: Reading, db, digests, phrase: str) -> None:
    await load(db, digests, OCT_11)
    [reply] = await reading.digest_on(CHAT, phrase)
    assert reply.html == replies.bad_date(phrase)
    assert "/digest 2022-01-07" in reply.html
    assert "“<b>”" not in reply.html  # the reader's text is escaped, never markup


async def test_digest_without_a_date_explains_itself(reading: Reading) -> None:
    [reply] = await reading.digest_on(CHAT, "  ")
    assert reply.html == replies.DIGEST_USAGE


async def test_digest_uses_the_readers_timezone_for_yesterday(reading: Reading, db, digests, subscribers) -> None:
    await load(db, digests, JAN_7, OCT_11)
    # 06:00 UTC on Saturday is still Friday evening in Los Angeles: "yesterday" is Thursday there.
    await subscribe(subscribers, timezone="America/Los_Angeles")
    note, *_ = await reading.digest_on(CHAT, "yesterday")
    assert "Thursday, October 10, 2024" in note.html


# --- the archive -----------------------------------------------------------------------------------------


async def archive_of(db: Database, digests: DigestRepository, count: int) -> list[int]:
    ids = []
    for day in range(count):
        date = dt.date(2024, 1, 1) + dt.timedelta(days=day)
        item = Item(ItemKind.STORY, f"Story of {date}", body=(f"Body {day}",))
        result = await digests.save(Digest("Daily", date, f"Issue {day + 1}", None, (Section(None, (item,)),)))
        ids.append(result.digest_id)
    return ids


async def test_archive_pages_through_issues_newest_first(reading: Reading, db, digests) -> None:
    ids = await archive_of(db, digests, ARCHIVE_PAGE_SIZE + 3)
    [first] = await reading.archive("")
    assert "page 1 of 2" in first.html
    assert button_data(first)[0] == encode(OpenOverview(ids[-1]))
    assert encode(ArchivePage(2)) in button_data(first)
    [second] = await reading.archive("2")
    assert button_data(second)[:3] == [encode(OpenOverview(i)) for i in reversed(ids[:3])]
    assert encode(ArchivePage(1)) in button_data(second)


async def test_archive_bad_pages_are_explained(reading: Reading, db, digests) -> None:
    await archive_of(db, digests, 3)
    [reply] = await reading.archive("abc")
    assert reply.html == replies.not_a_page_number("abc")
    note, page = await reading.archive("7")
    assert note.html == replies.archive_page_out_of_range(7, 1)
    assert "Issue 3" in page.html
    # An old page button beyond the end shows the last page rather than nothing.
    answer = await reading.press(CHAT, ArchivePage(99))
    assert "Issue 3" in answer.messages[0].html


# --- stories and opinions ---------------------------------------------------------------------------------


async def test_story_by_number(reading: Reading, db, digests) -> None:
    [jul11] = await load(db, digests, JUL_11_2022)
    [item] = await reading.story(CHAT, "2")
    assert "Why Putin won’t share the limelight" in item.html
    assert encode(OpenOverview(jul11)) in button_data(item)
    [item] = await reading.story(CHAT, "#1")
    assert "Spy games" in item.html


async def test_story_bad_numbers_say_how_many_there_are(reading: Reading, db, digests) -> None:
    await load_today(db, digests, JUL_11_2022)
    [reply] = await reading.story(CHAT, "99")
    assert reply.html == replies.item_number_out_of_range("story", 99, 2)
    assert "has 2 stories" in reply.html and "/story 1 to /story 2" in reply.html
    [reply] = await reading.story(CHAT, "0")
    assert "There is no story 0" in reply.html
    [reply] = await reading.story(CHAT, "abc")
    assert reply.html.startswith("No stories on “abc” in the archive. Try other words, or /stories")


async def test_story_without_a_number_lists_them(reading: Reading, db, digests) -> None:
    await load(db, digests, JUL_11_2022)
    [reply] = await reading.story(CHAT, "")
    assert "1. " in reply.html and "2. " in reply.html
    assert reply.keyboard is not None and [b.text for b in reply.keyboard.buttons()] == ["1", "2"]


async def test_items_lists_todays_opinions(reading: Reading, db, digests) -> None:
    [jan7] = await load(db, digests, JAN_7)
    [reply] = await reading.items(ItemKind.OPINION)
    assert "Dmitry Trenin" in reply.html and "Lilia Shevtsova" in reply.html
    assert button_data(reply) == [encode(OpenItem(jan7, index)) for index in (1, 2, 3)]


async def test_opinion_by_number(reading: Reading, db, digests) -> None:
    await load_today(db, digests, JAN_7)
    [item] = await reading.opinion(CHAT, "2")
    assert "Lilia Shevtsova" in item.html
    [reply] = await reading.opinion(CHAT, "9")
    assert reply.html == replies.item_number_out_of_range("opinion", 9, 3)


async def test_opinion_number_when_today_has_none(reading: Reading, db, digests) -> None:
    await load_today(db, digests, OCT_11)
    [reply] = await reading.opinion(CHAT, "1")
    assert reply.html == replies.no_items_of_kind("opinion")


async def test_a_number_before_todays_issue_is_out_names_the_latest_issue_by_its_date(
    reading: Reading, db, digests
) -> None:
    await load(db, digests, OCT_11)  # it is October 12: the latest issue is yesterday's
    [reply] = await reading.opinion(CHAT, "1")
    assert reply.html.startswith("There are no opinions in the issue of Friday, October 11, 2024.")
    [reply] = await reading.story(CHAT, "2")
    assert reply.html.startswith("There is no story 2: the issue of Friday, October 11, 2024 has one story.")


@pytest.mark.parametrize(
    ("query", "author"),
    [
        ("trenin", "Dmitry Trenin"),
        ("Dmitri Trenin", "Dmitry Trenin"),
        ("TRENIN", "Dmitry Trenin"),
        ("Trenin D.", "Dmitry Trenin"),
        ("Lukianov", "Fyodor Lukyanov"),
        ("Fedor Lukjanov", "Fyodor Lukyanov"),
        ("shevtsva", "Lilia Shevtsova"),
        ("Шевцова", "Lilia Shevtsova"),
    ],
)
async def test_opinion_by_author_in_todays_issue(reading: Reading, db, digests, query: str, author: str) -> None:
    await load(db, digests, JAN_7)
    [item] = await reading.opinion(CHAT, query)
    assert f"<i>{author} · " in item.html
    assert item.keyboard is not None and render_texts.BACK_TO_ISSUE in [b.text for b in item.keyboard.buttons()]


async def test_unknown_author_points_to_authors(reading: Reading, db, digests) -> None:
    await load(db, digests, JAN_7)
    [reply] = await reading.opinion(CHAT, "nobody")
    assert reply.html.startswith("I don't know an author called “nobody”, and no opinions in the archive are on it")
    assert "/authors" in reply.html


async def test_author_not_in_todays_issue_gets_their_page(reading: Reading, db, digests) -> None:
    jan7, _ = await load(db, digests, JAN_7, OCT_11)
    [reply] = await reading.opinion(CHAT, "trenin")
    assert reply.html.startswith("Dmitry Trenin has nothing in today's issue.")
    assert "<b>Dmitry Trenin — 1 piece, latest Jan 7, 2022</b>" in reply.html
    assert "1. 💬 <b>Putin must atone for his early weakness on NATO</b> · Jan 7, 2022" in reply.html
    token = author_token("dmitri trenin")
    assert button_data(reply) == [
        encode(OpenItem(jan7, 1)),
        encode(AuthorFollow(token, 1, True)),
        encode(AuthorsPage(1)),
    ]


async def test_a_near_namesake_today_does_not_hide_the_author_meant(reading: Reading, db, digests) -> None:
    [jan7] = await load(db, digests, JAN_7)
    namesake = Item(ItemKind.OPINION, "Another view", author="Dmitry Tretin", body=("Text.",))
    await digests.save(Digest("Daily", dt.date(2024, 10, 12), "Namesake", None, (Section("Opinions", (namesake,)),)))
    [reply] = await reading.opinion(CHAT, "trenin")
    assert reply.html.startswith("Dmitry Trenin has nothing in today's issue.")
    assert button_data(reply)[0] == encode(OpenItem(jan7, 1))
    [item] = await reading.opinion(CHAT, "tretin")
    assert "Another view" in item.html


def two_dmitrys(day: dt.date) -> Digest:
    pieces = (
        Item(ItemKind.OPINION, "On NATO", author="Dmitry Trenin", body=("NATO.",)),
        Item(ItemKind.OPINION, "On the press", author="Dmitry Muratov", body=("Press.",)),
    )
    return Digest("Daily", day, "Two Dmitrys", None, (Section("Opinions", pieces),))


async def test_an_ambiguous_name_offers_a_choice(reading: Reading, db, digests, clock) -> None:
    dmitrys = (await digests.save(two_dmitrys(dt.date(2024, 10, 12)))).digest_id
    [reply] = await reading.opinion(CHAT, "dmitry")
    assert reply.html == replies.author_choices("dmitry")
    assert sorted(button_data(reply)) == [encode(OpenItem(dmitrys, 0)), encode(OpenItem(dmitrys, 1))]
    # The same in the archive, when today's issue has neither.
    await load(db, digests, OCT_11)
    await digests.save(
        Digest("Daily", dt.date(2024, 10, 13), "Later", None, (Section(None, (Item(ItemKind.STORY, "S"),)),))
    )
    clock.set(dt.datetime(2024, 10, 13, 9, 0, tzinfo=dt.UTC))  # the day of the later issue: today's
    [reply] = await reading.opinion(CHAT, "dmitry")
    assert reply.html == replies.author_choices("dmitry")
    pages = [encode(AuthorPage(author_token(key), 1)) for key in ("dmitri muratov", "dmitri trenin")]
    assert sorted(button_data(reply)) == sorted(pages)  # each opens the author's page


async def test_authors_lists_counts(reading: Reading, db, digests) -> None:
    await load(db, digests, JAN_7)
    await digests.save(two_dmitrys(dt.date(2024, 10, 12)))
    [reply] = await reading.authors()
    assert "<b>Dmitry Trenin</b> — 2 pieces, latest Oct 12, 2024" in reply.html
    assert "<b>Lilia Shevtsova</b> — 1 piece" in reply.html


# --- search ------------------------------------------------------------------------------------------------


async def test_search_ranks_highlights_and_remembers_the_query(reading: Reading, db, digests) -> None:
    jan7, _ = await load(db, digests, JAN_7, OCT_11)
    [page] = await reading.search("  Putin   NATO ")
    assert "Search: “Putin NATO”" in page.html
    assert "<b>NATO</b>" in page.html
    assert button_data(page)[0] == encode(OpenItem(jan7, 1))


async def test_search_pages_turn_with_the_remembered_query(reading: Reading, db, digests) -> None:
    for day in range(SEARCH_PAGE_SIZE * 2 + 1):
        item = Item(ItemKind.STORY, f"Kursk report {day}", body=("Fighting near Kursk.",))
        await digests.save(
            Digest("Daily", dt.date(2024, 1, 1) + dt.timedelta(days=day), None, None, (Section(None, (item,)),))
        )
    [first] = await reading.search("kursk")
    pager = [action for data in button_data(first) if isinstance(action := decode(data), SearchPage)]
    assert [p.page for p in pager] == [2]
    second = await reading.press(CHAT, pager[0])
    assert "page 2 of 3" in second.messages[0].html
    assert second.notice is None


async def test_search_that_expired_asks_to_search_again(
    reading: Reading, searches: SearchMemory, db, digests, clock: ManualClock
) -> None:
    await load(db, digests, JAN_7)
    assert await reading.press(CHAT, SearchPage(2, "unknownid")) == ButtonAnswer(notice=replies.SEARCH_EXPIRED)
    query_id = searches.remember("trenin", clock.now())
    assert "Trenin" in (await reading.press(CHAT, SearchPage(1, query_id))).messages[0].html
    clock.advance(dt.timedelta(days=2))
    assert await reading.press(CHAT, SearchPage(1, query_id)) == ButtonAnswer(notice=replies.SEARCH_EXPIRED)


@pytest.mark.parametrize("query", ['"NATO', "NATO AND (", "Putin* NEAR/2 -NATO", "title:NATO ^x"])
async def test_search_with_fts_syntax_never_fails(reading: Reading, db, digests, query: str) -> None:
    await load(db, digests, JAN_7)
    [page] = await reading.search(query)
    assert "Search" in page.html or "Nothing found" in page.html


async def test_search_without_words(reading: Reading, db, digests) -> None:
    await load(db, digests, JAN_7)
    assert html(await reading.search("   ")) == replies.SEARCH_USAGE
    assert html(await reading.search("*** ()")) == replies.nothing_to_search("*** ()")
    [nothing] = await reading.search("zzyzx")
    assert nothing.html == render_texts.nothing_found("zzyzx")


async def test_search_of_only_common_words_says_so(reading: Reading, db, digests) -> None:
    await load(db, digests, JAN_7)
    assert html(await reading.search("the")) == replies.too_common_to_search("the")
    assert html(await reading.search("it's to the")) == replies.too_common_to_search("it's to the")
    assert html(await reading.search('"the" "of it"')) == replies.too_common_to_search('"the" "of it"')
    [quoted] = await reading.search('"his early weakness"')  # a phrase with other words is searched whole
    assert "<b>Search: “\"his early weakness\"”</b>" in quoted.html and "<b>his early weakness</b>" in quoted.html


async def test_search_leaves_out_common_words(reading: Reading, db, digests) -> None:
    await load(db, digests, JAN_7)
    [plain] = await reading.search("NATO")
    [worded] = await reading.search("the NATO of")
    assert worded.html.replace("the NATO of", "NATO") == plain.html


# --- buttons ----------------------------------------------------------------------------------------------


async def test_press_opens_items_and_overviews(reading: Reading, db, digests) -> None:
    [jan7] = await load(db, digests, JAN_7)
    item = await reading.press(CHAT, OpenItem(jan7, 2))
    assert "Lilia Shevtsova" in item.messages[0].html and item.notice is None
    overview = await reading.press(CHAT, OpenOverview(jan7))
    assert "Kazakhstan’s ‘terrorists’" in overview.messages[0].html
    assert await reading.press(CHAT, Noop()) == ButtonAnswer()


async def test_press_on_something_gone_answers_politely(reading: Reading, db, digests) -> None:
    [jan7] = await load(db, digests, JAN_7)
    assert await reading.press(CHAT, OpenItem(999, 0)) == ButtonAnswer(notice=replies.ISSUE_GONE)
    assert await reading.press(CHAT, OpenOverview(999)) == ButtonAnswer(notice=replies.ISSUE_GONE)
    assert await reading.press(CHAT, OpenItem(jan7, 50)) == ButtonAnswer(notice=replies.ITEM_GONE)
    await digests.set_status(jan7, DigestStatus.WITHDRAWN)
    assert await reading.press(CHAT, OpenItem(jan7, 1)) == ButtonAnswer(notice=replies.ISSUE_GONE)


async def test_a_brief_has_no_page_of_its_own(reading: Reading, db, digests) -> None:
    [jul11] = await load(db, digests, JUL_11_2022)
    assert await reading.press(CHAT, OpenItem(jul11, 0)) == ButtonAnswer(notice=replies.ITEM_GONE)


def test_reads_in_place() -> None:
    back = (render_texts.BACK_TO_ISSUE, encode(OpenOverview(1)))
    overview = [("📰 A story", encode(OpenItem(1, 0))), ("💬 Trenin: NATO", encode(OpenItem(1, 1)))]
    numbered = [("1", encode(OpenItem(1, 0))), ("2", encode(OpenItem(2, 3)))]
    archive = [("1", encode(OpenOverview(1))), ("1/2", encode(Noop())), ("▶", encode(ArchivePage(2)))]
    assert reads_in_place(OpenItem(1, 1), [("Next ▶", encode(OpenItem(1, 1))), back])
    assert reads_in_place(OpenOverview(1), [back])
    assert reads_in_place(OpenItem(1, 1), overview)
    assert not reads_in_place(OpenItem(1, 0), numbered)
    assert not reads_in_place(OpenOverview(1), archive)
    assert reads_in_place(ArchivePage(2), archive)
    assert reads_in_place(SearchPage(2, "abc"), [])
    assert not reads_in_place(Noop(), overview)


# --- deep links -------------------------------------------------------------------------------------------


async def test_deep_links_open_issues_and_items(reading: Reading, db, digests) -> None:
    await load(db, digests, JAN_7, OCT_11)
    assert "Kazakhstan’s ‘terrorists’" in html(await reading.deep_link(CHAT, "issue-2022-01-07"))
    [opinion] = await reading.deep_link(CHAT, "opinion-2022-01-07-1")
    assert "Dmitry Trenin" in opinion.html
    [opinion] = await reading.deep_link(CHAT, "opinion-2022-01-07-3")
    assert "Fyodor Lukyanov" in opinion.html
    [story] = await reading.deep_link(CHAT, "story-2022-01-07-1")
    assert "Day six of Kazakhstan’s unrest" in story.html


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ("hello", replies.BAD_DEEP_LINK),
        ("issue-2022-13-01", replies.BAD_DEEP_LINK),
        ("opinion-2022-01-07", replies.BAD_DEEP_LINK),
        ("issue-2023-05-05", replies.no_issue_on("Friday, May 5, 2023")),
        (
            "opinion-2022-01-07-9",
            replies.item_number_out_of_range("opinion", 9, 3, where="the issue of Friday, January 7, 2022"),
        ),
        ("opinion-2024-10-11-1", replies.no_items_of_kind("opinion", where="the issue of Friday, October 11, 2024")),
    ],
)
async def test_bad_deep_links_are_explained(reading: Reading, db, digests, payload: str, expected: str) -> None:
    await load(db, digests, JAN_7, OCT_11)
    [reply] = await reading.deep_link(CHAT, payload)
    assert reply.html == expected


def test_deep_link_payloads() -> None:
    day = dt.date(2022, 1, 7)
    assert deep_link_payload(None, day) == "issue-2022-01-07"
    assert deep_link_payload(ItemKind.OPINION, day, 1) == "opinion-2022-01-07-1"
    with pytest.raises(ValueError):
        deep_link_payload(ItemKind.BRIEF, day, 1)


# --- inline mode ------------------------------------------------------------------------------------------


async def test_inline_offers_the_authors_pieces_first(reading: Reading, db, digests) -> None:
    jan7, _ = await load(db, digests, JAN_7, OCT_11)
    articles = await reading.inline("trenin", "briefing_bot")
    first = articles[0]
    assert first.id == f"{jan7}-1"
    assert first.title == "Putin must atone for his early weakness on NATO"
    assert first.description == "Opinion · Dmitry Trenin · Jan 7, 2022"
    assert first.message.keyboard is not None
    [[button]] = first.message.keyboard.rows
    assert button.url == "https://t.me/briefing_bot?start=opinion-2022-01-07-1"
    assert visible_len(first.message.html) <= MESSAGE_LIMIT
    assert len({a.id for a in articles}) == len(articles) <= INLINE_LIMIT


async def test_inline_cuts_a_long_piece_to_one_message(reading: Reading, db, digests) -> None:
    long = Item(ItemKind.OPINION, "Long", author="Ann Author", body=tuple("word " * 300 for _ in range(6)))
    await digests.save(Digest("Daily", dt.date(2024, 1, 1), "Long", None, (Section(None, (long,)),)))
    [article] = await reading.inline("ann author", "bot")
    assert visible_len(article.message.html) <= MESSAGE_LIMIT
    assert article.message.html.endswith("…")


async def test_inline_with_an_empty_query_offers_today(reading: Reading, db, digests) -> None:
    [jan7] = await load(db, digests, JAN_7)
    articles = await reading.inline("", "bot")
    assert [a.id for a in articles] == [f"{jan7}-{i}" for i in range(4)]


# --- /latest ----------------------------------------------------------------------------------------------


async def test_latest_sends_the_last_finished_broadcast_as_it_was(reading: Reading, db) -> None:
    assert html(await reading.latest_update()) == replies.NO_BREAKING_NEWS
    broadcasts = BroadcastRepository(db)
    sent = await broadcasts.create(1, "<b>Breaking:</b> first")
    await broadcasts.confirm(sent.id)
    await broadcasts.start(sent.id)
    assert await broadcasts.finish(sent.id)
    draft = await broadcasts.create(1, "<b>Draft</b> not sent")
    assert draft.id > sent.id
    assert html(await reading.latest_update()) == "<b>Breaking:</b> first"
