"""Every button press is answered, and an edited message is never taken for a new editor command (issue #14)."""

from __future__ import annotations

import pytest

from bot.render import replies
from bot.render.callbacks import (
    BroadcastDecision,
    ChangeSetting,
    FollowAuthor,
    ForgetDecision,
    OpenOverview,
    PublishDecision,
    UnfollowAuthor,
    encode,
)
from tests.harness import EDITOR, READER, Harness


@pytest.mark.limits(None)
@pytest.mark.parametrize(
    "data",
    [
        encode(OpenOverview(1)),
        encode(BroadcastDecision(1, True)),
        encode(PublishDecision("tok", True)),
        encode(ChangeSetting("format", "full")),
        encode(FollowAuthor("abc")),
        encode(UnfollowAuthor("abc")),
        encode(ForgetDecision("tok", True)),
        "garbage",
    ],
    ids=str,
)
async def test_a_press_on_an_inline_mode_message_is_answered(harness: Harness, data: str) -> None:
    harness.server.press_inline_button(READER, "AgAAAB-inline-1", data)
    await harness.server.wait_for(lambda _: len(harness.server.callback_answers()) == 1, timeout=5)
    answer = harness.server.callback_answers()[0]
    assert answer.text  # the spinner stops, with a word on what to do


@pytest.mark.limits(None)
async def test_an_edited_editor_command_is_ignored_without_a_misleading_reply(harness: Harness) -> None:
    await harness.say(EDITOR, "/start")
    before = len(harness.server.sent(chat_id=EDITOR, method="sendMessage"))
    original = harness.server.send_user_message(EDITOR, "Hello")["message_id"]
    await harness.wait_messages(EDITOR, before, 1)
    before = len(harness.server.sent(chat_id=EDITOR, method="sendMessage"))
    harness.server.edit_user_message(EDITOR, original, "/broadcast Breaking: the edited text")
    [answer] = await harness.wait_messages(EDITOR, before, 1)
    assert "I don't know" not in (answer.text or "")
    assert "/broadcast" in (answer.text or "") and "new message" in (answer.text or "")
    assert await harness.services.broadcasts.unfinished() == []
    assert await harness.services.broadcasts.latest_finished() is None


@pytest.mark.limits(None)
async def test_an_edited_editor_command_from_a_reader_is_refused_and_audited(harness: Harness) -> None:
    await harness.say(READER, "/start")
    before = len(harness.server.sent(chat_id=READER, method="sendMessage"))
    original = harness.server.send_user_message(READER, "Hello")["message_id"]
    await harness.wait_messages(READER, before, 1)
    before = len(harness.server.sent(chat_id=READER, method="sendMessage"))
    harness.server.edit_user_message(READER, original, "/broadcast Fake news")
    [answer] = await harness.wait_messages(READER, before, 1)
    assert answer.text == replies.EDITORS_ONLY
    refused = [e.action for e in await harness.services.audit.recent(actor_id=READER) if not e.allowed]
    assert refused == ["broadcast"]
