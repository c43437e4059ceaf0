"""Methods that put messages into chats or change them: send, edit, delete, files, chat actions."""

from __future__ import annotations

import time
from typing import Any

from bot.sandbox.context import MethodContext
from bot.sandbox.errors import bad_request
from bot.sandbox.keyboards import MARKUP_ERROR, message_markup, parse_reply_markup
from bot.sandbox.messagetext import FormattedText, format_text
from bot.sandbox.params import Params, Upload
from bot.sandbox.records import MediaInfo
from bot.sandbox.state import ChatState, StoredFile, StoredMessage

ENTITIES_ERROR = "can't parse entities JSON object"
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
DOWNLOAD_LIMIT = 20 * 1024 * 1024  # getFile refuses bigger files
_PHOTO_SIZE = {"width": 1280, "height": 720}  # the sandbox does not decode images
_CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
        "upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note",
    }
)  # fmt: skip


class Messaging:
    """sendMessage, sendPhoto, sendDocument, edits, deleteMessage, sendChatAction and getFile."""

    def __init__(self, context: MethodContext) -> None:
        self._context = context
        self._state = context.state

    async def send_message(self, params: Params) -> dict[str, Any]:
        chat = self._state.writable_chat(params.chat_id())
        html = params.text("text")
        parse_mode = params.text("parse_mode")
        formatted = format_text(html, parse_mode, params.json_value("entities", ENTITIES_ERROR))
        markup = parse_reply_markup(params.json_value("reply_markup", MARKUP_ERROR))
        reply_to = self._reply_target(chat, params)
        thread_id = _thread(chat, params)
        self._context.admit(chat.id, params)
        message = self._new_message(chat, reply_to, thread_id)
        _set_text(message, "text", "entities", formatted)
        _set_markup(message, message_markup(markup))
        self._state.keep_message(chat, StoredMessage(message, from_bot=True, html=html))
        self._context.record(
            "sendMessage",
            params,
            chat_id=chat.id,
            message_id=message["message_id"],
            text=formatted.text,
            html=html,
            parse_mode=parse_mode,
            reply_markup=markup,
            entities=tuple(formatted.entities),
            message_thread_id=thread_id,
            disable_notification=params.flag("disable_notification"),
        )
        return message

    async def send_photo(self, params: Params) -> dict[str, Any]:
        return self._send_media(params, "photo", "sendPhoto")

    async def send_document(self, params: Params) -> dict[str, Any]:
        return self._send_media(params, "document", "sendDocument")

    async def edit_message_text(self, params: Params) -> dict[str, Any]:
        chat, stored = self._editable(params)
        current = stored.message
        if "text" not in current:
            raise bad_request("there is no text in the message to edit")
        html = params.text("text")
        parse_mode = params.text("parse_mode")
        formatted = format_text(html, parse_mode, params.json_value("entities", ENTITIES_ERROR))
        markup = message_markup(parse_reply_markup(params.json_value("reply_markup", MARKUP_ERROR)))
        if (
            formatted.text == current["text"]
            and formatted.entities == current.get("entities", [])
            and markup == current.get("reply_markup")
        ):
            raise bad_request(NOT_MODIFIED)
        self._context.admit(chat.id, params)
        _set_text(current, "text", "entities", formatted)
        _set_markup(current, markup)
        current["edit_date"] = int(time.time())
        stored.html = html
        self._context.record(
            "editMessageText",
            params,
            chat_id=chat.id,
            message_id=current["message_id"],
            text=formatted.text,
            html=html,
            parse_mode=parse_mode,
            reply_markup=markup,
            entities=tuple(formatted.entities),
            edited=True,
        )
        return current

    async def edit_message_reply_markup(self, params: Params) -> dict[str, Any]:
        chat, stored = self._editable(params)
        current = stored.message
        markup = message_markup(parse_reply_markup(params.json_value("reply_markup", MARKUP_ERROR)))
        if markup == current.get("reply_markup"):
            raise bad_request(NOT_MODIFIED)
        self._context.admit(chat.id, params)
        _set_markup(current, markup)
        current["edit_date"] = int(time.time())
        text_key, entities_key = ("text", "entities") if "text" in current else ("caption", "caption_entities")
        self._context.record(
            "editMessageReplyMarkup",
            params,
            chat_id=chat.id,
            message_id=current["message_id"],
            text=current.get(text_key),
            html=stored.html,
            reply_markup=markup,
            entities=tuple(current.get(entities_key, ())),
            edited=True,
            media=_media_of(self._state.files, current),
        )
        return current

    async def edit_message_caption(self, params: Params) -> dict[str, Any]:
        chat, stored = self._editable(params)
        current = stored.message
        if "text" in current:
            raise bad_request("there is no caption in the message to edit")
        html = params.text("caption")
        parse_mode = params.text("parse_mode")
        caption = format_text(html, parse_mode, params.json_value("caption_entities", ENTITIES_ERROR), caption=True)
        markup = message_markup(parse_reply_markup(params.json_value("reply_markup", MARKUP_ERROR)))
        if (
            caption.text == current.get("caption", "")
            and caption.entities == current.get("caption_entities", [])
            and markup == current.get("reply_markup")
        ):
            raise bad_request(NOT_MODIFIED)
        self._context.admit(chat.id, params)
        _set_text(current, "caption", "caption_entities", caption)
        _set_markup(current, markup)
        current["edit_date"] = int(time.time())
        stored.html = html
        self._context.record(
            "editMessageCaption",
            params,
            chat_id=chat.id,
            message_id=current["message_id"],
            text=caption.text or None,
            html=html,
            parse_mode=parse_mode,
            reply_markup=markup,
            entities=tuple(caption.entities),
            edited=True,
            media=_media_of(self._state.files, current),
        )
        return current

    async def delete_message(self, params: Params) -> bool:
        chat = self._state.chat(params.chat_id())
        message_id = params.integer("message_id")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        stored = chat.live_message(message_id)
        if stored is None:
            raise bad_request("message to delete not found")
        stored.deleted = True
        self._context.record("deleteMessage", params, chat_id=chat.id, message_id=message_id)
        return True

    async def send_chat_action(self, params: Params) -> bool:
        chat = self._state.writable_chat(params.chat_id())
        if params.text("action") not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self._context.record("sendChatAction", params, chat_id=chat.id, text=params.text("action"))
        return True

    async def get_file(self, params: Params) -> dict[str, Any]:
        stored = self._state.files.get(params.text("file_id") or "")
        if stored is None:
            raise bad_request("invalid file_id")
        if stored.size > DOWNLOAD_LIMIT:
            raise bad_request("file is too big")
        return stored.describe()

    def _send_media(self, params: Params, kind: str, method: str) -> dict[str, Any]:
        chat = self._state.writable_chat(params.chat_id())
        source = _media_source(self._state.files, params.file(kind), kind)
        html = params.text("caption")
        parse_mode = params.text("parse_mode")
        caption = format_text(html, parse_mode, params.json_value("caption_entities", ENTITIES_ERROR), caption=True)
        markup = parse_reply_markup(params.json_value("reply_markup", MARKUP_ERROR))
        reply_to = self._reply_target(chat, params)
        thread_id = _thread(chat, params)
        self._context.admit(chat.id, params)
        if isinstance(source, Upload):
            source = self._state.add_file(kind, source.filename, source.content_type, source.data)
        message = self._new_message(chat, reply_to, thread_id)
        message[kind] = _media_object(kind, source)
        _set_text(message, "caption", "caption_entities", caption)
        _set_markup(message, message_markup(markup))
        self._state.keep_message(chat, StoredMessage(message, from_bot=True, html=html))
        self._context.record(
            method,
            params,
            chat_id=chat.id,
            message_id=message["message_id"],
            text=caption.text or None,
            html=html,
            parse_mode=parse_mode,
            reply_markup=markup,
            entities=tuple(caption.entities),
            media=MediaInfo(kind, source.file_id, source.name, source.mime_type, source.size),
            message_thread_id=thread_id,
            disable_notification=params.flag("disable_notification"),
        )
        return message

    def _new_message(
        self, chat: ChatState, reply_to: dict[str, Any] | None, thread_id: int | None = None
    ) -> dict[str, Any]:
        message: dict[str, Any] = {"message_id": chat.next_message_id()}
        if chat.type == "channel":
            message["sender_chat"] = chat.chat  # channel posts are signed by the channel, not the bot
        else:
            message["from"] = self._context.bot_user
        message.update(chat=chat.chat, date=int(time.time()))
        if thread_id is not None:
            message["message_thread_id"] = thread_id
            message["is_topic_message"] = True
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        return message

    def _reply_target(self, chat: ChatState, params: Params) -> dict[str, Any] | None:
        """The message being replied to, from reply_parameters or the older reply_to_message_id."""
        reply = params.json_value("reply_parameters", "can't parse reply parameters JSON object")
        if isinstance(reply, dict):
            message_id = reply.get("message_id")
            allow_missing = bool(reply.get("allow_sending_without_reply"))
        else:
            message_id = params.integer("reply_to_message_id")
            allow_missing = params.flag("allow_sending_without_reply")
        if message_id is None:
            return None
        stored = chat.live_message(int(message_id))
        if stored is None:
            if allow_missing:
                return None
            raise bad_request("message to be replied not found")
        # Telegram nests only one level of replies.
        return {key: value for key, value in stored.message.items() if key != "reply_to_message"}

    def _editable(self, params: Params) -> tuple[ChatState, StoredMessage]:
        if params.text("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")
        chat = self._state.writable_chat(params.chat_id())
        message_id = params.integer("message_id")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        stored = chat.live_message(message_id)
        if stored is None:
            raise bad_request("message to edit not found")
        if not stored.from_bot:
            raise bad_request("message can't be edited")
        return chat, stored


