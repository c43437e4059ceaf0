"""The reader commands end to end: the real bot over HTTP against the local Bot API server.

Flood limits are on (as in Telegram) unless a test is marked ``limits(None)``: those press many buttons
in one chat, where the limits are not the point. Each test reads from a few sample issues loaded with the
real parser and ingest.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from bot.digest.model import Digest, Item, ItemKind, Section
from bot.render import replies
from bot.render import texts as render_texts
from bot.render.callbacks import ArchivePage, OpenItem, OpenOverview, SearchPage, decode, encode
from bot.render.html import MESSAGE_LIMIT, visible_len
from storage import DigestFormat
from tests.harness import OTHER_READER, READER, Harness, buttons, html_of, text_of
from tests.reading_fixtures import JAN_7, JUL_11_2022, OCT_11, load, load_today

THIRD_READER = 1003
FOURTH_READER = 1004


async def publish(harness: Harness, *names: str) -> list[int]:
    return await load(harness.services.db, harness.services.digests, *names)


async def publish_today(harness: Harness, *names: str) -> list[int]:
    """:func:`publish`, the last one as today's issue (the samples are dated years before the harness's day)."""
    return await load_today(harness.services.db, harness.services.digests, *names)


async def headlines_reader(harness: Harness, user_id: int = READER) -> None:
    """A subscribed reader who takes the ``headlines`` format (the overview with buttons)."""
    await harness.say(user_id, "/start")
    await harness.services.subscribers.update_preferences(user_id, format=DigestFormat.HEADLINES)


def data_of(record, label: str) -> str:
    found = [data for text, data in buttons(record) if text == label]
    assert found, f"no button {label!r} in {buttons(record)}"
    assert found[0] is not None
    return found[0]


# --- nothing to read yet ----------------------------------------------------------------------------------


async def test_before_the_first_issue_every_reader_command_says_so(harness: Harness) -> None:
    [today] = await harness.say(READER, "/today")
    assert today.text == replies.NO_ISSUE_YET
    [opinion] = await harness.say(OTHER_READER, "/opinion trenin")
    assert opinion.text == replies.NO_ISSUE_YET
    [story] = await harness.say(THIRD_READER, "/story 1")
    assert story.text == replies.NO_ISSUE_YET


# --- /today, formats and flood limits --------------------------------------------------------------------


async def test_today_in_the_full_format_is_paced_within_the_chat_limit(harness: Harness) -> None:
    await publish_today(harness, JAN_7)
    first = await harness.say(READER, "/today", replies=3)
    assert text_of(first[0]).startswith("Kazakhstan’s ‘terrorists’ are now to be shot on sight")
    assert "Dmitry Trenin" in text_of(first[1]) and "Fyodor Lukyanov" in text_of(first[2])
    assert all(json.loads(r.params["link_preview_options"])["is_disabled"] for r in first)
    # The same again at once: the chat's burst is spent, so the bot waits instead of bouncing off a 429.
    second = await harness.say(READER, "/today", replies=3, timeout=10)
    assert [r.text for r in second] == [r.text for r in first]
    assert second[0].at - first[-1].at >= 0.9
    assert harness.server.stats().flood_rejections == 0


async def test_today_in_headlines_is_the_overview_with_a_button_per_piece(harness: Harness) -> None:
    [jan7] = await publish_today(harness, JAN_7)
    await headlines_reader(harness)
    [overview] = await harness.say(READER, "/today")
    assert "Kazakhstan’s ‘terrorists’" in text_of(overview)
    assert "Opinions on Russia’s geopolitical aims" in html_of(overview)
    assert [data for _, data in buttons(overview)] == [encode(OpenItem(jan7, i)) for i in range(4)]
    assert all(len((data or "").encode()) < 64 for _, data in buttons(overview))


@pytest.mark.limits(None)
async def test_an_item_button_opens_the_item_and_navigates_by_editing(harness: Harness) -> None:
    [jan7] = await publish_today(harness, JAN_7)
    await headlines_reader(harness)
    [overview] = await harness.say(READER, "/today")

    [item] = await harness.press(READER, overview.message_id, encode(OpenItem(jan7, 1)), edits=1)
    assert item.edited and item.message_id == overview.message_id
    assert "Putin must atone for his early weakness on NATO" in text_of(item)
    assert [text for text, _ in buttons(item)] == ["◀ Previous", "Next ▶", "◀ Back to the issue"]

    [following] = await harness.press(READER, item.message_id, data_of(item, "Next ▶"), edits=1)
    assert "Lilia Shevtsova" in text_of(following)

    [back] = await harness.press(READER, item.message_id, data_of(following, "◀ Back to the issue"), edits=1)
    assert back.text == overview.text
    assert buttons(back) == buttons(overview)
    assert len(harness.server.sent(chat_id=READER, method="sendMessage")) == 2  # welcome and overview only


# --- /digest -----------------------------------------------------------------------------------------------


async def test_digest_by_date_and_by_words(harness: Harness) -> None:
    await publish(harness, JAN_7, OCT_11)
    await headlines_reader(harness)
    [issue] = await harness.say(READER, "/digest 2022-01-07")
    assert "Kazakhstan’s ‘terrorists’" in text_of(issue)
    harness.clock.set(dt.datetime(2024, 10, 12, 9, 0, tzinfo=dt.UTC))
    [yesterday] = await harness.say(OTHER_READER, "/digest yesterday")
    assert "Putin goes to Turkmenistan" in text_of(yesterday)
    [friday] = await harness.say(THIRD_READER, "/digest Friday")
    assert "Putin goes to Turkmenistan" in text_of(friday)


async def test_digest_of_a_day_without_an_issue_sends_the_nearest(harness: Harness) -> None:
    await publish(harness, JAN_7, OCT_11)
    note, issue = await harness.say(READER, "/digest 2099-01-01", replies=2)
    assert (
        note.text
        == "There is no issue for Thursday, January 1, 2099. Here is the nearest one, from Friday, October 11, 2024:"
    )
    assert "Putin goes to Turkmenistan" in text_of(issue)


async def test_digest_with_nonsense_or_nothing_says_what_works(harness: Harness) -> None:
    await publish(harness, OCT_11)
    [nonsense] = await harness.say(READER, "/digest nonsense")
    assert "I can't read “nonsense” as a date" in text_of(nonsense)
    assert "/digest 2022-01-07" in text_of(nonsense)
    [bare] = await harness.say(READER, "/digest")
    assert bare.html == replies.DIGEST_USAGE


# --- stories and opinions ---------------------------------------------------------------------------------


async def test_stories_list_and_a_story_by_number(harness: Harness) -> None:
    [jul11] = await publish(harness, JUL_11_2022)
    [listing] = await harness.say(READER, "/stories")
    assert "1. 🕵️ Spy games" in text_of(listing)
    assert [text for text, _ in buttons(listing)] == ["1", "2"]
    [story] = await harness.say(READER, "/story 2")
    assert "Why Putin won’t share the limelight" in text_of(story)
    # A number button under the list sends the item as a new message: the list stays.
    [opened] = await harness.press(READER, listing.message_id, encode(OpenItem(jul11, 15)), replies=1)
    assert not opened.edited and "Spy games" in text_of(opened)


async def test_story_with_a_bad_number(harness: Harness) -> None:
    await publish_today(harness, JUL_11_2022)
    [too_big] = await harness.say(READER, "/story 99")
    assert (
        too_big.text
        == "There is no story 99: today's issue has 2 stories. Send /story 1 to /story 2, or /stories to see them."
    )
    [word] = await harness.say(READER, "/story abc")  # words are a topic: stories on it
    assert word.text == "No stories on “abc” in the archive. Try other words, or /stories for today's."


async def test_opinions_list(harness: Harness) -> None:
    await publish(harness, JAN_7)
    [listing] = await harness.say(READER, "/opinions")
    assert "Dmitry Trenin" in text_of(listing) and "Fyodor Lukyanov" in text_of(listing)
    assert [text for text, _ in buttons(listing)] == ["1", "2", "3"]


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/opinion trenin", "Putin must atone for his early weakness on NATO"),
        ("/opinion Dmitri Trenin", "Putin must atone for his early weakness on NATO"),
        ("/opinion Lukianov", "Russia has developed its own brand of interventionism"),
        ("/opinion 2", "Putin seeks U.S. protection"),
        ("/opinion nobody", "I don't know an author called “nobody”, and no opinions in the archive are on it."),
        ("/opinion 7", "There is no opinion 7: today's issue has 3 opinions."),
    ],
)
async def test_opinion_by_author_or_number(harness: Harness, command: str, expected: str) -> None:
    await publish_today(harness, JAN_7)
    [reply] = await harness.say(READER, command)
    assert expected in text_of(reply)


async def test_an_author_missing_today_gets_their_page(harness: Harness) -> None:
    jan7, _ = await publish(harness, JAN_7, OCT_11)
    [reply] = await harness.say(READER, "/opinion trenin")
    assert text_of(reply).startswith("Dmitry Trenin has nothing in today's issue.")
    assert "Dmitry Trenin — 1 piece, latest Jan 7, 2022" in text_of(reply)
    (_, data), *_ = buttons(reply)
    assert data == encode(OpenItem(jan7, 1))
    [item] = await harness.press(READER, reply.message_id, data, replies=1)
    assert not item.edited and "Dmitri Trenin reiterated his belief" in text_of(item)


async def test_authors_with_their_counts(harness: Harness) -> None:
    await publish(harness, JAN_7)
    [reply] = await harness.say(READER, "/authors")
    assert "Dmitry Trenin — 1 piece, latest Jan 7, 2022" in text_of(reply)


# --- search -----------------------------------------------------------------------------------------------


async def kursk_archive(harness: Harness, count: int = 12) -> None:
    for day in range(count):
        item = Item(ItemKind.STORY, f"Kursk report {day + 1}", body=(f"Fighting near Kursk, day {day + 1}.",))
        digest = Digest(
            "Daily", dt.date(2024, 8, 6) + dt.timedelta(days=day), f"Issue {day}", None, (Section(None, (item,)),)
        )
        await harness.services.digests.save(digest)


@pytest.mark.limits(None)
async def test_search_pages_with_highlights_and_buttons(harness: Harness) -> None:
    await kursk_archive(harness)
    [first] = await harness.say(READER, "/search kursk fighting")
    assert text_of(first).startswith("Search: “kursk fighting” · page 1 of 3")
    assert "<b>Kursk</b>" in html_of(first) and "<b>Fighting</b>" in html_of(first)
    labels = [text for text, _ in buttons(first)]
    assert labels == ["1", "2", "3", "4", "5", "1/3", "▶"]
    forward = decode(data_of(first, "▶"))
    assert isinstance(forward, SearchPage) and forward.page == 2

    [second] = await harness.press(READER, first.message_id, data_of(first, "▶"), edits=1)
    assert second.edited and "page 2 of 3" in text_of(second)
    [again] = await harness.press(READER, first.message_id, data_of(second, "◀"), edits=1)
    assert again.text == first.text

    [opened] = await harness.press(READER, first.message_id, data_of(again, "1"), replies=1)
    assert text_of(opened).startswith("📰") and "Kursk" in text_of(opened)


async def test_search_with_fts_syntax_and_without_words(harness: Harness) -> None:
    await publish(harness, JAN_7)
    [syntax] = await harness.say(READER, '/search "NATO AND (Putin* NEAR')
    assert text_of(syntax).startswith("Search: ") or text_of(syntax).startswith("Nothing found")
    [empty] = await harness.say(OTHER_READER, "/search")
    assert empty.html == replies.SEARCH_USAGE
    [nothing] = await harness.say(THIRD_READER, "/search zzyzx")
    assert nothing.text == render_texts.nothing_found("zzyzx")


async def test_search_of_only_common_words_asks_for_a_word(harness: Harness) -> None:
    await publish(harness, JAN_7)
    [common] = await harness.say(READER, "/search the of it's")
    assert common.html == replies.too_common_to_search("the of it's")
    [found] = await harness.say(OTHER_READER, "/search the NATO")
    assert text_of(found).startswith("Search: “the NATO”")


async def test_plain_text_is_a_search(harness: Harness) -> None:
    [jan7] = await publish(harness, JAN_7)
    [results] = await harness.say(READER, "Putin NATO")
    assert text_of(results).startswith("Search: “Putin NATO”")
    assert buttons(results)[0] == ("1", encode(OpenItem(jan7, 1)))
    # Naming an author and a topic finds that author's piece on it first (see tests/e2e/test_opinions.py).
    [piece] = await harness.say(OTHER_READER, "Trenin NATO")
    assert "Putin must atone for his early weakness on NATO" in text_of(piece) and not buttons(piece)[0][0].isdigit()


# --- archive ----------------------------------------------------------------------------------------------


@pytest.mark.limits(None)
async def test_archive_pages_and_opens_an_issue(harness: Harness) -> None:
    await kursk_archive(harness)
    [first] = await harness.say(READER, "/archive")
    assert text_of(first).startswith("Archive · page 1 of 2")
    assert decode(data_of(first, "▶")) == ArchivePage(2)
    [second] = await harness.press(READER, first.message_id, data_of(first, "▶"), edits=1)
    assert "page 2 of 2" in text_of(second)
    assert [text for text, _ in buttons(second)] == ["1", "2", "3", "4", "◀", "2/2"]
    issue_id = decode(data_of(second, "1"))
    assert isinstance(issue_id, OpenOverview)
    [issue] = await harness.press(READER, first.message_id, data_of(second, "1"), replies=1)
    assert "Issue 3" in text_of(issue)
    # The counter between the arrows only answers.
    await harness.press(READER, first.message_id, data_of(second, "2/2"))
    assert harness.last_answer_text() is None
    bad, last = await harness.say(READER, "/archive 9", replies=2)
    assert bad.text == "There is no page 9: the archive has 2 pages. Here is the last one."
    assert last.text == second.text


# --- stale and forged buttons -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "answer"),
    [
        ("i:999:0", replies.ISSUE_GONE),
        ("o:999", replies.ISSUE_GONE),
        ("i:{jan7}:77", replies.ITEM_GONE),
        ("s:2:forgotten", replies.SEARCH_EXPIRED),
        ("i:01:0", replies.STALE_BUTTON),
        ("totally-made-up", replies.STALE_BUTTON),
    ],
)
async def test_forged_or_stale_buttons_get_a_polite_answer(harness: Harness, data: str, answer: str) -> None:
    [jan7] = await publish_today(harness, JAN_7)
    await headlines_reader(harness)
    [overview] = await harness.say(READER, "/today")
    result = await harness.press(READER, overview.message_id, data.format(jan7=jan7), forge=True)
    assert result == []
    assert harness.last_answer_text() == answer


# --- deep links -------------------------------------------------------------------------------------------


async def test_deep_link_opens_an_opinion_after_the_welcome(harness: Harness) -> None:
    await publish(harness, JAN_7, OCT_11)
    welcome, opinion = await harness.say(READER, "/start opinion-2022-01-07-1", replies=2)
    assert text_of(welcome).startswith("Hello")
    assert "Putin must atone for his early weakness on NATO" in text_of(opinion)
    assert await harness.services.subscribers.get(READER) is not None


async def test_deep_link_to_an_issue_and_a_bad_one(harness: Harness) -> None:
    await publish(harness, OCT_11)
    _, issue = await harness.say(READER, "/start issue-2024-10-11", replies=2)
    assert "Putin goes to Turkmenistan" in text_of(issue)
    _, bad = await harness.say(OTHER_READER, "/start story-2024-10-11-5", replies=2)
    assert "There is no story 5: the issue of Friday, October 11, 2024 has one story." in text_of(bad)
    _, forged = await harness.say(THIRD_READER, "/start <script>", replies=2)
    assert forged.text == replies.BAD_DEEP_LINK


# --- inline mode ------------------------------------------------------------------------------------------


async def test_inline_query_offers_articles_to_share(harness: Harness) -> None:
    [jan7] = await publish(harness, JAN_7)
    harness.server.send_inline_query(READER, "trenin")
    await harness.server.wait_for(method="answerInlineQuery")
    [answer] = harness.server.inline_answers()
    first = answer.results[0]
    assert first["type"] == "article" and first["id"] == f"{jan7}-1"
    assert first["title"] == "Putin must atone for his early weakness on NATO"
    assert first["description"] == "Opinion · Dmitry Trenin · Jan 7, 2022"
    content = first["input_message_content"]
    assert content["parse_mode"] == "HTML" and visible_len(content["message_text"]) <= MESSAGE_LIMIT
    username = harness.server.bot_user["username"]
    [[button]] = first["reply_markup"]["inline_keyboard"]
    assert button["url"] == f"https://t.me/{username}?start=opinion-2022-01-07-1"
    assert 1 <= len(answer.results) <= 50


# --- /latest and /help ------------------------------------------------------------------------------------


async def test_latest_breaking_update(harness: Harness) -> None:
    [none] = await harness.say(READER, "/latest")
    assert none.text == replies.NO_BREAKING_NEWS
    broadcasts = harness.services.broadcasts
    sent = await broadcasts.create(9001, "⚡ <b>Breaking:</b> a <i>test</i> update")
    await broadcasts.confirm(sent.id)
    await broadcasts.start(sent.id)
    await broadcasts.finish(sent.id)
    [latest] = await harness.say(READER, "/latest")
    assert latest.html == "⚡ <b>Breaking:</b> a <i>test</i> update"


async def test_help_and_unknown_commands_list_the_reader_commands(harness: Harness) -> None:
    [help_reply] = await harness.say(READER, "/help")
    for usage in (
        "/today",
        "/digest &lt;2022-01-07",
        "/opinion &lt;author, topic or N&gt;",
        "/search &lt;words&gt;",
        "/latest",
    ):
        assert usage in html_of(help_reply)
    [unknown] = await harness.say(OTHER_READER, "/storys 2")
    assert "I don't know /storys" in text_of(unknown) and "/story" in text_of(unknown)


async def test_in_a_private_chat_a_command_for_another_bot_gets_no_answer(harness: Harness) -> None:
    harness.server.send_user_message(READER, "/start@other_bot")
    [unknown] = await harness.say(READER, "/storys 2")
    assert "I don't know /storys" in (unknown.text or "")
    with pytest.raises(TimeoutError):
        await harness.wait_messages(READER, 0, 2, timeout=1.0)
