"""An editor's first day: nothing reaches readers by accident, and every step says what it will do.

/publish of something that is not an issue is refused with the reason; an archive issue is published to
the archive unless the editor asks to send it; a date after tomorrow is kept as a draft; /withdraw names
the issue and asks first, and /republish (or its button) undoes it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.cli import main as cli_main
from bot.render import editor as render
from bot.sandbox.records import SentRecord
from storage import DigestStatus
from tests.e2e.test_editor import FIXTURES, SHORT_ISSUE, is_outline, subscribe, wait_record
from tests.harness import EDITOR, Harness, buttons, present

LONG_ISSUE = FIXTURES / "the-real-russia-today-2022-01-07.txt"
TODAY_TEXT = LONG_ISSUE.read_text().replace("Friday, January 7, 2022", "Monday, March 2, 2026")
FUTURE_TEXT = SHORT_ISSUE.read_text().replace("October 11, 2024", "October 11, 2052")


def button(record: SentRecord, label: str) -> str:
    [found] = [d for text, d in buttons(record) if label in text and d]
    return found


async def outline_of(harness: Harness, text: str, count: int) -> SentRecord:
    harness.server.send_user_document(EDITOR, "issue.txt", text.encode(), "text/plain")
    await harness.server.wait_for(lambda rs: len([r for r in rs if is_outline(r)]) == count, chat_id=EDITOR)
    return [r for r in harness.server.sent(chat_id=EDITOR) if is_outline(r)][-1]


@pytest.mark.limits(None)
@pytest.mark.parametrize("text", ["Just a headline\n\nMarch 2, 2026\n", "Remember the milk, 2 March 2026."])
async def test_publish_of_an_issue_without_items_is_refused_with_the_reason(harness: Harness, text: str) -> None:
    issue = harness.server.send_user_message(EDITOR, text)
    harness.server.send_user_message(EDITOR, "/publish", reply_to_message_id=issue["message_id"])
    reply = await wait_record(harness.server, EDITOR, lambda r: "could not read" in (r.text or "") or is_outline(r))
    assert (reply.text or "").startswith("❌ I could not read"), reply.text
    assert "Nothing was stored" in (reply.text or "")
    assert not buttons(reply)
    assert await harness.services.digests.count(status=None) == 0


@pytest.mark.limits(None)
async def test_an_archive_issue_goes_to_the_archive_unless_the_editor_sends_it(harness: Harness) -> None:
    services, server = harness.services, harness.server
    await subscribe(services, server, 2001)
    await services.subscribers.update_preferences(2001, delivery_time="05:00")  # 06:00 now: their time passed
    outline = await outline_of(harness, SHORT_ISSUE.read_text(), 1)
    assert "before today" in (outline.text or "") and "not sent to readers" in (outline.text or "")
    assert "more than a year ago" in (outline.text or "")
    [reply] = await harness.press(EDITOR, outline.message_id, button(outline, "archive"), replies=1)
    assert "archive" in (reply.text or "") and "not sent" in (reply.text or "")
    assert await services.db.fetchval("SELECT count(*) FROM deliveries") == 0

    outline = await outline_of(harness, LONG_ISSUE.read_text(), 2)
    [reply] = await harness.press(EDITOR, outline.message_id, button(outline, "send it now"), replies=1)
    assert "on purpose" in (reply.text or "") and "1 reader" in (reply.text or ""), reply.text
    latest = await services.digests.todays_issue()
    assert latest is not None and latest.digest.date == dt.date(2022, 1, 7)


@pytest.mark.limits(None)
async def test_todays_issue_is_published_for_readers_and_a_far_future_one_kept_as_a_draft(harness: Harness) -> None:
    services = harness.services
    outline = await outline_of(harness, TODAY_TEXT, 1)
    assert "before today" not in (outline.text or "")
    [reply] = await harness.press(EDITOR, outline.message_id, button(outline, "Publish"), replies=1)
    assert (reply.text or "").startswith("✅ Published")

    outline = await outline_of(harness, FUTURE_TEXT, 2)
    assert "after tomorrow" in (outline.text or "") and "draft" in (outline.text or "")
    assert not [d for t, d in buttons(outline) if "Publish" in t]
    [reply] = await harness.press(EDITOR, outline.message_id, button(outline, "draft"), replies=1)
    assert "draft" in (reply.text or "")
    latest = await services.digests.latest_published()
    assert latest is not None and latest.digest.date == dt.date(2026, 3, 2)
    future = await services.digests.of_date(dt.date(2052, 10, 11))
    assert future is not None and future.status is DigestStatus.DRAFT


@pytest.mark.limits(None)
async def test_withdraw_names_the_issue_asks_first_and_can_be_undone(harness: Harness) -> None:
    services = harness.services
    for count, (text, label) in enumerate(((SHORT_ISSUE.read_text(), "archive"), (TODAY_TEXT, "Publish")), start=1):
        outline = await outline_of(harness, text, count)
        await harness.press(EDITOR, outline.message_id, button(outline, label), replies=1)
    today = await services.digests.of_date(dt.date(2026, 3, 2))
    older = await services.digests.of_date(dt.date(2024, 10, 11))
    assert today is not None and older is not None

    [question] = await harness.say(EDITOR, "/withdraw")
    assert f"#{today.id}" in (question.text or "") and "March 2, 2026" in (question.text or "")
    assert present(await services.digests.get(today.id)).status is DigestStatus.PUBLISHED
    [again] = await harness.say(EDITOR, "/withdraw")  # asking twice still names the same one
    assert f"#{today.id}" in (again.text or "")

    [done] = await harness.press(EDITOR, question.message_id, button(question, "Withdraw"), replies=1)
    assert (done.text or "").startswith("🗑 Withdrew") and f"#{today.id}" in (done.text or "")
    assert present(await services.digests.get(today.id)).status is DigestStatus.WITHDRAWN
    assert present(await services.digests.get(older.id)).status is DigestStatus.PUBLISHED
    # The second question's button names an issue already withdrawn: nothing else is taken down.
    await harness.press(EDITOR, again.message_id, button(again, "Withdraw"))
    assert harness.last_answer_text() == render.ALREADY_WITHDRAWN
    assert present(await services.digests.get(older.id)).status is DigestStatus.PUBLISHED

    [back] = await harness.press(EDITOR, done.message_id, button(done, "Republish"), replies=1)
    assert (back.text or "").startswith("↩️ Republished") and f"#{today.id}" in (back.text or "")
    assert present(await services.digests.get(today.id)).status is DigestStatus.PUBLISHED

    [question] = await harness.say(EDITOR, "/withdraw 2024-10-11")
    assert f"#{older.id}" in (question.text or "")
    [cancelled] = await harness.press(EDITOR, question.message_id, button(question, "Keep"), replies=1)
    assert present(await services.digests.get(older.id)).status is DigestStatus.PUBLISHED
    assert "Nothing was withdrawn" in (cancelled.text or "")
    [question] = await harness.say(EDITOR, "/withdraw 2024-10-11")
    await harness.press(EDITOR, question.message_id, button(question, "Withdraw"), replies=1)
    assert present(await services.digests.get(older.id)).status is DigestStatus.WITHDRAWN
    [back] = await harness.say(EDITOR, "/republish 2024-10-11")
    assert (back.text or "").startswith("↩️ Republished")
    assert present(await services.digests.get(older.id)).status is DigestStatus.PUBLISHED

    [reply] = await harness.say(EDITOR, "/withdraw 1999-01-01")
    assert "no published issue of" in (reply.text or "").lower()
    [reply] = await harness.say(EDITOR, "/withdraw someday")
    assert "YYYY-MM-DD" in (reply.text or "")


def test_publish_and_withdraw_on_the_command_line(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("BRIEFING_DB", str(tmp_path / "cli.db"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "future.txt").write_text(FUTURE_TEXT)
    assert cli_main(["ingest", "--quiet", str(SHORT_ISSUE), "future.txt"]) == 0
    assert "kept as a draft" in capsys.readouterr().out
    assert cli_main(["withdraw", "2024-10-11"]) == 0
    assert "withdrew" in capsys.readouterr().out.lower()
    assert cli_main(["withdraw", "2024-10-11"]) == 1
    assert "no published issue of 2024-10-11" in capsys.readouterr().err
    assert cli_main(["publish", "2024-10-11"]) == 0
    assert "published" in capsys.readouterr().out.lower()
    assert cli_main(["publish", "2052-10-11"]) == 0  # on purpose: the operator names the date
    assert "published" in capsys.readouterr().out.lower()
    assert cli_main(["publish", "2030-01-01"]) == 1
    assert "no issue of 2030-01-01" in capsys.readouterr().err
