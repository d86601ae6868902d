"""Changing sent messages in the fake Telegram: editMessage* and deleteMessage.

`_Editing` edits the bot's own messages like Telegram: "message is not modified"
for an identical edit, the inline keyboard removed when ``reply_markup`` is left
out, every edit recorded as an `Edit`; ``deleteMessage`` marks the
`SentMessage` as deleted.
"""

from __future__ import annotations

import copy
import time
from typing import Any

from .records import JSON, Edit
from .state import _UNSET, _api, _State, _StoredMessage
from .validation import NOT_MODIFIED, _check_text_length, _Params, bad_request


class _Editing(_State):
    def _editable(self, p: _Params) -> _StoredMessage:
        if p.has("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")  # the fake has no inline mode
        if not p.has("chat_id"):
            raise bad_request("chat_id is empty")
        chat = self._chat(p, sending=True)
        message_id = p.integer("message_id", required=True)
        stored = self._messages.get((chat.id, message_id or 0))
        if stored is None:
            raise bad_request("message to edit not found")
        if not stored.by_bot:
            raise bad_request("message can't be edited")
        return stored

    def _apply_edit(
        self, stored: _StoredMessage, method: str, *, text: str | None = _UNSET,
        caption: str | None = _UNSET, entities: list[JSON] | None = None,
        markup: JSON | None, raw: str | None = None, parse_mode: str | None = None,
    ) -> JSON:
        api = stored.api
        before = copy.deepcopy(api)
        if text is not _UNSET:
            api["text"] = text
            _set_or_drop(api, "entities", entities)
        if caption is not _UNSET:
            _set_or_drop(api, "caption", caption)
            _set_or_drop(api, "caption_entities", entities if caption else None)
        _set_or_drop(api, "reply_markup",
                     {"inline_keyboard": markup["inline_keyboard"]} if markup else None)
        before.pop("edit_date", None)
        after = {k: v for k, v in api.items() if k != "edit_date"}
        if before == after:
            raise bad_request(NOT_MODIFIED)
        api["edit_date"] = int(time.time())
        record = stored.record
        assert record is not None
        if text is not _UNSET:
            record.text = text
            record.entities = entities or []
            record.raw_text, record.parse_mode = raw, parse_mode
        if caption is not _UNSET:
            record.caption = caption
            record.entities = entities or []
            record.raw_text, record.parse_mode = raw, parse_mode
        record.reply_markup = markup
        record.edit_date = api["edit_date"]
        record.api = api
        self._edits.append(Edit(record.chat_id, record.message_id, method, record.text,
                                record.caption, markup))
        return copy.deepcopy(api)

    @_api("editMessageText")
    def _edit_message_text(self, p: _Params, token: str) -> JSON:
        stored = self._editable(p)
        if stored.kind != "text":
            raise bad_request("there is no text in the message to edit")
        raw = p.text("text")
        if raw is None:
            raise bad_request("message text is empty")
        text, entities = self._format(raw, p.text("parse_mode"), p.obj("entities"))
        _check_text_length(text, 4096, "message text is empty", "message is too long")
        markup = self._reply_markup(p, inline_only=True)
        return self._apply_edit(stored, "editMessageText", text=text, entities=entities,
                                markup=markup, raw=raw, parse_mode=p.text("parse_mode"))

    @_api("editMessageCaption")
    def _edit_message_caption(self, p: _Params, token: str) -> JSON:
        stored = self._editable(p)
        if stored.kind == "text":
            raise bad_request("there is no caption in the message to edit")
        raw = p.text("caption")
        caption: str | None = None
        entities: list[JSON] = []
        if raw is not None:
            caption, entities = self._format(raw, p.text("parse_mode"), p.obj("caption_entities"))
            _check_text_length(caption, 1024, None, "message caption is too long")
        markup = self._reply_markup(p, inline_only=True)
        return self._apply_edit(stored, "editMessageCaption", caption=caption or None,
                                entities=entities, markup=markup, raw=raw,
                                parse_mode=p.text("parse_mode"))

    @_api("editMessageReplyMarkup")
    def _edit_message_reply_markup(self, p: _Params, token: str) -> JSON:
        stored = self._editable(p)
        markup = self._reply_markup(p, inline_only=True)
        return self._apply_edit(stored, "editMessageReplyMarkup", markup=markup)

    @_api("deleteMessage")
    def _delete_message(self, p: _Params, token: str) -> bool:
        chat = self._chat(p)
        message_id = p.integer("message_id", required=True)
        stored = self._messages.pop((chat.id, message_id or 0), None)
        if stored is None:
            raise bad_request("message to delete not found")
        if stored.record is not None:
            stored.record.deleted = True
        return True


def _set_or_drop(target: JSON, key: str, value: Any) -> None:
    if value:
        target[key] = value
    else:
        target.pop(key, None)
