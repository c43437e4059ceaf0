"""What Telegram tells the bot about chats and readers beyond their messages.

- The bot was removed from a group or channel (``my_chat_member``: kicked or left): the chat is
  deactivated like a reader who blocked the bot, and a later /start by an admin brings it back.
- Reaction totals changed on a channel post (``message_reaction_count``): kept per issue.
- A reader picked one of the bot's inline results (``chosen_inline_result``): counted as an open.
"""

from __future__ import annotations

import logging
import re

from bot.features.services import Services
from storage import SubscriberStatus

logger = logging.getLogger(__name__)

_INLINE_RESULT = re.compile(r"([1-9][0-9]{0,18})-([0-9]{1,4})", re.ASCII)
"""Inline result ids are ``<digest id>-<position>`` (see ``bot.features.reading``)."""
GONE_STATUSES = frozenset({"kicked", "left"})


async def membership_changed(services: Services, chat_id: int, status: str) -> bool:
    """The bot's own membership in a chat changed; True when that deactivated a subscribed chat."""
    if status not in GONE_STATUSES:
        return False
    changed = await services.subscribers.set_status(chat_id, SubscriberStatus.BLOCKED)
    if changed:
        logger.info("chat %s removed the bot (%s): deactivated", chat_id, status)
    return changed


async def reactions_changed(services: Services, chat_id: int, message_id: int, total: int) -> int | None:
    """Keep a channel post's reaction total; returns the issue it counts for, None for other messages."""
    return await services.channels.record_reactions(chat_id, message_id, total)


async def inline_result_chosen(services: Services, result_id: str) -> bool:
    """Count a chosen inline result as an open of its piece; False for an id the bot never made."""
    match = _INLINE_RESULT.fullmatch(result_id)
    if match is None:
        return False
    await services.opens.record(int(match[1]), int(match[2]))
    return True
