"""Inline mode: ``@bot trenin`` in any chat offers matching stories and opinions to share."""

from __future__ import annotations

from telegram import InlineQueryResultArticle, InputTextMessageContent, Update
from telegram.constants import ParseMode
from telegram.ext import InlineQueryHandler

from bot.features.reading import InlineArticle, Reading
from bot.telegram.context import BriefingApplication, BriefingContext
from bot.telegram.messages import preview, to_markup

CACHE_SECONDS = 60
"""Results are the same for everyone, so Telegram may cache them briefly; new issues show within a minute."""


async def answer_inline(update: Update, context: BriefingContext) -> None:
    query = update.inline_query
    if query is None:
        return
    articles = await Reading.of(context.services).inline(query.query, context.bot.username)
    await query.answer([_result(article) for article in articles], cache_time=CACHE_SECONDS)


def _result(article: InlineArticle) -> InlineQueryResultArticle:
    rendered = article.message
    return InlineQueryResultArticle(
        id=article.id,
        title=article.title,
        description=article.description,
        input_message_content=InputTextMessageContent(
            rendered.html, parse_mode=ParseMode.HTML, link_preview_options=preview(rendered)
        ),
        reply_markup=to_markup(rendered.keyboard),
    )


def register(app: BriefingApplication) -> None:
    app.add_handler(InlineQueryHandler(answer_inline))
