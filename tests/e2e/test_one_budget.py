"""One sender, one budget (issue #14): replies and the delivery engine share the bot's 30 messages/s.

Before, replies were paced by PTB's rate limiter and the engine by its own, so a push during busy reading
drew 429s from a strict server. Now both take slots from one budget, replies first.
"""

from __future__ import annotations

from collections import Counter

import pytest

from storage import DigestFormat
from tests.harness import Harness
from tests.reading_fixtures import JAN_7, load

READERS = range(2001, 2151)
"""150 readers: five seconds of pushing at 30/s, past the server's one second of burst credit."""
ASKING = range(3001, 3041)
"""40 readers who ask for /help while the push runs."""


@pytest.mark.settings(DELIVERY_RATE="30")
async def test_replies_during_a_push_share_the_budget_and_go_first(harness: Harness) -> None:
    services = harness.services
    [digest_id] = await load(services.db, services.digests, JAN_7)
    for chat_id in [*READERS, *ASKING]:
        harness.server.add_user(chat_id)
        await services.subscribers.upsert_on_start(chat_id, user_id=chat_id)
        await services.subscribers.update_preferences(chat_id, format=DigestFormat.HEADLINES)
    await services.deliveries.enqueue(digest_id, list(READERS))
    services.delivery.wake()
    await harness.server.wait_for(count=20, method="sendMessage", timeout=10)  # the push is under way
    for chat_id in ASKING:
        harness.server.send_user_message(chat_id, "/help")
    for chat_id in ASKING:
        await harness.server.wait_for(chat_id=chat_id, count=1, method="sendMessage", timeout=20)

    def done(_: object) -> bool:
        return len([r for r in harness.server.sent(method="sendMessage") if r.chat_id in READERS]) >= len(READERS)

    await harness.server.wait_for(done, timeout=30)
    sent = harness.server.sent(method="sendMessage")
    assert harness.server.stats().flood_rejections == 0
    last_reply = max(i for i, r in enumerate(sent) if r.chat_id in ASKING)
    last_push = max(i for i, r in enumerate(sent) if r.chat_id in READERS)
    assert last_reply < last_push  # the people waiting went first
    assert all(r.text and r.text.startswith("What I can do") for r in sent if r.chat_id in ASKING)
    pushed = Counter(r.chat_id for r in sent if r.chat_id in READERS)
    assert set(pushed) == set(READERS) and set(pushed.values()) == {1}


async def test_a_burst_of_replies_into_one_chat_is_paced_instead_of_refused(harness: Harness) -> None:
    """An editor's preview and the question under it, then five more answers: seven messages into one chat
    at once, where Telegram allows about one a second after a burst of three (before: 429s, and failures)."""
    from tests.harness import EDITOR

    await harness.say(EDITOR, "/start")
    before = len(harness.server.sent(chat_id=EDITOR, method="sendMessage"))
    harness.server.send_user_message(EDITOR, "/broadcast Breaking: a test of the preview")
    for _ in range(5):
        harness.server.send_user_message(EDITOR, "/help")
    await harness.wait_messages(EDITOR, before, 7, timeout=20)
    assert harness.server.stats().flood_rejections == 0
