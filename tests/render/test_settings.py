"""The settings renderer and its callback actions, without Telegram: buttons fit, data decodes, text escapes."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.digest.model import ItemKind
from bot.features.subscription import preferences_of
from bot.render import settings as view
from bot.render.callbacks import (
    Action,
    FollowAuthor,
    ForgetDecision,
    UnfollowAuthor,
    author_token,
    decode,
    encode,
)
from bot.render.keyboard import CALLBACK_DATA_LIMIT
from bot.render.profile import ReaderProfile
from bot.rules.authors import author_key
from storage import DigestFormat, FollowedAuthor, Subscriber, SubscriberStatus

NOW = dt.datetime(2026, 3, 2, 6, 0, tzinfo=dt.UTC)


def profile(*, status: SubscriberStatus = SubscriberStatus.ACTIVE, followed: tuple[str, ...] = ()) -> ReaderProfile:
    subscriber = Subscriber(
        chat_id=1001,
        user_id=1001,
        first_name="Anna <b>",
        username=None,
        language="en",
        status=status,
        timezone="Europe/Berlin",
        delivery_time=dt.time(7, 30),
        format=DigestFormat.HEADLINES,
        sections=frozenset({ItemKind.STORY, ItemKind.BRIEF}),
        breaking_alerts=False,
        push_followed_on_publish=True,
        paused_until=None,
        next_delivery_at=None,
        last_digest_id=None,
        created_at=NOW,
        updated_at=NOW,
        status_changed_at=NOW,
    )
    follows = tuple(FollowedAuthor(author_key(name) or "x", name, NOW) for name in followed)
    return ReaderProfile(subscriber, preferences_of(subscriber), follows, 0, NOW)


@pytest.mark.parametrize(
    ("action", "data"),
    [
        (FollowAuthor("skNVzVDf"), "fo:skNVzVDf"),
        (UnfollowAuthor("skNVzVDf"), "uf:skNVzVDf"),
        (ForgetDecision("1772431200", True), "fg:1772431200:ok"),
        (ForgetDecision("1772431200", False), "fg:1772431200:no"),
    ],
)
def test_new_actions_encode_and_decode(action: Action, data: str) -> None:
    assert encode(action) == data
    assert decode(data) == action


@pytest.mark.parametrize("data", ["fo:", "fo:a:b", "uf:has space", "uf:" + "x" * 33, "fg:1:yes", "fg::ok", "fg:1"])
def test_malformed_new_actions_are_refused(data: str) -> None:
    assert decode(data) is None


@given(st.text(min_size=1, max_size=200))
def test_author_tokens_are_short_valid_and_stable(key: str) -> None:
    token = author_token(key)
    assert len(token) == 8 and token == author_token(key)
    assert decode(encode(UnfollowAuthor(token))) == UnfollowAuthor(token)


def test_panel_shows_values_and_buttons_that_set_the_other_value() -> None:
    long_name = "Konstantin Konstantinovich Konstantinopolsky-Zaharyevsky"
    panel = view.panel(profile(followed=("Dmitry Trenin", long_name)), "✅ Format: headlines only.")
    assert "<i>✅ Format: headlines only.</i>" in panel.html
    assert "Delivery time: <b>07:30</b>" in panel.html
    assert "Sections: <b>stories, briefs</b>" in panel.html
    assert panel.keyboard is not None
    data = {button.text: button.data for button in panel.keyboard.buttons()}
    assert data["✓ Headlines only"] == "set:format:headlines"
    assert data["Full stories"] == "set:format:full"
    assert data["☐ Opinions"] == "set:opinions:on" and data["☑ Stories"] == "set:stories:off"
    assert data["🔕 Breaking alerts: off"] == "set:alerts:on"
    assert data["⭐ Followed authors: sent when published"] == "set:push:off"
    assert data["07:00"] == "set:time:07:00"  # 07:30 is not a preset: none is ticked
    assert data["✖ Unfollow Dmitry Trenin"] == f"uf:{author_token('dmitri trenin')}"
    assert all(len((button.data or "").encode()) <= CALLBACK_DATA_LIMIT for button in panel.keyboard.buttons())
    assert any(text.startswith("✖ Unfollow Konstantin") and text.endswith("…") for text in data)


def test_panel_of_a_reader_who_left_says_so() -> None:
    panel = view.panel(profile(status=SubscriberStatus.LEFT))
    assert "Next delivery: <b>none, you unsubscribed</b>" in panel.html
    assert "Subscription: <b>unsubscribed (send /start to come back)</b>" in panel.html


def test_only_the_first_followed_authors_get_buttons() -> None:
    names = tuple(f"Author Number{chr(ord('a') + n)}" for n in range(view.UNFOLLOW_BUTTONS + 2))
    panel = view.panel(profile(followed=names))
    assert panel.keyboard is not None
    unfollows = [b for b in panel.keyboard.buttons() if (b.data or "").startswith("uf:")]
    assert len(unfollows) == view.UNFOLLOW_BUTTONS
    assert "use /unfollow" in panel.html


def test_mydata_escapes_what_readers_typed() -> None:
    [part] = view.my_data(profile())
    assert "First name: <b>Anna &lt;b&gt;</b>" in part.html
    assert "Username: <b>none</b>" in part.html


def test_bad_value_adds_an_example_unless_the_problem_has_one() -> None:
    assert view.bad_value('Cannot read "x" as a time.', "time").html.endswith("For example: /time 07:30")
    given_example = view.bad_value("No author given. Send a name, for example /follow Trenin.", "follow")
    assert "For example" not in given_example.html
