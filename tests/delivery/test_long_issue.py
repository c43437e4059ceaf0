"""MAX_ISSUE_MESSAGES (issue #14): a 1 MB issue was 285 messages per reader; now it is headlines with buttons."""

from __future__ import annotations

import datetime as dt

from bot.digest.model import Digest, Item, ItemKind, Section
from bot.render.digest import BUTTONS_PER_MESSAGE, render_issue
from bot.render.editor import render_outline
from bot.render.html import MESSAGE_LIMIT, visible_len
from bot.rules.preferences import Format
from storage import DeliveryStatus
from tests.delivery.test_engine import Rig, run


def huge_issue(items: int = 853) -> Digest:
    """About 1 MB: 853 pieces of ~1,200 characters, in sections of 50."""
    body = ("Paragraph of the piece, long enough to read like news copy. " * 20,)
    pieces = [
        Item(
            kind=ItemKind.OPINION if n % 3 == 0 else ItemKind.STORY,
            title=f"Piece number {n} about something that happened",
            author="Kevin Rothrock" if n % 3 == 0 else None,
            body=body,
        )
        for n in range(items)
    ]
    sections = tuple(
        Section(f"Section {start // 50 + 1}", tuple(pieces[start : start + 50])) for start in range(0, items, 50)
    )
    return Digest(
        newsletter="The Huge Daily",
        date=dt.date(2026, 3, 2),
        title="Everything",
        summary="All of it.",
        source="huge.txt",
        sections=sections,
    )


def test_a_huge_issue_becomes_headlines_within_the_limit() -> None:
    digest = huge_issue()
    full = render_issue(digest, digest_id=1, fmt=Format.FULL)
    assert len(full) > 100  # what readers got before
    parts = render_issue(digest, digest_id=1, fmt=Format.FULL, max_messages=12)
    assert len(parts) <= 12
    for part in parts:
        assert visible_len(part.html) <= MESSAGE_LIMIT
        assert part.keyboard is not None
        assert sum(len(row) for row in part.keyboard.rows) <= BUTTONS_PER_MESSAGE
    assert "more in this issue" in parts[-1].html
    # Short issues are untouched.
    small = huge_issue(5)
    assert render_issue(small, digest_id=1, fmt=Format.FULL, max_messages=12) == render_issue(
        small, digest_id=1, fmt=Format.FULL
    )


def test_the_preview_says_a_long_issue_goes_out_as_headlines() -> None:
    [first, *_] = render_outline(huge_issue(), "tok", max_messages=12)
    assert "MAX_ISSUE_MESSAGES (12)" in first.html and "headlines" in first.html
    [short, *_] = render_outline(huge_issue(5), "tok", max_messages=12)
    assert "MAX_ISSUE_MESSAGES" not in short.html


async def test_the_engine_sends_a_huge_issue_in_at_most_max_messages(rig: Rig) -> None:
    result = await rig.services.digests.save(huge_issue())
    assert result.digest_id is not None
    await rig.readers(1, 2, fmt=Format.FULL)
    await rig.services.deliveries.enqueue_active(result.digest_id)
    rig.server.set_limits(None)  # pacing is not the point here; the message count is
    engine = rig.engine(rate=200, max_issue_messages=12, chat_burst=20, chat_interval=0.01)
    await run(engine, result.digest_id)
    for chat_id in (1, 2):
        delivery = await rig.services.deliveries.status(result.digest_id, chat_id)
        assert delivery is not None and delivery.status == DeliveryStatus.SENT
        assert 1 < len(rig.received(chat_id)) <= 12
    assert rig.server.stats().errors == {}
