"""render_share: one item as a self-contained message for inline mode."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.digest.model import Digest, Item, ItemKind, Section
from bot.render import texts
from bot.render.digest import render_item, render_share
from bot.render.html import MESSAGE_LIMIT, parse, visible_len

DAY = dt.date(2022, 1, 7)


def issue(*items: Item) -> Digest:
    return Digest("The Real Russia. Today.", DAY, "Title", None, (Section("Opinions", items),))


def test_a_short_item_is_whole_with_a_button_into_the_bot() -> None:
    item = Item(ItemKind.OPINION, "On NATO", author="Dmitry Trenin", body=("One & two.", "<Three>"))
    shared = render_share(issue(item), 0, more_url="https://t.me/bot?start=opinion-2022-01-07-1")
    assert shared.html.startswith("💬 <i>Opinions · Friday, January 7, 2022</i>\n<b>On NATO</b>")
    assert "One &amp; two.\n\n&lt;Three&gt;" in shared.html
    assert shared.keyboard is not None
    [[button]] = shared.keyboard.rows
    assert (button.text, button.url) == (texts.READ_IN_BOT, "https://t.me/bot?start=opinion-2022-01-07-1")
    assert shared.disable_preview
    # The same head and text as the item read in the bot.
    assert render_item(issue(item), 1, 0)[0].html.startswith(shared.html.split("\n\n")[0])


@pytest.mark.parametrize("word", ["word", "слово", "🇩🇪x"])
def test_a_long_item_is_cut_at_a_word_within_one_message(word: str) -> None:
    body = tuple(" ".join([word] * 400) for _ in range(5))
    item = Item(ItemKind.STORY, "Long", body=body, link="https://meduza.io/en/feature/x")
    shared = render_share(issue(item), 0, more_url=None)
    assert visible_len(shared.html) <= MESSAGE_LIMIT
    parse(shared.html)  # still valid markup
    assert "…\n\n<a href=" in shared.html
    assert shared.html.endswith(f">{texts.READ_ORIGINAL}</a>")
    assert not shared.disable_preview  # the item has its own link
    assert shared.keyboard is None


def test_share_of_a_missing_item_raises() -> None:
    with pytest.raises(IndexError):
        render_share(issue(), 0, more_url=None)
