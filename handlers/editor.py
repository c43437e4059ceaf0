"""Editor commands: /broadcast, /cancel, /publish (and issue files), /withdraw, /stats, and their buttons.

Each checks the sender's user id (never the username, which anyone can change) against ADMIN_IDS; anyone
else gets a plain refusal, and the attempt goes to the audit log. The work itself is in
:mod:`bot.features.broadcasting`, :mod:`bot.features.publishing`, :mod:`bot.features.stats` and
:mod:`bot.telegram.progress`; what editors read is in :mod:`bot.render.editor`. The use cases load
with the first command (or file) that needs them, not when the bot starts (issue #15).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from telegram import BotCommand, BotCommandScopeChat, CallbackQuery, Message, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.render import editor as render
from bot.render import replies
from bot.render.callbacks import (
    Action,
    BroadcastDecision,
    BroadcastOption,
    PublishDecision,
    PublishNow,
    RepublishIssue,
    WithdrawDecision,
    decode,
)
from bot.render.commands import editor_menu
from bot.render.message import message as one_message
from bot.telegram import progress
from bot.telegram.context import BriefingApplication, BriefingContext
from bot.telegram.messages import edit_rendered, send_rendered

if TYPE_CHECKING:
    from bot.digest.parser import Parsed  # a type only: the parser loads with the first upload
    from bot.features.publishing import PendingIssues

logger = logging.getLogger(__name__)

_PENDING = "pending_issues"
"""chat_data key of the chat's :class:`~bot.features.publishing.PendingIssues`."""
_MENU_SET = "editor_menu_set"
_MENU_GROUP = -2
"""Handler groups before the default 0: the editor menu first (for every private message), then a pasted issue,
which stops there; anything else goes on to group 0's handlers."""
_PASTE_GROUP = -1
_COMMAND_PREFIX = re.compile(r"^\s*/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?\s*")
_CHAT_MESSAGE = "your message"
A = TypeVar("A", bound=Action)
"""The action an editor button handler acts on."""


