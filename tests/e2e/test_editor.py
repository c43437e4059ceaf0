"""Editors over real HTTP: refusals, broadcasts (preview, confirm once, cancel, restart), publishing, /stats."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.app import build_application, running
from bot.cli import main as cli_main
from bot.config import load_settings
from bot.features.services import Services
from bot.render import editor as render
from bot.render import replies
from bot.render.callbacks import (
    Action,
    BroadcastDecision,
    BroadcastOption,
    PublishDecision,
    PublishNow,
    RepublishIssue,
    WithdrawDecision,
    decode,
    encode,
)
from bot.render.commands import EDITOR_COMMANDS, editor_menu
from bot.rules.clock import ManualClock
from bot.sandbox.records import SentRecord
from bot.sandbox.server import BotApiServer
from bot.telegram import progress
from bot.telegram.progress import resume_progress
from storage import BroadcastStatus, Database, DigestStatus, SubscriberRepository, SubscriberStatus
from tests.harness import EDITOR, READER, START, Harness, buttons

FIXTURES = Path(__file__).parents[1] / "fixtures"
SHORT_ISSUE = FIXTURES / "real-russia-today-2024-10-11.txt"
LONG_ISSUE = FIXTURES / "the-real-russia-today-2022-01-07.txt"
MARKDOWN_ISSUE = """# Putin signs a new law

Friday, January 7, 2022

Good evening, readers. Here is what happened today.

## Today's main story

### Courts take on a new case

*By Anna Ivanova*

The court in Moscow said on Friday that it would hear the case next week.

## Opinion

### Why the law will fail

*By Dmitry Trenin*

The law is a sign of weakness, not strength.

## In brief

- **Ruble falls.** The ruble fell against the dollar.
"""


@pytest.fixture(autouse=True)
def quick_progress(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refresh progress messages often, so the tests see edits without waiting seconds."""
    monkeypatch.setattr(progress, "PROGRESS_SECONDS", 0.3)


# --- helpers -------------------------------------------------------------------------------------


async def subscribe(services: Services, server: BotApiServer, *chat_ids: int, alerts: bool = True) -> None:
    for chat_id in chat_ids:
        server.add_user(chat_id)
        await services.subscribers.upsert_on_start(chat_id, user_id=chat_id)
        await services.subscribers.update_preferences(chat_id, breaking_alerts=alerts)


def received(server: BotApiServer, chat_id: int) -> list[str]:
    """The HTML of every message the bot sent to ``chat_id``."""
    return [r.html or "" for r in server.sent(chat_id=chat_id, method="sendMessage")]


async def wait_record(
    server: BotApiServer, chat_id: int, predicate: Callable[[SentRecord], bool], *, timeout: float = 5.0
) -> SentRecord:
    """The latest record in the chat (message or edit) that matches, once there is one."""
    records = await server.wait_for(lambda rs: any(predicate(r) for r in rs), chat_id=chat_id, timeout=timeout)
    return [r for r in records if predicate(r)][-1]


def is_report(record: SentRecord) -> bool:
    return record.method == "sendMessage" and (record.text or "").startswith(("✅ Broadcast", "⛔ Broadcast"))


def data(record: SentRecord, prefix: str, approve: bool) -> str:
    wanted = [d for _, d in buttons(record) if d and d.startswith(prefix) and d.endswith(":ok" if approve else ":no")]
    assert len(wanted) == 1, buttons(record)
    return wanted[0]


def broadcast_of(question: SentRecord) -> int:
    """The broadcast the question's Send button sends."""
    action = decode(data(question, "bc:", True))
    assert isinstance(action, BroadcastDecision), action
    return action.broadcast_id


async def draft(harness: Harness, text: str) -> tuple[SentRecord, SentRecord]:
    """``/broadcast …``: the preview and the question under it."""
    preview, question = await harness.say(EDITOR, text, replies=2)
    return preview, question


async def refusals(harness: Harness) -> list[str]:
    return [e.action for e in await harness.services.audit.recent(actor_id=READER) if not e.allowed]


# --- authorization -------------------------------------------------------------------------------


