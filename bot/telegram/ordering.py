"""Updates of one chat are handled in order; different chats run side by side.

Telegram sends a chat's updates in order, but PTB with concurrent updates
would run a quick second message before a slow first one. ``ChatOrder``
holds one lock per chat while it has work; ``ChatOrderedProcessor`` plugs it
into PTB's polling path and the webhook handler uses it directly.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


def chat_key(update: object) -> int | None:
    if isinstance(update, Update) and update.effective_chat is not None:
        return update.effective_chat.id
    return None


class ChatOrder:
    """One lock per chat, dropped when nobody waits for it."""

    def __init__(self) -> None:
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, key: int | None) -> AsyncIterator[None]:
        if key is None:
            yield
            return
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Up to ``max_concurrent_updates`` at once, one at a time per chat."""

    def __init__(self, max_concurrent_updates: int, order: ChatOrder | None = None) -> None:
        super().__init__(max_concurrent_updates)
        self.order = order or ChatOrder()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        async with self.order.hold(chat_key(update)):
            await coroutine

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""
