"""What editors read: the broadcast question, progress and report, the outline of an upload, statistics."""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.digest.model import Digest, Item, ItemKind, Section
from bot.render import editor as render
from bot.render.callbacks import BroadcastDecision, PublishDecision, decode
from bot.render.html import parse
from storage import Broadcast, BroadcastStatus, BroadcastTally, SaveOutcome, SubscriberStatus
from storage.stats import BroadcastResult, DeliveriesToday, Forecast, SlotForecast, SlotLag, Stats
from tests.storage_fixtures import make_digest

T0 = dt.datetime(2026, 3, 2, 6, 0, tzinfo=dt.UTC)


def tally(**counts: int) -> BroadcastTally:
    return BroadcastTally(**{name: counts.get(name, 0) for name in BroadcastTally.__slots__})


def broadcast(status: BroadcastStatus, *, seconds: int = 75) -> Broadcast:
    return Broadcast(
        id=7,
        editor_id=9001,
        text="Breaking",
        status=status,
        created_at=T0,
        confirmed_at=T0,
        finished_at=T0 + dt.timedelta(seconds=seconds),
        recipients=120,
        sent=0,
        failed=0,
        skipped=0,
    )


def test_the_question_under_a_preview() -> None:
    question = render.broadcast_confirmation(7, 1)
    parse(question.html)
    assert "<b>1 reader</b>" in question.html and "#7" in question.html
    assert question.keyboard is not None
    send, cancel = question.keyboard.rows[0]
    assert (send.text, decode(send.data)) == ("📣 Send to 1 reader", BroadcastDecision(7, True))
    assert (cancel.text, decode(cancel.data)) == (render.CANCEL_BUTTON, BroadcastDecision(7, False))
    assert "Nobody" in render.broadcast_confirmation(8, 0).html


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0.2, "under a second"), (1.01, "2 s"), (59, "59 s"), (60, "1 min"), (125, "2 min 5 s"), (7260, "2 h 1 min")],
)
def test_duration(seconds: float, text: str) -> None:
    assert render.duration(seconds) == text


def test_progress_while_sending_and_after() -> None:
    counts = tally(pending=70, sending=10, sent=36, blocked=3, failed=1)
    measuring = render.render_progress(7, BroadcastStatus.SENDING, counts, None).html
    assert "Sent <b>36</b> / 120 · blocked 3 · failed 1" in measuring and "measuring" in measuring
    live = render.render_progress(7, BroadcastStatus.SENDING, counts, 20.0).html
    assert "20.0 msg/s · about 4 s left" in live
    done = render.render_progress(7, BroadcastStatus.DONE, tally(sent=119, blocked=1), 30.0).html
    assert "· done" in done and "left" not in done and "msg/s" not in done
    cancelled = render.render_progress(7, BroadcastStatus.CANCELLED, tally(sent=5, skipped=95), None).html
    assert "cancelled" in cancelled and "Not sent: 95" in cancelled
    resumed = render.render_progress(7, BroadcastStatus.SENDING, counts, None, resumed=True).html
    assert resumed.startswith("🔄 The bot restarted.")
    for html in (measuring, live, done, cancelled, resumed):
        parse(html)


def test_reports() -> None:
    [sent] = render.render_report(broadcast(BroadcastStatus.DONE), tally(sent=118, blocked=1, failed=1))
    assert sent.html.startswith("✅ <b>Broadcast #7 sent</b> in 1 min 15 s.")
    assert "Delivered to 118 of 120 readers." in sent.html and "Blocked the bot: 1 · failed: 1" in sent.html
    [stopped] = render.render_report(broadcast(BroadcastStatus.CANCELLED), tally(sent=40, skipped=80))
    assert (
        "cancelled" in stopped.html and "It reached 40 of 120 readers before it was stopped; 80 did not" in stopped.html
    )


def test_stuck_and_possibly_doubled_recipients_are_reported_apart() -> None:
    counts = tally(pending=10, retrying=4, sent=100, failed=1)
    progress = render.render_progress(7, BroadcastStatus.SENDING, counts, 20.0).html
    assert "Retrying 4" in progress and "failed 1" in progress
    [report] = render.render_report(broadcast(BroadcastStatus.DONE), tally(sent=119, failed=1, possibly_doubled=2))
    assert "possibly doubled: 2" in report.html
    parse(progress)
    parse(report.html)


