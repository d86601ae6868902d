"""Who is on the page: the signed session cookie, the actor, CSRF, and the handler decorators.

The session lives in one cookie (``chamado_session``): a small JSON payload
(the person's kind and id, the CSRF token, the expiry) signed with HMAC-SHA256
under ``WebConfig.secret_key``; HttpOnly, SameSite=Lax, Secure when the public
URL is https. A visitor who is not signed in gets an anonymous session too, so
the sign-in forms carry a CSRF token as well.

``current_actor`` looks the person up on every request (``core.web_sign_in``):
a deactivated analyst loses access at once, whatever the cookie says.

Decorators for handlers::

    @routes.get("/fila", name="queue")
    @analyst_only
    async def queue(request): ...

``signed_in`` (anyone signed in), ``analyst_only`` (contacts get a 403 page),
``manager_only``; signed out, each redirects to the sign-in page.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, fields
from typing import Any
from urllib.parse import quote

from aiohttp import web

from bot.web.context import web_context
from core.web_sign_in import SignInPerson, signed_in_person

COOKIE = "chamado_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SESSION_KEY: web.RequestKey[dict[str, Any]] = web.RequestKey("chamado_web_session", dict)
CHANGED_KEY: web.RequestKey[bool] = web.RequestKey("chamado_web_session_changed", bool)
ACTOR_KEY: web.RequestKey[WebActor | None] = web.RequestKey("chamado_web_actor", object)  # type: ignore[arg-type]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class WebActor(SignInPerson):
    """The signed-in person as the pages see them (looked up again on every request)."""

    @property
    def is_analyst(self) -> bool:
        return self.kind == "analyst"

    @property
    def is_contact(self) -> bool:
        return self.kind == "contact"

    @classmethod
    def of(cls, person: SignInPerson) -> WebActor:
        return cls(**{f.name: getattr(person, f.name) for f in fields(SignInPerson)})


# --- the signed cookie ---------------------------------------------------------


def _sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def encode_session(secret: str, data: dict[str, Any]) -> str:
    body = base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode().rstrip("=")
    return f"{body}.{_sign(secret, body.encode())}"


def decode_session(secret: str, value: str | None, now: float | None = None) -> dict[str, Any] | None:
    """The payload when the signature is right and the session has not expired; else None."""
    if not value or "." not in value or len(value) > 2000:
        return None
    body, signature = value.rsplit(".", 1)
    if not hmac.compare_digest(_sign(secret, body.encode()), signature):
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict) or float(data.get("exp", 0)) < (now or time.time()):
        return None
    return data


def new_session(hours: float, person: SignInPerson | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"csrf": secrets.token_urlsafe(24), "exp": int(time.time() + hours * 3600)}
    if person is not None:
        data.update(k=person.kind, id=person.id)
    return data


def session_of(request: web.Request) -> dict[str, Any]:
    """This request's session (set by the middleware)."""
    session: dict[str, Any] = request[SESSION_KEY]
    return session


def set_session(request: web.Request, data: dict[str, Any]) -> None:
    """Replace the session; the middleware writes the cookie on the response."""
    request[SESSION_KEY] = data
    request[CHANGED_KEY] = True


def write_cookie(request: web.Request, response: web.StreamResponse) -> None:
    config = web_context(request).config
    data = session_of(request)
    max_age = max(0, int(data["exp"] - time.time()))
    response.set_cookie(COOKIE, encode_session(config.secret_key, data), max_age=max_age, path="/",
                        httponly=True, samesite="Lax", secure=config.cookie_secure)


def sign_in(request: web.Request, person: SignInPerson) -> None:
    """Start a fresh session for ``person`` (a new CSRF token: nothing from before carries over)."""
    set_session(request, new_session(web_context(request).config.session_hours, person))
    request[ACTOR_KEY] = WebActor.of(person)


def sign_out(request: web.Request) -> None:
    set_session(request, new_session(1))
    request[ACTOR_KEY] = None


def csrf_token(request: web.Request) -> str:
    return str(session_of(request)["csrf"])


# --- the actor -------------------------------------------------------------------


async def current_actor(request: web.Request) -> WebActor | None:
    """The signed-in person as they are now (looked up once per request); None when signed out."""
    if ACTOR_KEY in request:
        actor: WebActor | None = request[ACTOR_KEY]
        return actor
    data = session_of(request)
    actor = None
    kind, person_id = data.get("k"), data.get("id")
    if isinstance(kind, str) and isinstance(person_id, int):
        ctx = web_context(request)
        person = await ctx.run(signed_in_person, ctx.desk, kind, person_id)
        actor = WebActor.of(person) if person is not None else None
    request[ACTOR_KEY] = actor
    return actor


async def signed_in_actor(request: web.Request) -> WebActor:
    """The actor of a handler behind ``signed_in`` / ``analyst_only`` / ``contact_only`` (never None there)."""
    actor = await current_actor(request)
    assert actor is not None, "use behind a signed-in decorator"
    return actor


def to_sign_in(request: web.Request) -> web.Response:
    """To the sign-in page, coming back here afterwards (htmx requests: a full-page redirect)."""
    target = f"/entrar?next={quote(request.path_qs, safe='')}"
    if request.headers.get("HX-Request"):
        return web.Response(status=204, headers={"HX-Redirect": target})
    return web.Response(status=302, headers={"Location": target})


def signed_in(handler: Handler) -> Handler:
    """Anyone signed in; signed out: to the sign-in page (and back here afterwards)."""

    @functools.wraps(handler)
    async def wrapper(request: web.Request) -> web.StreamResponse:
        if await current_actor(request) is None:
            return to_sign_in(request)
        return await handler(request)

    return wrapper


def _role_required(check: Callable[[WebActor], bool]) -> Callable[[Handler], Handler]:
    def decorator(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def wrapper(request: web.Request) -> web.StreamResponse:
            actor = await current_actor(request)
            if actor is None:
                return to_sign_in(request)
            if not check(actor):
                from bot.web.rendering import error_page

                return error_page(request, 403, "web.error.forbidden")
            return await handler(request)

        return wrapper

    return decorator


analyst_only = _role_required(lambda actor: actor.is_analyst)
manager_only = _role_required(lambda actor: actor.is_analyst and actor.manager)
contact_only = _role_required(lambda actor: actor.is_contact)
