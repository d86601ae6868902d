"""What every ticket form does: read the number and the form, call one use case, show the outcome.

A ticket page's action posts to ``<page>/<action>``; ``run_action`` calls the
use case in a worker thread and answers 303 back to the page with
``?ok=<action>`` (the page shows the confirmation), or shows the page again
with the refusal, politely, with the status the refusal deserves (400, 404,
409), never a 5xx. An unknown or unreadable ticket number is a 404 page.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.web.auth import WebActor, signed_in_actor
from bot.web.context import web_context
from bot.web.forms import form_of
from bot.web.rendering import render, request_locale
from core.errors import Conflict, DomainError, NotFound
from core.model import parse_ticket_number

Action = Callable[[Any, str, WebActor, dict[str, str]], Any]
PageContext = Callable[[web.Request, str, WebActor], Awaitable[dict[str, Any]]]


def ticket_number(request: web.Request) -> str:
    """The ticket number of the path, normalized; an unreadable one is a 404 page."""
    raw = request.match_info["number"][:40]
    try:
        return parse_ticket_number(raw)
    except DomainError:
        raise NotFound("ticket.not_found", number=raw) from None


def refusal_status(exc: DomainError) -> int:
    return 404 if isinstance(exc, NotFound) else 409 if isinstance(exc, Conflict) else 400


async def run_action(request: web.Request, action: str, call: Action, *, page_route: str, template: str,
                     context: PageContext) -> web.StreamResponse:
    actor = await signed_in_actor(request)
    number = ticket_number(request)
    form = await form_of(request)
    ctx = web_context(request)
    try:
        await ctx.run(call, ctx.desk, number, actor, form)
    except DomainError as exc:
        if exc.key == "ticket.not_found":
            raise  # the errors middleware: the 404 page
        page = await context(request, number, actor)
        page.update(error=exc.render(request_locale(request)), form=form)
        return render(request, template, status=refusal_status(exc), **page)
    location = str(request.app.router[page_route].url_for(number=number)) + f"?ok={action}"
    return web.Response(status=303, headers={"Location": location})


def add_actions(routes: web.RouteTableDef, *, base: str, page_route: str, template: str, context: PageContext,
                guard: Callable[[Callable[[web.Request], Awaitable[web.StreamResponse]]],
                                Callable[[web.Request], Awaitable[web.StreamResponse]]],
                actions: dict[str, tuple[str, Action]]) -> None:
    """A POST route ``{base}/{path}`` named ``{page_route}_{action}`` for each ``action: (path, call)``."""
    for action, (path, call) in actions.items():
        async def handler(request: web.Request, action: str = action, call: Action = call) -> web.StreamResponse:
            return await run_action(request, action, call, page_route=page_route, template=template,
                                    context=context)

        handler.__name__ = f"{page_route}_{action}"
        routes.post(f"{base}/{path}", name=f"{page_route}_{action}")(guard(handler))