@pytest.mark.limits(None)
async def test_every_editor_button_is_refused_to_a_reader_under_its_own_audit_name(harness: Harness) -> None:
    [reply] = await harness.say(READER, "/help")
    presses: list[tuple[Action, str]] = [
        (BroadcastDecision(1, True), "broadcast.confirm"),
        (BroadcastDecision(1, False), "broadcast.discard"),
        (BroadcastOption(1, "urgent"), "broadcast.option"),
        (PublishDecision("token", True), "publish.confirm"),
        (PublishDecision("token", False), "publish.discard"),
        (PublishNow("token"), "publish.confirm"),
        (WithdrawDecision(1, True), "withdraw.confirm"),
        (WithdrawDecision(1, False), "withdraw.keep"),
        (RepublishIssue(1), "republish"),
    ]
    # Data under an editor's tag that does not decode is a stale button: answered so, before any editor check.
    stale = ["bc:01:ok", "bo:1:loud", "pub:tok:maybe", "pn:", "wd:1:yes", "rp:x"]
    pressed = [(encode(action), replies.EDITORS_ONLY) for action, _ in presses] + [
        (data, replies.STALE_BUTTON) for data in stale
    ]
    for data, answer in pressed:
        await harness.press(READER, reply.message_id, data, forge=True)
        assert harness.last_answer_text() == answer, data
    assert Counter(await refusals(harness)) == Counter(name for _, name in presses)


@pytest.mark.limits(None)
async def test_a_reader_is_refused_every_editor_command_and_the_attempt_is_audited(harness: Harness) -> None:
    await subscribe(harness.services, harness.server, READER)
    for command in ("/broadcast Fake news", "/cancel", "/publish", "/withdraw", "/stats"):
        [reply] = await harness.say(READER, command)
        assert reply.text == replies.EDITORS_ONLY, command
    harness.server.send_user_document(READER, "issue.txt", SHORT_ISSUE.read_bytes(), "text/plain")
    [reply] = await harness.wait_messages(READER, 5, 1)
    assert reply.text == replies.EDITORS_ONLY

    # Buttons cannot be pressed from a reader's chat, but a client can forge their data.
    broadcast = await harness.services.broadcasts.create(EDITOR, "Draft")
    assert reply.message_id is not None
    harness.server.press_button(READER, reply.message_id, encode(BroadcastDecision(broadcast.id, True)), forge=True)
    await harness.server.wait_for(lambda _: len(harness.server.callback_answers()) == 1)
    assert harness.last_answer_text() == replies.EDITORS_ONLY
    stored = await harness.services.broadcasts.get(broadcast.id)
    assert stored is not None and stored.status == BroadcastStatus.DRAFT

    assert sorted(await refusals(harness)) == sorted(
        ["broadcast", "cancel", "publish", "withdraw", "stats", "publish", "broadcast.confirm"]
    )
    assert await harness.services.digests.count(status=None) == 0

    # A reader's other files are none of the editors' business: no reply, no audit entry.
    harness.server.send_user_document(READER, "photo.jpg", b"\xff\xd8\xff", "image/jpeg")
    await harness.say(READER, "/help")
    assert len(await refusals(harness)) == 7


async def test_editor_commands_are_in_the_editors_menu_only(harness: Harness) -> None:
    await harness.say(EDITOR, "/help")
    editor = [c["command"] for c in harness.server.commands(scope={"type": "chat", "chat_id": EDITOR})]
    assert editor == [c.name for c in editor_menu()]
    reader = [c["command"] for c in harness.server.commands()]
    assert not {c.name for c in EDITOR_COMMANDS} & set(reader)
    await harness.say(READER, "/help")
    assert harness.server.commands(scope={"type": "chat", "chat_id": READER}) == []


# --- broadcasts ----------------------------------------------------------------------------------


