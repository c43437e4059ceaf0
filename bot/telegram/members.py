"""Who may manage a chat's subscription: anyone in their own private chat, a group's admins in a group.

Asked of Telegram each time (getChatMember), never cached: admins change, and a stale "yes" would let a
former admin unsubscribe a whole group.
"""

from __future__ import annotations

import logging

from telegram import Bot, Chat, Message, User
from telegram.error import TelegramError

from bot.rules.chats import ADMIN_STATUSES, ChatKind

logger = logging.getLogger(__name__)


async def may_manage(bot: Bot, chat: Chat, user: User | None, message: Message | None = None) -> bool:
    """Whether ``user`` may subscribe ``chat``, change its settings or unsubscribe it."""
    if not ChatKind.of(chat.type, chat.id).shared:
        return True
    if message is not None and message.sender_chat is not None and message.sender_chat.id == chat.id:
        return True  # an anonymous admin, writing as the group itself
    if user is None:
        return False
    try:
        member = await bot.get_chat_member(chat.id, user.id)
    except TelegramError as exc:
        logger.warning("could not ask whether %s is an admin of %s: %s", user.id, chat.id, exc)
        return False
    return str(member.status) in ADMIN_STATUSES


def topic_of(message: Message | None) -> int | None:
    """The forum topic a message was written in (its ``message_thread_id``), None outside forum topics."""
    if message is None or not message.is_topic_message:
        return None
    return message.message_thread_id
