"""Kinds of Telegram chat and what each allows: who subscribes, and how fast the bot may post there.

Telegram lets a bot send about one message a second into one chat, and no more than 20 messages a minute
into one group, supergroup or channel (https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this).
"""

from __future__ import annotations

from enum import StrEnum


class ChatKind(StrEnum):
    PRIVATE = "private"
    GROUP = "group"
    SUPERGROUP = "supergroup"
    CHANNEL = "channel"

    @property
    def shared(self) -> bool:
        """Many people read it: the 20 messages a minute limit applies and an admin decides for everyone."""
        return self is not ChatKind.PRIVATE

    @classmethod
    def of(cls, chat_type: str | None, chat_id: int | None = None) -> ChatKind:
        """The kind Telegram names in ``Chat.type``; without one, guessed from the id (groups are negative)."""
        if chat_type:
            try:
                return cls(chat_type)
            except ValueError:
                pass
        return cls.SUPERGROUP if chat_id is not None and chat_id < 0 else cls.PRIVATE


SHARED_CHAT_PER_MINUTE = 20
"""Telegram's limit on messages a minute into one group, supergroup or channel."""
SHARED_CHAT_WINDOW = 61.0
"""Seconds of the sliding window the bot counts those 20 messages in: a minute and a margin for jitter."""
SHARED_ISSUE_PARTS = 3
"""A full issue longer than this many messages goes to a shared chat as its headlines instead."""
ADMIN_STATUSES = frozenset({"creator", "administrator"})
"""``ChatMember.status`` values that may subscribe a group or change its settings."""