async def _editor(update: Update, context: BriefingContext, action: str) -> int | None:
    """The sender's user id if they are an editor; otherwise refuse, record the attempt, return None."""
    user = update.effective_user
    services = context.services
    if user is not None and services.is_editor(user.id):
        return user.id
    chat = update.effective_chat
    await services.audit.record(
        user.id if user else None, action, details={"chat_id": chat.id if chat else None}, allowed=False
    )
    logger.info("refused %s to user %s", action, user.id if user else None)
    if update.callback_query is not None:
        await update.callback_query.answer(replies.EDITORS_ONLY, show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(replies.EDITORS_ONLY)
    return None


@dataclass(frozen=True, slots=True)
class EditorPress(Generic[A]):
    """An editor's button press that decoded to the action its handler acts on, from an editor."""

    query: CallbackQuery
    action: A
    editor_id: int

    @property
    def shown(self) -> Message | None:
        """The message the button is on; None when it is too old for Telegram to include."""
        return self.query.message if isinstance(self.query.message, Message) else None

    @property
    def chat_id(self) -> int:
        """Where to answer: the button's chat, else the editor's private chat."""
        return self.query.message.chat.id if self.query.message is not None else self.editor_id


async def _editor_press(
    update: Update, context: BriefingContext, kinds: tuple[type[A], ...], audit: Callable[[A], str]
) -> EditorPress[A] | None:
    """Decode the pressed button; data that is not one of ``kinds`` gets the stale-button answer. Then the
    editor check of :func:`_editor`, under the audit name ``audit(action)`` ("withdraw.confirm"). None when
    the press has been answered already and there is nothing more to do."""
    query = update.callback_query
    assert query is not None
    action = decode(query.data)
    if not isinstance(action, kinds):
        await query.answer(replies.STALE_BUTTON)
        return None
    editor_id = await _editor(update, context, audit(action))
    if editor_id is None:
        return None
    return EditorPress(query, action, editor_id)


def _pending(context: BriefingContext) -> PendingIssues:
    from bot.features.publishing import PendingIssues

    assert context.chat_data is not None
    pending: PendingIssues = context.chat_data.setdefault(_PENDING, PendingIssues())
    return pending


# --- the editor's command menu ---------------------------------------------------------------------


async def offer_editor_menu(update: Update, context: BriefingContext) -> None:
    """Give an editor's chat the editor menu the first time they write (``_MENU_GROUP``: before the rest).

    Telegram refuses a chat's command scope until that person has opened the chat, so the menu set at
    start-up misses editors who had not written yet.
    """
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or chat.type != ChatType.PRIVATE or context.chat_data is None:
        return
    if context.chat_data.get(_MENU_SET) or not context.services.is_editor(user.id):
        return
    commands = [BotCommand(c.name, c.description) for c in editor_menu()]
    try:
        await context.bot.set_my_commands(commands, scope=BotCommandScopeChat(chat.id))
    except TelegramError as exc:
        logger.warning("editor menu for %s not set: %s", chat.id, exc)
        return
    context.chat_data[_MENU_SET] = True


# --- broadcasts ------------------------------------------------------------------------------------


def _broadcast_html(message: Message) -> str | None:
    """The broadcast as Telegram HTML: the text after the command, else the replied-to message's text.

    ``text_html`` keeps the editor's formatting (bold, links…) and escapes everything typed literally, so
    what is stored is valid markup that means exactly what the editor saw. None: nothing to send.
    """
    inline = _COMMAND_PREFIX.sub("", message.text_html or "", count=1).strip()
    if inline:
        return inline
    target = message.reply_to_message
    if target is None:
        return None
    if target.text:
        return target.text_html
    if target.caption:
        return target.caption_html
    return ""


async def broadcast(update: Update, context: BriefingContext) -> None:
    from bot.features import broadcasting

    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    editor_id = await _editor(update, context, "broadcast")
    if editor_id is None:
        return
    html = _broadcast_html(message)
    if not html:
        await message.reply_text(render.BROADCAST_USAGE if html is None else render.BROADCAST_NO_TEXT)
        return
    try:
        draft = await broadcasting.draft(context.services, editor_id, html)
    except ValueError as exc:
        await message.reply_text(render.bad_broadcast_markup(str(exc)), parse_mode=ParseMode.HTML)
        return
    await send_rendered(context.bot, chat.id, draft.parts)
    await send_rendered(context.bot, chat.id, [draft.question()])


async def broadcast_option(update: Update, context: BriefingContext) -> None:
    """A toggle under the preview (urgent, channels too): the question is redrawn with the option in force."""
    from bot.features import broadcasting

    press = await _editor_press(update, context, (BroadcastOption,), lambda _: "broadcast.option")
    if press is None:
        return
    query, action = press.query, press.action
    draft = await broadcasting.set_option(context.services, action.broadcast_id, press.editor_id, action.option)
    if draft is None:
        await query.answer(render.OPTION_TOO_LATE, show_alert=True)
        return
    await query.answer(render.SAVED_OPTION)
    if press.shown is not None:
        await edit_rendered(press.shown, draft.question())


def _broadcast_audit(action: BroadcastDecision) -> str:
    return "broadcast.confirm" if action.approve else "broadcast.discard"


async def broadcast_decision(update: Update, context: BriefingContext) -> None:
    from bot.features import broadcasting

    press = await _editor_press(update, context, (BroadcastDecision,), _broadcast_audit)
    if press is None:
        return
    query, action, editor_id, shown = press.query, press.action, press.editor_id, press.shown
    services = context.services
    if not action.approve:
        if await broadcasting.discard(services, action.broadcast_id, editor_id):
            await query.answer(render.CANCELLED_ANSWER)
            if shown is not None:
                await edit_rendered(shown, render.broadcast_discarded(action.broadcast_id))
        else:
            await query.answer(await _why_not(context, action.broadcast_id))
        return
    confirmation = await broadcasting.confirm(services, action.broadcast_id, editor_id)
    if confirmation.outcome is not broadcasting.Confirmed.STARTED:
        await query.answer(await _why_not(context, action.broadcast_id))
        return
    await query.answer(render.SENDING_NOW)
    rendered = await broadcasting.started_progress(services, action.broadcast_id)
    if shown is not None:
        await edit_rendered(shown, rendered)
        chat_id, message_id = shown.chat_id, shown.message_id
    else:  # too old for Telegram to include: show the progress in a new message
        [sent] = await send_rendered(context.bot, editor_id, [rendered])
        chat_id, message_id = sent.chat_id, sent.message_id
    _watch(context, action.broadcast_id, chat_id, message_id, rendered.html)


async def _why_not(context: BriefingContext, broadcast_id: int) -> str:
    from bot.features.broadcasting import Confirmed, why_not

    reasons = {
        Confirmed.UNKNOWN: render.UNKNOWN_BROADCAST,
        Confirmed.CANCELLED: render.ALREADY_CANCELLED,
        Confirmed.FINISHED: render.ALREADY_FINISHED,
        Confirmed.ALREADY_SENT: render.ALREADY_SENT,
    }
    return reasons[await why_not(context.services, broadcast_id)]


def _watch(context: BriefingContext, broadcast_id: int, chat_id: int, message_id: int, shown: str) -> bool:
    assert context.job_queue is not None
    watch = progress.ProgressWatch(broadcast_id, chat_id, message_id, baseline=(time.monotonic(), 0), shown=shown)
    return progress.watch(context.job_queue, watch)


async def cancel(update: Update, context: BriefingContext) -> None:
    from bot.features import broadcasting

    message = update.effective_message
    if message is None:
        return
    editor_id = await _editor(update, context, "cancel")
    if editor_id is None:
        return
    stopped = await broadcasting.stop(context.services, editor_id)
    if stopped is None:
        await message.reply_text(render.NOTHING_TO_CANCEL)
        return
    reply = await message.reply_text(render.cancelling(stopped.id))
    # Normally the job that showed its progress reports the end; one started elsewhere gets a watcher here.
    _watch(context, stopped.id, reply.chat_id, reply.message_id, reply.text_html)


# --- publishing ------------------------------------------------------------------------------------


async def publish(update: Update, context: BriefingContext) -> None:
    """``/publish`` as a reply to the issue's text (or to an issue file), or followed by the text."""
    from bot.features import publishing

    message = update.effective_message
    if message is None:
        return
    editor_id = await _editor(update, context, "publish")
    if editor_id is None:
        return
    parts = (message.text or "").split(None, 1)
    text = parts[1] if len(parts) > 1 else ""
    target = message.reply_to_message
    if not text.strip() and target is not None:
        if target.document is not None:
            await _publish_file(target, context)
            return
        text = target.text or target.caption or ""
    if not text.strip():
        await message.reply_text(render.PUBLISH_USAGE)
        return
    try:
        parsed = publishing.issue_from_text(text, source=None, today=_publisher_today(context))
    except publishing.UploadError as exc:
        await message.reply_text(render.parse_failed(_CHAT_MESSAGE, str(exc)), parse_mode=ParseMode.HTML)
        return
    await _show_outline(context, message.chat_id, parsed)


async def pasted_issue(update: Update, context: BriefingContext) -> None:
    """An editor's plain message that reads as an issue (see :func:`bot.features.publishing.pasted_issue`):
    the outline with the buttons to publish it, as ``/publish`` gives, and nothing else (a search of a whole
    issue's text helps nobody). Any other text goes on to the reader's reply, in the handler groups after this."""
    message, user = update.effective_message, update.effective_user
    if message is None or not message.text or not context.services.is_editor(user.id if user else None):
        return
    from bot.features import publishing  # editors only: a reader's message does not load the use case

    parsed = publishing.pasted_issue(message.text, today=_publisher_today(context))
    if parsed is None:
        return
    await _show_outline(context, message.chat_id, parsed)
    raise ApplicationHandlerStop


def _publisher_today(context: BriefingContext) -> dt.date:
    """Today in the publisher's timezone: the date of an undated issue published now."""
    return context.services.digests.today()


async def publish_document(update: Update, context: BriefingContext) -> None:
    """An issue sent as a file. A reader's file is left alone unless it looks like an issue upload."""
    from bot.features import publishing

    message = update.effective_message
    if message is None or message.document is None:
        return
    user = update.effective_user
    if not context.services.is_editor(user.id if user else None):
        try:
            publishing.check_upload(message.document.file_name, message.document.file_size)
        except publishing.UploadError:
            return  # a reader's photo or PDF: not an attempt to publish
    if await _editor(update, context, "publish") is None:
        return
    await _publish_file(message, context)


async def _publish_file(message: Message, context: BriefingContext) -> None:
    from bot.features import publishing

    document = message.document
    assert document is not None
    name = document.file_name or "the file"
    try:
        publishing.check_upload(document.file_name, document.file_size)
        file = await document.get_file()
        data = bytes(await file.download_as_bytearray())
        parsed = await asyncio.to_thread(publishing.issue_from_upload, data, name, today=_publisher_today(context))
    except publishing.UploadError as exc:
        await message.reply_text(render.parse_failed(name, str(exc)), parse_mode=ParseMode.HTML)
        return
    await _show_outline(context, message.chat_id, parsed, source=name)


async def _show_outline(context: BriefingContext, chat_id: int, parsed: Parsed, *, source: str | None = None) -> None:
    """What was parsed, what was guessed, and what publishing would do by its date; then the buttons."""
    from bot.features import publishing

    token = _pending(context).add(parsed.digest)
    facts = publishing.preview(context.services, parsed.digest)
    outline = render.render_outline(
        parsed.digest,
        token,
        source=source,
        guessed=publishing.guessed_fields(parsed),
        warnings=parsed.warnings,
        day=facts.day,
        far_past=facts.far_past,
        max_messages=context.services.settings.max_issue_messages,
    )
    await send_rendered(context.bot, chat_id, outline)


def _approves(action: PublishDecision | PublishNow) -> bool:
    """Publish (either button) rather than Cancel."""
    return isinstance(action, PublishNow) or action.approve


def _publish_audit(action: PublishDecision | PublishNow) -> str:
    return "publish.confirm" if _approves(action) else "publish.discard"


async def publish_decision(update: Update, context: BriefingContext) -> None:
    from bot.features import publishing

    kinds: tuple[type[PublishDecision | PublishNow], ...] = (PublishDecision, PublishNow)
    press = await _editor_press(update, context, kinds, _publish_audit)
    if press is None:
        return
    query, action, editor_id, chat_id = press.query, press.action, press.editor_id, press.chat_id
    approve, announce = _approves(action), isinstance(action, PublishNow)
    digest = _pending(context).pop(action.token)
    if digest is None:
        await query.answer(render.UPLOAD_EXPIRED)
        return
    await query.answer(render.PUBLISHED_ANSWER if approve else render.DISCARDED)
    await query.edit_message_reply_markup(None)
    if not approve:
        await context.bot.send_message(chat_id, render.DISCARDED)
        return
    result = await publishing.publish(context.services, digest, editor_id, announce=announce)
    reply = render.published(
        digest,
        result.digest_id,
        result.outcome,
        republished=result.republished,
        day=result.day,
        draft=result.draft,
        announced=result.announced,
        queued=result.queued,
    )
    await send_rendered(context.bot, chat_id, [one_message(reply)])


def _date_argument(message: Message) -> tuple[dt.date | None, str | None]:
    """The date after the command (None if none), or the text that is not a date."""
    parts = (message.text or "").split(None, 1)
    if len(parts) < 2:
        return None, None
    try:
        return dt.date.fromisoformat(parts[1].strip()), None
    except ValueError:
        return None, parts[1].strip()


async def withdraw(update: Update, context: BriefingContext) -> None:
    """``/withdraw [DATE]``: name the issue and ask; nothing is withdrawn before the editor presses Withdraw."""
    from bot.features import publishing

    message = update.effective_message
    if message is None:
        return
    if await _editor(update, context, "withdraw") is None:
        return
    day, bad = _date_argument(message)
    if bad is not None:
        await message.reply_text(render.bad_date(bad, render.WITHDRAW_USAGE), parse_mode=ParseMode.HTML)
        return
    stored = await publishing.to_withdraw(context.services, day)
    if stored is None:
        await message.reply_text(render.no_published_issue(day) if day else render.NOTHING_TO_WITHDRAW)
        return
    await send_rendered(context.bot, message.chat_id, [render.withdraw_question(stored.digest, stored.id)])


def _withdraw_audit(action: WithdrawDecision) -> str:
    return "withdraw.confirm" if action.approve else "withdraw.keep"


async def withdraw_decision(update: Update, context: BriefingContext) -> None:
    from bot.features import publishing

    press = await _editor_press(update, context, (WithdrawDecision,), _withdraw_audit)
    if press is None:
        return
    query, action, editor_id, chat_id = press.query, press.action, press.editor_id, press.chat_id
    if not action.approve:
        await query.answer(render.NOT_WITHDRAWN)
        await query.edit_message_reply_markup(None)
        await context.bot.send_message(chat_id, render.NOT_WITHDRAWN)
        return
    stored = await publishing.withdraw(context.services, action.digest_id, editor_id)
    if stored is None:
        await query.answer(render.ALREADY_WITHDRAWN)
        return
    await query.answer()
    await query.edit_message_reply_markup(None)
    await send_rendered(context.bot, chat_id, [render.withdrawn(stored.digest, stored.id)])


async def republish(update: Update, context: BriefingContext) -> None:
    """``/republish DATE``: bring back the withdrawn issue of that date (the undo of /withdraw)."""
    from bot.features import publishing

    message = update.effective_message
    if message is None:
        return
    editor_id = await _editor(update, context, "republish")
    if editor_id is None:
        return
    day, bad = _date_argument(message)
    if day is None:
        text = render.bad_date(bad, render.REPUBLISH_USAGE) if bad else render.REPUBLISH_USAGE
        await message.reply_text(text, parse_mode=ParseMode.HTML)
        return
    stored = await publishing.to_republish(context.services, day)
    done = None if stored is None else await publishing.republish(context.services, stored.id, editor_id)
    if done is None:
        await message.reply_text(render.nothing_to_republish(day))
        return
    await message.reply_text(render.republished(done[0].digest, done[0].id, done[1]), parse_mode=ParseMode.HTML)


async def republish_button(update: Update, context: BriefingContext) -> None:
    from bot.features import publishing

    press = await _editor_press(update, context, (RepublishIssue,), lambda _: "republish")
    if press is None:
        return
    query = press.query
    done = await publishing.republish(context.services, press.action.digest_id, press.editor_id)
    if done is None:
        await query.answer(render.ALREADY_PUBLISHED)
        return
    await query.answer()
    await query.edit_message_reply_markup(None)
    text = render.republished(done[0].digest, done[0].id, done[1])
    await context.bot.send_message(press.chat_id, text, parse_mode=ParseMode.HTML)


# --- statistics ------------------------------------------------------------------------------------


async def stats(update: Update, context: BriefingContext) -> None:
    message = update.effective_message
    if message is None:
        return
    if await _editor(update, context, "stats") is None:
        return
    from bot.features.stats import gather_stats  # the figures and the chart load with the first /stats
    from bot.render.charts import render_chart

    services = context.services
    figures = await gather_stats(
        services.subscribers,
        services.deliveries,
        services.broadcasts,
        services.clock.now(),
        timezone=services.settings.timezone,
        rate=services.settings.send_rate,
        lag_warn=dt.timedelta(minutes=services.settings.delivery_lag_warn),
        opens=services.opens,
        channels=services.channels if services.settings.channels else None,
    )
    await send_rendered(context.bot, message.chat_id, render.render_stats(figures))
    chart = await asyncio.to_thread(render_chart, figures)
    await message.reply_photo(chart, caption=render.CHART_CAPTION)


async def edited_command(update: Update, context: BriefingContext) -> None:
    """An old message edited into an editor command: never acted on (an edit would repeat a broadcast),
    refused like any editor command for readers (and audited), explained to editors."""
    message = update.effective_message
    match = _EDITED_COMMAND.match(message.text or "") if message is not None else None
    if message is None or match is None:
        return
    name = match.group(1).lower()
    if await _editor(update, context, name) is not None:
        await message.reply_text(render.edited_command(name))


_EDITOR_COMMANDS = ("broadcast", "cancel", "publish", "withdraw", "republish", "stats")
_EDITED_COMMAND = re.compile(rf"^\s*/({'|'.join(_EDITOR_COMMANDS)})(?:@[A-Za-z0-9_]+)?(?:\s|$)", re.IGNORECASE)


def register(app: BriefingApplication) -> None:
    app.add_handler(MessageHandler(filters.ChatType.PRIVATE, offer_editor_menu), group=_MENU_GROUP)
    new_messages = filters.UpdateType.MESSAGE  # an edited /broadcast must not make a second draft
    plain_text = new_messages & filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND
    app.add_handler(MessageHandler(plain_text, pasted_issue), group=_PASTE_GROUP)
    callbacks = {
        "broadcast": broadcast,
        "cancel": cancel,
        "publish": publish,
        "withdraw": withdraw,
        "republish": republish,
        "stats": stats,
    }
    for name in _EDITOR_COMMANDS:
        app.add_handler(CommandHandler(name, callbacks[name], filters=new_messages))
    app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE & filters.Regex(_EDITED_COMMAND), edited_command))
    app.add_handler(MessageHandler(filters.Document.ALL & new_messages, publish_document))
    app.add_handler(CallbackQueryHandler(broadcast_decision, pattern=f"^{BroadcastDecision.tag}:"))
    app.add_handler(CallbackQueryHandler(broadcast_option, pattern=f"^{BroadcastOption.tag}:"))
    app.add_handler(CallbackQueryHandler(publish_decision, pattern=f"^({PublishDecision.tag}|{PublishNow.tag}):"))
    app.add_handler(CallbackQueryHandler(withdraw_decision, pattern=f"^{WithdrawDecision.tag}:"))
    app.add_handler(CallbackQueryHandler(republish_button, pattern=f"^{RepublishIssue.tag}:"))
