"""Incoming updates of the fake Telegram: queueing them and ``getUpdates`` long polling.

`_Polling` takes the updates a test queues (``queue_update``), fills in what
Telegram would (``update_id``, ``message_id``, ``date``, the stored version of
replied and clicked messages), and serves them to ``getUpdates``: long polls
that return as soon as an update arrives, confirmation by ``offset``, ``409``
when a second poller takes over or a webhook is set.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import time
from typing import Any

from .files import _MEDIA_KINDS
from .messages import _without_reply
from .records import JSON
from .state import _api, _Chat, _FileRecord, _QueuedUpdate, _State, _StoredMessage
from .validation import POLLING_CONFLICT, WEBHOOK_CONFLICT, BotApiError, _Params


class _Polling(_State):
    def queue_update(self, update: JSON) -> int:
        """Queue an incoming update for getUpdates, or POST it to the webhook if one is set.

        Fills in what Telegram would (``update_id``, ``message_id``, ``date``, the stored
        version of replied and clicked messages) *in the given dict*, so the test can
        read them back; queueing the same dict again simulates a redelivery.
        """
        with self._changed:
            update_id = self._absorb_update(update)
            self._queue.append(_QueuedUpdate(copy.deepcopy(update)))
            webhook = self._webhook is not None
            self._changed.notify_all()
        self._notify_async_waiters()
        if webhook:
            self._schedule_delivery()
        else:
            self._signal_pollers()
        return update_id

    @property
    def pollers(self) -> int:
        """How many getUpdates requests are waiting right now (the bot is polling if > 0)."""
        return self._pollers

    @property
    def pending_updates(self) -> list[JSON]:
        """Queued updates the client has not confirmed yet."""
        with self._lock:
            return [copy.deepcopy(q.update) for q in self._queue]

    def _absorb_update(self, update: JSON) -> int:
        if not isinstance(update.get("update_id"), int):
            update["update_id"] = self._next_update_id
        self._next_update_id = max(self._next_update_id, update["update_id"] + 1)
        for key in ("message", "edited_message", "channel_post", "edited_channel_post",
                    "business_message"):
            if isinstance(update.get(key), dict):
                self._absorb_message(update[key])
        query = update.get("callback_query")
        if isinstance(query, dict):
            query.setdefault("id", str(next(self._ids) * 7919 + 10**15))
            query.setdefault("chat_instance", "-1")
            message = query.get("message")
            if isinstance(message, dict) and "chat" in message and "message_id" in message:
                stored = self._messages.get((message["chat"]["id"], message["message_id"]))
                if stored is not None:
                    query["message"] = copy.deepcopy(stored.api)
            self._callbacks.setdefault(str(query["id"]), False)
        return int(update["update_id"])

    def _absorb_message(self, message: JSON) -> None:
        chat_data = message.setdefault("chat", {})
        chat = self._chats.get(chat_data.get("id"))
        if chat is None and "id" in chat_data:
            chat = _Chat(
                chat_data["id"], chat_data.get("type", "private"), title=chat_data.get("title"),
                first_name=chat_data.get("first_name"), last_name=chat_data.get("last_name"),
                username=chat_data.get("username"), is_forum=bool(chat_data.get("is_forum")),
                language_code=(message.get("from") or {}).get("language_code"),
            )
            self._chats[chat.id] = chat
        if chat is not None:
            message["chat"] = chat.api()
        message.setdefault("date", int(time.time()))
        if not isinstance(message.get("message_id"), int):
            message["message_id"] = self._take_message_id(chat.id if chat else 0)
        elif chat is not None:
            self._bump_message_id(chat.id, message["message_id"])
        replied = message.get("reply_to_message")
        if isinstance(replied, dict) and chat is not None:
            stored = self._messages.get((chat.id, replied.get("message_id", 0)))
            if stored is not None:
                message["reply_to_message"] = _without_reply(stored.api)
                if stored.api.get("is_topic_message") and "message_thread_id" not in message:
                    # A reply lands in the topic of the message it answers.
                    message["message_thread_id"] = stored.api["message_thread_id"]
                    message["is_topic_message"] = True
        kind = "text"
        for media in _MEDIA_KINDS:
            if media in message:
                kind = media
                objects = message[media] if media == "photo" else [message[media]]
                for obj in objects:
                    if isinstance(obj, dict) and obj.get("file_id") not in self._files:
                        self._files[obj["file_id"]] = _FileRecord(
                            media, obj["file_id"], str(obj.get("file_unique_id", obj["file_id"])),
                            dict(obj), b"", None)
        if chat is not None:
            self._messages[(chat.id, message["message_id"])] = _StoredMessage(
                copy.deepcopy(message), kind, by_bot=False)

    # -- getUpdates --------------------------------------------------------------------------

    @_api("getUpdates")
    async def _get_updates(self, p: _Params, token: str) -> list[JSON]:
        with self._lock:
            if self._webhook is not None:
                raise BotApiError(409, WEBHOOK_CONFLICT)
            offset = p.integer("offset") or 0
            limit = min(max(p.integer("limit") or 100, 1), 100)
            timeout = max(p.number("timeout") or 0.0, 0.0)
            allowed = p.obj("allowed_updates")
            self._confirm(offset)
            self._poll_generation += 1
            generation = self._poll_generation
        self._bump_poll_event()  # an older long poll, if any, is terminated
        assert self._loop is not None
        deadline = self._loop.time() + timeout
        self._pollers += 1
        try:
            return await self._long_poll(generation, offset, limit, allowed, deadline)
        finally:
            self._pollers -= 1

    async def _long_poll(
        self, generation: int, offset: int, limit: int, allowed: Any, deadline: float
    ) -> list[JSON]:
        assert self._loop is not None
        while True:
            with self._lock:
                if generation != self._poll_generation:
                    raise BotApiError(409, POLLING_CONFLICT)
                if self._webhook is not None:
                    raise BotApiError(409, WEBHOOK_CONFLICT)
                batch = self._select_updates(offset, limit, allowed)
            remaining = deadline - self._loop.time()
            if batch or remaining <= 0 or self._closing:
                return batch
            event = self._poll_event
            assert event is not None
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    def _confirm(self, offset: int) -> None:
        if offset > 0:
            self._queue = [q for q in self._queue
                           if not (q.delivered and q.update["update_id"] < offset)]
        elif offset < 0:
            self._queue = self._queue[offset:]

    def _select_updates(self, offset: int, limit: int, allowed: Any) -> list[JSON]:
        batch: list[JSON] = []
        for entry in self._queue:
            if offset > 0 and entry.delivered and entry.update["update_id"] < offset:
                continue
            if allowed and not any(kind in entry.update for kind in allowed):
                continue
            entry.delivered = True
            batch.append(copy.deepcopy(entry.update))
            if len(batch) >= limit:
                break
        return batch

    def _signal_pollers(self) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._bump_poll_event)

    def _bump_poll_event(self) -> None:
        event = self._poll_event
        self._poll_event = asyncio.Event()
        if event is not None:
            event.set()
