"""Waiting for the fake Slack to receive something, from threads or coroutines.

`_Waiting` re-checks a predicate whenever the fake changes (`_notify`, called
with the lock held, wakes every waiter): ``wait_for`` blocks and refuses to run
inside an event loop, ``await_for`` keeps the loop running; a timeout raises
`WaitTimeout` listing the calls received.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import TypeVar

from .records import WaitTimeout
from .state import _State

T = TypeVar("T")


class _Waiting(_State):
    def wait_for(self, predicate: Callable[[], T | None], timeout: float = 5.0) -> T:
        """Block until ``predicate()`` is truthy and return its value.

        For threads and sync tests. In a coroutine use ``await fake.await_for(...)``:
        blocking the loop would also block a bot running on it."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass
        else:
            raise RuntimeError("wait_for() would block the event loop; use await fake.await_for()")
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                result = predicate()
                if result:
                    return result
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise WaitTimeout(self._timeout_message(timeout))
                self._changed.wait(remaining)

    async def await_for(self, predicate: Callable[[], T | None], timeout: float = 5.0) -> T:
        """Wait without blocking the running loop until ``predicate()`` is truthy."""
        loop = asyncio.get_running_loop()
        event = asyncio.Event()
        waiter = (loop, event)
        with self._lock:
            self._async_waiters.append(waiter)
        try:
            deadline = loop.time() + timeout
            while True:
                event.clear()
                result = predicate()
                if result:
                    return result
                remaining = deadline - loop.time()
                if remaining <= 0:
                    raise WaitTimeout(self._timeout_message(timeout))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), remaining)
        finally:
            with self._lock:
                self._async_waiters.remove(waiter)

    def _timeout_message(self, timeout: float) -> str:
        calls = "\n".join(f"  {c.method} {c.args}" for c in self.calls[-20:]) or "  (none)"
        return f"condition not met within {timeout}s; last calls received:\n{calls}"

    def _notify(self) -> None:
        # called with the lock held
        self._changed.notify_all()
        for loop, event in self._async_waiters:
            with contextlib.suppress(RuntimeError):  # that loop may be closed
                loop.call_soon_threadsafe(event.set)
