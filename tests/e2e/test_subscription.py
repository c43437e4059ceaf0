"""A reader's own subscription over real HTTP: /time, /timezone, /pause, /stop, /settings, follows, /mydata, /forget.

Deliveries are driven the way the running bot drives them, with the injected clock: move the clock, run
the scheduler's tick, wake the engine, and read what reached the chat.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from bot.digest.model import Digest, Item, ItemKind, Section
from bot.digest.parser import parse_text
from bot.render import settings as view
from bot.rules.preferences import Format
from bot.sandbox.records import SentRecord
from bot.sources.ingest import store_digest
from tests.harness import OTHER_READER, READER, START, Harness, buttons, html_of, text_of

FIXTURES = Path(__file__).parents[1] / "fixtures"
ISSUE = "the-real-russia-today-2022-01-07.txt"
"""Has three bylined opinions (Dmitry Trenin, Fyodor Lukyanov, Lilia Shevtsova); "Kazakhstan" is in it."""
LATER_ISSUE = "real-russia-today-2024-10-11.txt"
UTC = dt.UTC


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=UTC)


async def subscribe(harness: Harness, user: int = READER, *, headlines: bool = True, **profile: str) -> None:
    """/start as ``user``; headlines make an issue one message, which keeps delivery tests quick."""
    harness.server.add_user(user, **profile)
    await harness.say(user, "/start")
    if headlines:
        await harness.services.subscribers.update_preferences(user, format=Format.HEADLINES)


async def publish(harness: Harness, name: str = ISSUE, *, day: dt.date | None = None, undated: bool = False) -> int:
    """Publish a fixture as the issue of ``day`` (default: the clock's today), so the tick sends it that day."""
    services = harness.services
    digest = parse_text((FIXTURES / name).read_text(), source=name)
    when = None if undated else day or harness.clock.now().date()
    report = await store_digest(services.db, services.digests, dataclasses.replace(digest, date=when))
    assert report.digest_id is not None
    return report.digest_id


async def tick(harness: Harness, when: dt.datetime) -> int:
    """The minute tick at ``when``; returns how many readers were due."""
    harness.clock.set(when)
    result = await harness.services.scheduler.tick()
    harness.services.delivery.wake()
    return result.due


async def receives_issue(harness: Harness, chat_id: int, marker: str = "Kazakhstan") -> SentRecord:
    records = await harness.server.wait_for(
        lambda records: any(marker in (r.text or "") for r in records), chat_id=chat_id, method="sendMessage"
    )
    return next(r for r in records if marker in (r.text or ""))


async def has_issue(harness: Harness, chat_id: int, digest_id: int) -> bool:
    return await harness.services.deliveries.status(digest_id, chat_id) is not None


async def reader(harness: Harness, chat_id: int = READER):
    subscriber = await harness.services.subscribers.get(chat_id)
    assert subscriber is not None
    return subscriber


# --- delivery at the reader's time ----------------------------------------------------------------


async def test_time_a_minute_from_now_delivers_then_and_not_before(harness: Harness) -> None:
    await subscribe(harness)
    digest_id = await publish(harness)
    [reply] = await harness.say(READER, "/time 06:01")
    assert "Delivery time: 06:01" in text_of(reply)
    assert "Next delivery: Mon 2 Mar 06:01 (in 1 min)" in text_of(reply)
    assert (await reader(harness)).next_delivery_at == utc(2026, 3, 2, 6, 1)

    assert await tick(harness, utc(2026, 3, 2, 6, 0)) == 0
    assert not await has_issue(harness, READER, digest_id)

    await tick(harness, utc(2026, 3, 2, 6, 1))
    await receives_issue(harness, READER)
    assert (await reader(harness)).next_delivery_at == utc(2026, 3, 3, 6, 1)
    [data] = await harness.say(READER, "/mydata")
    assert "Issues received: 1" in text_of(data)


async def test_spring_forward_delivers_at_the_end_of_the_gap(harness: Harness) -> None:
    harness.clock.set(utc(2026, 3, 28, 12, 0))
    await subscribe(harness)
    await harness.say(READER, "/timezone Europe/Berlin")
    [reply] = await harness.say(READER, "/time 02:30")
    # 02:30 does not exist in Berlin on 29 March 2026: the clocks go from 02:00 CET to 03:00 CEST.
    assert "Next delivery: Sun 29 Mar 03:00" in text_of(reply)
    assert (await reader(harness)).next_delivery_at == utc(2026, 3, 29, 1, 0)
    digest_id = await publish(harness, day=dt.date(2026, 3, 29))

    assert await tick(harness, utc(2026, 3, 29, 0, 59)) == 0
    assert not await has_issue(harness, READER, digest_id)
    await tick(harness, utc(2026, 3, 29, 1, 0))
    await receives_issue(harness, READER)
    # The next day is back to 02:30, now CEST.
    assert (await reader(harness)).next_delivery_at == utc(2026, 3, 30, 0, 30)


async def test_fall_back_delivers_once_at_the_first_half_past_two(harness: Harness) -> None:
    harness.clock.set(utc(2026, 10, 24, 12, 0))
    await subscribe(harness)
    await harness.say(READER, "/timezone berlin")
    [reply] = await harness.say(READER, "/time 2:30")
    assert "Next delivery: Sun 25 Oct 02:30" in text_of(reply)
    await publish(harness, day=dt.date(2026, 10, 25))

    assert await tick(harness, utc(2026, 10, 25, 0, 29)) == 0
    await tick(harness, utc(2026, 10, 25, 0, 30))  # 02:30 CEST
    await receives_issue(harness, READER)
    later = await publish(harness, LATER_ISSUE, undated=True)  # a newer issue, so a second delivery would show
    assert await tick(harness, utc(2026, 10, 25, 1, 30)) == 0  # 02:30 again, now CET: not a delivery
    assert not await has_issue(harness, READER, later)
    assert (await reader(harness)).next_delivery_at == utc(2026, 10, 26, 1, 30)


async def test_pause_skips_two_days_then_deliveries_resume(harness: Harness) -> None:
    await subscribe(harness)
    digest_id = await publish(harness)
    [reply] = await harness.say(READER, "/pause 2")
    assert "Paused for 2 days" in text_of(reply)
    subscriber = await reader(harness)
    assert subscriber.status == "paused" and subscriber.paused_until == utc(2026, 3, 4, 6, 0)
    assert subscriber.next_delivery_at == utc(2026, 3, 4, 8, 0)

    assert await tick(harness, utc(2026, 3, 2, 8, 0)) == 0
    assert await tick(harness, utc(2026, 3, 3, 8, 0)) == 0
    assert not await has_issue(harness, READER, digest_id)
    harness.clock.set(utc(2026, 3, 4, 7, 0))
    await publish(harness)  # March 4's issue
    await tick(harness, utc(2026, 3, 4, 8, 0))
    await receives_issue(harness, READER)
    assert (await reader(harness)).status == "active"


async def test_stop_means_no_delivery_until_start(harness: Harness) -> None:
    await subscribe(harness)
    digest_id = await publish(harness)
    [reply] = await harness.say(READER, "/stop")
    assert "You are unsubscribed" in text_of(reply) and "/start" in text_of(reply) and "/forget" in text_of(reply)
    assert (await reader(harness)).status == "left"
    assert await tick(harness, utc(2026, 3, 2, 8, 0)) == 0
    assert not await has_issue(harness, READER, digest_id)

    [again] = await harness.say(READER, "/stop")
    assert "already unsubscribed" in text_of(again)
    [pause] = await harness.say(READER, "/pause 3")
    assert pause.text == view.UNSUBSCRIBED

    await harness.say(READER, "/start")
    assert (await reader(harness)).next_delivery_at == utc(2026, 3, 3, 8, 0)


async def test_follower_who_asked_gets_a_new_piece_on_publication(harness: Harness) -> None:
    await publish(harness)
    await subscribe(harness, READER)
    await subscribe(harness, OTHER_READER)
    for user in (READER, OTHER_READER):
        await harness.say(user, "/follow trenin")
    [panel] = await harness.say(READER, "/settings")
    await harness.press(READER, panel.message_id, "set:push:on", edits=1)
    assert (await reader(harness)).push_followed_on_publish

    # A later issue where the byline is spelled differently: the follow still matches.
    opinion = Item(ItemKind.OPINION, "Moscow's long game", author="Dmitri Trenin", body=("Text.",))
    digest = Digest("The Real Russia. Today.", dt.date(2026, 3, 2), "New issue", "Hello.", (Section(None, (opinion,)),))
    services = harness.services
    digest_id = (await store_digest(services.db, services.digests, digest)).digest_id
    assert digest_id is not None
    assert await services.scheduler.on_published(digest_id) == 1  # 06:00: nobody else is late yet
    services.delivery.wake()
    flagged = await receives_issue(harness, READER, "Moscow's long game")
    assert "New from Dmitri Trenin" in (flagged.text or "")
    assert not await has_issue(harness, OTHER_READER, digest_id)  # gets it at 08:00 with the rest


# --- commands, good and bad values ----------------------------------------------------------------


@pytest.mark.limits(None)
async def test_time_and_its_mistakes(harness: Harness) -> None:
    await subscribe(harness)
    [reply] = await harness.say(READER, "/time 7:30 pm")
    assert "Delivery time: 19:30" in text_of(reply)
    assert (await reader(harness)).delivery_time == dt.time(19, 30)
    for text, problem in [
        ("/time 25:00", "There is no hour 25"),
        ("/time", "No time given"),
        ("/time 7:5", "two digits"),
        ("/time soon", 'Cannot read "soon" as a time'),
    ]:
        [reply] = await harness.say(READER, text)
        assert problem in text_of(reply), text
        assert "For example: /time 07:30" in text_of(reply)
    assert (await reader(harness)).delivery_time == dt.time(19, 30)


@pytest.mark.limits(None)
async def test_timezone_by_name_city_offset_or_local_time(harness: Harness) -> None:
    await subscribe(harness)
    [reply] = await harness.say(READER, "/timezone Europe/Berlin")
    assert "Timezone: Europe/Berlin, UTC+01:00 (now 07:00 there)" in text_of(reply)
    assert (await reader(harness)).next_delivery_at == utc(2026, 3, 2, 7, 0)  # 08:00 CET

    [reply] = await harness.say(READER, "/timezone UTC+3")
    assert "UTC+03:00, no daylight saving" in text_of(reply) and "send your city instead" in text_of(reply)
    subscriber = await reader(harness)
    assert subscriber.timezone == "Etc/GMT-3" and subscriber.next_delivery_at == utc(2026, 3, 3, 5, 0)

    [reply] = await harness.say(READER, "/timezone it's 14:00 here")  # at 06:00 UTC: UTC+8
    assert (await reader(harness)).timezone == "Etc/GMT-8"

    await harness.say(READER, "/timezone São Paulo")
    assert (await reader(harness)).timezone == "America/Sao_Paulo"

    for text, problem in [("/timezone Mars", 'Unknown timezone "Mars"'), ("/timezone", "No timezone given")]:
        [reply] = await harness.say(READER, text)
        assert problem in text_of(reply) and "For example: /timezone Europe/Berlin" in text_of(reply)
    assert (await reader(harness)).timezone == "America/Sao_Paulo"


@pytest.mark.limits(None)
async def test_pause_resume_and_their_mistakes(harness: Harness) -> None:
    await subscribe(harness)
    [reply] = await harness.say(READER, "/pause")
    assert "Paused until you send /resume" in text_of(reply)
    assert (await reader(harness)).status == "paused"
    [reply] = await harness.say(READER, "/resume")
    assert "Welcome back: the next digest comes Mon 2 Mar 08:00" in text_of(reply)
    assert (await reader(harness)).status == "active"
    [reply] = await harness.say(READER, "/resume")
    assert "You are not paused" in text_of(reply)

    for text, problem in [("/pause 400", "from 1 to 365 days"), ("/pause soon", 'Cannot read "soon"')]:
        [reply] = await harness.say(READER, text)
        assert problem in text_of(reply) and "For example: /pause 7" in text_of(reply)
    assert (await reader(harness)).status == "active"


@pytest.mark.limits(None)
async def test_commands_before_start_say_how_to_subscribe(harness: Harness) -> None:
    for text in ("/time 07:30", "/timezone Berlin", "/pause", "/settings", "/follow trenin", "/stop"):
        [reply] = await harness.say(READER, text)
        assert reply.text == view.NOT_SUBSCRIBED, text
    for text in ("/mydata", "/forget"):
        [reply] = await harness.say(READER, text)
        assert reply.text == view.NOTHING_STORED
    assert await harness.services.subscribers.get(READER) is None


# --- the settings panel ---------------------------------------------------------------------------


@pytest.mark.limits(None)
async def test_settings_panel_changes_in_place(harness: Harness) -> None:
    await subscribe(harness, headlines=False)
    [panel] = await harness.say(READER, "/settings")
    assert "Format: full stories" in text_of(panel) and "Next delivery: Mon 2 Mar 08:00" in text_of(panel)
    labels = [text for text, _ in buttons(panel)]
    assert labels[:2] == ["✓ Full stories", "Headlines only"]
    assert "✓ 08:00" in labels

    async def press(data: str) -> SentRecord:
        [edit] = await harness.press(READER, panel.message_id, data, edits=1)
        assert edit.message_id == panel.message_id
        return edit

    edit = await press("set:format:headlines")
    assert "✅ Format: headlines only." in text_of(edit)
    assert harness.last_answer_text() == view.SAVED
    assert (await reader(harness)).format == "headlines"

    edit = await press("set:briefs:off")
    assert "✅ Sections: stories, opinions." in text_of(edit)
    assert ("☐ Briefs", "set:briefs:on") in buttons(edit)
    assert (await reader(harness)).sections == {ItemKind.STORY, ItemKind.OPINION}

    edit = await press("set:time:09:00")
    assert "✅ Delivery time: 09:00. Next delivery: Mon 2 Mar 09:00 (in 3 h)." in text_of(edit)
    subscriber = await reader(harness)
    assert subscriber.delivery_time == dt.time(9, 0) and subscriber.next_delivery_at == utc(2026, 3, 2, 9, 0)

    edit = await press("set:alerts:off")
    assert "✅ Breaking alerts: off." in text_of(edit)
    edit = await press("set:push:on")
    assert "✅ New pieces by followed authors: sent when published." in text_of(edit)
    subscriber = await reader(harness)
    assert not subscriber.breaking_alerts and subscriber.push_followed_on_publish

    # Buttons carry the value they set: pressing the current one changes nothing.
    edit = await press("set:format:headlines")
    assert "Format was already headlines only." in text_of(edit)
    assert harness.last_answer_text() == view.ALREADY_SO

    await press("set:stories:off")
    await harness.press(READER, panel.message_id, "set:opinions:off")
    assert "Keep at least one section" in (harness.last_answer_text() or "")
    assert (await reader(harness)).sections == {ItemKind.OPINION}

    await harness.press(READER, panel.message_id, "set:bogus:1", forge=True)
    assert 'Unknown setting "bogus"' in (harness.last_answer_text() or "")
    await harness.press(READER, panel.message_id, "set:alerts:maybe", forge=True)
    assert "neither on nor off" in (harness.last_answer_text() or "")


# --- follows ----------------------------------------------------------------------------------------


@pytest.mark.limits(None)
async def test_follow_and_unfollow(harness: Harness) -> None:
    await publish(harness)
    await subscribe(harness)
    [reply] = await harness.say(READER, "/follow trenin")
    assert "Following Dmitry Trenin" in text_of(reply)
    [reply] = await harness.say(READER, "/follow Dmitri Trenin")
    assert "You already follow Dmitry Trenin" in text_of(reply)
    [reply] = await harness.say(READER, "/follow Shevtsva")  # a typo
    assert "Following Lilia Shevtsova" in text_of(reply)

    [reply] = await harness.say(READER, "/follow Zhukovsky")
    assert "I found no author called “Zhukovsky”" in text_of(reply) and "The closest are:" in text_of(reply)
    offered = dict(buttons(reply))
    assert "Follow Fyodor Lukyanov" in offered
    [edit] = await harness.press(READER, reply.message_id, offered["Follow Fyodor Lukyanov"], edits=1)
    assert "Following Fyodor Lukyanov" in text_of(edit) and buttons(edit) == []
    followed = [f.author_name for f in await harness.services.subscribers.followed(READER)]
    assert followed == ["Dmitry Trenin", "Fyodor Lukyanov", "Lilia Shevtsova"]

    [reply] = await harness.say(READER, "/follow")
    assert "No author given" in text_of(reply) and "/follow Dmitry Trenin" in text_of(reply)

    [reply] = await harness.say(READER, "/unfollow lukianov")
    assert "No longer following Fyodor Lukyanov" in text_of(reply)
    [reply] = await harness.say(READER, "/unfollow Navalny")
    assert "You don't follow “Navalny”. You follow: Dmitry Trenin, Lilia Shevtsova." in text_of(reply)
    [reply] = await harness.say(READER, "/unfollow")
    assert "No author given" in text_of(reply) and "/unfollow Dmitry Trenin" in text_of(reply)

    [panel] = await harness.say(READER, "/settings")
    unfollow = dict(buttons(panel))["✖ Unfollow Lilia Shevtsova"]
    [edit] = await harness.press(READER, panel.message_id, unfollow, edits=1)
    assert "✅ No longer following Lilia Shevtsova." in text_of(edit)
    assert "Followed authors: Dmitry Trenin" in text_of(edit)
    assert [f.author_name for f in await harness.services.subscribers.followed(READER)] == ["Dmitry Trenin"]


@pytest.mark.limits(None)
async def test_follow_asks_when_several_authors_fit(harness: Harness) -> None:
    items = tuple(
        Item(ItemKind.OPINION, f"Piece {n}", author=name, body=("Text.",))
        for n, name in enumerate(("Anna Ivanova", "Anna Petrova"))
    )
    digest = Digest("The Real Russia. Today.", dt.date(2026, 3, 1), "Two Annas", "Hi.", (Section(None, items),))
    await store_digest(harness.services.db, harness.services.digests, digest)
    await subscribe(harness)
    [reply] = await harness.say(READER, "/follow anna")
    assert "Several authors fit “anna”" in text_of(reply)
    offered = dict(buttons(reply))
    assert set(offered) == {"Follow Anna Ivanova", "Follow Anna Petrova"}
    await harness.press(READER, reply.message_id, offered["Follow Anna Petrova"], edits=1)
    assert [f.author_name for f in await harness.services.subscribers.followed(READER)] == ["Anna Petrova"]


# --- /mydata and /forget ----------------------------------------------------------------------------


@pytest.mark.limits(None)
async def test_mydata_shows_everything_stored(harness: Harness) -> None:
    await publish(harness)
    await subscribe(harness, first_name="Anna <3", username="anna_k", language_code="de")
    await harness.say(READER, "/timezone Europe/Berlin")
    await harness.say(READER, "/follow trenin")
    [reply] = await harness.say(READER, "/mydata")
    for line in (
        "Chat id: 1001",
        "First name: Anna <3",
        "Username: @anna_k",
        "Language: de",
        "Subscribed: Mar 2, 2026",
        "Status: active since Mar 2, 2026",
        "Delivery time: 08:00",
        "Timezone: Europe/Berlin, UTC+01:00",
        "Next delivery: Mon 2 Mar 08:00 (in 1 h)",
        "Format: headlines only",
        "Dmitry Trenin, since Mar 2, 2026",
        "Issues received: 0",
        "/forget",
    ):
        assert line in text_of(reply), line
    assert "Anna &lt;3" in html_of(reply)


@pytest.mark.limits(None)
async def test_forget_asks_then_deletes_everything(harness: Harness) -> None:
    await publish(harness)
    await subscribe(harness)
    await harness.say(READER, "/follow trenin")
    [question] = await harness.say(READER, "/forget")
    assert "Delete everything I store about you?" in text_of(question) and "1 followed author" in text_of(question)
    choices = dict(buttons(question))
    [edit] = await harness.press(READER, question.message_id, choices["Cancel"], edits=1)
    assert edit.text == view.FORGET_CANCELLED
    assert await harness.services.subscribers.get(READER) is not None

    [question] = await harness.say(READER, "/forget")
    [edit] = await harness.press(READER, question.message_id, dict(buttons(question))["🗑 Delete everything"], edits=1)
    assert edit.text == view.FORGOTTEN
    assert await harness.services.subscribers.get(READER) is None
    assert await harness.services.subscribers.followed(READER) == []
    [entry] = await harness.services.audit.recent(action="reader.forget")
    assert (entry.actor_id, entry.target, entry.details) == (None, None, None)
    [reply] = await harness.say(READER, "/mydata")
    assert reply.text == view.NOTHING_STORED


@pytest.mark.limits(None)
async def test_an_old_forget_button_cannot_delete_a_new_subscription(harness: Harness) -> None:
    await subscribe(harness)
    [old] = await harness.say(READER, "/forget")
    [question] = await harness.say(READER, "/forget")
    await harness.press(READER, question.message_id, dict(buttons(question))["🗑 Delete everything"], edits=1)
    harness.clock.set(START + dt.timedelta(minutes=5))
    await harness.say(READER, "/start")
    [edit] = await harness.press(READER, old.message_id, dict(buttons(old))["🗑 Delete everything"], edits=1)
    assert edit.text == view.FORGET_EXPIRED
    assert await harness.services.subscribers.get(READER) is not None
