"""Waiting for the fake Telegram to receive something, from sync or async code.

`_Waiting` re-checks a predicate on every recorded change: ``wait_for``/
``wait_for_messages`` block (sync tests, other threads) and refuse to run
inside an event loop, ``await_for``/``await_for_messages`` keep the caller's
loop running; a timeout raises `FakeTelegramTimeout` listing the last calls.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable
from typing import TypeVar

from .records import FakeTelegramTimeout, SentMessage
from .state import _State

T = TypeVar("T")


class _Waiting(_State):
    def wait_for(self, predicate: Callable[[], T | None], timeout: float = 5.0) -> T:
        """Block until ``predicate()`` is truthy (re-checked on every recorded change).

        For sync tests, or threads other than the bot's event loop; from async code use
        ``await fake.await_for(...)`` so the bot keeps running.
        """
        _refuse_inside_event_loop("wait_for", "await_for")
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                result = predicate()
                if result:
                    return result
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise FakeTelegramTimeout(self._timeout_report(timeout))
                self._changed.wait(min(remaining, 0.1))

    def wait_for_messages(
        self, chat_id: int, count: int, timeout: float = 5.0, thread_id: int | None = None
    ) -> list[SentMessage]:
        """Block until the bot has sent ``count`` messages to the chat; returns them all."""
        return self.wait_for(self._at_least(chat_id, count, thread_id), timeout)

    async def await_for(
        self, predicate: Callable[[], T | None], timeout: float = 5.0
    ) -> T:
        """Like `wait_for`, without blocking the caller's event loop."""
        loop = asyncio.get_running_loop()
        event = asyncio.Event()

        def wake() -> None:
            with contextlib.suppress(RuntimeError):  # the waiter's loop is closed
                loop.call_soon_threadsafe(event.set)

        self._async_waiters.add(wake)
        try:
            deadline = loop.time() + timeout
            while True:
                event.clear()
                result = predicate()
                if result:
                    return result
                remaining = deadline - loop.time()
                if remaining <= 0:
                    raise FakeTelegramTimeout(self._timeout_report(timeout))
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(event.wait(), min(remaining, 0.1))
        finally:
            self._async_waiters.discard(wake)

    async def await_for_messages(
        self, chat_id: int, count: int, timeout: float = 5.0, thread_id: int | None = None
    ) -> list[SentMessage]:
        return await self.await_for(self._at_least(chat_id, count, thread_id), timeout)

    def _at_least(
        self, chat_id: int, count: int, thread_id: int | None
    ) -> Callable[[], list[SentMessage] | None]:
        def enough() -> list[SentMessage] | None:
            sent = self.sent_messages(chat_id, thread_id)
            return sent if len(sent) >= max(count, 1) else None

        return enough

    def _notify_async_waiters(self) -> None:
        for wake in list(self._async_waiters):
            wake()

    def _timeout_report(self, timeout: float) -> str:
        with self._lock:
            calls = [
                f"  {c.method} -> {c.status} "
                + json.dumps(c.params, ensure_ascii=False, default=repr)[:200]
                for c in self._calls[-15:] if c.method != "getUpdates"
            ]
        listing = "\n".join(calls or ["  (none)"])
        return f"condition not met within {timeout}s; last calls:\n{listing}"


def _refuse_inside_event_loop(name: str, alternative: str) -> None:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    raise RuntimeError(
        f"FakeTelegram.{name}() blocks; inside a running event loop it would freeze the bot "
        f"under test. Use `await fake.{alternative}(...)` instead."
    )