async def test_broadcast_preview_confirm_progress_and_report(harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    """Flood limits on, as in Telegram: progress edits must keep within them."""
    monkeypatch.setattr(progress, "PROGRESS_SECONDS", 1.0)
    services, server = harness.services, harness.server
    await subscribe(services, server, 2001, 2002, 2003)
    await subscribe(services, server, 2004, alerts=False)
    await subscribe(services, server, 2005)
    await services.subscribers.set_status(2005, SubscriberStatus.PAUSED)

    preview, question = await draft(harness, "/broadcast Breaking: <b>not markup</b> & a link https://meduza.io/en")
    expected = "Breaking: &lt;b&gt;not markup&lt;/b&gt; &amp; a link https://meduza.io/en"
    assert preview.html == expected
    assert "3 readers" in (question.text or "")
    assert [text for text, _ in buttons(question)] == ["📣 Send to 3 readers", render.CANCEL_BUTTON, "⚡ Mark urgent"]
    await asyncio.sleep(0.2)
    assert all(received(server, chat) == [] for chat in range(2001, 2006)), "sent before Confirm"

    [progress_edit] = await harness.press(EDITOR, question.message_id, data(question, "bc:", True), edits=1)
    assert harness.last_answer_text() == render.SENDING_NOW
    assert progress_edit.message_id == question.message_id and "Broadcast #" in (progress_edit.text or "")
    assert progress_edit.reply_markup is None

    report = await wait_record(server, EDITOR, is_report)
    assert "Delivered to 3 of 3 readers" in (report.text or "")
    for chat in (2001, 2002, 2003):
        assert received(server, chat) == [expected]
    assert received(server, 2004) == received(server, 2005) == []

    edits = [r for r in server.sent(chat_id=EDITOR, method="editMessageText") if r.message_id == question.message_id]
    assert "done" in (edits[-1].text or "") and "Sent 3 / 3" in (edits[-1].text or "")
    # Readers' chats are paced by the engine; the editor's own chat may meet a 429, which PTB's limiter retries.
    assert set(server.stats().flood_rejections_by_chat) <= {EDITOR}

    broadcast_id = broadcast_of(question)
    stored = await services.broadcasts.get(broadcast_id)
    assert stored is not None and stored.status == BroadcastStatus.DONE and stored.text == expected
    [sent] = await services.audit.recent(action="broadcast.send")
    assert (sent.actor_id, sent.target, sent.details, sent.allowed) == (
        EDITOR,
        str(broadcast_id),
        {"recipients": 3},
        True,
    )


@pytest.mark.limits(None)
async def test_a_reply_keeps_its_formatting(harness: Harness) -> None:
    await subscribe(harness.services, harness.server, 2001)
    [help_reply] = await harness.say(EDITOR, "/help")  # a message with bold in it, to broadcast as is
    before = len(harness.server.sent(chat_id=EDITOR, method="sendMessage"))
    harness.server.send_user_message(EDITOR, "/broadcast", reply_to_message_id=help_reply.message_id)
    preview, question = await harness.wait_messages(EDITOR, before, 2)
    assert preview.html is not None and preview.html.startswith("<b>What I can do</b>")
    await harness.press(EDITOR, question.message_id, data(question, "bc:", True), edits=1)
    await wait_record(harness.server, EDITOR, is_report)
    assert received(harness.server, 2001) == [preview.html]


@pytest.mark.limits(None)
async def test_broadcast_without_text_explains_itself(harness: Harness) -> None:
    [reply] = await harness.say(EDITOR, "/broadcast")
    assert reply.text == render.BROADCAST_USAGE
    assert await harness.services.broadcasts.unfinished() == []


@pytest.mark.limits(None)
async def test_a_double_confirm_sends_once(harness: Harness) -> None:
    services, server = harness.services, harness.server
    await subscribe(services, server, *range(2001, 2006))
    _, question = await draft(harness, "/broadcast Once only")
    ok = data(question, "bc:", True)
    assert question.message_id is not None
    server.press_button(EDITOR, question.message_id, ok)
    server.press_button(EDITOR, question.message_id, ok)  # before the first press removed the buttons
    await server.wait_for(lambda _: len(server.callback_answers()) == 2)
    answers = sorted(a.text or "" for a in server.callback_answers())
    assert answers == sorted([render.SENDING_NOW, render.ALREADY_SENT])
    await wait_record(server, EDITOR, is_report)

    assert await harness.press(EDITOR, question.message_id, ok, forge=True) == []
    assert harness.last_answer_text() == render.ALREADY_FINISHED
    for chat in range(2001, 2006):
        assert received(server, chat) == ["Once only"]
    assert len(await services.audit.recent(action="broadcast.send")) == 1
    assert len([r for r in server.sent(chat_id=EDITOR) if is_report(r)]) == 1


@pytest.mark.limits(None)
async def test_cancel_under_the_preview_sends_nothing(harness: Harness) -> None:
    services, server = harness.services, harness.server
    await subscribe(services, server, 2001)
    _, question = await draft(harness, "/broadcast Not yet")
    [edit] = await harness.press(EDITOR, question.message_id, data(question, "bc:", False), edits=1)
    assert "Nothing was sent" in (edit.text or "") and edit.reply_markup is None
    await harness.press(EDITOR, question.message_id, data(question, "bc:", True), forge=True)
    assert harness.last_answer_text() == render.ALREADY_CANCELLED
    await asyncio.sleep(0.3)
    assert received(server, 2001) == []
    [cancelled] = await services.audit.recent(action="broadcast.cancel")
    assert cancelled.details == {"stage": "draft"}


@pytest.mark.limits(None)
@pytest.mark.settings(DELIVERY_RATE=10)
async def test_cancel_mid_way_stops_the_rest_and_keeps_what_was_sent(harness: Harness) -> None:
    services, server = harness.services, harness.server
    readers = range(3001, 3061)
    await subscribe(services, server, *readers)
    _, question = await draft(harness, "/broadcast Stop me")
    await harness.press(EDITOR, question.message_id, data(question, "bc:", True), edits=1)
    await server.wait_for(lambda rs: len([r for r in rs if r.chat_id in readers]) >= 3, method="sendMessage")

    [reply] = await harness.say(EDITOR, "/cancel")
    assert reply.text == render.cancelling(broadcast_of(question))
    report = await wait_record(server, EDITOR, is_report, timeout=10)
    assert "cancelled" in (report.text or "")
    await asyncio.sleep(0.3)

    got = [chat for chat in readers if received(server, chat)]
    assert all(received(server, chat) == ["Stop me"] for chat in got)
    broadcast = await services.broadcasts.latest_finished()
    assert broadcast is not None and broadcast.status == BroadcastStatus.CANCELLED
    tally = await services.broadcasts.tally(broadcast.id)
    assert 3 <= tally.sent == len(got) < len(readers)
    assert tally.skipped == len(readers) - len(got) and tally.pending == tally.sending == 0
    assert f"It reached {len(got)} of 60 readers" in (report.text or "")
    [cancelled] = await services.audit.recent(action="broadcast.cancel")
    assert cancelled.actor_id == EDITOR and cancelled.target == str(broadcast.id)

    [again] = await harness.say(EDITOR, "/cancel")
    assert again.text == render.NOTHING_TO_CANCEL


async def test_restart_mid_broadcast_resumes_and_nobody_gets_it_twice(tmp_path: Path) -> None:
    readers = range(4001, 4041)
    async with BotApiServer(limits=None) as server:
        settings = load_settings(
            {"ADMIN_IDS": str(EDITOR)},
            telegram_bot_token=server.token,
            telegram_api_url=server.url,
            briefing_db=tmp_path / "bot.db",
            delivery_rate=20,
        )
        clock = ManualClock(START)
        first = build_application(settings, clock=clock)
        async with running(first, poll_timeout=1):
            services = first.bot_data.services
            assert services is not None
            await subscribe(services, server, *readers)
            server.send_user_message(EDITOR, "/broadcast Survives restarts")
            _, question = await server.wait_for(chat_id=EDITOR, count=2)
            assert question.message_id is not None
            server.press_button(EDITOR, question.message_id, data(question, "bc:", True))
            await server.wait_for(lambda rs: len([r for r in rs if r.chat_id in readers]) >= 5, method="sendMessage")
        before = sum(len(received(server, chat)) for chat in readers)
        assert before < len(readers), "the broadcast finished before the restart"

        second = build_application(settings, clock=clock)
        async with running(second, poll_timeout=1):
            assert await resume_progress(second) <= 1  # none once the application calls it in post_init
            assert await resume_progress(second) == 0  # idempotent
            resumed = await wait_record(server, EDITOR, lambda r: "restarted" in (r.text or ""))
            report = await wait_record(server, EDITOR, is_report, timeout=10)
            assert "Delivered to 40 of 40 readers" in (report.text or "")
            edits = [
                r for r in server.sent(chat_id=EDITOR, method="editMessageText") if r.message_id == resumed.message_id
            ]
            assert edits and "done" in (edits[-1].text or "")

    per_reader = Counter(
        r.chat_id for r in server.sent(method="sendMessage") if r.text == "Survives restarts" and r.chat_id != EDITOR
    )
    assert per_reader == Counter(dict.fromkeys(readers, 1))


# --- publishing ----------------------------------------------------------------------------------


def is_outline(record: SentRecord) -> bool:
    return any(d and d.startswith("pub:") for _, d in buttons(record))


@pytest.mark.limits(None)
async def test_a_pasted_issue_gets_the_offer_to_publish_and_no_search(harness: Harness) -> None:
    [outline] = await harness.say(EDITOR, SHORT_ISSUE.read_text())
    assert is_outline(outline) and "Date: Friday, October 11, 2024" in (outline.text or ""), outline.text
    # Updates are handled in order: the next command's reply comes next, so no search reply came in between.
    [help_reply] = await harness.say(EDITOR, "/help")
    assert (help_reply.text or "").startswith("What I can do"), help_reply.text
    assert await harness.services.digests.count(status=None) == 0, "nothing is stored before Publish"

    # Plain text that is not an issue still gets the reader's reply, from an editor too; so does a reader's paste.
    [search] = await harness.say(EDITOR, "Putin NATO")
    assert "“Putin NATO”" in (search.text or "") and not is_outline(search), search.text
    [reader_reply] = await harness.say(READER, SHORT_ISSUE.read_text())
    assert not is_outline(reader_reply) and "Nothing found" in (reader_reply.text or ""), reader_reply.text


@pytest.mark.limits(None)
async def test_publish_as_a_reply_to_the_issue_text(harness: Harness) -> None:
    server, services = harness.server, harness.services
    issue = server.send_user_message(EDITOR, SHORT_ISSUE.read_text())
    server.send_user_message(EDITOR, "/publish", reply_to_message_id=issue["message_id"])
    outline = await wait_record(server, EDITOR, is_outline)
    text = outline.text or ""
    assert "Date: Friday, October 11, 2024" in text
    assert "Headline: Putin goes to Turkmenistan" in text
    assert "story Russia’s counterattack in the Kursk region" in text
    assert await services.digests.count(status=None) == 0, "stored before Publish"

    await harness.press(EDITOR, outline.message_id, data(outline, "pub:", True))
    assert harness.last_answer_text() == render.PUBLISHED_ANSWER
    await wait_record(server, EDITOR, lambda r: (r.text or "").startswith("✅ Published"))
    latest = await services.digests.latest_published()
    assert latest is not None and str(latest.digest.date) == "2024-10-11"
    assert server.sent(chat_id=EDITOR, method="editMessageReplyMarkup"), "the buttons stay after Publish"
    [entry] = await services.audit.recent(action="issue.publish")
    assert (entry.actor_id, entry.target) == (EDITOR, str(latest.id))
    assert entry.details is not None and entry.details["date"] == "2024-10-11"

    await harness.press(EDITOR, outline.message_id, data(outline, "pub:", True), forge=True)
    assert harness.last_answer_text() == render.UPLOAD_EXPIRED


@pytest.mark.limits(None)
@pytest.mark.parametrize(
    ("name", "content", "mime", "date", "headline"),
    [
        ("issue.txt", LONG_ISSUE.read_bytes(), "text/plain", "Friday, January 7, 2022", "Kazakhstan’s ‘terrorists’"),
        ("issue.md", MARKDOWN_ISSUE.encode(), "text/markdown", "Friday, January 7, 2022", "Putin signs a new law"),
        (
            "page.html",
            (FIXTURES / "pages" / "real-russia-today-2024-07-11.html").read_bytes(),
            "text/html",
            "Thursday, July 11, 2024",
            "CNN reports Russian assassination plot",
        ),
    ],
)
async def test_publish_a_document(
    harness: Harness, name: str, content: bytes, mime: str, date: str, headline: str
) -> None:
    harness.server.send_user_document(EDITOR, name, content, mime)
    outline = await wait_record(harness.server, EDITOR, is_outline)
    assert f"Parsed {name}" in (outline.text or "")
    assert f"Date: {date}" in (outline.text or "") and headline in (outline.text or "")
    await harness.press(EDITOR, outline.message_id, data(outline, "pub:", True), replies=1)
    latest = await harness.services.digests.latest_published()
    assert latest is not None and latest.digest.source == name


@pytest.mark.limits(None)
@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("issue.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary data"),
        ("issue.txt", b"  \n\n ", "empty"),
        ("notes.md", b"Remember to buy milk.\nAnd call Anna.", "no items found"),
        ("issue.pdf", b"%PDF-1.7", "is none of those"),
    ],
)
async def test_a_bad_document_is_explained_and_nothing_is_stored(
    harness: Harness, name: str, content: bytes, reason: str
) -> None:
    harness.server.send_user_document(EDITOR, name, content, "application/octet-stream")
    [reply] = await harness.wait_messages(EDITOR, 0, 1)
    assert (reply.text or "").startswith("❌ I could not read")
    assert name in (reply.text or "") and reason in (reply.text or "") and "Nothing was stored" in (reply.text or "")
    assert await harness.services.digests.count(status=None) == 0


