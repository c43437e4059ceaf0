"""``briefing push``: the operator's decision reaches everyone who has not had the issue, and says so truly."""

from __future__ import annotations

from pathlib import Path

from bot.config import load_settings
from bot.delivery.push import push_issue
from bot.rules.preferences import Format
from bot.sandbox.server import BotApiServer
from bot.sources.ingest import ingest_text
from storage import Database, DeliveryRepository, DeliveryStatus, DigestRepository, SubscriberRepository
from tests.harness import present

FIXTURE = Path(__file__).parents[1] / "fixtures" / "real-russia-today-2024-07-11.txt"


async def test_push_reaches_readers_the_skip_policy_skipped_and_reports_true_numbers(tmp_path: Path) -> None:
    async with BotApiServer(limits=None) as server, await Database.open(tmp_path / "push.db") as db:
        report = await ingest_text(db, DigestRepository(db), FIXTURE.read_text(), source="fixture")
        digest_id = report.digest_id
        assert digest_id is not None
        subscribers, deliveries = SubscriberRepository(db), DeliveryRepository(db)
        had_it, skipped_a, skipped_b, blocked, plain = 1, 2, 3, 4, 5
        for chat in (had_it, skipped_a, skipped_b, blocked, plain):
            server.add_user(chat)
            await subscribers.upsert_on_start(chat, user_id=chat)
            await subscribers.update_preferences(chat, format=Format.HEADLINES)
        await deliveries.enqueue(digest_id, [had_it, skipped_a, skipped_b])
        await deliveries.claim(digest_id, limit=1)
        await deliveries.mark_sent(digest_id, had_it, [1])
        for chat in (skipped_a, skipped_b):  # what LATE_ISSUE_POLICY=skip leaves behind
            await deliveries.mark_skipped(digest_id, chat, "published after the reader's time")
        server.block_user(blocked)

        settings = load_settings({}, telegram_bot_token=server.token, telegram_api_url=server.url)
        pushed = await push_issue(db, settings, rate=200, progress=False)

        assert (pushed.sent, pushed.already, pushed.blocked, pushed.failed) == (3, 1, 1, 0)
        assert pushed.requeued == 2
        for chat in (skipped_a, skipped_b, plain):
            assert present(await deliveries.status(digest_id, chat)).status is DeliveryStatus.SENT
            assert len(server.sent(chat_id=chat, method="sendMessage")) == 1
        assert server.sent(chat_id=had_it, method="sendMessage") == []
        text = pushed.describe()
        assert "sent to 3 readers" in text and "1 blocked" in text and "0 failed" in text
        assert "1 had it already" in text and "2 the late-issue policy had skipped" in text