def _thread(chat: ChatState, params: Params) -> int | None:
    """The forum topic a message goes to; Telegram refuses a topic that does not exist there."""
    thread_id = params.integer("message_thread_id")
    if thread_id is None:
        return None
    if not chat.forum or thread_id not in chat.topics:
        raise bad_request("message thread not found")
    return thread_id


def _media_source(files: dict[str, StoredFile], source: Upload | str | None, kind: str) -> Upload | StoredFile:
    if source is None or source == "":
        raise bad_request(f"there is no {kind} in the request")
    if isinstance(source, Upload):
        if not source.data:
            raise bad_request("file must be non-empty")
        return source
    if source.startswith(("http://", "https://")):
        raise bad_request("failed to get HTTP URL content")
    stored = files.get(source)
    if stored is None:
        raise bad_request("wrong file identifier/HTTP URL specified")
    return stored


def _media_object(kind: str, stored: StoredFile) -> Any:
    ids = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id, "file_size": stored.size}
    if kind == "photo":
        return [{**ids, **_PHOTO_SIZE}]
    document: dict[str, Any] = dict(ids)
    if stored.name:
        document["file_name"] = stored.name
    if stored.mime_type:
        document["mime_type"] = stored.mime_type
    return document


def _media_of(files: dict[str, StoredFile], message: dict[str, Any]) -> MediaInfo | None:
    for kind in ("document", "photo"):
        if kind in message:
            attached = message[kind][-1] if kind == "photo" else message[kind]
            stored = files.get(attached["file_id"])
            if stored is not None:
                return MediaInfo(kind, stored.file_id, stored.name, stored.mime_type, stored.size)
    return None


def _set_text(message: dict[str, Any], text_key: str, entities_key: str, formatted: FormattedText) -> None:
    if formatted.text:
        message[text_key] = formatted.text
    else:
        message.pop(text_key, None)
    if formatted.entities:
        message[entities_key] = formatted.entities
    else:
        message.pop(entities_key, None)


def _set_markup(message: dict[str, Any], markup: dict[str, Any] | None) -> None:
    if markup is None:
        message.pop("reply_markup", None)
    else:
        message["reply_markup"] = markup
