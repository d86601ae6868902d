"""What the HTTP doors (Slack's events URL, Telegram's webhook) share: refusing, and reading a bounded body.

A refused request gets its status, no body and one WARNING line whose reason
is a fixed word: never the body, a header's value or anything a sender chose.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from aiohttp import web

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Refused(Exception):
    """A request turned away: its status and a fixed reason for the log."""

    status: int
    reason: str


def refuse(door: str, status: int, reason: str) -> web.Response:
    """The answer to a refused request: the status, no body, one WARNING line."""
    log.warning("request refused", extra={"door": door, "status": status, "reason": reason})
    return web.Response(status=status)


def require_post(request: web.Request) -> None:
    if request.method != "POST":
        raise Refused(405, "method")


async def read_bounded(request: web.Request, limit: int) -> bytes:
    """The raw body, or ``Refused(413)`` past ``limit`` bytes (announced or actually sent)."""
    if request.content_length is not None and request.content_length > limit:
        raise Refused(413, "too large")
    raw = await request.content.read(limit + 1)
    if len(raw) > limit:
        raise Refused(413, "too large")
    return raw
