"""Builders of incoming Telegram updates (Bot API JSON dicts) for tests.

Each builder returns an ``Update`` dict as Telegram would send it, ready for
``FakeTelegram.queue_update`` or for ``Update.de_json(update, bot)``.

``message_id`` and ``update_id`` are left out unless given: the fake assigns them
in the chat's own sequence when the update is queued (and writes them into the
dict).  Pass them explicitly when feeding PTB directly, without the fake.

Where a message lands is described by the same keywords on every message builder:
``chat_id`` (default: the user's private chat), ``chat_type``, ``chat_title``,
``message_thread_id``, ``is_topic`` (a forum topic), ``reply_to`` (a message dict,
a recorded `SentMessage`, or a message id), ``message_id``, ``update_id`` and the
sender's ``first_name``/``language_code``/``username``.
"""

from __future__ import annotations

import itertools
import re
import time
from typing import Any

JSON = dict[str, Any]

DEFAULT_TOPIC_COLOR = 7322096
_COMMAND_RE = re.compile(r"(?<![\w/@])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")
_numbers = itertools.count(1)
_MEDIA_DEFAULTS: dict[str, JSON] = {
    "photo": {"width": 1280, "height": 960},
    "document": {"file_name": "file", "mime_type": "application/octet-stream"},
    "voice": {"duration": 3, "mime_type": "audio/ogg"},
    "video": {"width": 640, "height": 360, "duration": 5, "mime_type": "video/mp4"},
    "video_note": {"length": 240, "duration": 5},
    "audio": {"duration": 30, "mime_type": "audio/mpeg"},
}


# -- people and places -----------------------------------------------------------------------


def user(
    user_id: int,
    first_name: str | None = None,
    language_code: str | None = "pt-br",
    username: str | None = None,
    last_name: str | None = None,
) -> JSON:
    data: JSON = {"id": user_id, "is_bot": False, "first_name": first_name or f"User{user_id}"}
    if last_name:
        data["last_name"] = last_name
    if username:
        data["username"] = username
    if language_code:
        data["language_code"] = language_code
    return data


def chat(
    chat_id: int,
    chat_type: str = "private",
    *,
    title: str | None = None,
    first_name: str | None = None,
    username: str | None = None,
    is_forum: bool = False,
) -> JSON:
    data: JSON = {"id": chat_id, "type": chat_type}
    if chat_type == "private":
        data["first_name"] = first_name or f"User{chat_id}"
        if username:
            data["username"] = username
    else:
        data["title"] = title or f"Group {chat_id}"
    if is_forum:
        data["is_forum"] = True
    return data


def bot_command_entities(text: str) -> list[JSON]:
    """``bot_command`` entities for every /command in the text, as Telegram clients add them."""
    entities = []
    for match in _COMMAND_RE.finditer(text):
        entities.append({
            "type": "bot_command",
            "offset": _utf16_len(text[: match.start()]),
            "length": _utf16_len(match.group()),
        })
    return entities


# -- messages --------------------------------------------------------------------------------


def text_message(
    user_id: int,
    text: str,
    chat_id: int | None = None,
    message_id: int | None = None,
    language_code: str | None = "pt-br",
    first_name: str | None = None,
    chat_type: str = "private",
    **where: Any,
) -> JSON:
    """A text message from ``user_id``; a leading /command gets its ``bot_command`` entity."""
    body: JSON = {"text": text}
    entities = bot_command_entities(text)
    if entities:
        body["entities"] = entities
    return _message_update(
        user_id, body, chat_id=chat_id, message_id=message_id, language_code=language_code,
        first_name=first_name, chat_type=chat_type, **where,
    )


def group_message(
    chat_id: int,
    user_id: int,
    text: str,
    message_thread_id: int | None = None,
    reply_to: Any = None,
    is_topic: bool = False,
    **where: Any,
) -> JSON:
    """A text message in a group; ``is_topic=True`` puts it in forum topic ``message_thread_id``.

    In a forum topic a message that replies to nothing carries ``reply_to_message`` = the
    topic's creation message, exactly like Telegram (the fake fills in the stored one).
    """
    where.setdefault("chat_type", "supergroup" if is_topic or chat_id <= -10**12 else "group")
    return text_message(
        user_id, text, chat_id=chat_id, message_thread_id=message_thread_id, reply_to=reply_to,
        is_topic=is_topic, **where,
    )


def command(user_id: int, name: str, *args: str, bot_username: str | None = None,
            **kwargs: Any) -> JSON:
    """``/name arg1 arg2`` (``/name@bot`` with ``bot_username``) from ``user_id``."""
    text = "/" + name.removeprefix("/") + (f"@{bot_username}" if bot_username else "")
    if args:
        text += " " + " ".join(args)
    return text_message(user_id, text, **kwargs)


def photo_message(user_id: int, file_id: str | None = None, caption: str | None = None,
                  **where: Any) -> JSON:
    file_id = file_id or _file_id("photo")
    body: JSON = {"photo": [media_object("photo", f"{file_id}-thumb", width=90, height=90),
                            media_object("photo", file_id)]}
    return _message_update(user_id, _with_caption(body, caption), **where)


def document_message(
    user_id: int,
    file_id: str | None = None,
    file_name: str = "documento.pdf",
    mime_type: str = "application/pdf",
    caption: str | None = None,
    **where: Any,
) -> JSON:
    body = {"document": media_object("document", file_id or _file_id("document"),
                                     file_name=file_name, mime_type=mime_type)}
    return _message_update(user_id, _with_caption(body, caption), **where)


