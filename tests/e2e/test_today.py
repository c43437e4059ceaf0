"""What "today" means to a reader: only today's issue (the publisher's date) is ever shown as today's.

Before today's issue is out, or after an editor withdrew it, /today says so and offers the latest issue by
its date (and the archive); inline mode and deep links never pass an older issue off as today's either.
"""

from __future__ import annotations

import pytest

from bot.render.callbacks import ArchivePage, OpenItem, OpenOverview, decode, encode
from bot.sources.ingest import ingest_text
from tests.e2e.test_editor_first_day import TODAY_TEXT
from tests.harness import EDITOR, OTHER_READER, READER, Harness, buttons
from tests.reading_fixtures import OCT_11, load

TODAY = "Monday, March 2, 2026"
OLDER = "Friday, October 11, 2024"
TODAYS_HEADLINE = "Kazakhstan’s ‘terrorists’ are now to be shot on sight"
"""The first words of today's issue (the January 7, 2022 sample re-dated to the harness's Monday)."""


async def archive_and_today(harness: Harness) -> tuple[int, int]:
    """An archive issue (October 11, 2024) and today's, both published; their ids."""
    services = harness.services
    [older] = await load(services.db, services.digests, OCT_11)
    report = await ingest_text(services.db, services.digests, TODAY_TEXT, source="today.txt")
    assert report.digest_id is not None and report.digest_id == await services.digests.todays_issue_id()
    return older, report.digest_id


async def withdraw_today(harness: Harness) -> None:
    [question] = await harness.say(EDITOR, "/withdraw")
    assert TODAY in (question.text or "")
    [data] = [d for text, d in buttons(question) if "Withdraw" in text and d]
    [done] = await harness.press(EDITOR, question.message_id, data, replies=1)
    assert (done.text or "").startswith("🗑 Withdrew")


@pytest.mark.limits(None)
async def test_today_after_todays_issue_is_withdrawn_offers_the_latest_by_its_date(harness: Harness) -> None:
    older, _ = await archive_and_today(harness)
    first = await harness.say(READER, "/today", replies=3)
    assert (first[0].text or "").startswith(TODAYS_HEADLINE)

    await withdraw_today(harness)
    [reply] = await harness.say(OTHER_READER, "/today")
    text = reply.text or ""
    assert "withdrawn" in text and TODAY in text, text
    assert OLDER in text, text  # the latest issue, named by its date
    assert "Russia’s counterattack in the Kursk region" not in text  # and offered, not shown as today's
    assert [decode(data) for _, data in buttons(reply)] == [OpenOverview(older), ArchivePage(1)]
    label = buttons(reply)[0][0]
    assert "Oct 11, 2024" in label, label

    # A number is today's piece: none today, so the latest issue's, named by its date.
    [number] = await harness.say(OTHER_READER, "/opinion 1")
    assert (number.text or "").startswith(f"There are no opinions in the issue of {OLDER}."), number.text

    [issue] = await harness.press(OTHER_READER, reply.message_id, encode(OpenOverview(older)), replies=1)
    assert OLDER in (issue.text or "") and "Russia’s counterattack in the Kursk region" in (issue.text or "")
    opened = [action for action in (decode(d) for _, d in buttons(issue)) if isinstance(action, OpenItem)]
    assert opened and {action.digest_id for action in opened} == {older}


@pytest.mark.limits(None)
async def test_today_before_todays_issue_is_out_says_so(harness: Harness) -> None:
    services = harness.services
    [older] = await load(services.db, services.digests, OCT_11)
    [reply] = await harness.say(READER, "/today")
    text = reply.text or ""
    assert "no issue for today" in text.lower() and "withdrawn" not in text, text
    assert OLDER in text and TODAY in text, text
    assert [decode(data) for _, data in buttons(reply)] == [OpenOverview(older), ArchivePage(1)]


@pytest.mark.limits(None)
async def test_inline_mode_and_deep_links_never_pass_an_older_issue_off_as_today(harness: Harness) -> None:
    older, _ = await archive_and_today(harness)
    await withdraw_today(harness)

    harness.server.send_inline_query(READER, "")
    await harness.server.wait_for(method="answerInlineQuery")
    [answer] = harness.server.inline_answers()
    assert answer.results, "the latest issue's pieces are still offered"
    assert all(r["id"].startswith(f"{older}-") for r in answer.results), answer.results
    assert all("Oct 11, 2024" in r["description"] for r in answer.results), answer.results  # labelled by date

    _, reply = await harness.say(OTHER_READER, "/start issue-2026-03-02", replies=2)
    assert "no issue from" in (reply.text or "") and TODAY in (reply.text or ""), reply.text
    assert "Russia’s counterattack in the Kursk region" not in (reply.text or "")
