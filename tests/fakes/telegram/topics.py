"""Forum topics in the fake Telegram: create, edit, close, reopen and delete them.

`_Topics` keeps the forum topics of supergroups (``add_topic`` for one that
already exists), validates names and icon colours like Telegram, and resolves
the ``message_thread_id`` of messages sent into a topic.
"""

from __future__ import annotations

import time

from .records import JSON, Topic
from .state import _api, _Chat, _State, _StoredMessage
from .validation import _Params, bad_request

_TOPIC_COLORS = frozenset({7322096, 16766590, 13338331, 9367192, 16749490, 16478047})


class _Topics(_State):
    def add_topic(self, chat_id: int, name: str, icon_color: int = 7322096) -> Topic:
        """A forum topic that already exists (as if someone created it before the test)."""
        with self._lock:
            chat = self._known_chat(chat_id)
            if not chat.is_forum:
                raise ValueError(f"chat {chat_id} is not a forum")
            return self._create_topic(chat, name, icon_color, None, by_bot=False)

    def _thread_of(self, chat: _Chat, p: _Params) -> int | None:
        thread_id = p.integer("message_thread_id")
        if thread_id is None or not chat.is_forum:
            return None
        topic = self._topics.get((chat.id, thread_id))
        if topic is None or topic.is_deleted:
            raise bad_request("message thread not found")
        return thread_id

    def _forum(self, p: _Params) -> _Chat:
        chat = self._chat(p, sending=True)
        if not chat.is_forum:
            raise bad_request("the chat is not a forum")
        return chat

    def _topic(self, chat: _Chat, p: _Params) -> Topic:
        thread_id = p.integer("message_thread_id", required=True)
        topic = self._topics.get((chat.id, thread_id or 0))
        if topic is None or topic.is_deleted:
            raise bad_request("TOPIC_ID_INVALID")
        return topic

    @_api("createForumTopic")
    def _create_forum_topic(self, p: _Params, token: str) -> JSON:
        chat = self._forum(p)
        name = p.text("name", required=True) or ""
        if len(name) > 128:
            raise bad_request("TOPIC_TITLE_INVALID")
        color = p.integer("icon_color") or 7322096
        if color not in _TOPIC_COLORS:
            raise bad_request("TOPIC_COLOR_INVALID")
        topic = self._create_topic(chat, name, color, p.text("icon_custom_emoji_id"), by_bot=True,
                                   token=token)
        result: JSON = {"message_thread_id": topic.message_thread_id, "name": topic.name,
                        "icon_color": topic.icon_color}
        if topic.icon_custom_emoji_id:
            result["icon_custom_emoji_id"] = topic.icon_custom_emoji_id
        return result

    def _create_topic(self, chat: _Chat, name: str, color: int, emoji: str | None, *,
                      by_bot: bool, token: str | None = None) -> Topic:
        thread_id = self._take_message_id(chat.id)
        created: JSON = {"name": name, "icon_color": color}
        if emoji:
            created["icon_custom_emoji_id"] = emoji
        service: JSON = {
            "message_id": thread_id, "message_thread_id": thread_id, "is_topic_message": True,
            "date": int(time.time()), "chat": chat.api(), "forum_topic_created": created,
        }
        if by_bot:
            service["from"] = self.bot_user(token)
        self._messages[(chat.id, thread_id)] = _StoredMessage(service, "service", by_bot=False)
        topic = Topic(chat.id, thread_id, name, color, emoji)
        self._topics[(chat.id, thread_id)] = topic
        return topic

    @_api("editForumTopic")
    def _edit_forum_topic(self, p: _Params, token: str) -> bool:
        chat = self._forum(p)
        topic = self._topic(chat, p)
        name = p.text("name")
        emoji = p.values.get("icon_custom_emoji_id")
        if name is not None and len(name) > 128:
            raise bad_request("TOPIC_TITLE_INVALID")
        same_name = name is None or name == topic.name
        if same_name and (emoji is None or emoji == topic.icon_custom_emoji_id):
            raise bad_request("TOPIC_NOT_MODIFIED")
        if name is not None:
            topic.name = name
        if emoji is not None:
            topic.icon_custom_emoji_id = emoji or None
        return True

    @_api("closeForumTopic")
    def _close_forum_topic(self, p: _Params, token: str) -> bool:
        topic = self._topic(self._forum(p), p)
        if topic.is_closed:
            raise bad_request("TOPIC_NOT_MODIFIED")
        topic.is_closed = True
        return True

    @_api("reopenForumTopic")
    def _reopen_forum_topic(self, p: _Params, token: str) -> bool:
        topic = self._topic(self._forum(p), p)
        if not topic.is_closed:
            raise bad_request("TOPIC_NOT_MODIFIED")
        topic.is_closed = False
        return True

    @_api("deleteForumTopic")
    def _delete_forum_topic(self, p: _Params, token: str) -> bool:
        topic = self._topic(self._forum(p), p)
        topic.is_deleted = True
        return True
