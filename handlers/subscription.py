"""A reader's own subscription: /stop, /pause, /resume, /time, /timezone, /quiet, /follow, /unfollow, /mydata, /forget.

Each handler reads the text after the command, calls :class:`bot.features.subscription.Subscriptions`, and sends what
``bot.render.settings`` made of the result. A value that cannot be used is answered with the parser's
explanation and an example; a chat that never subscribed is told to /start. The /settings panel and its
buttons are in :mod:`handlers.settings`. In a group, only its admins may change anything (getChatMember).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any

from telegram import Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.features.subscription import NotSubscribed, Subscriptions, Unsubscribed
from bot.render import settings as view
from bot.render.callbacks import FollowAuthor, ForgetDecision, decode
from bot.render.message import RenderedMessage
from bot.rules.preferences import PreferenceError
from bot.telegram.context import BriefingApplication, BriefingContext
from bot.telegram.members import may_manage
from bot.telegram.messages import edit_rendered, send_paced
from handlers.settings import register as register_settings

Reply = RenderedMessage | Sequence[RenderedMessage]
Work = Callable[[Subscriptions, int, str], Awaitable[Reply]]


def argument(message: Message) -> str:
    """The text after the command word, as typed ("/timezone it's 14:35 here" → "it's 14:35 here")."""
    parts = (message.text or "").split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""


async def run(update: Update, context: BriefingContext, command: str, work: Work) -> None:
    """Do one command's ``work`` and send its reply, turning the expected refusals into replies too."""
    chat, incoming = update.effective_chat, update.effective_message
    if chat is None or incoming is None:
        return
    if command in MANAGING and not await may_manage(context.bot, chat, update.effective_user, incoming):
        refusal = view.plain(view.ADMINS_ONLY)
        await send_paced(context.bot, chat.id, [refusal], context.services.reply_pacer, thread_id=context.topic)
        return
    try:
        reply = await work(Subscriptions(context.services), chat.id, argument(incoming))
    except PreferenceError as error:
        reply = view.bad_value(str(error), command)
    except NotSubscribed:
        reply = view.plain(view.NOT_SUBSCRIBED)
    except Unsubscribed:
        reply = view.plain(view.UNSUBSCRIBED)
    parts = [reply] if isinstance(reply, RenderedMessage) else reply
    await send_paced(context.bot, chat.id, parts, context.services.reply_pacer, thread_id=context.topic)


# --- the work of each command ---------------------------------------------------------------------


async def _stop(subscriptions: Subscriptions, chat_id: int, _: str) -> Reply:
    return view.stopped(await subscriptions.stop(chat_id))


async def _pause(subscriptions: Subscriptions, chat_id: int, text: str) -> Reply:
    return view.paused(await subscriptions.pause(chat_id, text))


async def _resume(subscriptions: Subscriptions, chat_id: int, _: str) -> Reply:
    return view.resumed(*await subscriptions.resume(chat_id))


async def _time(subscriptions: Subscriptions, chat_id: int, text: str) -> Reply:
    return view.time_set(await subscriptions.set_delivery_time(chat_id, text))


async def _quiet(subscriptions: Subscriptions, chat_id: int, text: str) -> Reply:
    return view.quiet_set(await subscriptions.set_quiet(chat_id, text))


async def _timezone(subscriptions: Subscriptions, chat_id: int, text: str) -> Reply:
    return view.timezone_set(*await subscriptions.set_timezone(chat_id, text))


async def _follow(subscriptions: Subscriptions, chat_id: int, text: str) -> Reply:
    return view.follow_reply(await subscriptions.follow(chat_id, text), text)


async def _unfollow(subscriptions: Subscriptions, chat_id: int, text: str) -> Reply:
    outcome = await subscriptions.unfollow(chat_id, text)
    return view.unfollow_reply(outcome, text, await subscriptions.profile(chat_id))


async def _mydata(subscriptions: Subscriptions, chat_id: int, _: str) -> Reply:
    try:
        return view.my_data(await subscriptions.profile(chat_id))
    except NotSubscribed:
        return view.plain(view.NOTHING_STORED)


async def _forget(subscriptions: Subscriptions, chat_id: int, _: str) -> Reply:
    try:
        return view.forget_question(await subscriptions.profile(chat_id))
    except NotSubscribed:
        return view.plain(view.NOTHING_STORED)


def command(name: str, work: Work) -> Callable[[Update, BriefingContext], Coroutine[Any, Any, None]]:
    async def callback(update: Update, context: BriefingContext) -> None:
        await run(update, context, name, work)

    callback.__name__ = f"{name}_command"
    return callback


# --- buttons --------------------------------------------------------------------------------------


async def on_follow(update: Update, context: BriefingContext) -> None:
    """A "Follow <author>" button under a /follow reply that was not sure whom the reader meant."""
    query, chat = update.callback_query, update.effective_chat
    if query is None or chat is None:
        return
    action = decode(query.data)
    if not isinstance(action, FollowAuthor):
        await query.answer(view.STALE)
        return
    if not await may_manage(context.bot, chat, query.from_user):
        await query.answer(view.ADMINS_ONLY_SHORT, show_alert=True)
        return
    try:
        outcome = await Subscriptions(context.services).follow_by_token(chat.id, action.author)
    except NotSubscribed:
        await query.answer(view.NOT_SUBSCRIBED, show_alert=True)
        return
    if outcome is None:
        await query.answer(view.AUTHOR_GONE, show_alert=True)
        return
    await query.answer(view.SAVED if outcome.followed else view.ALREADY_SO)
    if isinstance(query.message, Message):
        await edit_rendered(query.message, view.follow_reply(outcome, ""))


async def on_forget(update: Update, context: BriefingContext) -> None:
    """The answer to /forget's question; the question is replaced by what happened."""
    query, chat = update.callback_query, update.effective_chat
    if query is None or chat is None:
        return
    action = decode(query.data)
    if not isinstance(action, ForgetDecision):
        await query.answer(view.STALE)
        return
    if not await may_manage(context.bot, chat, query.from_user):
        await query.answer(view.ADMINS_ONLY_SHORT, show_alert=True)
        return
    if not action.approve:
        outcome = view.FORGET_CANCELLED
    elif await Subscriptions(context.services).forget(chat.id, action.token):
        outcome = view.FORGOTTEN
    else:
        outcome = view.FORGET_EXPIRED
    await query.answer()
    if isinstance(query.message, Message):
        await edit_rendered(query.message, view.plain(outcome))


COMMANDS: dict[str, Work] = {
    "stop": _stop,
    "pause": _pause,
    "resume": _resume,
    "time": _time,
    "timezone": _timezone,
    "quiet": _quiet,
    "follow": _follow,
    "unfollow": _unfollow,
    "mydata": _mydata,
    "forget": _forget,
}


MANAGING = frozenset(COMMANDS) - {"mydata"}
"""Commands that change a subscription: in a group, only its admins may send them."""


def register(app: BriefingApplication) -> None:
    for name, work in COMMANDS.items():
        app.add_handler(CommandHandler(name, command(name, work)))
    app.add_handler(CallbackQueryHandler(on_follow, pattern=f"^{FollowAuthor.tag}:"))
    app.add_handler(CallbackQueryHandler(on_forget, pattern=f"^{ForgetDecision.tag}:"))
    register_settings(app)
