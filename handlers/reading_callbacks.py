"""The reading buttons: open an item or an issue, step Back/Next, turn archive and search pages.

Only data that decodes to one of these actions reaches this handler (see :func:`is_reading_button`);
anything else falls through to the catch-all in :mod:`handlers.common`, which answers politely.
"""

from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler

from bot.features.reading import Reading, reads_in_place
from bot.render import replies
from bot.render.callbacks import ArchivePage, Noop, OpenItem, OpenOverview, SearchPage, decode
from bot.telegram.context import BriefingApplication, BriefingContext
from bot.telegram.messages import edit_rendered, send_paced

logger = logging.getLogger(__name__)

READING_ACTIONS = (OpenItem, OpenOverview, ArchivePage, SearchPage, Noop)


def is_reading_button(data: object) -> bool:
    """The callback pattern: claim only well-formed reading actions."""
    return isinstance(decode(data), READING_ACTIONS)


async def press(update: Update, context: BriefingContext) -> None:
    query = update.callback_query
    if query is None:
        return
    action = decode(query.data)
    if action is None:  # the pattern keeps this from happening; a handler never trusts that alone
        await query.answer(replies.STALE_BUTTON)
        return
    chat_id = update.effective_chat.id if update.effective_chat else None
    answer = await Reading.of(context.services).press(chat_id, action)
    # Answer first: the spinner on the reader's button stops while the message is being replaced.
    await query.answer(answer.notice)
    if not answer.messages or chat_id is None:
        return
    message = query.message if isinstance(query.message, Message) else None
    if message is not None and len(answer.messages) == 1 and reads_in_place(action, _buttons(message)):
        try:
            await edit_rendered(message, answer.messages[0])
            return
        except BadRequest as exc:
            # Too old to edit, or deleted meanwhile: the reader still gets what they asked for.
            logger.info("could not edit message %s in chat %s: %s", message.message_id, chat_id, exc)
    await send_paced(context.bot, chat_id, answer.messages, context.services.reply_pacer, thread_id=context.topic)


def _buttons(message: Message) -> list[tuple[str, str | None]]:
    markup = message.reply_markup
    if markup is None:
        return []
    return [
        (button.text, button.callback_data if isinstance(button.callback_data, str) else None)
        for row in markup.inline_keyboard
        for button in row
    ]


def register(app: BriefingApplication) -> None:
    app.add_handler(CallbackQueryHandler(press, pattern=is_reading_button))
