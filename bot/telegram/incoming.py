"""Telegram updates as the dialog's ``Incoming``: text, commands, attachments, button presses."""

from __future__ import annotations

from telegram import CallbackQuery, Message, Update

from bot.messages import Incoming
from core.model import Attachment

PLATFORM = "telegram"


def _str(value: object) -> str | None:
    """PTB takes a webhook's JSON as it comes: a field that should be text may be anything."""
    return value if isinstance(value, str) else None


def attachments_of(message: Message) -> tuple[Attachment, ...]:
    """The files a message carries, by file_id (a photo: its largest size)."""
    found: list[Attachment] = []
    if message.photo:
        largest = message.photo[-1]
        found.append(Attachment("photo", largest.file_id, None, "image/jpeg", largest.file_size, PLATFORM))
    if message.document:
        doc = message.document
        found.append(Attachment("document", doc.file_id, doc.file_name, doc.mime_type, doc.file_size, PLATFORM))
    if message.voice:
        voice = message.voice
        found.append(Attachment("voice", voice.file_id, None, voice.mime_type, voice.file_size, PLATFORM))
    if message.video_note:
        note = message.video_note
        found.append(Attachment("video_note", note.file_id, None, None, note.file_size, PLATFORM))
    if message.video:
        video = message.video
        found.append(Attachment("video", video.file_id, video.file_name, video.mime_type, video.file_size,
                                PLATFORM))
    if message.audio:
        audio = message.audio
        found.append(Attachment("audio", audio.file_id, audio.file_name or audio.title, audio.mime_type,
                                audio.file_size, PLATFORM))
    return tuple(found)


def text_of(message: Message, bot_username: str | None) -> str:
    """The message's text or caption, with ``/command@thisbot`` shortened to ``/command``."""
    text = _str(message.text) or _str(message.caption) or ""
    return strip_bot_name(text, bot_username)


def strip_bot_name(text: str, bot_username: str | None) -> str:
    if not text.startswith("/"):
        return text
    first, sep, rest = text.partition(" ")
    name, at, target = first.partition("@")
    if at and bot_username and target.lower() == bot_username.lower():
        return f"{name}{sep}{rest}"
    return text


def command_of(text: str) -> tuple[str, str] | None:
    """``("nota", "texto")`` for ``/nota texto``; None for a plain text or one for another bot."""
    if not text.startswith("/"):
        return None
    first, _, rest = text.partition(" ")
    name = first[1:]
    if "@" in name or not name:
        return None  # addressed to another bot
    return name.lower(), rest.strip()


def from_message(update: Update, bot_username: str | None) -> Incoming:
    """A private-chat message from a client."""
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None
    return Incoming(
        platform=PLATFORM,
        user_id=str(user.id),
        chat_id=str(message.chat.id),
        text=text_of(message, bot_username),
        attachments=attachments_of(message),
        message_id=str(message.message_id),
        update_key=str(update.update_id),
        locale=_str(user.language_code),
        display_name=_str(user.first_name),
    )


def from_callback(update: Update) -> Incoming:
    """A press on one of the bot's inline buttons in a private chat."""
    query = update.callback_query
    assert query is not None
    user = query.from_user
    message = query.message
    chat_id = message.chat.id if message is not None else user.id
    text = _str(message.text) if isinstance(message, Message) else None
    return Incoming(
        platform=PLATFORM,
        user_id=str(user.id),
        chat_id=str(chat_id),
        button=_str(query.data) or "",
        update_key=str(update.update_id),
        locale=_str(user.language_code),
        display_name=_str(user.first_name),
        button_message_id=str(message.message_id) if message is not None else None,
        extra={"message_text": text} if text else {},
    )


def callback_chat_type(query: CallbackQuery) -> str | None:
    return query.message.chat.type if query.message is not None else None
