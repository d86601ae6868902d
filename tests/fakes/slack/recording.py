"""The fake Slack's recordings: what the client did, for tests to read back.

`_Recording` gives tests the Web API calls (``calls``, ``calls_to``), the
messages posted, in their current state (``messages``, ``last_message``,
``message``), ``updates``, ``ephemerals``, ``reactions`` and
``response_url_posts``; ``clear`` forgets them.  Waiting for them is in
waiting.py.
"""

from __future__ import annotations

from typing import Any

from .records import ApiCall, Ephemeral, Message, Reaction, ResponseUrlPost, Update
from .state import _State


class _Recording(_State):
    @property
    def calls(self) -> list[ApiCall]:
        """Every Web API request received, in order (including rejected ones)."""
        with self._lock:
            return list(self._calls)

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        """The arguments of every call to ``method``."""
        return [c.args for c in self.calls if c.method == method]

    def messages(self, channel: str | None = None, thread_ts: str | None = None) -> list[Message]:
        """Messages the client posted (chat.postMessage, in_channel responses), in
        order, in their current state. ``thread_ts`` keeps only replies in that thread."""
        with self._lock:
            found = []
            for key in self._posted:
                msg = self._history.get(key)
                if msg is None:
                    continue
                if channel is not None and msg.channel != channel:
                    continue
                if thread_ts is not None and msg.thread_ts != thread_ts:
                    continue
                found.append(msg)
            return found

    def last_message(self, channel: str | None = None, thread_ts: str | None = None) -> Message | None:
        found = self.messages(channel, thread_ts)
        return found[-1] if found else None

    def message(self, channel: str, ts: str) -> Message | None:
        """The current state of any message in the history (posted or added)."""
        with self._lock:
            return self._history.get((channel, ts))

    @property
    def updates(self) -> list[Update]:
        with self._lock:
            return list(self._updates)

    @property
    def ephemerals(self) -> list[Ephemeral]:
        with self._lock:
            return list(self._ephemerals)

    @property
    def reactions(self) -> list[Reaction]:
        with self._lock:
            return list(self._reactions)

    def response_url_posts(self, url: str | None = None) -> list[ResponseUrlPost]:
        with self._lock:
            return [p for p in self._response_posts if url is None or p.url == url]

    def clear(self) -> None:
        """Forget what was recorded and any pending faults. The registry (users,
        channels, files) and the message history stay, so old messages can still be
        updated or reacted to."""
        with self._lock:
            self._calls.clear()
            self._posted.clear()
            self._updates.clear()
            self._ephemerals.clear()
            self._reactions.clear()
            self._response_posts.clear()
            self._faults.clear()
