"""Signing in and out: the one-time link, the page that explains how to get one, signing out.

``GET /entrar/{token}`` only shows a button (mail scanners that open links
must not spend them); ``POST /entrar/{token}`` redeems the link
(``core.web_sign_in``) and starts the session. An expired, used or unknown
link gets a clear page saying how to ask for a new one.
"""

from __future__ import annotations

from aiohttp import web

from bot.web.auth import current_actor, session_of, set_session, sign_in, sign_out
from bot.web.context import web_context
from bot.web.rendering import render
from core.errors import DomainError
from core.web_sign_in import MAX_TOKEN_LENGTH, redeem_sign_in

routes = web.RouteTableDef()


def _safe_next(value: str | None) -> str | None:
    """Only a path of this site (never ``//elsewhere`` or a full URL)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value or len(value) > 500:
        return None
    return value


@routes.get("/entrar", name="sign_in")
async def sign_in_help(request: web.Request) -> web.StreamResponse:
    """How to get a link; remembers where the visitor was going (in the session, for after the link)."""
    actor = await current_actor(request)
    target = _safe_next(request.query.get("next"))
    if actor is not None:
        return web.Response(status=302, headers={"Location": target or "/"})
    if target:
        session = dict(session_of(request))
        session["next"] = target
        set_session(request, session)
    return render(request, "sign_in/help.html", signed_out="saiu" in request.query)


@routes.get("/entrar/{token}", name="sign_in_link")
async def sign_in_confirm(request: web.Request) -> web.StreamResponse:
    await current_actor(request)
    token = request.match_info["token"]
    if len(token) > MAX_TOKEN_LENGTH:
        return render(request, "sign_in/refused.html", status=400,
                      message=_refusal(request, "web.sign_in.invalid"))
    return render(request, "sign_in/confirm.html", token=token)


def _refusal(request: web.Request, key: str) -> str:
    from bot.web.rendering import text

    return text(request, key)


@routes.post("/entrar/{token}", name="sign_in_redeem")
async def sign_in_redeem(request: web.Request) -> web.StreamResponse:
    ctx = web_context(request)
    target = _safe_next(session_of(request).get("next"))
    try:
        person = await ctx.run(redeem_sign_in, ctx.desk, request.match_info["token"])
    except DomainError as exc:
        await current_actor(request)
        return render(request, "sign_in/refused.html", status=400, message=_refusal(request, exc.key))
    sign_in(request, person)
    return web.Response(status=303, headers={"Location": target or "/"})


@routes.post("/sair", name="sign_out")
async def sign_out_route(request: web.Request) -> web.StreamResponse:
    sign_out(request)
    return web.Response(status=303, headers={"Location": "/entrar?saiu=1"})
