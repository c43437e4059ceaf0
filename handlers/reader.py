"""Reader commands: /today, /digest, /archive, /stories, /story, /opinions, /opinion, /authors, /search,
/latest, plain text (an author's pieces on a topic, or a search), and ``/start <payload>`` deep links.

Each handler parses its command, asks :class:`bot.features.reading.Reading` for the answer and sends it; buttons
and inline mode live in :mod:`handlers.reading_callbacks` and :mod:`handlers.inline`.
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import Update
from telegram.ext import CommandHandler, MessageHandler, filters

from bot.digest.model import ItemKind
from bot.features.reading import Reading
from bot.render.message import RenderedMessage
from bot.telegram.context import BriefingApplication, BriefingContext
from bot.telegram.messages import send_paced
from handlers.inline import register as register_inline
from handlers.reading_callbacks import register as register_reading_callbacks


async def reply(context: BriefingContext, chat_id: int, parts: Sequence[RenderedMessage]) -> None:
    """Send a reading answer, paced when it has several parts (see :func:`bot.telegram.messages.send_paced`)."""
    await send_paced(context.bot, chat_id, parts, context.services.reply_pacer, thread_id=context.topic)


def _chat(update: Update) -> int | None:
    return update.effective_chat.id if update.effective_chat else None


def _argument(context: BriefingContext) -> str:
    return " ".join(context.args or ())


async def today(update: Update, context: BriefingContext) -> None:
    if (chat_id := _chat(update)) is not None:
        await reply(context, chat_id, await Reading.of(context.services).today(chat_id))


async def digest(update: Update, context: BriefingContext) -> None:
    if (chat_id := _chat(update)) is not None:
        await reply(context, chat_id, await Reading.of(context.services).digest_on(chat_id, _argument(context)))


async def archive(update: Update, context: BriefingContext) -> None:
    if (chat_id := _chat(update)) is not None:
        await reply(context, chat_id, await Reading.of(context.services).archive(_argument(context)))


async def stories(update: Update, context: BriefingContext) -> None:
    if (chat_id := _chat(update)) is not None:
        answer = await Reading.of(context.services).items(ItemKind.STORY, _argument(context), chat_id)
        await reply(context, chat_id, answer)


async def story(update: Update, context: BriefingContext) -> None:
    if (chat_id := _chat(update)) is not None:
        await reply(context, chat_id, await Reading.of(context.services).story(chat_id, _argument(context)))


async def opinions(update: Update, context: BriefingContext) -> None:
    if (chat_id := _chat(update)) is not None:
        answer = await Reading.of(context.services).items(ItemKind.OPINION, _argument(context), chat_id)
        await reply(context, chat_id, answer)


async def opinion(update: Update, context: BriefingContext) -> None:
    if (chat_id := _chat(update)) is not None:
        await reply(context, chat_id, await Reading.of(context.services).opinion(chat_id, _argument(context)))


async def authors(update: Update, context: BriefingContext) -> None:
    if (chat_id := _chat(update)) is not None:
        await reply(context, chat_id, await Reading.of(context.services).authors())


async def search(update: Update, context: BriefingContext) -> None:
    if (chat_id := _chat(update)) is not None:
        await reply(context, chat_id, await Reading.of(context.services).search(_argument(context)))


async def latest(update: Update, context: BriefingContext) -> None:
    if (chat_id := _chat(update)) is not None:
        await reply(context, chat_id, await Reading.of(context.services).latest_update())


async def search_text(update: Update, context: BriefingContext) -> None:
    """A plain message in a private chat: an author's pieces on a topic ("trenin nato"), or a search."""
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None or not message.text:
        return
    await reply(context, chat.id, await Reading.of(context.services).text(chat.id, message.text))


async def open_start_payload(update: Update, context: BriefingContext, payload: str) -> None:
    """``/start opinion-2022-01-07-1``: after the welcome, open what the link points to.

    Called by ``/start`` once it has sent its welcome (through the same pacer, so that a whole issue after
    it still stays within the chat's rate).
    """
    chat = update.effective_chat
    if chat is None:
        return
    await reply(context, chat.id, await Reading.of(context.services).deep_link(chat.id, payload))


def register(app: BriefingApplication) -> None:
    for name, callback in (
        ("today", today),
        ("digest", digest),
        ("archive", archive),
        ("stories", stories),
        ("story", story),
        ("opinions", opinions),
        ("opinion", opinion),
        ("authors", authors),
        ("search", search),
        ("latest", latest),
    ):
        app.add_handler(CommandHandler(name, callback))
    register_reading_callbacks(app)
    register_inline(app)


def register_fallbacks(app: BriefingApplication) -> None:
    """Plain text in a private chat searches; registered after every feature's own text handlers."""
    plain_text = filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND
    app.add_handler(MessageHandler(plain_text, search_text))
