"""The one bridge from rendered messages to Telegram objects: keyboards, link previews, send and edit.

Rendering (bot/render) knows nothing of ``telegram``; handlers, pushes and broadcasts all send what it
produced through these few functions, so parse mode and preview rules are decided in one place.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Protocol

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.render.keyboard import Keyboard
from bot.render.message import RenderedMessage


def to_markup(keyboard: Keyboard | None) -> InlineKeyboardMarkup | None:
    if keyboard is None:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(b.text, url=b.url) if b.url else InlineKeyboardButton(b.text, callback_data=b.data)
                for b in row
            ]
            for row in keyboard.rows
        ]
    )


def preview(message: RenderedMessage) -> LinkPreviewOptions:
    return LinkPreviewOptions(is_disabled=message.disable_preview)


async def send_rendered(
    bot: Bot, chat_id: int, messages: Sequence[RenderedMessage], *, thread_id: int | None = None
) -> list[Message]:
    """Send the parts in order (into forum topic ``thread_id`` if given); returns the sent messages."""
    sent = []
    for part in messages:
        sent.append(
            await bot.send_message(
                chat_id,
                part.html,
                parse_mode=ParseMode.HTML,
                reply_markup=to_markup(part.keyboard),
                link_preview_options=preview(part),
                message_thread_id=thread_id,
            )
        )
    return sent


class Pacer(Protocol):
    """Per-chat pacing (``bot.delivery.pacing.ChatPacer``): how long to wait before the next message."""

    def reserve(self, chat_id: int, *, shared: bool = False) -> float: ...


async def send_paced(
    bot: Bot, chat_id: int, messages: Sequence[RenderedMessage], pacer: Pacer, *, thread_id: int | None = None
) -> list[Message]:
    """Like :func:`send_rendered`, but a reply of several messages keeps to Telegram's per-chat rate.

    PTB's rate limiter paces only groups and otherwise retries after a 429, so a whole issue sent into a
    private chat would bounce off the limit; the pacer holds the later parts back instead. A single
    message is only counted, never held: one reply per reader action is a human pace, and waiting would
    only add latency. ``thread_id`` answers inside a forum topic.
    """
    sent = []
    shared = chat_id < 0  # a group or channel: 20 messages a minute, and many readers' replies share them
    for part in messages:
        delay = pacer.reserve(chat_id, shared=shared)
        if delay > 0 and (len(messages) > 1 or shared):
            await asyncio.sleep(delay)
        sent += await send_rendered(bot, chat_id, [part], thread_id=thread_id)
    return sent


async def edit_rendered(message: Message, rendered: RenderedMessage) -> bool:
    """Replace a message in place; False when Telegram says nothing changed (a double tap)."""
    try:
        await message.edit_text(
            rendered.html,
            parse_mode=ParseMode.HTML,
            reply_markup=to_markup(rendered.keyboard),
            link_preview_options=preview(rendered),
        )
    except BadRequest as exc:
        if _not_modified(exc):
            return False
        raise
    return True


async def edit_rendered_at(bot: Bot, chat_id: int, message_id: int, rendered: RenderedMessage) -> bool:
    """:func:`edit_rendered` for a message known only by its ids (a job updating a progress message)."""
    try:
        await bot.edit_message_text(
            rendered.html,
            chat_id=chat_id,
            message_id=message_id,
            parse_mode=ParseMode.HTML,
            reply_markup=to_markup(rendered.keyboard),
            link_preview_options=preview(rendered),
        )
    except BadRequest as exc:
        if _not_modified(exc):
            return False
        raise
    return True


def _not_modified(exc: BadRequest) -> bool:
    return "message is not modified" in str(exc).lower()
