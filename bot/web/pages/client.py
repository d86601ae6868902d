"""A client's pages: their tickets, and one ticket's page with the conversation (no internal notes).

The contact sees a ticket of their own organization only: any other number is
the same 404 as a missing one (``get_ticket`` with the contact as actor; the
read model holds public messages only). They can add a message, and accept or
reject the solution while it is answered: the same use cases as the chat's
buttons. An analyst following a client's link is taken to the team's page.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.web.actions import add_actions, ticket_number
from bot.web.auth import WebActor, contact_only, signed_in, signed_in_actor
from bot.web.context import web_context
from bot.web.forms import new_nonce, web_ref
from bot.web.rendering import render, request_locale
from core.model import Actor, TicketStatus

routes = web.RouteTableDef()

DONE = {"message", "accept", "reject"}


@routes.get("/meus-chamados", name="client_tickets")
@contact_only
async def client_tickets(request: web.Request) -> web.StreamResponse:
    actor = await signed_in_actor(request)
    ctx = web_context(request)
    tickets = await ctx.run(ctx.desk.contact_tickets, actor.id)
    return render(request, "client/list.html", tickets=tickets)


async def client_context(request: web.Request, number: str, actor: WebActor) -> dict[str, Any]:
    ctx = web_context(request)
    locale = request_locale(request)

    def load() -> dict[str, Any]:
        ticket = ctx.desk.get_ticket(number, Actor.contact(actor.id))
        hint = ctx.sla.hint(ticket.number, locale) if ctx.sla is not None else None
        return {"ticket": ticket, "sla_hint": hint}

    data = await ctx.run(load)
    data.update(nonce=new_nonce(), answered=data["ticket"].status == TicketStatus.ANSWERED,
                done=request.query.get("ok") if request.query.get("ok") in DONE else None)
    return data


@routes.get("/acompanhar/{number}", name="client_ticket")
@signed_in
async def client_ticket(request: web.Request) -> web.StreamResponse:
    actor = await signed_in_actor(request)
    number = ticket_number(request)
    if actor.is_analyst:
        location = str(request.app.router["ticket"].url_for(number=number))
        return web.Response(status=302, headers={"Location": location})
    return render(request, "client/ticket.html", **await client_context(request, number, actor))


add_actions(routes, base="/acompanhar/{number}", page_route="client_ticket", template="client/ticket.html",
            context=client_context, guard=contact_only, actions={
    "message": ("mensagem", lambda desk, n, a, f: desk.client_message(
        n, a.id, f.get("body", ""), ref=web_ref(f, f"contact:{a.id}"))),
    "accept": ("aceitar", lambda desk, n, a, f: desk.accept_solution(n, a.id)),
    "reject": ("recusar", lambda desk, n, a, f: desk.reject_solution(n, a.id, f.get("body", "").strip() or None)),
})