def voice_message(user_id: int, file_id: str | None = None, duration: int = 3,
                  caption: str | None = None, **where: Any) -> JSON:
    body = {"voice": media_object("voice", file_id or _file_id("voice"), duration=duration)}
    return _message_update(user_id, _with_caption(body, caption), **where)


def video_message(user_id: int, file_id: str | None = None, duration: int = 5,
                  caption: str | None = None, **where: Any) -> JSON:
    body = {"video": media_object("video", file_id or _file_id("video"), duration=duration)}
    return _message_update(user_id, _with_caption(body, caption), **where)


def video_note_message(user_id: int, file_id: str | None = None, duration: int = 5,
                       length: int = 240, **where: Any) -> JSON:
    body = {"video_note": media_object("video_note", file_id or _file_id("video_note"),
                                       duration=duration, length=length)}
    return _message_update(user_id, body, **where)


def callback_query(
    user_id: int,
    data: str,
    message: Any = None,
    chat_id: int | None = None,
    *,
    message_id: int | None = None,
    first_name: str | None = None,
    language_code: str | None = "pt-br",
    username: str | None = None,
    query_id: str | None = None,
    update_id: int | None = None,
) -> JSON:
    """A press on an inline button of ``message`` (the bot's message dict or `SentMessage`).

    Without ``message``, give ``chat_id`` and ``message_id`` of the bot's message.
    Prefer ``FakeTelegram.click``, which checks that the button exists.
    """
    message_data: JSON
    if message is None:
        if message_id is None:
            raise ValueError("callback_query needs the message, or chat_id and message_id")
        target = chat_id if chat_id is not None else user_id
        message_data = {"message_id": message_id, "date": int(time.time()),
                        "chat": chat(target, "private" if target > 0 else "supergroup")}
    elif hasattr(message, "to_api"):
        message_data = message.to_api()
    else:
        message_data = dict(message)
    query: JSON = {
        "id": query_id or str(10**15 + next(_numbers)),
        "from": user(user_id, first_name, language_code, username),
        "chat_instance": str(-(10**12) - abs(int(message_data["chat"]["id"]))),
        "message": message_data,
        "data": data,
    }
    update: JSON = {"callback_query": query}
    if update_id is not None:
        update["update_id"] = update_id
    return update


# -- media objects (also used by the fake for files the bot uploads) -------------------------


def media_object(kind: str, file_id: str, *, unique_id: str | None = None,
                 size: int | None = None, **meta: Any) -> JSON:
    """The object a Message carries for ``kind``: PhotoSize, Document, Voice, Video, ..."""
    obj: JSON = {"file_id": file_id, "file_unique_id": unique_id or f"uniq-{file_id}"}
    obj.update(_MEDIA_DEFAULTS.get(kind, {}))
    obj.update({k: v for k, v in meta.items() if v is not None})
    if size is not None:
        obj["file_size"] = size
    return obj


# -- internals -------------------------------------------------------------------------------


def _message_update(
    user_id: int,
    body: JSON,
    *,
    chat_id: int | None = None,
    chat_type: str | None = None,
    chat_title: str | None = None,
    message_thread_id: int | None = None,
    is_topic: bool = False,
    reply_to: Any = None,
    message_id: int | None = None,
    first_name: str | None = None,
    language_code: str | None = "pt-br",
    username: str | None = None,
    update_id: int | None = None,
    date: int | None = None,
) -> JSON:
    sender = user(user_id, first_name, language_code, username)
    if chat_id is None or chat_id == user_id:
        where = chat(user_id, "private", first_name=sender["first_name"], username=username)
    else:
        where = chat(chat_id, chat_type if chat_type not in (None, "private") else "supergroup",
                     title=chat_title, is_forum=is_topic)
    message: JSON = {"date": date or int(time.time()), "chat": where, "from": sender}
    if message_id is not None:
        message["message_id"] = message_id
    replied = _replied_message(reply_to, where)
    if replied is not None:
        if message_thread_id is None and replied.get("is_topic_message"):
            message_thread_id, is_topic = replied.get("message_thread_id"), True
        message["reply_to_message"] = replied
    if message_thread_id is not None:
        message["message_thread_id"] = message_thread_id
        if is_topic:
            message["is_topic_message"] = True
            where["is_forum"] = True
            if replied is None:
                message["reply_to_message"] = {
                    "message_id": message_thread_id, "message_thread_id": message_thread_id,
                    "is_topic_message": True, "date": 0, "chat": dict(where),
                    "forum_topic_created": {"name": "", "icon_color": DEFAULT_TOPIC_COLOR},
                }
    message.update(body)
    update: JSON = {"message": message}
    if update_id is not None:
        update["update_id"] = update_id
    return update


def _replied_message(reply_to: Any, where: JSON) -> JSON | None:
    if reply_to is None:
        return None
    replied: JSON
    if hasattr(reply_to, "to_api"):
        replied = dict(reply_to.to_api())
    elif isinstance(reply_to, dict):
        replied = dict(reply_to)
    else:  # a message id: the fake puts the stored message in its place
        replied = {"message_id": int(reply_to), "date": 0, "chat": dict(where)}
    replied.pop("reply_to_message", None)
    return replied


def _with_caption(body: JSON, caption: str | None) -> JSON:
    if caption:
        body["caption"] = caption
        entities = bot_command_entities(caption)
        if entities:
            body["caption_entities"] = entities
    return body


def _file_id(kind: str) -> str:
    return f"user-{kind}-{next(_numbers):06d}"


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2
