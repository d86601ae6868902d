"""Keyboards, button presses and reactions in the fake Telegram.

`_Keyboards` validates ``reply_markup`` (inline keyboards: one action per
button, ``callback_data`` of 1-64 bytes, ``BUTTON_DATA_INVALID`` and friends),
lets a test press an inline button (``click``), answers each callback query
once (``answerCallbackQuery``) and checks ``setMessageReaction``.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any

from . import updates
from .records import JSON, AnsweredCallback, Reaction, SentMessage
from .state import _api, _State
from .validation import QUERY_TOO_OLD, _Params, bad_request

# Bot API: the emoji a bot may react with (ReactionTypeEmoji).
_REACTION_EMOJI = frozenset({
    "👍", "👎", "❤", "🔥", "🥰", "👏", "😁", "🤔", "🤯", "😱", "🤬", "😢", "🎉",
    "🤩", "🤮", "💩", "🙏", "👌", "🕊", "🤡", "🥱", "🥴", "😍", "🐳", "❤️\u200d🔥",
    "🌚", "🌭", "💯", "🤣", "⚡", "🍌", "🏆", "💔", "🤨", "😐", "🍓", "🍾", "💋",
    "🖕", "😈", "😴", "😭", "🤓", "👻", "👨\u200d💻", "👀", "🎃", "🙈", "😇", "😨",
    "🤝", "✍", "🤗", "🫡", "🎅", "🎄", "☃", "💅", "🤪", "🗿", "🆒", "💘", "🙉",
    "🦄", "😘", "💊", "🙊", "😎", "👾", "🤷\u200d♂️", "🤷", "🤷\u200d♀️", "😡",
})
_BUTTON_ACTIONS = (
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
)


class _Keyboards(_State):
    def _reply_markup(self, p: _Params, *, inline_only: bool = False) -> JSON | None:
        markup = p.obj("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            _check_inline_keyboard(markup["inline_keyboard"])
            return markup
        if inline_only:
            raise bad_request("inline keyboard expected")
        if "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise bad_request('Field "keyboard" must be of type Array')
            for row in rows:
                for button in row:
                    if not (isinstance(button, str) or
                            (isinstance(button, dict) and isinstance(button.get("text"), str))):
                        raise bad_request(
                            "can't parse keyboard button: Field \"text\" must be of type String")
            return markup
        if markup.get("remove_keyboard") is True or markup.get("force_reply") is True:
            return markup
        raise bad_request("can't find field \"inline_keyboard\"")

    def click(
        self,
        message: SentMessage | JSON | tuple[int, int],
        button_text: str | None = None,
        *,
        data: str | None = None,
        user_id: int | None = None,
    ) -> int:
        """Press an inline button of a bot message, as a Telegram client would.

        The button must exist on the message *as it is now* and carry callback_data.
        Returns the update_id of the queued callback query.
        """
        chat_id, message_id = _message_address(message)
        with self._lock:
            stored = self._messages.get((chat_id, message_id))
            if stored is None:
                raise AssertionError(f"message {message_id} in chat {chat_id} does not exist")
            markup = stored.api.get("reply_markup") or {}
            buttons = [b for row in markup.get("inline_keyboard", []) for b in row]
            matching = [
                b for b in buttons
                if (button_text is None or b.get("text") == button_text)
                and (data is None or b.get("callback_data") == data)
            ]
            if not matching:
                shown = [(b.get("text"), b.get("callback_data")) for b in buttons]
                raise AssertionError(
                    f"no button text={button_text!r} data={data!r} on message {message_id}; "
                    f"buttons are {shown}"
                )
            if "callback_data" not in matching[0]:
                raise AssertionError(f"button {matching[0]} has no callback_data")
            chat = self._chats.get(chat_id)
            if user_id is None:
                if chat is None or chat.type != "private":
                    raise ValueError("user_id is required to click in a group")
                user_id = chat_id
            person = self._chats.get(user_id)
            update = updates.callback_query(
                user_id,
                matching[0]["callback_data"],
                message=copy.deepcopy(stored.api),
                first_name=person.first_name if person and person.first_name else None,
                language_code=person.language_code if person else "pt-br",
                username=person.username if person else None,
            )
        return self.queue_update(update)

    @_api("answerCallbackQuery")
    def _answer_callback_query(self, p: _Params, token: str) -> bool:
        query_id = p.text("callback_query_id", required=True) or ""
        if self._callbacks.get(query_id, True):
            raise bad_request(QUERY_TOO_OLD)
        text = p.text("text")
        if text is not None and len(text) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        self._callbacks[query_id] = True
        self._answers.append(AnsweredCallback(query_id, text, p.flag("show_alert"),
                                              p.text("url"), p.integer("cache_time")))
        return True

    @_api("setMessageReaction")
    def _set_message_reaction(self, p: _Params, token: str) -> bool:
        chat = self._chat(p, sending=True)
        message_id = p.integer("message_id", required=True)
        if (chat.id, message_id or 0) not in self._messages:
            raise bad_request("message to react not found")
        reaction = p.obj("reaction") or []
        if not isinstance(reaction, list):
            raise bad_request("can't parse reaction types JSON object")
        for item in reaction:
            if not isinstance(item, dict) or item.get("type") not in (
                "emoji", "custom_emoji", "paid"
            ):
                raise bad_request("can't parse ReactionType JSON object")
            if item["type"] == "emoji" and item.get("emoji") not in _REACTION_EMOJI:
                raise bad_request("REACTION_INVALID")
            if item["type"] == "custom_emoji" and not str(item.get("custom_emoji_id")).isdigit():
                raise bad_request("REACTION_INVALID")
        if len(reaction) > 1:
            raise bad_request("REACTIONS_TOO_MANY")
        self._reactions.append(Reaction(chat.id, message_id or 0, reaction, p.flag("is_big")))
        return True


def _check_inline_keyboard(rows: Any) -> None:
    if not isinstance(rows, list):
        raise bad_request('Field "inline_keyboard" must be of type Array')
    count = 0
    for row in rows:
        if not isinstance(row, list):
            raise bad_request('Field "inline_keyboard" must be of type Array of Array')
        for button in row:
            count += 1
            if not isinstance(button, dict):
                raise bad_request("can't parse inline keyboard button: InlineKeyboardButton "
                                  "must be an Object")
            if not isinstance(button.get("text"), str):
                raise bad_request("can't parse inline keyboard button: Field \"text\" must be "
                                  "of type String")
            actions = [a for a in _BUTTON_ACTIONS if a in button]
            if not actions:
                raise bad_request("can't parse inline keyboard button: Text buttons are "
                                  "unallowed in the inline keyboard")
            if len(actions) > 1:
                raise bad_request("can't parse inline keyboard button: exactly one of the "
                                  f"optional fields must be used, got {actions}")
            if not button["text"].strip():
                raise bad_request("BUTTON_TEXT_INVALID")
            if "callback_data" in button:
                data = button["callback_data"]
                if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
                    raise bad_request("BUTTON_DATA_INVALID")
            if "url" in button:
                url = button["url"]
                if not isinstance(url, str) or not re.match(r"^(https?|tg)://\S+$", url):
                    raise bad_request("BUTTON_URL_INVALID")
    if count > 100:
        raise bad_request("reply markup is too long")


def _message_address(message: SentMessage | Mapping[str, Any] | tuple[int, int]) -> tuple[int, int]:
    if isinstance(message, SentMessage):
        return message.chat_id, message.message_id
    if isinstance(message, tuple):
        return message
    return int(message["chat"]["id"]), int(message["message_id"])
