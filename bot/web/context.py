"""What every page reads: the help desk, the web configuration and the optional services.

``build_web_app`` stores one ``WebContext`` in the aiohttp application; a
handler gets it with ``web_context(request)``. Use cases are blocking
(SQLAlchemy): handlers call them through ``await ctx.run(fn, ...)``, which runs
them in a worker thread so the chat adapters sharing the event loop never wait.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from aiohttp import web

from bot.web.config import WebConfig
from core.desk import HelpDesk

if TYPE_CHECKING:
    from core.sla_service import SlaService
    from knowledge_base.loader import KnowledgeBase

T = TypeVar("T")

CONTEXT_KEY: web.AppKey[WebContext] = web.AppKey("chamado_web_context")


@dataclass
class WebContext:
    """The help desk and what the pages need besides it."""

    desk: HelpDesk
    config: WebConfig
    kb: KnowledgeBase | None = None
    sla: SlaService | None = None
    forward_areas: tuple[str, ...] = ()
    extras: dict[str, Any] = field(default_factory=dict)

    async def run(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run a blocking use case in a worker thread."""
        return await asyncio.to_thread(fn, *args, **kwargs)


def web_context(request: web.Request) -> WebContext:
    return request.app[CONTEXT_KEY]