@pytest.mark.limits(None)
async def test_cancel_an_upload_then_withdraw_a_published_issue(harness: Harness) -> None:
    server, services = harness.server, harness.services
    server.send_user_document(EDITOR, "issue.txt", SHORT_ISSUE.read_bytes(), "text/plain")
    outline = await wait_record(server, EDITOR, is_outline)
    [reply] = await harness.press(EDITOR, outline.message_id, data(outline, "pub:", False), replies=1)
    assert reply.text == render.DISCARDED
    assert await services.digests.count(status=None) == 0

    [reply] = await harness.say(EDITOR, "/withdraw")
    assert reply.text == render.NOTHING_TO_WITHDRAW

    server.send_user_document(EDITOR, "issue.txt", SHORT_ISSUE.read_bytes(), "text/plain")
    await server.wait_for(lambda rs: len([r for r in rs if is_outline(r)]) == 2, chat_id=EDITOR)
    outline = [r for r in server.sent(chat_id=EDITOR) if is_outline(r)][-1]
    await harness.press(EDITOR, outline.message_id, data(outline, "pub:", True), replies=1)
    published = await services.digests.latest_published()
    assert published is not None

    [question] = await harness.say(EDITOR, "/withdraw")
    assert f"#{published.id}" in (question.text or "")
    [reply] = await harness.press(EDITOR, question.message_id, data(question, "wd:", True), replies=1)
    assert (reply.text or "").startswith("🗑 Withdrew") and f"#{published.id}" in (reply.text or "")
    assert await services.digests.latest_published() is None
    withdrawn = await services.digests.get(published.id)
    assert withdrawn is not None and withdrawn.status == DigestStatus.WITHDRAWN
    [entry] = await services.audit.recent(action="issue.withdraw")
    assert (entry.actor_id, entry.target) == (EDITOR, str(published.id))

    # Publishing the same text again brings it back.
    server.send_user_document(EDITOR, "issue.txt", SHORT_ISSUE.read_bytes(), "text/plain")
    await server.wait_for(lambda rs: len([r for r in rs if is_outline(r)]) == 3, chat_id=EDITOR)
    outline = [r for r in server.sent(chat_id=EDITOR) if is_outline(r)][-1]
    [reply] = await harness.press(EDITOR, outline.message_id, data(outline, "pub:", True), replies=1)
    assert "back" in (reply.text or "")
    latest = await services.digests.latest_published()
    assert latest is not None and latest.id == published.id


