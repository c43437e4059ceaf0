"""bot.render.pages: lists of pieces found by author or topic, and author pages."""

from __future__ import annotations

import datetime as dt

from bot.digest.model import ItemKind
from bot.render.callbacks import Action, AuthorFollow, AuthorPage, AuthorsPage, FindPage, Noop, OpenItem, encode
from bot.render.html import MESSAGE_LIMIT, visible_len
from bot.render.keyboard import Button
from bot.render.pages import render_author_page, render_notice, render_pieces
from storage import AuthoredItem, AuthorStat, SearchHit
from tests.render.test_digest import check

FRIDAY = dt.date(2022, 1, 7)


def hit(position: int, title: str, author: str | None = "A & <B>", kind: ItemKind = ItemKind.OPINION) -> SearchHit:
    return SearchHit(7, FRIDAY, position, kind, title, author, snippet="", score=-1.0)


def turn(page: int) -> Action:
    return FindPage("o", page, "qid")


def test_a_list_of_pieces_has_a_line_and_a_button_each_then_pages_then_extras() -> None:
    suggestion = Button("Did you mean Dmitry Trenin?", data=encode(AuthorPage("tok", 1)))
    part = render_pieces(
        "Opinions on “nato”", [hit(1, "On <NATO>"), hit(3, "Later", None)], 2, 3, turn, extra=[suggestion]
    )
    [text] = check([part])
    assert text == (
        "Opinions on “nato” · page 2 of 3\n\n"
        "1. 💬 On <NATO> — A & <B> · Jan 7, 2022\n"
        "2. 💬 Later · Jan 7, 2022"
    )
    assert part.keyboard is not None
    assert [[b.data for b in row] for row in part.keyboard.rows] == [
        [encode(OpenItem(7, 1)), encode(OpenItem(7, 3))],
        [encode(turn(1)), encode(Noop()), encode(turn(3))],
        [encode(AuthorPage("tok", 1))],
    ]


def test_a_list_of_long_titles_stays_one_message() -> None:
    hits = [hit(n, "word " * 200) for n in range(5)]
    part = render_pieces("Opinions on “word”", hits, 1, 1, turn, note="A note.")
    assert visible_len(part.html) <= MESSAGE_LIMIT
    assert part.html.startswith("A note.\n\n<b>Opinions on “word”</b>")


def test_an_author_page() -> None:
    author = AuthorStat(name="Dmitry Trenin", key="dmitri trenin", count=7, last_date=FRIDAY)
    pieces = [AuthoredItem(7, FRIDAY, 1, ItemKind.OPINION, "On NATO", "Dmitry Trenin", None, 3)]
    part = render_author_page(author, pieces, 1, 2, following=False, note="Dmitry Trenin has nothing today.")
    [text] = check([part])
    assert text == (
        "Dmitry Trenin has nothing today.\n\n"
        "Dmitry Trenin — 7 pieces, latest Jan 7, 2022 · page 1 of 2\n\n"
        "1. 💬 On NATO · Jan 7, 2022"
    )
    assert part.keyboard is not None
    labels = [[b.text for b in row] for row in part.keyboard.rows]
    assert labels == [["1"], ["1/2", "▶"], ["⭐ Follow Dmitry Trenin"], ["◀ All authors"]]
    token = part.keyboard.rows[2][0].data
    assert token is not None and token.startswith("af:")
    following = render_author_page(author, pieces, 2, 2, following=True)
    assert following.keyboard is not None
    switch = following.keyboard.rows[-2][0]
    assert switch.text == "Unfollow Dmitry Trenin"
    assert switch.data == encode(AuthorFollow(token.split(":")[1], 2, False))
    assert following.keyboard.rows[-1][0].data == encode(AuthorsPage(1))


def test_a_notice_is_escaped_text_with_buttons_a_row_each() -> None:
    part = render_notice("No <opinions> on “x”.", [Button("Did you mean X?", data=encode(AuthorPage("tok", 1)))])
    assert part.html == "No &lt;opinions&gt; on “x”."
    assert part.keyboard is not None and len(part.keyboard.rows) == 1
    assert render_notice("Plain.").keyboard is None
