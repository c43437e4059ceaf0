"""The channel post of an issue (every button a deep link into the bot), and long issues in shared chats."""

from __future__ import annotations

from dataclasses import replace

from bot.digest.model import Item, ItemKind, Section
from bot.render.channel import GET_IT, render_channel_post
from bot.render.digest import render_issue
from bot.rules.preferences import Format
from tests.storage_fixtures import make_digest


def test_each_story_and_opinion_gets_a_deep_link_and_the_last_button_subscribes() -> None:
    digest = make_digest()
    parts = render_channel_post(digest, digest_id=3, bot_username="briefing_bot")
    assert all(part.keyboard is None for part in parts[:-1])
    keyboard = parts[-1].keyboard
    assert keyboard is not None
    buttons = list(keyboard.buttons())
    assert all(button.data is None and button.url for button in buttons), "no callback buttons in a channel"
    urls = [button.url for button in buttons]
    assert urls == [
        "https://t.me/briefing_bot?start=story-2024-10-11-1",
        "https://t.me/briefing_bot?start=opinion-2024-10-11-1",
        "https://t.me/briefing_bot?start=subscribe",
    ]
    assert buttons[-1].text == GET_IT
    text = "".join(part.html for part in parts)
    assert "Putin goes to Turkmenistan" in text and "Kursk" in text


def test_an_undated_issue_offers_only_the_subscription() -> None:
    digest = replace(make_digest(), date=None)
    [part] = render_channel_post(digest, digest_id=3, bot_username="briefing_bot")[-1:]
    assert part.keyboard is not None
    assert [button.url for button in part.keyboard.buttons()] == ["https://t.me/briefing_bot?start=subscribe"]


def test_a_long_full_issue_goes_to_a_shared_chat_as_its_headlines() -> None:
    paragraph = "A long paragraph about what happened and what it means for the region. " * 12
    stories = tuple(Item(ItemKind.STORY, f"Story number {n}", body=(paragraph,) * 3) for n in range(1, 9))
    digest = replace(make_digest(), sections=(Section("Stories", stories),))
    full = render_issue(digest, digest_id=1, fmt=Format.FULL)
    assert len(full) > 3
    assert render_issue(digest, digest_id=1, fmt=Format.FULL, shared=True) == render_issue(
        digest, digest_id=1, fmt=Format.HEADLINES
    )
    short = make_digest()
    assert render_issue(short, digest_id=1, fmt=Format.FULL, shared=True) == render_issue(
        short, digest_id=1, fmt=Format.FULL
    ), "a short issue stays in full"