def test_the_outline_of_an_upload() -> None:
    digest = make_digest(dt.date(2024, 10, 11))
    [outline] = render.render_outline(digest, "tok-1", source="issue <1>.txt")
    parse(outline.html)
    assert "📄 <b>Parsed issue &lt;1&gt;.txt</b>" in outline.html
    assert "<b>Date:</b> Friday, October 11, 2024" in outline.html
    assert "<b>Headline:</b> Putin goes to Turkmenistan" in outline.html
    for item in digest.items():
        assert f"<i>{item.kind.value}</i>" in outline.html
        if item.author:
            assert f"— {item.author}" in outline.html
    assert outline.keyboard is not None
    assert [decode(b.data) for b in outline.keyboard.buttons()] == [
        PublishDecision("tok-1", True),
        PublishDecision("tok-1", False),
    ]


def test_an_outline_says_what_was_guessed_and_shows_the_warnings() -> None:
    digest = make_digest(dt.date(2024, 10, 11))
    guessed = {"date": "today (no date printed)", "title": "lead item"}
    [outline] = render.render_outline(digest, "t", guessed=guessed, warnings=["no headline found: <lead>"])
    parse(outline.html)
    assert "<b>Date:</b> Friday, October 11, 2024 <i>(guessed: today (no date printed))</i>" in outline.html
    assert "Putin goes to Turkmenistan <i>(guessed: lead item)</i>" in outline.html
    assert "⚠️ no headline found: &lt;lead&gt;" in outline.html


def test_an_outline_says_what_is_missing_and_escapes_everything() -> None:
    digest = Digest(
        newsletter=None,
        date=None,
        title=None,
        summary=None,
        sections=(Section(None, (Item(ItemKind.BRIEF, "<script> & co", author="A <b>"),)),),
    )
    [outline] = render.render_outline(digest, "t")
    parse(outline.html)
    assert "<b>Date:</b> <i>none found</i>" in outline.html and "<b>Headline:</b> <i>none found</i>" in outline.html
    assert "1 section, 1 item (0 stories, 0 opinions, 1 brief)" in outline.html
    assert "&lt;script&gt; &amp; co — A &lt;b&gt;" in outline.html and "<i>untitled section</i>" in outline.html


def test_a_long_outline_is_split_with_the_buttons_last() -> None:
    items = tuple(Item(ItemKind.BRIEF, f"Brief number {n} " + "x" * 80) for n in range(80))
    parts = render.render_outline(Digest("N", dt.date(2024, 1, 1), "T", None, (Section("S", items),)), "t")
    assert len(parts) > 1
    assert [p.keyboard is not None for p in parts] == [False] * (len(parts) - 1) + [True]


def test_published_and_withdrawn() -> None:
    digest = make_digest(dt.date(2024, 10, 11), title="A & B")
    created = render.published(digest, 3, SaveOutcome.CREATED)
    assert created.startswith("✅ Published “A &amp; B” (Friday, October 11, 2024) as issue #3.")
    assert "earlier text" in render.published(digest, 3, SaveOutcome.REPLACED)
    assert "back" in render.published(digest, 3, SaveOutcome.UNCHANGED, republished=True)
    withdrawn = render.withdrawn(digest, 3)
    assert withdrawn.html.startswith("🗑 Withdrew “A &amp; B”") and "/republish 2024-10-11" in withdrawn.html
    assert withdrawn.keyboard is not None and [b.text for b in withdrawn.keyboard.buttons()] == ["↩️ Republish"]
    failed = render.parse_failed("a<b>.txt", "no issue date or headline found")
    parse(failed)
    assert "a&lt;b&gt;.txt" in failed


def stats(last: BroadcastResult | None) -> Stats:
    day = T0.date()
    return Stats(
        at=T0,
        by_status={
            SubscriberStatus.ACTIVE: 12,
            SubscriberStatus.PAUSED: 1,
            SubscriberStatus.BLOCKED: 2,
            SubscriberStatus.LEFT: 0,
        },
        new=5,
        lost=2,
        by_delivery_hour={7: 3, 8: 9},
        today=DeliveriesToday(day, sent=10, pending=2, failed=1, skipped=0),
        last_broadcast=last,
        subscribed_by_day=((day, 13),),
        sent_by_hour=((T0, 10),),
    )


def test_statistics_in_the_chat_and_the_terminal() -> None:
    last = BroadcastResult(4, BroadcastStatus.CANCELLED, T0, 120, sent=40, failed=1, blocked=2, skipped=77)
    [message] = render.render_stats(stats(last))
    parse(message.html)
    assert message.html.startswith("📊 <b>Statistics</b> · <i>Mar 2, 2026 06:00 UTC</i>")
    assert "active 12 · paused 1 · blocked 2 · left 0" in message.html
    assert "Last 7 days: +5 new, −2 lost" in message.html
    assert "07:00 — 3\n08:00 — 9" in message.html
    assert "<b>Today's deliveries (Monday, March 2, 2026)</b>\nsent 10 · pending 2 · failed 1" in message.html
    assert "#4, cancelled Mar 2, 2026 06:00 UTC\nsent 40 of 120 · blocked 2 · failed 1 · not sent 77" in message.html

    text = render.stats_text(stats(None))
    assert text.startswith("Statistics at Mar 2, 2026 06:00 UTC\n\nSubscribers\n  active 12")
    assert "Last broadcast\n  None yet." in text and "<" not in text


