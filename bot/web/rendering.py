"""Pages as HTML: the Jinja2 environment, the request's language, and ``render``.

``render(request, "area/page.html", **context)`` returns the page. Templates
(autoescaped) see these globals:

- ``t(key, **params)``: a text from the catalogs in the request's language
  (``?lang=`` switch stored in a cookie, else Accept-Language, else pt-BR);
- ``csrf_field()``: the hidden CSRF input every form must carry;
- ``actor``: the signed-in ``WebActor`` or None; ``locale``; ``request``;
- ``url(name, query=None, **parts)``: the path of a named route; ``has_route(name)``;

and filters ``dt`` (America/Sao_Paulo, dd/mm/aaaa HH:MM), ``date``, ``money``
(cents as R$ 1.234,56), ``status`` (the status label), ``minutes`` (1h30).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import jinja2
from aiohttp import web
from markupsafe import Markup, escape

from bot.web.auth import ACTOR_KEY, CSRF_FIELD, csrf_token
from bot.web.context import web_context
from core.billing import format_cents, format_minutes
from core.i18n import normalize_locale, translate
from core.model import status_label

TEMPLATES = Path(__file__).parent / "templates"
ENV_KEY: web.AppKey[jinja2.Environment] = web.AppKey("chamado_web_jinja")
LANG_COOKIE = "chamado_lang"
LOCALES = ("pt-BR", "en")
TZ = ZoneInfo("America/Sao_Paulo")


def build_environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["dt"] = format_datetime
    env.filters["date"] = format_date
    env.filters["money"] = jinja2.pass_context(lambda ctx, cents: format_cents(int(cents or 0), ctx["locale"]))
    env.filters["status"] = jinja2.pass_context(lambda ctx, status: status_label(status, ctx["locale"]))
    env.filters["minutes"] = lambda value: format_minutes(int(value)) if value else "—"
    return env


def format_datetime(value: datetime | str | None) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.astimezone(TZ).strftime("%d/%m/%Y %H:%M")


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = value.astimezone(TZ).date()
    return value.strftime("%d/%m/%Y")


def request_locale(request: web.Request) -> str:
    """The switch (``?lang=``, kept in a cookie), else the browser's Accept-Language, else the default."""
    chosen = request.query.get("lang") or request.cookies.get(LANG_COOKIE)
    if chosen in LOCALES:
        return chosen
    for part in request.headers.get("Accept-Language", "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("pt"):
            return "pt-BR"
        if tag.startswith("en"):
            return "en"
    return normalize_locale(web_context(request).config.locale)


def text(request: web.Request, key: str, **params: Any) -> str:
    """A catalog text in the request's language (for handlers: flash messages, errors)."""
    return translate(key, request_locale(request), **params)


def url_for(request: web.Request, name: str, query: dict[str, Any] | None = None, **parts: Any) -> str:
    path = str(request.app.router[name].url_for(**{k: str(v) for k, v in parts.items()}))
    if query:
        clean = {k: v for k, v in query.items() if v not in (None, "", False)}
        if clean:
            path += "?" + urlencode(clean, doseq=True)
    return path


def render_text(request: web.Request, template: str, **context: Any) -> str:
    locale = request_locale(request)
    env = request.app[ENV_KEY]

    def csrf_field() -> Markup:
        return Markup('<input type="hidden" name="{}" value="{}">').format(CSRF_FIELD,
                                                                          escape(csrf_token(request)))

    values: dict[str, Any] = {
        "t": lambda key, **params: translate(key, locale, **params),
        "csrf_field": csrf_field,
        "csrf_token": csrf_token(request),
        "actor": request.get(ACTOR_KEY),
        "locale": locale,
        "request": request,
        "url": lambda name, query=None, **parts: url_for(request, name, query, **parts),
        "status_label": lambda status: status_label(status, locale),
        "has_route": lambda name: name in request.app.router,
    }
    values.update(context)
    return env.get_template(template).render(**values)


def render(request: web.Request, template: str, *, status: int = 200, **context: Any) -> web.Response:
    """The page ``template`` with ``context``, as an HTML response."""
    response = web.Response(text=render_text(request, template, **context), status=status,
                            content_type="text/html", charset="utf-8")
    response.headers["Cache-Control"] = "no-store"
    return response


def error_page(request: web.Request, status: int, key: str, *, message: str | None = None,
               **params: Any) -> web.Response:
    """A polite page for a refusal or a mistake: never a traceback."""
    return render(request, "error.html", status=status, title_key=f"web.error.title.{status}",
                  message=message or text(request, key, **params))
