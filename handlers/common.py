"""Handlers every chat sees: /start, /help, unknown commands, and the error handler."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import ApplicationHandlerStop, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.features.subscription import Subscriptions
from bot.render import replies
from bot.render.channel import SUBSCRIBE_PAYLOAD
from bot.render.html import escape
from bot.render.message import message as rendered
from bot.rules.chats import ChatKind
from bot.telegram.context import BriefingApplication, BriefingContext
from bot.telegram.members import may_manage, topic_of
from bot.telegram.messages import send_paced
from handlers.reader import open_start_payload
from handlers.reading_callbacks import is_reading_button

logger = logging.getLogger(__name__)


async def start(update: Update, context: BriefingContext) -> None:
    message = update.effective_message
    user = update.effective_user
    chat = update.effective_chat
    if message is None or chat is None:
        return
    kind = ChatKind.of(chat.type, chat.id)
    if kind.shared and not await may_manage(context.bot, chat, user, message):
        # Members read; only an admin subscribes the group (and so chooses what everyone in it gets).
        await _reply(context, chat.id, escape(replies.GROUP_ADMINS_ONLY))
        return
    subscriber, created = await Subscriptions(context.services).start(
        chat.id,
        user_id=user.id if user and not kind.shared else None,
        first_name=chat.title if kind.shared else (user.first_name if user else None),
        username=chat.username if kind.shared else (user.username if user else None),
        language=user.language_code if user else None,
        chat_kind=kind,
        thread_id=topic_of(message),
    )
    welcome = replies.welcome(
        (chat.title if kind.shared else None) or (user.first_name if user else None),
        subscriber.delivery_time.strftime("%H:%M"),
        subscriber.timezone,
        returning=not created,
        newsletter=await context.services.newsletter_name(),
    )
    await _reply(context, chat.id, welcome)
    if context.args and context.args[0] != SUBSCRIBE_PAYLOAD:
        # t.me/<bot>?start=opinion-2022-01-07-1: open what the link points to, after the welcome.
        await open_start_payload(update, context, context.args[0])


async def _reply(context: BriefingContext, chat_id: int, html: str) -> None:
    """One reply, counted by the chat's pacer (which the engine shares) and into the topic it came from."""
    await send_paced(context.bot, chat_id, [rendered(html)], context.services.reply_pacer, thread_id=context.topic)


async def help_command(update: Update, context: BriefingContext) -> None:
    message = update.effective_message
    if message is None:
        return
    editor = context.services.is_editor(update.effective_user.id if update.effective_user else None)
    await message.reply_text(replies.help_text(editor=editor), parse_mode=ParseMode.HTML)


async def unknown_command(update: Update, context: BriefingContext) -> None:
    message = update.effective_message
    chat = update.effective_chat
    if message is None or not message.text or chat is None:
        return
    command, _, addressee = message.text.split()[0].partition("@")
    if addressee and addressee.lower() != (context.bot.username or "").lower():
        return  # "/start@other_bot": another bot's command, in a group or forwarded here
    if not addressee and ChatKind.of(chat.type, chat.id).shared:
        return  # a bare "/roll" in a group may be another bot's; "/roll@this_bot" is answered
    await message.reply_text(replies.unknown_command(command), parse_mode=ParseMode.HTML)


async def stale_button(update: Update, context: BriefingContext) -> None:
    """A button whose data no handler claims: an old message, or data someone made up."""
    if update.callback_query is not None:
        await update.callback_query.answer(replies.STALE_BUTTON, show_alert=False)


async def unbound_button(update: Update, context: BriefingContext) -> None:
    """A button on a message the bot cannot see (sent through inline mode: the query carries only an
    ``inline_message_id``). The chat-bound handlers have nothing to act on, so it is answered here, before
    them: every callback query gets an answer, or the reader's spinner hangs."""
    query = update.callback_query
    if query is None or query.message is not None or is_reading_button(query.data):
        return
    await query.answer(replies.OPEN_THE_CHAT)
    raise ApplicationHandlerStop


def register(app: BriefingApplication) -> None:
    app.add_handler(CallbackQueryHandler(unbound_button), group=-2)
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("help", help_command))


def register_fallbacks(app: BriefingApplication) -> None:
    app.add_handler(MessageHandler(filters.COMMAND, unknown_command))
    app.add_handler(CallbackQueryHandler(stale_button))


async def on_error(update: object, context: BriefingContext) -> None:
    """Log the failure with its update id; tell the user briefly, never with a traceback."""
    update_id = update.update_id if isinstance(update, Update) else None
    logger.error("update %s failed: %r", update_id, context.error, exc_info=context.error)
    if not isinstance(update, Update):
        return
    if update.callback_query is not None:
        try:
            await update.callback_query.answer(replies.APOLOGY, show_alert=True)
        except Exception:  # the apology is best effort; the error is already logged
            logger.debug("could not answer the callback query of update %s", update_id)
        return
    if update.effective_chat is not None:
        try:
            await context.bot.send_message(update.effective_chat.id, replies.APOLOGY)
        except Exception:
            logger.debug("could not apologise in chat %s", update.effective_chat.id)
