"""``build_web_app``: the aiohttp application of the web workspace.

Middlewares, outermost first:

1. ``errors``: a domain refusal becomes a polite page (404 for NotFound, 409
   for Conflict, 400 otherwise); an unknown path a 404 page; anything
   unexpected a 500 page (logged without the request's body), never a traceback.
2. ``sessions``: reads the signed session cookie (a fresh anonymous session
   when absent or invalid) and writes it back when it changed.
3. ``csrf``: every POST must carry the session's token (form field
   ``csrf_token`` or header ``X-CSRF-Token``): refused with 403 otherwise.

``chamado serve`` adds its own routes (webhooks, /healthz, /metrics) to this
same application; the middlewares leave those paths alone (``SERVICE_PATHS``).
"""

from __future__ import annotations

import hmac
import importlib
import logging
from pathlib import Path

from aiohttp import web

import bot.texts  # noqa: F401  (registers the chat catalogs: criticality labels and the like)
from bot.web.actions import refusal_status
from bot.web.auth import (
    CHANGED_KEY,
    COOKIE,
    CSRF_FIELD,
    CSRF_HEADER,
    SESSION_KEY,
    csrf_token,
    current_actor,
    decode_session,
    new_session,
    set_session,
    write_cookie,
)
from bot.web.context import CONTEXT_KEY, WebContext, web_context
from bot.web.pages import PAGE_MODULES
from bot.web.rendering import ENV_KEY, LANG_COOKIE, LOCALES, build_environment, error_page
from core.errors import DomainError
from core.i18n import register_catalog_dir

log = logging.getLogger("chamado.web")

STATIC = Path(__file__).parent / "static"
SERVICE_PATHS = ("/telegram/", "/slack/", "/healthz", "/metrics")
MAX_BODY = 1024 * 1024  # forms only: 1 MiB is plenty


def _is_web(request: web.Request) -> bool:
    return not request.path.startswith(SERVICE_PATHS) and not request.path.startswith("/static/")


@web.middleware
async def errors(request: web.Request, handler: web.RequestHandler) -> web.StreamResponse:
    if not _is_web(request):
        return await handler(request)
    try:
        return await handler(request)
    except DomainError as exc:
        return error_page(request, refusal_status(exc), exc.key, **exc.params)
    except web.HTTPNotFound:
        return error_page(request, 404, "web.error.not_found")
    except web.HTTPMethodNotAllowed:
        return error_page(request, 405, "web.error.method")
    except web.HTTPRequestEntityTooLarge:
        return error_page(request, 413, "web.error.too_large")
    except web.HTTPException:
        raise
    except Exception:
        log.exception("web page failed", extra={"path": request.path, "method": request.method})
        return error_page(request, 500, "web.error.unexpected")


@web.middleware
async def sessions(request: web.Request, handler: web.RequestHandler) -> web.StreamResponse:
    if not _is_web(request):
        return await handler(request)
    config = web_context(request).config
    data = decode_session(config.secret_key, request.cookies.get(COOKIE))
    if data is None or not isinstance(data.get("csrf"), str):
        set_session(request, new_session(config.session_hours))
    else:
        request[SESSION_KEY] = data
    response = await handler(request)
    if request.get(CHANGED_KEY) and not response.prepared:
        write_cookie(request, response)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


@web.middleware
async def csrf(request: web.Request, handler: web.RequestHandler) -> web.StreamResponse:
    if request.method in {"GET", "HEAD", "OPTIONS"} or not _is_web(request):
        return await handler(request)
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent and request.content_type in {"application/x-www-form-urlencoded", "multipart/form-data"}:
        form = await request.post()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else ""
    if not sent or not hmac.compare_digest(sent, csrf_token(request)):
        await current_actor(request)
        return error_page(request, 403, "web.error.csrf")
    return await handler(request)


async def home(request: web.Request) -> web.StreamResponse:
    """The front door: the queue for analysts, the client's tickets for contacts, else signing in."""
    actor = await current_actor(request)
    if actor is None:
        return web.Response(status=302, headers={"Location": "/entrar"})
    return web.Response(status=302, headers={"Location": "/fila" if actor.is_analyst else "/meus-chamados"})


async def switch_language(request: web.Request) -> web.StreamResponse:
    lang = request.query.get("lang", "")
    target = request.query.get("next", "/")
    if not target.startswith("/") or target.startswith("//"):
        target = "/"
    response = web.Response(status=302, headers={"Location": target})
    if lang in LOCALES:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, path="/", httponly=True, samesite="Lax",
                            secure=web_context(request).config.cookie_secure)
    return response


def build_web_app(context: WebContext) -> web.Application:
    """The workspace's application: pages from ``PAGE_MODULES``, static files, templates, middlewares."""
    register_catalog_dir(Path(__file__).parent / "locales")
    app = web.Application(middlewares=[errors, sessions, csrf], client_max_size=MAX_BODY)
    app[CONTEXT_KEY] = context
    app[ENV_KEY] = build_environment()
    app.router.add_get("/", home, name="home")
    app.router.add_get("/idioma", switch_language, name="language")
    app.router.add_static("/static/", STATIC, name="static", append_version=False)
    for dotted in PAGE_MODULES:
        module = importlib.import_module(dotted)
        app.router.add_routes(module.routes)
    return app
