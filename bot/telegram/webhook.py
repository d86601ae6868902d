"""The door of ``POST /telegram/webhook``: what a request must be before PTB sees it.

In order (each refusal a status, no body, one WARNING line, ``bot.doors``):
POST only (405); the secret-token header equal to ours, compared in constant
time, before the body is even read (403); at most ``MAX_BODY_BYTES`` (413);
JSON content type (415); UTF-8 JSON of an object with an integer ``update_id``
that PTB can read as an ``Update`` (400).
"""

from __future__ import annotations

import hmac
import json
from typing import Any

from aiohttp import web
from telegram import Bot, Update

from bot.doors import Refused, read_bounded, require_post

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY_BYTES = 1024 * 1024  # an update is a few KB; Telegram's own messages stay under 64 KB


async def read_update(request: web.Request, secret: str | None, bot: Bot) -> Update:
    """The update of a request that passed every check; else ``Refused``."""
    require_post(request)
    given = request.headers.get(SECRET_HEADER)
    if not secret or given is None or not hmac.compare_digest(given.encode(), secret.encode()):
        raise Refused(403, "secret")
    raw = await read_bounded(request, MAX_BODY_BYTES)
    if request.content_type != "application/json":
        raise Refused(415, "content type")
    try:
        data: Any = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise Refused(400, "malformed") from None
    if not isinstance(data, dict) or type(data.get("update_id")) is not int:
        raise Refused(400, "no update id")
    try:
        update = Update.de_json(data, bot)
    except Exception:  # PTB's constructors on fields of the wrong shape
        raise Refused(400, "unreadable") from None
    if update is None:
        raise Refused(400, "unreadable")
    return update
