"""The fake Telegram's recordings: what the bot did, for tests to read back.

`_Recording` gives tests the Bot API calls (``calls``, ``calls_to``), the
messages the bot sent as they are now (``sent_messages``, ``last_message``,
``message``), ``edits``, ``answered_callbacks``, ``reactions``, ``topics`` and
webhook ``deliveries``; ``clear`` forgets them.  Waiting for them is in
waiting.py.
"""

from __future__ import annotations

import copy

from .records import JSON, AnsweredCallback, Call, Edit, Reaction, SentMessage, Topic, WebhookDelivery
from .state import _State


class _Recording(_State):
    @property
    def calls(self) -> list[Call]:
        with self._lock:
            return list(self._calls)

    def calls_to(self, method: str) -> list[JSON]:
        """Parameters of every call of ``method`` (case-insensitive)."""
        with self._lock:
            return [c.params for c in self._calls if c.method.lower() == method.lower()]

    def sent_messages(
        self, chat_id: int | None = None, thread_id: int | None = None
    ) -> list[SentMessage]:
        """Messages the bot sent, oldest first, as they are now (edits applied)."""
        with self._lock:
            return [
                copy.deepcopy(m) for m in self._sent
                if (chat_id is None or m.chat_id == chat_id)
                and (thread_id is None or m.message_thread_id == thread_id)
            ]

    def last_message(
        self, chat_id: int | None = None, thread_id: int | None = None
    ) -> SentMessage | None:
        sent = self.sent_messages(chat_id, thread_id)
        return sent[-1] if sent else None

    def message(self, chat_id: int, message_id: int) -> JSON | None:
        """The stored Message object (the bot's or a user's), or None."""
        with self._lock:
            stored = self._messages.get((chat_id, message_id))
            return copy.deepcopy(stored.api) if stored else None

    @property
    def edits(self) -> list[Edit]:
        with self._lock:
            return list(self._edits)

    @property
    def answered_callbacks(self) -> list[AnsweredCallback]:
        with self._lock:
            return list(self._answers)

    @property
    def reactions(self) -> list[Reaction]:
        with self._lock:
            return list(self._reactions)

    @property
    def topics(self) -> list[Topic]:
        with self._lock:
            return [copy.copy(t) for t in self._topics.values()]

    @property
    def deliveries(self) -> list[WebhookDelivery]:
        with self._lock:
            return list(self._deliveries)

    def clear(self) -> None:
        """Forget recordings, faults and blocks; chats, topics, messages and files stay."""
        with self._changed:
            self._reset_recordings()
            self._changed.notify_all()
