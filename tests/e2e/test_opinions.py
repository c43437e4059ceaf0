"""Opinion seekers end to end (issue #16): the real bot over HTTP against the local Bot API server.

Every sample issue is loaded, as the sandbox loads them; the latest (October 11, 2024) has no opinions,
so no author has a piece in "today's" issue and every answer comes from the archive.
"""

from __future__ import annotations

import pytest

from bot.render import replies
from bot.render.callbacks import AuthorFollow, AuthorPage, FindPage, OpenItem, author_token, decode, encode
from tests.harness import OTHER_READER, READER, Harness, buttons, html_of, text_of
from tests.reading_fixtures import FIXTURES, JAN_7, load

THIRD_READER = 1003
TRENIN_NATO = "Putin must atone for his early weakness on NATO"
LUKYANOV = "Russia has developed its own brand of interventionism"


async def sample_archive(harness: Harness) -> dict[str, int]:
    names = sorted(path.name for path in FIXTURES.glob("*.txt"))
    ids = await load(harness.services.db, harness.services.digests, *names)
    return dict(zip(names, ids, strict=True))


def all_data_fits(record) -> bool:
    return all(len((data or "").encode()) <= 64 for _, data in buttons(record))


async def test_opinion_on_a_topic_lists_the_piece_and_its_button_opens_it(harness: Harness) -> None:
    jan7 = (await sample_archive(harness))[JAN_7]
    [listing] = await harness.say(READER, "/opinion nato")
    assert text_of(listing).startswith("Opinions on “nato”")
    assert f"1. 💬 {TRENIN_NATO} — Dmitry Trenin · Jan 7, 2022" in text_of(listing)
    assert buttons(listing) == [("1", encode(OpenItem(jan7, 1)))]
    [opened] = await harness.press(READER, listing.message_id, encode(OpenItem(jan7, 1)), replies=1)
    assert not opened.edited and "Dmitri Trenin reiterated his belief" in text_of(opened)


async def test_opinion_by_author_and_topic_opens_the_piece(harness: Harness) -> None:
    await sample_archive(harness)
    [piece] = await harness.say(READER, "/opinion trenin nato")
    assert TRENIN_NATO in text_of(piece) and "Dmitri Trenin reiterated his belief" in text_of(piece)


async def test_opinions_on_a_topic_list_lukyanovs_piece(harness: Harness) -> None:
    jan7 = (await sample_archive(harness))[JAN_7]
    [listing] = await harness.say(READER, "/opinions kazakhstan")
    assert text_of(listing).startswith("Opinions on “kazakhstan”")
    assert f"1. 💬 {LUKYANOV} — Fyodor Lukyanov · Jan 7, 2022" in text_of(listing)
    assert buttons(listing)[0] == ("1", encode(OpenItem(jan7, 3)))
    [today] = await harness.say(OTHER_READER, "/opinions")
    assert "No opinions in this issue" in text_of(today)  # without a topic, still today's


async def test_a_misspelt_author_is_found_or_suggested(harness: Harness) -> None:
    jan7 = (await sample_archive(harness))[JAN_7]
    [page] = await harness.say(READER, "/opinion trennin")
    assert text_of(page).startswith("Dmitry Trenin has nothing in today's issue.")
    assert "Dmitry Trenin — 1 piece, latest Jan 7, 2022" in text_of(page)
    assert buttons(page)[0] == ("1", encode(OpenItem(jan7, 1)))
    [suggested] = await harness.say(OTHER_READER, "/opinion trinen")
    assert "Did you mean Dmitry Trenin?" in text_of(suggested)
    [(label, data)] = buttons(suggested)
    assert label == "Did you mean Dmitry Trenin?"
    assert data == encode(AuthorPage(author_token("dmitri trenin"), 1))
    [author] = await harness.press(OTHER_READER, suggested.message_id, data, replies=1)
    assert text_of(author).startswith("Dmitry Trenin — 1 piece")


async def test_plain_words_naming_an_author_and_a_topic_find_the_piece(harness: Harness) -> None:
    await sample_archive(harness)
    [piece] = await harness.say(READER, "what does lukyanov say about kazakhstan")
    assert LUKYANOV in text_of(piece)
    assert "Fyodor Lukyanov says the decision to send CSTO peacekeepers" in text_of(piece)
    [short] = await harness.say(OTHER_READER, "trenin nato")
    assert TRENIN_NATO in text_of(short)
    [search] = await harness.say(THIRD_READER, "Putin NATO")
    assert text_of(search).startswith("Search: “Putin NATO”")


