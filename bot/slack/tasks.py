"""Work done after Slack got its acknowledgement: tracked tasks, so shutdown and tests can wait for them.

Slack wants an answer within three seconds and retries otherwise; listeners
``ack()`` and hand the real work (database, Web API) to ``Tasks.spawn``.
``idle()`` waits until nothing is in flight, including work spawned by work.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger(__name__)


class Tasks:
    """A set of background tasks whose failures are logged, never lost silently."""

    def __init__(self) -> None:
        self._pending: set[asyncio.Task[Any]] = set()

    def spawn(self, work: Coroutine[Any, Any, Any], name: str | None = None) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(work, name=name)
        self._pending.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._pending.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            log.error("slack background work failed", exc_info=exc, extra={"task": task.get_name()})

    @property
    def pending(self) -> int:
        return len(self._pending)

    async def idle(self, timeout: float | None = None) -> None:
        """Wait until every spawned task (and what they spawned) has finished."""
        async with asyncio.timeout(timeout):
            while self._pending:
                await asyncio.wait(set(self._pending))

    async def cancel(self) -> None:
        for task in list(self._pending):
            task.cancel()
        if self._pending:
            await asyncio.wait(set(self._pending))