@pytest.mark.limits(None)
async def test_a_forged_publish_token_has_expired(harness: Harness) -> None:
    [reply] = await harness.say(EDITOR, "/publish")
    assert reply.text == render.PUBLISH_USAGE
    await harness.press(EDITOR, reply.message_id, encode(PublishDecision("nosuchtoken", True)), forge=True)
    assert harness.last_answer_text() == render.UPLOAD_EXPIRED


# --- statistics ----------------------------------------------------------------------------------


@pytest.mark.limits(None)
async def test_stats_text_and_chart(harness: Harness) -> None:
    services, server = harness.services, harness.server
    await subscribe(services, server, 2001, 2002, 2003, 2004)
    await services.subscribers.set_status(2004, SubscriberStatus.BLOCKED)
    text, photo = await harness.say(EDITOR, "/stats", replies=2)
    assert "active 3 · paused 0 · blocked 1 · left 0" in (text.text or "")
    assert "+4 new, −1 lost" in (text.text or "")
    assert "08:00 — 3" in (text.text or "")
    assert photo.method == "sendPhoto" and photo.media is not None
    assert photo.media.kind == "photo" and photo.media.size > 1000


@pytest.mark.settings(DEFAULT_TIMEZONE="Europe/Moscow")
async def test_stats_show_times_in_the_publishers_timezone(harness: Harness) -> None:
    services = harness.services
    eight_utc = START.replace(hour=8)  # 11:00 in Moscow
    for chat_id in (2001, 2002):
        await services.subscribers.upsert_on_start(chat_id, user_id=chat_id, next_delivery_at=eight_utc)
    text, _ = await harness.say(EDITOR, "/stats", replies=2)
    shown = text.text or ""
    assert "Statistics · Mar 2, 2026 09:00 MSK (Europe/Moscow)" in shown, shown  # 06:00 UTC
    assert "Mar 2, 2026 11:00 MSK — 2 readers" in shown and "done by 11:00 MSK" in shown, shown
    assert "UTC" not in shown


