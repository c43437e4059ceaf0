"""Broadcasting and publishing without Telegram: each step once, audited, and nothing stored on failure."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.features import broadcasting, publishing
from bot.features.publishing import PendingIssues, UploadError
from bot.features.services import Services
from storage import BroadcastStatus, Database, DigestStatus, SaveOutcome
from tests.harness import present
from tests.storage_fixtures import make_clock, make_digest

FIXTURES = Path(__file__).parents[1] / "fixtures"


@pytest.fixture
async def services() -> AsyncIterator[Services]:
    clock = make_clock()
    db = await Database.open(":memory:", clock=clock)
    try:
        services = Services.over(db, load_settings({"ADMIN_IDS": "7,8"}), clock)
        for chat_id in (1, 2, 3):
            await services.subscribers.upsert_on_start(chat_id)
        await services.subscribers.update_preferences(3, breaking_alerts=False)
        yield services
    finally:
        await db.close()


async def test_a_broadcast_is_confirmed_once_and_audited(services: Services) -> None:
    draft = await broadcasting.draft(services, 7, "<b>Breaking</b> news")
    assert draft.recipients == 2 and [p.html for p in draft.parts] == ["<b>Breaking</b> news"]
    first = await broadcasting.confirm(services, draft.broadcast.id, 7)
    second = await broadcasting.confirm(services, draft.broadcast.id, 8)
    assert (first.outcome, first.recipients, second.outcome) == (
        broadcasting.Confirmed.STARTED,
        2,
        broadcasting.Confirmed.ALREADY_SENT,
    )
    assert (await broadcasting.confirm(services, 999, 7)).outcome is broadcasting.Confirmed.UNKNOWN
    [entry] = await services.audit.recent(action="broadcast.send")
    assert (entry.actor_id, entry.target, entry.details) == (7, str(draft.broadcast.id), {"recipients": 2})
    assert not await broadcasting.discard(services, draft.broadcast.id, 7), "a sending broadcast is not a draft"


async def test_markup_telegram_would_refuse_is_not_stored(services: Services) -> None:
    with pytest.raises(ValueError):
        await broadcasting.draft(services, 7, "<b>unclosed")
    assert await services.broadcasts.get(1) is None


async def test_a_discarded_draft_cannot_be_confirmed(services: Services) -> None:
    draft = await broadcasting.draft(services, 7, "Oops")
    assert await broadcasting.discard(services, draft.broadcast.id, 7)
    assert (await broadcasting.confirm(services, draft.broadcast.id, 7)).outcome is broadcasting.Confirmed.CANCELLED
    [entry] = await services.audit.recent(action="broadcast.cancel")
    assert entry.details == {"stage": "draft"}


async def test_stop_prefers_the_editors_own_newest_broadcast(services: Services) -> None:
    assert await broadcasting.stop(services, 7) is None
    ids = []
    for editor in (8, 7, 7):
        draft = await broadcasting.draft(services, editor, f"from {editor}")
        await broadcasting.confirm(services, draft.broadcast.id, editor)
        ids.append(draft.broadcast.id)
    stopped = await broadcasting.stop(services, 7)
    assert stopped is not None and stopped.id == ids[2]
    assert present(await broadcasting.stop(services, 7)).id == ids[1]
    assert present(await broadcasting.stop(services, 7)).id == ids[0]  # anyone's, then
    assert await broadcasting.stop(services, 7) is None
    entries = await services.audit.recent(action="broadcast.cancel")
    assert [e.target for e in entries] == [str(i) for i in ids]
    assert entries[0].details == {"stage": "sending", "sent": 0, "not_sent": 2}
    assert {present(await services.broadcasts.get(i)).status for i in ids} == {BroadcastStatus.CANCELLED}


@pytest.mark.parametrize(
    ("name", "size", "reason"),
    [
        ("issue.pdf", 10, "is none of those"),
        (None, 10, "the file"),
        ("issue.txt", 0, "empty"),
        ("issue.txt", 50 * 1024 * 1024, "KB"),
    ],
)
def test_uploads_refused_before_download(name: str | None, size: int, reason: str) -> None:
    with pytest.raises(UploadError, match=reason):
        publishing.check_upload(name, size)


def test_accepted_uploads() -> None:
    for name in ("a.txt", "A.MD", "b.markdown", "c.html", "d.htm", "e.eml"):
        assert publishing.check_upload(name, 100) == name


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("x.txt", b"\x00\x01\x02binary", "binary data"),
        ("x.txt", b"", "empty"),
        ("x.md", b"just a note", "no items found"),
        ("x.html", b"<html><body><nav>Menu</nav></body></html>", "no article text|no text|no items found"),
    ],
)
def test_unreadable_uploads(name: str, data: bytes, reason: str) -> None:
    with pytest.raises(UploadError, match=reason) as caught:
        publishing.issue_from_upload(data, name)
    assert not str(caught.value).startswith(name), "the reply names the file itself"


def test_readable_uploads() -> None:
    digest = publishing.issue_from_upload((FIXTURES / "real-russia-today-2024-10-11.txt").read_bytes(), "a.txt").digest
    assert str(digest.date) == "2024-10-11" and digest.source == "a.txt"
    page = (FIXTURES / "pages" / "real-russia-today-2024-07-11.html").read_bytes()
    assert str(publishing.issue_from_upload(page, "p.html").digest.date) == "2024-07-11"
    mail = (FIXTURES / "corpus" / "newsletters" / "dev" / "simonw-2024-07-24.eml").read_bytes()
    parsed = publishing.issue_from_upload(mail, "issue.eml")
    assert parsed.digest.title == "Llama 3.1, now available in LLM"


def test_an_undated_upload_published_now_is_dated_today_and_says_so() -> None:
    text = b"# A headline\n\n## A story\n\nSome text of the story. More of it."
    parsed = publishing.issue_from_upload(text, "a.md", today=dt.date(2026, 12, 1))
    assert parsed.digest.date == dt.date(2026, 12, 1)
    assert publishing.guessed_fields(parsed)["date"] == "today (no date printed)"
    assert any("dated today" in warning for warning in parsed.warnings)


def test_pending_issues_keep_the_last_few() -> None:
    pending = PendingIssues()
    tokens = [pending.add(make_digest(extra=str(n))) for n in range(publishing.PENDING_PER_CHAT + 1)]
    assert len(set(tokens)) == len(tokens)
    assert pending.pop(tokens[0]) is None  # the oldest expired
    assert pending.pop(tokens[-1]) == make_digest(extra=str(publishing.PENDING_PER_CHAT))
    assert pending.pop(tokens[-1]) is None  # a second Publish finds nothing


async def test_publish_withdraw_and_publish_again(services: Services) -> None:
    assert await publishing.to_withdraw(services, None) is None
    digest = make_digest()
    first = await publishing.publish(services, digest, 7)
    assert (first.outcome, first.republished) == (SaveOutcome.CREATED, False)
    named = await publishing.to_withdraw(services, None)
    assert named is not None and named.id == first.digest_id
    withdrawn = await publishing.withdraw(services, named.id, 7)
    assert withdrawn is not None and withdrawn.id == first.digest_id
    assert await publishing.withdraw(services, named.id, 7) is None  # exactly that one, once
    assert await services.digests.latest_published() is None
    again = await publishing.publish(services, digest, 8)
    assert (again.digest_id, again.outcome, again.republished) == (first.digest_id, SaveOutcome.UNCHANGED, True)
    stored = await services.digests.get(first.digest_id)
    assert stored is not None and stored.status == DigestStatus.PUBLISHED
    actions = [(e.actor_id, e.action) for e in await services.audit.recent()]
    assert actions == [(8, "issue.publish"), (7, "issue.withdraw"), (7, "issue.publish")]


async def test_publishing_from_the_chat_sends_at_once_to_readers_whose_time_has_passed(services: Services) -> None:
    import datetime as dt

    now_local = services.clock.now().time()
    earlier = (dt.datetime.combine(dt.date.today(), now_local) - dt.timedelta(hours=1)).time().replace(second=0)
    later = (dt.datetime.combine(dt.date.today(), now_local) + dt.timedelta(hours=1)).time().replace(second=0)
    await services.subscribers.upsert_on_start(11, delivery_time=earlier)
    await services.subscribers.upsert_on_start(12, delivery_time=later)
    published = await publishing.publish(services, make_digest(), editor_id=9001)
    assert await services.deliveries.status(published.digest_id, 11) is not None
    assert await services.deliveries.status(published.digest_id, 12) is None


async def test_the_briefing_is_named_by_the_setting_else_by_the_latest_issue(db, clock) -> None:
    from bot.config import load_settings
    from bot.features.services import Services
    from bot.render.replies import welcome

    services = Services.over(db, load_settings({}), clock)
    assert await services.newsletter_name() is None
    assert "a daily news briefing" in welcome("Ann", "08:00", "UTC")
    digest = publishing.issue_from_upload((FIXTURES / "real-russia-today-2024-10-11.txt").read_bytes(), "a.txt").digest
    async with db.atomic():
        await services.digests.save(digest, publish=True)
    assert await services.newsletter_name() == "This was Russia today"
    named = Services.over(db, load_settings({"NEWSLETTER_NAME": "The Morning Wire"}), clock)
    assert await named.newsletter_name() == "The Morning Wire"
    assert "<b>The Morning Wire</b> — a daily briefing" in welcome("Ann", "08:00", "UTC", newsletter="The Morning Wire")