def test_statistics_show_times_in_the_publishers_timezone_with_the_zone_named() -> None:
    due = dt.datetime(2026, 3, 2, 5, 0, tzinfo=dt.UTC)  # 08:00 in Moscow
    slot = SlotForecast(due, readers=30, messages=60, finish_at=due + dt.timedelta(minutes=20))
    minutes = dt.timedelta(minutes=1)
    lag = SlotLag(due - dt.timedelta(days=1), sent=20, p50=10 * minutes, p95=19 * minutes, worst=20 * minutes)
    forecast = Forecast(
        rate=30.0, lag_warn=15 * minutes, backlog=0, slots=(slot,), over=(slot,), yesterday=dt.date(2026, 3, 1),
        yesterday_lag=(lag,),
    )  # fmt: skip
    last = BroadcastResult(4, BroadcastStatus.DONE, T0, 120, sent=120, failed=0, blocked=0, skipped=0)
    figures = dataclasses.replace(stats(last), forecast=forecast, timezone=ZoneInfo("Europe/Moscow"))
    text = render.stats_text(figures)
    assert text.startswith("Statistics at Mar 2, 2026 09:00 MSK (Europe/Moscow)\n"), text
    assert "#4, sent Mar 2, 2026 09:00 MSK" in text
    assert "Mar 2, 2026 08:00 MSK — 30 readers, 60 messages, done by 08:20 MSK (last reader waits 20 min)" in text
    assert "⚠ Mar 2, 2026 08:00 MSK: the last of 30 readers would wait 20 min" in text
    assert "Mar 1, 2026 08:00 MSK — 20 sent · p50 10 min" in text
    assert "UTC" not in text
    [message] = render.render_stats(figures)
    assert message.html.startswith("📊 <b>Statistics</b> · <i>Mar 2, 2026 09:00 MSK (Europe/Moscow)</i>")

    # A zone without a letter abbreviation is named by its offset; the summer and winter names follow the date.
    sao_paulo = render.stats_text(dataclasses.replace(figures, timezone=ZoneInfo("America/Sao_Paulo")))
    assert sao_paulo.startswith("Statistics at Mar 2, 2026 03:00 UTC-03 (America/Sao_Paulo)"), sao_paulo
    summer = dataclasses.replace(figures, at=T0 + dt.timedelta(days=120), timezone=ZoneInfo("Europe/Berlin"))
    berlin = render.stats_text(summer)
    assert berlin.startswith("Statistics at Jun 30, 2026 08:00 CEST (Europe/Berlin)"), berlin


def test_chart_ticks_end_on_the_latest() -> None:
    assert render.tick_labels(list("abcdefg"), 3) == ["a", "", "", "d", "", "", "g"]
    assert render.short_day(dt.date(2026, 3, 2)) == "Mar 2"


def test_the_preview_counts_readers_in_quiet_hours_and_offers_the_toggles() -> None:
    question = render.broadcast_confirmation(7, 10, quiet_silent=2, quiet_held=1, channels=2)
    assert "🌙 3 readers in quiet hours right now: 2 get it silently, 1 when their quiet hours end." in question.html
    one = render.broadcast_confirmation(7, 10, quiet_silent=1, quiet_held=0, channels=0)
    assert "🌙 1 reader in quiet hours right now: 1 gets it silently." in one.html
    assert "📢 Not posted to the channels." in question.html
    assert question.keyboard is not None
    labels = [(button.text, button.data) for button in question.keyboard.buttons()]
    assert ("⚡ Mark urgent", "bo:7:urgent") in labels and ("📢 Channels too", "bo:7:channels") in labels
    urgent = render.broadcast_confirmation(7, 10, quiet_silent=3, urgent=True, channels=2, to_channels=True)
    assert "Urgent" in urgent.html and "Also posted to the 2 channels." in urgent.html
    assert urgent.keyboard is not None
    labels = [(button.text, button.data) for button in urgent.keyboard.buttons()]
    assert ("✓ ⚡ Urgent", "bo:7:calm") in labels and ("✓ 📢 Channels too", "bo:7:readers") in labels
    plain = render.broadcast_confirmation(7, 10)
    assert "quiet hours" not in plain.html and "channels" not in plain.html
