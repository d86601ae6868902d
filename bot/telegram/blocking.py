"""Blocking work of the update handlers (the dialog, the store) in the adapter's own threads.

Handlers get their own pool so a burst of incoming updates never queues in
front of the outbox dispatcher, which uses asyncio's default executor: replies
keep flowing out while many messages come in.

A call that fails because the database is briefly unavailable (restarting,
connection dropped) is made again, for up to ``retry_budget`` seconds: in
polling mode Telegram has already been told the update arrived, so giving up
would lose it. What runs here is idempotent per update (the dialog and the
desk handlers record the update id they handled).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

from core.store.db import retry_transient

P = ParamSpec("P")
T = TypeVar("T")

log = logging.getLogger(__name__)

RETRY_BUDGET = 20.0  # seconds a handler waits for the database to come back


def _log_retry(exc: BaseException, delay: float) -> None:
    log.warning("database unavailable while handling an update; trying again",
                extra={"error": type(exc).__name__, "delay": round(delay, 2)})


class BlockingPool:
    """A small thread pool for synchronous calls made from handlers."""

    def __init__(self, workers: int, name: str, retry_budget: float = RETRY_BUDGET) -> None:
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)
        self._closing = threading.Event()
        self.retry_budget = retry_budget

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        loop = asyncio.get_running_loop()
        call = functools.partial(fn, *args, **kwargs)
        work = functools.partial(retry_transient, call, budget=self.retry_budget, stop=self._closing,
                                 on_retry=_log_retry)
        return await loop.run_in_executor(self._executor, work)

    def shutdown(self) -> None:
        """Stop retrying (calls waiting for the database fail now), then wait for running calls."""
        self._closing.set()
        self._executor.shutdown(wait=True)