def test_briefing_stats_prints_the_same_figures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db_path = tmp_path / "bot.db"

    async def prepare() -> None:
        async with await Database.open(db_path) as db:
            subscribers = SubscriberRepository(db)
            for chat_id in (1, 2, 3):
                await subscribers.upsert_on_start(chat_id)
            await subscribers.set_status(3, SubscriberStatus.LEFT)

    asyncio.run(prepare())
    assert cli_main(["stats", "--json", "--db", str(db_path)]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["subscribers"] == {"active": 2, "paused": 0, "blocked": 0, "left": 1}
    assert figures["last_days"] == {"days": 7, "new": 3, "lost": 1}
    assert figures["readers_by_delivery_hour"] == {"08": 2}
    assert figures["last_broadcast"] is None
    assert len(figures["subscribed_by_day"]) == 30 and figures["subscribed_by_day"][-1]["subscribed"] == 2

    assert cli_main(["stats", "--db", str(db_path)]) == 0
    out = capsys.readouterr().out
    assert "active 2 · paused 0 · blocked 0 · left 1" in out and "Last broadcast\n  None yet." in out

    # With DEFAULT_TIMEZONE set, the text shows its times there and names the zone; the JSON keeps ISO 8601
    # instants with their offset.
    monkeypatch.setenv("DEFAULT_TIMEZONE", "Europe/Moscow")
    assert cli_main(["stats", "--db", str(db_path)]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^Statistics at \w{3} \d{1,2}, \d{4} \d\d:\d\d MSK \(Europe/Moscow\)$", out, re.M), out
    assert "UTC" not in out
    assert cli_main(["stats", "--json", "--db", str(db_path)]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert dt.datetime.fromisoformat(figures["at"]).utcoffset() is not None
