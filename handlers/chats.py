"""Updates about chats rather than messages: the bot removed from a group, reactions on channel posts, and
inline results a reader picked. Each is handed to :mod:`bot.features.chats`."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ChatMemberHandler, ChosenInlineResultHandler, MessageReactionHandler

from bot.features import chats
from bot.telegram.context import BriefingApplication, BriefingContext


async def on_my_membership(update: Update, context: BriefingContext) -> None:
    change = update.my_chat_member
    if change is not None:
        await chats.membership_changed(context.services, change.chat.id, str(change.new_chat_member.status))


async def on_reaction_count(update: Update, context: BriefingContext) -> None:
    counts = update.message_reaction_count
    if counts is not None:
        total = sum(reaction.total_count for reaction in counts.reactions)
        await chats.reactions_changed(context.services, counts.chat.id, counts.message_id, total)


async def on_inline_chosen(update: Update, context: BriefingContext) -> None:
    chosen = update.chosen_inline_result
    if chosen is not None:
        await chats.inline_result_chosen(context.services, chosen.result_id)


def register(app: BriefingApplication) -> None:
    app.add_handler(ChatMemberHandler(on_my_membership, ChatMemberHandler.MY_CHAT_MEMBER))
    counts_only = MessageReactionHandler.MESSAGE_REACTION_COUNT_UPDATED
    app.add_handler(MessageReactionHandler(on_reaction_count, message_reaction_types=counts_only))
    app.add_handler(ChosenInlineResultHandler(on_inline_chosen))
