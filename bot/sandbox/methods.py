"""The Bot API method table: which implementation answers which method name."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.sandbox.botsettings import BotSettings
from bot.sandbox.context import MethodContext
from bot.sandbox.groups import ChatMembers
from bot.sandbox.messaging import Messaging
from bot.sandbox.params import Params
from bot.sandbox.queries import QueryAnswers

Handler = Callable[[Params], Awaitable[Any]]


def method_table(context: MethodContext) -> dict[str, tuple[str, Handler]]:
    """Map lower-cased method names (Telegram ignores case) to ``(canonical name, handler)``."""
    messaging = Messaging(context)
    settings = BotSettings(context)
    queries = QueryAnswers(context)
    members = ChatMembers(context)
    handlers: dict[str, Handler] = {
        "getMe": settings.get_me,
        "getUpdates": queries.get_updates,
        "setMyCommands": settings.set_my_commands,
        "getMyCommands": settings.get_my_commands,
        "deleteMyCommands": settings.delete_my_commands,
        "setWebhook": settings.set_webhook,
        "deleteWebhook": settings.delete_webhook,
        "getWebhookInfo": settings.get_webhook_info,
        "close": settings.close,
        "logOut": settings.log_out,
        "getChat": settings.get_chat,
        "getChatMember": members.get_chat_member,
        "setChatMenuButton": settings.set_chat_menu_button,
        "getChatMenuButton": settings.get_chat_menu_button,
        "setMyName": settings.set_my_name,
        "getMyName": settings.get_my_name,
        "setMyDescription": settings.set_my_description,
        "getMyDescription": settings.get_my_description,
        "setMyShortDescription": settings.set_my_short_description,
        "getMyShortDescription": settings.get_my_short_description,
        "sendMessage": messaging.send_message,
        "sendPhoto": messaging.send_photo,
        "sendDocument": messaging.send_document,
        "editMessageText": messaging.edit_message_text,
        "editMessageReplyMarkup": messaging.edit_message_reply_markup,
        "editMessageCaption": messaging.edit_message_caption,
        "deleteMessage": messaging.delete_message,
        "sendChatAction": messaging.send_chat_action,
        "getFile": messaging.get_file,
        "answerCallbackQuery": queries.answer_callback_query,
        "answerInlineQuery": queries.answer_inline_query,
    }
    return {name.lower(): (name, handler) for name, handler in handlers.items()}
