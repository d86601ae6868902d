"""Chats in the fake Telegram: the chat registry, getChat, sendChatAction, message ids.

`_Chats` holds the chats a test sets up (``add_private_chat``, ``add_group``),
resolves a request's ``chat_id`` (by id or ``@username``; 403 for a blocked
user or a group that kicked the bot) and numbers messages per chat.
"""

from __future__ import annotations

from typing import Any

from .records import JSON
from .state import _api, _Chat, _State
from .validation import _Params, bad_request, forbidden

_CHAT_ACTIONS = frozenset(
    {"typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
     "upload_document", "choose_sticker", "find_location", "record_video_note",
     "upload_video_note"}
)


class _Chats(_State):
    def add_private_chat(
        self,
        user_id: int,
        first_name: str,
        language_code: str | None = "pt-br",
        username: str | None = None,
        last_name: str | None = None,
    ) -> JSON:
        """A user who has started the bot: messages to ``user_id`` now succeed."""
        with self._lock:
            chat = _Chat(user_id, "private", first_name=first_name, last_name=last_name,
                         username=username, language_code=language_code)
            self._chats[user_id] = chat
            return chat.api()

    def add_group(
        self, chat_id: int, title: str, is_forum: bool = False, chat_type: str | None = None
    ) -> JSON:
        """A group the bot is a member (and, for forums, a topic-managing admin) of."""
        if chat_type is None:
            chat_type = "supergroup" if is_forum or chat_id <= -1_000_000_000_000 else "group"
        with self._lock:
            chat = _Chat(chat_id, chat_type, title=title, is_forum=is_forum)
            self._chats[chat_id] = chat
            return chat.api()

    @_api("getChat")
    def _get_chat(self, p: _Params, token: str) -> JSON:
        chat = self._chat(p)
        info = chat.api() | {
            "accent_color_id": 0, "max_reaction_count": 11,
            "accepted_gift_types": {"unlimited_gifts": False, "limited_gifts": False,
                                    "unique_gifts": False, "premium_subscription": False,
                                    "gifts_from_channels": False},
        }
        return info

    @_api("sendChatAction")
    def _send_chat_action(self, p: _Params, token: str) -> bool:
        chat = self._chat(p, sending=True)
        if p.text("action", required=True) not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self._thread_of(chat, p)
        return True

    def _known_chat(self, chat_id: Any) -> _Chat:
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            found = next((c for c in self._chats.values()
                          if c.username and c.username.lower() == chat_id[1:].lower()), None)
            if found is None:
                raise bad_request("chat not found")
            return found
        if isinstance(chat_id, bool) or not isinstance(chat_id, int) or chat_id not in self._chats:
            raise bad_request("chat not found")
        return self._chats[chat_id]

    def _chat(self, p: _Params, name: str = "chat_id", *, sending: bool = False) -> _Chat:
        chat = self._known_chat(p.required(name))
        if sending and chat.id in self._blocked:
            if chat.type == "private":
                raise forbidden("bot was blocked by the user")
            raise forbidden(f"bot was kicked from the {chat.type} chat")
        return chat

    def _take_message_id(self, chat_id: int) -> int:
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        return message_id

    def _bump_message_id(self, chat_id: int, message_id: int) -> None:
        self._next_message_id[chat_id] = max(self._next_message_id.get(chat_id, 1), message_id + 1)
