"""The /settings panel: one message showing the reader's settings, edited in place by its buttons.

Each button carries the value it sets (``set:alerts:off``), not "toggle", so a double tap or an old panel
never flips a setting back; the panel is redrawn with a line confirming the value now in force.
"""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.features.subscription import NotSubscribed, Subscriptions
from bot.render import settings as view
from bot.render.callbacks import ChangeSetting, UnfollowAuthor, decode
from bot.rules.preferences import PreferenceError
from bot.telegram.context import BriefingApplication, BriefingContext
from bot.telegram.members import may_manage
from bot.telegram.messages import edit_rendered, send_paced


async def open_panel(update: Update, context: BriefingContext) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    try:
        panel = view.panel(await Subscriptions(context.services).profile(chat.id))
    except NotSubscribed:
        panel = view.plain(view.NOT_SUBSCRIBED)
    await send_paced(context.bot, chat.id, [panel], context.services.reply_pacer, thread_id=context.topic)


async def on_setting(update: Update, context: BriefingContext) -> None:
    query, chat = update.callback_query, update.effective_chat
    if query is None or chat is None:
        return
    action = decode(query.data)
    if not isinstance(action, ChangeSetting):
        await query.answer(view.STALE)
        return
    if not await may_manage(context.bot, chat, query.from_user):
        await query.answer(view.ADMINS_ONLY_SHORT, show_alert=True)
        return
    try:
        change = await Subscriptions(context.services).change(chat.id, action.name, action.value)
    except PreferenceError as error:
        await query.answer(str(error), show_alert=True)
        return
    except NotSubscribed:
        await query.answer(view.NOT_SUBSCRIBED, show_alert=True)
        return
    await query.answer(view.SAVED if change.changed else view.ALREADY_SO)
    if isinstance(query.message, Message):
        await edit_rendered(query.message, view.panel(change.profile, view.change_notice(change)))


async def on_unfollow(update: Update, context: BriefingContext) -> None:
    query, chat = update.callback_query, update.effective_chat
    if query is None or chat is None:
        return
    action = decode(query.data)
    if not isinstance(action, UnfollowAuthor):
        await query.answer(view.STALE)
        return
    if not await may_manage(context.bot, chat, query.from_user):
        await query.answer(view.ADMINS_ONLY_SHORT, show_alert=True)
        return
    try:
        profile, name = await Subscriptions(context.services).unfollow_by_token(chat.id, action.author)
    except NotSubscribed:
        await query.answer(view.NOT_SUBSCRIBED, show_alert=True)
        return
    await query.answer(view.SAVED if name else view.ALREADY_SO)
    if isinstance(query.message, Message):
        await edit_rendered(query.message, view.panel(profile, view.unfollowed_notice(name)))


def register(app: BriefingApplication) -> None:
    app.add_handler(CommandHandler("settings", open_panel))
    app.add_handler(CallbackQueryHandler(on_setting, pattern=f"^{ChangeSetting.tag}:"))
    app.add_handler(CallbackQueryHandler(on_unfollow, pattern=f"^{UnfollowAuthor.tag}:"))
