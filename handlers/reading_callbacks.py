"""The reading buttons: open an item or an issue, step Back/Next, turn archive, search, found-pieces and
author pages, and Follow/Unfollow on an author's page.

Only data that decodes to one of these actions reaches this handler (see :func:`is_reading_button`);
anything else falls through to the catch-all in :mod:`handlers.common`, which answers politely.
"""

from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler

from bot.features.reading import Reading, reads_in_place
from bot.features.subscription import NotSubscribed, Subscriptions
from bot.render import replies
from bot.render.callbacks import (
    ArchivePage,
    AuthorFollow,
    AuthorPage,
    AuthorsPage,
    FindPage,
    Noop,
    OpenItem,
    OpenOverview,
    SearchPage,
    decode,
)
from bot.telegram.context import BriefingApplication, BriefingContext
from bot.telegram.messages import edit_rendered, send_paced

logger = logging.getLogger(__name__)

READING_ACTIONS = (OpenItem, OpenOverview, ArchivePage, SearchPage, FindPage, AuthorsPage, AuthorPage, Noop)


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


async def follow_from_author_page(update: Update, context: BriefingContext) -> None:
    """Follow or Unfollow on an author's page: the page is shown again with the other button."""
    query = update.callback_query
    chat_id = update.effective_chat.id if update.effective_chat else None
    if query is None or chat_id is None:
        return
    action = decode(query.data)
    if not isinstance(action, AuthorFollow):
        await query.answer(replies.STALE_BUTTON)
        return
    try:
        found = await Subscriptions(context.services).set_following(chat_id, action.author, action.follow)
    except NotSubscribed:
        await query.answer(replies.FOLLOW_NEEDS_START, show_alert=True)
        return
    page = await Reading.of(context.services).author_page(chat_id, action.author, action.page) if found else None
    if page is None:
        await query.answer(replies.AUTHOR_GONE, show_alert=True)
        return
    await query.answer(replies.FOLLOWED if action.follow else replies.UNFOLLOWED)
    if isinstance(query.message, Message):
        try:
            await edit_rendered(query.message, page)
        except BadRequest as exc:
            logger.info("could not edit message %s in chat %s: %s", query.message.message_id, chat_id, exc)


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
    app.add_handler(CallbackQueryHandler(follow_from_author_page, pattern=f"^{AuthorFollow.tag}:"))
