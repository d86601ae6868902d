"""Reading posted forms: bounded text fields, a submission nonce, and where to go back to.

A form field is read as text with a length limit (bad or missing values are
empty strings, never an exception); the use cases refuse what is empty or too
long with their own polite message. Each message form carries a random
``submission`` nonce: the use cases store a web message once per nonce
(``PlatformRef("web", ...)``), so a double click or a re-sent form is not
posted twice.
"""

from __future__ import annotations

import secrets

from aiohttp import web

from core.model import PlatformRef

MAX_FIELD = 25_000  # above the body limit of the use cases, so they give the refusal


async def form_of(request: web.Request) -> dict[str, str]:
    """The posted fields as bounded strings (files are ignored)."""
    data = await request.post()
    return {key: value[:MAX_FIELD] for key, value in data.items() if isinstance(value, str)}


def new_nonce() -> str:
    return secrets.token_urlsafe(12)


def web_ref(form: dict[str, str], who: str) -> PlatformRef | None:
    """The message's reference for deduplication, from the form's nonce (None without one)."""
    nonce = form.get("submission", "").strip()[:40]
    if not nonce:
        return None
    return PlatformRef(platform="web", chat=who, message_id=nonce)