async def test_inline_mode_finds_an_authors_piece_on_a_topic(harness: Harness) -> None:
    jan7 = (await sample_archive(harness))[JAN_7]
    harness.server.send_inline_query(READER, "trenin nato")
    await harness.server.wait_for(method="answerInlineQuery")
    [answer] = harness.server.inline_answers()
    assert answer.results[0]["id"] == f"{jan7}-1"
    assert answer.results[0]["title"] == TRENIN_NATO


async def test_story_on_a_topic(harness: Harness) -> None:
    await sample_archive(harness)
    [listing] = await harness.say(READER, "/story kursk")
    assert text_of(listing).startswith("Stories on “kursk”")
    assert "Russia’s counterattack in the Kursk region" in text_of(listing)
    [number] = await harness.say(OTHER_READER, "/story 1")
    assert text_of(number).startswith("📰")  # a number is still today's story


@pytest.mark.limits(None)
async def test_authors_open_an_author_page_where_a_reader_follows_them(harness: Harness) -> None:
    jan7 = (await sample_archive(harness))[JAN_7]
    [listing] = await harness.say(READER, "/authors")
    token = author_token("dmitri trenin")
    data = encode(AuthorPage(token, 1))
    assert data in [d for _, d in buttons(listing)] and all_data_fits(listing)
    [page] = await harness.press(READER, listing.message_id, data, replies=1)
    assert text_of(page).startswith("Dmitry Trenin — 1 piece, latest Jan 7, 2022")
    assert ("1", encode(OpenItem(jan7, 1))) in buttons(page)
    follow = encode(AuthorFollow(token, 1, True))
    assert ("⭐ Follow Dmitry Trenin", follow) in buttons(page)
    # Not subscribed yet: told to /start, nothing changes.
    await harness.press(READER, page.message_id, follow)
    assert harness.last_answer_text() == replies.FOLLOW_NEEDS_START
    await harness.say(READER, "/start")
    [followed] = await harness.press(READER, page.message_id, follow, edits=1)
    assert followed.edited and ("Unfollow Dmitry Trenin", encode(AuthorFollow(token, 1, False))) in buttons(followed)
    assert [f.author_name for f in await harness.services.subscribers.followed(READER)] == ["Dmitry Trenin"]
    [unfollowed] = await harness.press(READER, page.message_id, encode(AuthorFollow(token, 1, False)), edits=1)
    assert ("⭐ Follow Dmitry Trenin", follow) in buttons(unfollowed)
    assert await harness.services.subscribers.followed(READER) == []


@pytest.mark.limits(None)
async def test_found_pieces_page_by_editing_in_place(harness: Harness) -> None:
    from bot.digest.model import Digest, Item, ItemKind, Section

    await sample_archive(harness)
    for day in range(1, 8):
        piece = Item(ItemKind.OPINION, f"NATO at {day}", author="Kevin Rothrock", body=("NATO.",))
        digest = Digest("Daily", None, f"Extra {day}", None, (Section("Opinions", (piece,)),), source=f"x{day}")
        await harness.services.digests.save(digest)
    [first] = await harness.say(READER, "/opinion nato")
    assert "page 1 of 2" in text_of(first) and all_data_fits(first)
    [turn] = [d for _, d in buttons(first) if isinstance(decode(d), FindPage)]
    [second] = await harness.press(READER, first.message_id, turn, edits=1)
    assert second.edited and second.message_id == first.message_id and "page 2 of 2" in text_of(second)


async def test_deep_links_still_open_an_opinion_and_words_find_one(harness: Harness) -> None:
    await sample_archive(harness)
    replies_ = await harness.say(READER, "/start opinion-2022-01-07-1", replies=2)
    assert TRENIN_NATO in text_of(replies_[-1])
    found = await harness.say(OTHER_READER, "/start opinion-lukyanov_kazakhstan", replies=2)
    assert LUKYANOV in text_of(found[-1])


async def test_markup_typed_into_a_query_is_not_taken_for_words(harness: Harness) -> None:
    await sample_archive(harness)
    [page] = await harness.say(READER, "/opinion <b>trennin</b>")
    assert text_of(page).startswith("Dmitry Trenin has nothing in today's issue."), text_of(page)
    assert "“b b”" not in text_of(page)
    [piece] = await harness.say(OTHER_READER, "/opinion <i>trenin</i> &amp; <b>nato</b>")
    assert TRENIN_NATO in text_of(piece), text_of(piece)
    # What the reply quotes back is still escaped: the server parses the HTML as strictly as Telegram does.
    [unknown] = await harness.say(THIRD_READER, "/opinion <b>zzxq</b> <script>qqzx</script> 1 < 2")
    assert "<script>" not in (unknown.html or "") and "qqzx" in text_of(unknown), html_of(unknown)
