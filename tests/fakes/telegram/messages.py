"""Sending messages in the fake Telegram: sendMessage, copyMessage, forwardMessage.

`_Messages` validates texts (HTML parsed like TDLib, lengths measured without
tags), resolves replies and topics, and stores what the bot sent as a
`SentMessage` with the Message object Telegram would return.  Media sends
(files.py) and edits (editing.py) build on it.
"""

from __future__ import annotations

import copy
import time
from typing import Any

from .files import _MEDIA_KINDS, _file_id_of, _media_object
from .html_parser import HtmlParseError, parse_html
from .records import JSON, SentMessage
from .state import _api, _Chat, _FileRecord, _State, _StoredMessage
from .validation import _check_text_length, _Params, bad_request


class _Messages(_State):
    @_api("sendMessage")
    def _send_message(self, p: _Params, token: str) -> JSON:
        chat = self._chat(p, sending=True)
        raw = p.text("text")
        if raw is None:
            raise bad_request("message text is empty")
        text, entities = self._format(raw, p.text("parse_mode"), p.obj("entities"))
        _check_text_length(text, 4096, "message text is empty", "message is too long")
        markup = self._reply_markup(p)
        thread_id = self._thread_of(chat, p)
        reply_to, thread_id = self._reply_target(chat, p, thread_id)
        return self._store_bot_message(
            chat, token, "sendMessage", kind="text", text=text, raw=raw,
            parse_mode=p.text("parse_mode"), entities=entities, markup=markup,
            thread_id=thread_id, reply_to=reply_to,
        )

    @_api("copyMessage")
    def _copy_message(self, p: _Params, token: str) -> JSON:
        chat = self._chat(p, sending=True)
        source = self._source_message(p, "message to copy not found")
        if source.kind not in ("text", *_MEDIA_KINDS):
            raise bad_request("message can't be copied")
        text = source.api.get("text")
        entities = source.api.get("entities", [])
        caption = source.api.get("caption")
        raw = text if source.kind == "text" else caption
        if p.has("caption") and source.kind != "text":
            raw = p.text("caption")
            caption, entities = self._format(raw or "", p.text("parse_mode"),
                                             p.obj("caption_entities"))
            _check_text_length(caption, 1024, None, "message caption is too long")
        elif source.kind != "text":
            entities = source.api.get("caption_entities", [])
        markup = self._reply_markup(p)
        thread_id = self._thread_of(chat, p)
        reply_to, thread_id = self._reply_target(chat, p, thread_id)
        file = self._files.get(_file_id_of(source.api, source.kind) or "")
        message = self._store_bot_message(
            chat, token, "copyMessage", kind=source.kind, text=text, caption=caption or None,
            raw=raw, parse_mode=p.text("parse_mode"), entities=entities, markup=markup,
            thread_id=thread_id, reply_to=reply_to, file=file,
        )
        return {"message_id": message["message_id"]}

    @_api("forwardMessage")
    def _forward_message(self, p: _Params, token: str) -> JSON:
        chat = self._chat(p, sending=True)
        source = self._source_message(p, "message to forward not found")
        thread_id = self._thread_of(chat, p)
        file = self._files.get(_file_id_of(source.api, source.kind) or "")
        original = source.api
        message = self._store_bot_message(
            chat, token, "forwardMessage", kind=source.kind, text=original.get("text"),
            caption=original.get("caption"), raw=original.get("text") or original.get("caption"),
            parse_mode=None,
            entities=original.get("entities") or original.get("caption_entities") or [],
            markup=None, thread_id=thread_id, reply_to=None, file=file,
        )
        origin = {"type": "user", "sender_user": original.get("from") or self.bot_user(token),
                  "date": original.get("date", int(time.time()))}
        self._messages[(chat.id, message["message_id"])].api["forward_origin"] = origin
        return message | {"forward_origin": origin}

    def _source_message(self, p: _Params, not_found: str) -> _StoredMessage:
        from_chat = self._chat(p, "from_chat_id")
        message_id = p.integer("message_id", required=True)
        stored = self._messages.get((from_chat.id, message_id or 0))
        if stored is None:
            raise bad_request(not_found)
        return stored

    def _store_bot_message(
        self,
        chat: _Chat,
        token: str,
        method: str,
        *,
        kind: str,
        raw: str | None,
        parse_mode: str | None,
        entities: list[JSON],
        markup: JSON | None,
        thread_id: int | None,
        reply_to: _StoredMessage | None,
        text: str | None = None,
        caption: str | None = None,
        file: _FileRecord | None = None,
    ) -> JSON:
        message_id = self._take_message_id(chat.id)
        now = int(time.time())
        api: JSON = {"message_id": message_id, "from": self.bot_user(token), "chat": chat.api(),
                     "date": now}
        if thread_id is not None:
            api["message_thread_id"] = thread_id
            api["is_topic_message"] = True
        if reply_to is not None:
            api["reply_to_message"] = _without_reply(reply_to.api)
        elif thread_id is not None and (chat.id, thread_id) in self._messages:
            # In a forum, a message that replies to nothing replies to the topic's first message.
            api["reply_to_message"] = _without_reply(self._messages[(chat.id, thread_id)].api)
        if kind == "text":
            api["text"] = text
            if entities:
                api["entities"] = entities
        else:
            assert file is not None
            api[kind] = _media_object(file)
            if caption:
                api["caption"] = caption
                if entities:
                    api["caption_entities"] = entities
        if markup is not None and "inline_keyboard" in markup:
            api["reply_markup"] = {"inline_keyboard": markup["inline_keyboard"]}
        record = SentMessage(
            chat_id=chat.id, message_id=message_id, kind=kind,
            text=text if kind == "text" else None,
            caption=caption, raw_text=raw, parse_mode=parse_mode, entities=entities,
            reply_markup=markup, message_thread_id=thread_id,
            reply_to_message_id=reply_to.api["message_id"] if reply_to else None,
            file_id=file.file_id if file else None, method=method, date=now, api=api,
        )
        self._messages[(chat.id, message_id)] = _StoredMessage(api, kind, True, record)
        self._sent.append(record)
        return copy.deepcopy(api)

    def _format(self, raw: str, parse_mode: str | None, entities: Any) -> tuple[str, list[JSON]]:
        if parse_mode:
            mode = parse_mode.lower()
            if mode == "html":
                try:
                    return parse_html(raw, strict=self.strict_html)
                except HtmlParseError as exc:
                    raise bad_request(f"can't parse entities: {exc}") from None
            if mode in ("markdown", "markdownv2"):
                return raw, []
            raise bad_request("unsupported parse_mode")
        if entities is not None and not isinstance(entities, list):
            raise bad_request("can't parse entities JSON object")
        return raw, list(entities or [])

    def _reply_target(
        self, chat: _Chat, p: _Params, thread_id: int | None
    ) -> tuple[_StoredMessage | None, int | None]:
        params = p.obj("reply_parameters")
        if params is None and p.has("reply_to_message_id"):
            params = {"message_id": p.integer("reply_to_message_id"),
                      "allow_sending_without_reply": p.flag("allow_sending_without_reply")}
        if params is None:
            return None, thread_id
        if not isinstance(params, dict) or not isinstance(params.get("message_id"), int):
            raise bad_request("can't parse reply parameters JSON object")
        target_chat = chat
        if params.get("chat_id") not in (None, chat.id):
            target_chat = self._known_chat(params["chat_id"])
        stored = self._messages.get((target_chat.id, params["message_id"]))
        if stored is None:
            if params.get("allow_sending_without_reply"):
                return None, thread_id
            raise bad_request("message to be replied not found")
        if thread_id is None and target_chat is chat and stored.api.get("is_topic_message"):
            thread_id = stored.api.get("message_thread_id")
        return stored, thread_id


def _without_reply(message: JSON) -> JSON:
    copied = copy.deepcopy(message)
    copied.pop("reply_to_message", None)
    return copied
